/**
 * What several councils' profiles share: the common escalation ladder and decline reasons used where a
 * source is silent, the default decision time, the generic emergency route for councils whose text gives
 * no phone number, and small constructors that keep the form fields readable.
 *
 * Nothing council-specific lives here (in particular no consent or lawful-basis wording: each profile
 * says its own).
 */
import type { ProfileInput } from '../domain/profile.ts';

type RouteInput = ProfileInput['routes'][number];
export type FieldInput = RouteInput['fields'][number];
type FieldOptions = Omit<FieldInput, 'id' | 'label' | 'type' | 'options'>;
type LadderInput = ProfileInput['ladders'][number];
type DurationInput = NonNullable<NonNullable<RouteInput['decision']>['due']>;

/** How long a receiving team has to decide where the source gives no time: 3 working days. */
export const defaultDecisionDue: DurationInput = { amount: 3, unit: 'working_days' };

/** The note a profile carries when it uses {@link defaultDecisionDue}. */
export const defaultDecisionNote =
  'Decision times: the source gives no time for the receiving team to decide, so the common default applies: ' +
  '3 working days from submission (a request for more information stops the clock, and the answer starts it again from the beginning).';

/**
 * The common escalation ladder, used where a source is silent: each rung pairs the sending side's and
 * the receiving side's managers at that level, 2 working days a rung; the director level decides.
 */
export const commonLadder: LadderInput = {
  id: 'common',
  name: 'Professional disagreement (common ladder)',
  stages: [
    {
      id: 'team-managers',
      name: 'Team managers',
      roles: { sending: ['team_manager'], receiving: ['team_manager'] },
      who: "The sending team's and the receiving team's team managers discuss the case and try to agree.",
      timeLimit: { amount: 2, unit: 'working_days' },
    },
    {
      id: 'heads-of-service',
      name: 'Service managers / heads of service',
      roles: {
        sending: ['service_manager', 'head_of_service'],
        receiving: ['service_manager', 'head_of_service'],
      },
      who: 'The service managers or heads of service of both services.',
      timeLimit: { amount: 2, unit: 'working_days' },
    },
    {
      id: 'director',
      name: 'Director level (decides)',
      roles: { sending: ['director'], receiving: ['director'] },
      who: 'The director (or the deputy named by the council) decides; this is final.',
      timeLimit: { amount: 2, unit: 'working_days' },
    },
  ],
  note: 'Common default: team managers, then service managers / heads of service, then the director level, which decides. 2 working days a stage.',
};

/** The note a profile carries when it uses {@link commonLadder} because its source gives none. */
export const commonLadderNote = (why: string): string =>
  `Escalation: ${why} The common ladder is used: team managers of both sides (2 working days), then service ` +
  'managers / heads of service (2 working days), then the director level, which decides (2 working days).';

/** The common decline reasons; a profile may add its own (e.g. Somerset's "no current role"). */
export const commonDeclineReasons: ProfileInput['declineReasons'] = [
  { id: 'threshold-not-met', label: 'Threshold not met' },
  { id: 'consent-missing', label: 'Consent missing' },
  { id: 'information-missing', label: 'Information missing' },
  { id: 'wrong-service', label: 'Wrong service' },
  { id: 'other', label: 'Other (say why)', needsText: true },
];

/**
 * The emergency route for a council whose protocol text gives no phone number. Emergencies never go through
 * the bot: this is shown at once. The council must add its front door's number (see the profile's notes).
 */
export function genericEmergency(frontDoor: string): ProfileInput['emergency'] {
  return {
    title: 'Significant harm: do not use this request',
    text:
      `If you think a child is suffering, or is likely to suffer, significant harm, call the council's children's ` +
      `front door (${frontDoor}) now, or 999 if there is immediate risk. Follow your own agency's safeguarding ` +
      'procedures. This bot is never the route for an emergency.',
    phones: [{ label: 'Police / ambulance: immediate risk to a child', number: '999' }],
  };
}

/** The note a profile carries when it uses {@link genericEmergency}. */
export const noEmergencyNumberNote =
  'Emergency: the source text gives no phone number for the front door, so the emergency card says generically ' +
  '"call the council\'s children\'s front door, or 999 if immediate risk". The council must add its front ' +
  "door's number to emergency.phones in its own profile file.";

/** The note a profile carries when its source names no case-recording system. */
export const noCaseSystemNote =
  "Case system: the source does not name the council's case-recording system, so it is called 'case system'.";

// Field constructors: the profile stays data, but a form reads as a list of labelled questions.

const plain =
  (type: FieldInput['type']) =>
  (id: string, label: string, o: FieldOptions = {}): FieldInput => ({ id, label, type, ...o });
const choice =
  (type: 'select' | 'multiselect') =>
  (
    id: string,
    label: string,
    options: [value: string, label: string][],
    o: FieldOptions = {},
  ): FieldInput => ({
    id,
    label,
    type,
    options: options.map(([value, l]) => ({ value, label: l })),
    ...o,
  });

export const text = plain('text');
/** Narrative about the family: never shown in channels (the domain keeps it to the people involved). */
export const textarea = plain('textarea');
export const date = plain('date');
export const datetime = plain('datetime');
export const yesNo = plain('boolean');
export const email = plain('email');
export const select = choice('select');
export const multiselect = choice('multiselect');

/** Shorthand for the options every constructor takes. */
export const required: FieldOptions = { required: true };
