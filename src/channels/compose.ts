/**
 * What each outbox message looks like as an Adaptive Card, for every surface: the request card (for a channel,
 * or for one person), the disagreement's card, meeting cards, reminders, digests and calendar invites. A surface
 * only turns these into its own format (Block Kit for Slack; as they are for Teams and the local workspace).
 */
import type { App } from '../app.ts';
import type { FormName } from '../cards/actions.ts';
import { meetingInvite } from '../cards/invite.ts';
import { type AdaptiveCardJson, renderCard } from '../cards/render.ts';
import * as views from '../cards/view.ts';
import {
  digestData,
  digestFromItems,
  disputeCardData,
  meetingCardData,
  type ReminderKind,
  reminderData,
  requestCardData,
  routeKindLabels,
  statusData,
} from '../cards/view.ts';
import { isDurationUnit } from '../domain/calendar.ts';
import type { Person } from '../domain/directory.ts';
import type { FieldError } from '../domain/form.ts';
import { finalStates, transferStates } from '../domain/lifecycle.ts';
import type { Route } from '../domain/profile.ts';
import { type OutboxMessage, PermanentSendError } from '../workflow/outbox.ts';
import { receivingHolderTeam } from '../workflow/participants.ts';
import type { MeetingRow, TransferRow } from '../workflow/ports.ts';

/** The transfer an outbox message is about: one without a transfer, or about one gone, cannot be sent. */
export async function messageTransfer(app: App, m: OutboxMessage): Promise<TransferRow> {
  if (!m.transferId) throw new PermanentSendError(`a ${m.kind} message without a transfer`);
  const t = await app.store.find(m.transferId);
  if (!t) throw new PermanentSendError(`transfer ${m.transferId} no longer exists`);
  return t;
}

/** What every card needs besides its transfer. */
function basics(app: App, now: Date) {
  return { profile: app.profile, directory: app.workflow.directory, calendar: app.calendar, now };
}

/** A transfer's meetings, open dispute and tasks, in one read. */
async function meetingsDisputeAndTasks(app: App, t: TransferRow) {
  return (
    (await app.store.load(t.id, { meetings: true, dispute: true, tasks: true })) ?? {
      meetings: [],
      dispute: null,
      tasks: [],
    }
  );
}

/** The request card as it should look now: for the channel (the deciders' actions), or for one person. */
export async function requestCard(
  app: App,
  t: TransferRow,
  now: Date,
  viewer?: Person,
): Promise<AdaptiveCardJson> {
  const { meetings, dispute, tasks } = await meetingsDisputeAndTasks(app, t);
  return renderCard(
    'request-card',
    requestCardData({
      ...basics(app, now),
      transfer: t,
      meetings,
      dispute,
      tasks,
      ...(viewer ? { viewer } : {}),
    }),
  );
}

/** The open disagreement's card (its stage, who resolves it, Resolve and Escalate now), or null if none is open. */
export async function disputeCard(app: App, t: TransferRow, now: Date): Promise<AdaptiveCardJson | null> {
  const dispute = await app.store.openDispute(t.id);
  return dispute
    ? renderCard('dispute', disputeCardData({ ...basics(app, now), transfer: t, dispute }))
    : null;
}

export function meetingCard(app: App, t: TransferRow, meeting: MeetingRow, now: Date): AdaptiveCardJson {
  return renderCard('meeting', meetingCardData({ ...basics(app, now), transfer: t, meeting }));
}

/**
 * The teams whose channels show a transfer's meeting cards: the receiving team's, the sending team's, and the
 * allocated worker's when that is another team (Hackney's CSC unit, allocated by MASH).
 */
export function meetingTeams(app: App, t: TransferRow): string[] {
  return [t.receivingTeamId, t.sendingTeamId, receivingHolderTeam(app.workflow.directory, t)].filter(
    (id, i, all) => all.indexOf(id) === i,
  );
}

/** A chase in a team's channel: what is due, when, and who holds the case. */
export function reminderCard(app: App, t: TransferRow, m: OutboxMessage, now: Date): AdaptiveCardJson {
  const r = (m.payload.reminder ?? {}) as {
    kind?: ReminderKind;
    dueAt?: string;
    label?: string;
    unit?: string;
  };
  return renderCard(
    'reminder',
    reminderData({
      ...basics(app, now),
      transfer: t,
      kind: r.kind ?? 'decision',
      dueAt: new Date(r.dueAt ?? now),
      ...(r.label ? { label: r.label } : {}),
      ...(isDurationUnit(r.unit) ? { unit: r.unit } : {}),
    }),
  );
}

/** A digest the sweep wrote (an agenda to a team's channel, an overdue list to a manager). */
export function digestCard(m: OutboxMessage): AdaptiveCardJson {
  const p = m.payload as {
    title?: string;
    intro?: string;
    items?: { ref: string; stateLabel: string; dueText: string }[];
    emptyText?: string;
  };
  return renderCard(
    'digest',
    digestFromItems({
      title: p.title ?? 'Stepwise',
      items: p.items ?? [],
      ...(p.intro ? { intro: p.intro } : {}),
      ...(p.emptyText ? { emptyText: p.emptyText } : {}),
    }),
  );
}

/** A meeting's calendar invite (.ics) from an `invite` message, with the title a surface shows beside it. */
export function inviteFile(app: App, t: TransferRow, m: OutboxMessage) {
  const p = m.payload as {
    meetingId: string;
    label: string;
    at: string;
    minutes: number;
    sequence: number;
    attendees: { name: string; email: string | null }[];
    organizer?: { name: string; email: string | null };
    cancelled?: boolean;
  };
  const route = app.workflow.route(t.routeId);
  const kind = routeKindLabels[route.kind as keyof typeof routeKindLabels] ?? route.kind;
  const file = meetingInvite({
    meetingId: p.meetingId,
    ref: t.ref,
    label: p.label,
    at: new Date(p.at),
    minutes: p.minutes,
    sequence: p.sequence,
    attendees: p.attendees ?? [],
    organizer: p.organizer,
    cancelled: p.cancelled,
    about: `${kind}: ${route.name}; ${app.workflow.teamName(t.sendingTeamId)} and ${app.workflow.teamName(t.receivingTeamId)}.`,
  });
  return { ...file, title: `${p.label}: ${t.ref}` };
}

/**
 * `/transfer status`: where a request is. The decision's own words only for the people involved in it, and only
 * in an answer no one else sees (`seenByOthers`: asked in a shared channel, where the answer is public).
 */
export async function statusCard(
  app: App,
  t: TransferRow,
  person: Person,
  now: Date,
  seenByOthers = false,
): Promise<AdaptiveCardJson> {
  const { meetings, dispute } = await meetingsDisputeAndTasks(app, t);
  const involved =
    !seenByOthers &&
    (app.workflow.isSender(t, person) ||
      person.teamId === t.receivingTeamId ||
      t.allocation?.workerId === person.id);
  return renderCard(
    'status',
    statusData({ ...basics(app, now), transfer: t, meetings, dispute, includeText: involved }),
  );
}

/** `/transfer list`: a person's own open requests, or their team's, with states and deadlines. */
export async function listCard(
  app: App,
  person: Person,
  scope: 'mine' | 'team',
  now: Date,
): Promise<AdaptiveCardJson> {
  // Open ones only, asked of the store: filtering the newest 100 afterwards would drop a busy team's oldest.
  const states = transferStates.filter((s) => !finalStates.includes(s));
  const transfers = await app.store.list(
    scope === 'mine'
      ? { requesterId: person.id, states, limit: 100 }
      : { teamIds: [person.teamId], states, limit: 100 },
  );
  const meetings: Record<string, MeetingRow[]> = {};
  const disputes: Record<string, Awaited<ReturnType<typeof app.store.openDispute>>> = {};
  await Promise.all(
    transfers.map(async (t) => {
      meetings[t.id] = await app.store.meetings(t.id);
      disputes[t.id] = await app.store.openDispute(t.id);
    }),
  );
  return renderCard(
    'digest',
    digestData({
      ...basics(app, now),
      title:
        scope === 'mine' ? 'Your open requests' : `${app.workflow.teamName(person.teamId)}: open requests`,
      transfers,
      meetings,
      disputes,
    }),
  );
}

export interface FormContext {
  app: App;
  transfer: TransferRow;
  meetings: readonly MeetingRow[];
  meetingKey?: string | undefined;
}

/** The data a decision form is rendered with; null when the form needs something the transfer lacks. */
export async function formData(name: FormName, ctx: FormContext): Promise<object | null> {
  const { app, transfer } = ctx;
  const base = { transfer, profile: app.profile };
  const meeting = ctx.meetings.find((m) => m.meetingKey === ctx.meetingKey);
  switch (name) {
    case 'decline':
      return views.declineFormData(base);
    case 'request-info':
      return views.requestInfoFormData(base);
    case 'advice-only':
      return views.adviceOnlyFormData(base);
    case 'allocate':
      return views.allocateFormData({ ...base, directory: app.workflow.directory });
    case 'resubmit':
      return views.resubmitFormData(base);
    case 'withdraw':
      return views.withdrawFormData(base);
    case 'dispute':
      return views.disputeFormData(base);
    case 'resolve': {
      const dispute = await app.store.openDispute(transfer.id);
      return dispute ? views.resolveFormData({ ...base, dispute }) : null;
    }
    case 'meeting-time':
      return meeting ? views.meetingTimeFormData({ ...base, meeting }) : null;
    case 'meeting-outcome':
      return meeting ? views.meetingOutcomeFormData({ ...base, meeting }) : null;
  }
}

/** The route's request form, blank or with what was typed and the problems found. */
export function requestFormCard(
  app: App,
  route: Route,
  state: { values?: Readonly<Record<string, unknown>>; errors?: readonly FieldError[] } = {},
): AdaptiveCardJson {
  return renderCard(
    'request-form',
    views.requestFormData(app.profile, route, {
      teams: app.workflow.directory.teams,
      ...(state.values ? { values: state.values } : {}),
      ...(state.errors ? { errors: state.errors } : {}),
    }),
  );
}

/** The council's emergency phone route, shown instead of any form when a child may be at risk of significant harm. */
export function emergencyCard(app: App): AdaptiveCardJson {
  return renderCard('emergency', views.emergencyData(app.profile));
}
