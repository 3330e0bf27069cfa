/**
 * The calendar invite for a confirmed meeting, as an iCalendar (.ics) file made with the `ics` package. Every
 * surface attaches the same file (a Slack upload, a Teams attachment, a download in the local workspace).
 * Like a channel card, it names the transfer and the meeting, never the child.
 */
import { createEvent } from 'ics';

export interface InviteInput {
  meetingId: string;
  ref: string;
  label: string;
  at: Date;
  minutes: number;
  /** Bumped each time the meeting moves, so calendars replace the earlier invite. */
  sequence: number;
  attendees: readonly { name: string; email: string | null }[];
  /** The invite's ORGANIZER (replies go there; the workflow names the requester); else the first attendee with an e-mail. */
  organizer?: { name: string; email: string | null } | undefined;
  /** The transfer's route and teams, in words. */
  about: string;
  /** The meeting will not take place: a CANCEL that removes it from the calendars it was sent to. */
  cancelled?: boolean | undefined;
}

export interface Invite {
  filename: string;
  content: string;
}

export function meetingInvite(input: InviteInput): Invite {
  const at = input.at;
  // An invite (METHOD:REQUEST) must name its organizer (RFC 5546).
  const organizer = [input.organizer, ...input.attendees].find((p) => p?.email);
  const { error, value } = createEvent({
    productId: 'stepwise/meetings',
    method: input.cancelled ? 'CANCEL' : 'REQUEST',
    uid: `${input.meetingId}@stepwise`,
    sequence: input.sequence,
    title: `${input.label}: ${input.ref}`,
    description: `${input.about}\nStepwise transfer ${input.ref}. The family is invited separately, not through this invite.`,
    start: [at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes()],
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: input.minutes },
    status: input.cancelled ? 'CANCELLED' : 'CONFIRMED',
    ...(organizer ? { organizer: { name: organizer.name, email: organizer.email as string } } : {}),
    attendees: input.attendees
      .filter((a) => a.email)
      .map((a) => ({ name: a.name, email: a.email as string, rsvp: true, role: 'REQ-PARTICIPANT' as const })),
  });
  if (error || !value)
    throw new Error(`the calendar invite could not be made: ${error?.message ?? 'no output'}`);
  const slug = input.label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return { filename: `${input.ref}-${slug || 'meeting'}.ics`, content: value };
}
