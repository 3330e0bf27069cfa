/**
 * The action payload convention, shared by every surface (Slack, Teams, the local workspace).
 *
 * Every button on a card is an `Action.Submit` (or, on Teams, an `Action.Execute` whose `verb` is the same
 * word, with the `Action.Submit` as its fallback) carrying
 *
 *     data: { "action": "<verb>", "transferId": "<transfer id>", "version": <state version>, ...extra }
 *
 * - `action` is one of {@link actionVerbs}. The templates in cards/ write it; adapters dispatch on it.
 * - `transferId` is the transfer's id (not its reference), `version` the transfer's state version the card
 *   was rendered from. A press carrying an older version changes nothing: the workflow answers with
 *   "this request has changed: ..." (`expectedVersion` of the workflow commands).
 * - Extra keys name what the verb acts on: `meeting` (the meeting key) for `schedule_meeting` (a slot picked:
 *   confirmed at once), `propose_meeting` (a time put forward), `confirm_meeting` (someone else agrees it) and
 *   `meeting_outcome`; `at` (an ISO instant) on a meeting slot; `form` (a {@link FormName}) for
 *   `open_form`; `task` (the route's task id) for `complete_task`.
 * - Inputs are merged in by the surface: on Teams the submitted value is `data` plus the card's inputs, keyed
 *   by input id; on Slack a modal's inputs come from `view.state.values` (see `slackStateToInputs`), keyed by
 *   the same ids (block_id = input id).
 * - `open_form` is what an `Action.ShowCard` becomes where a surface cannot show a card inside a card
 *   (Slack): the button opens the form named by `form` in a modal. Its `transferId` and `version` are those
 *   of the sub-form's own submit button.
 * - `start` is the one verb without a transfer: the request form's submit, carrying the `routeId`.
 *
 * Slack: a button's `value` is the JSON of `data` (at most 2000 characters) and its `action_id` is the verb
 * (`open_form:<form>` for a form), suffixed `:<n>` when one block has several buttons with the same one (Slack
 * wants them unique): read the verb with {@link verbOfActionId}, the payload from the value.
 *
 * Inputs of a sub-form are named `<verb>.<field>`, where `<field>` is the workflow command's field (`decline.reason`,
 * `request_info.question`, `allocate.workerId`...); a date and a time are `<verb>.date` and `<verb>.time`.
 * `formSubmission` in view.ts turns them back into the command's fields.
 */
import { z } from 'zod';

export const actionVerbs = [
  'accept',
  'decline',
  'request_info',
  'advice_only',
  'allocate',
  'resubmit',
  'withdraw',
  'dispute',
  'escalate',
  'resolve',
  'schedule_meeting',
  'propose_meeting',
  'confirm_meeting',
  'meeting_outcome',
  'complete_task',
  'open_form',
  'start',
] as const;
export type ActionVerb = (typeof actionVerbs)[number];

/** The sub-forms a card can open (cards/forms/<name>.json); `open_form` names one of these. */
export const formNames = [
  'decline',
  'request-info',
  'advice-only',
  'allocate',
  'resubmit',
  'withdraw',
  'dispute',
  'resolve',
  'meeting-time',
  'meeting-outcome',
] as const;
export type FormName = (typeof formNames)[number];

/** The verb each sub-form submits with. */
export const formVerb: Record<FormName, ActionVerb> = {
  decline: 'decline',
  'request-info': 'request_info',
  'advice-only': 'advice_only',
  allocate: 'allocate',
  resubmit: 'resubmit',
  withdraw: 'withdraw',
  dispute: 'dispute',
  resolve: 'resolve',
  'meeting-time': 'propose_meeting',
  'meeting-outcome': 'meeting_outcome',
};

const onTransfer = {
  transferId: z.string().min(1).max(64),
  version: z.number().int().positive(),
};
const meetingKey = z.string().min(1).max(64);

/**
 * A button's payload, validated where a press arrives. Loose objects: the surface may merge the card's
 * input values into the same object (Teams does), and those are validated by the workflow's own schemas.
 */
export const actionPayloadSchema = z.discriminatedUnion('action', [
  z.looseObject({ action: z.literal('accept'), ...onTransfer }),
  z.looseObject({ action: z.literal('decline'), ...onTransfer }),
  z.looseObject({ action: z.literal('request_info'), ...onTransfer }),
  z.looseObject({ action: z.literal('advice_only'), ...onTransfer }),
  z.looseObject({ action: z.literal('allocate'), ...onTransfer }),
  z.looseObject({ action: z.literal('resubmit'), ...onTransfer }),
  z.looseObject({ action: z.literal('withdraw'), ...onTransfer }),
  z.looseObject({ action: z.literal('dispute'), ...onTransfer }),
  z.looseObject({ action: z.literal('escalate'), ...onTransfer }),
  z.looseObject({ action: z.literal('resolve'), ...onTransfer }),
  z.looseObject({
    action: z.literal('schedule_meeting'),
    ...onTransfer,
    meeting: meetingKey,
    at: z.iso.datetime({ offset: true }).optional(),
  }),
  z.looseObject({ action: z.literal('propose_meeting'), ...onTransfer, meeting: meetingKey }),
  z.looseObject({ action: z.literal('confirm_meeting'), ...onTransfer, meeting: meetingKey }),
  z.looseObject({ action: z.literal('meeting_outcome'), ...onTransfer, meeting: meetingKey }),
  z.looseObject({ action: z.literal('complete_task'), ...onTransfer, task: z.string().min(1).max(64) }),
  z.looseObject({
    action: z.literal('open_form'),
    ...onTransfer,
    form: z.enum(formNames),
    meeting: meetingKey.optional(),
  }),
  z.looseObject({ action: z.literal('start'), routeId: z.string().min(1).max(64) }),
]);
export type ActionPayload = z.infer<typeof actionPayloadSchema>;

/** The data of a button acting on a transfer at the version it was rendered from. */
export function actionData(
  verb: Exclude<ActionVerb, 'start'>,
  transfer: { id: string; version: number },
  extra: Record<string, string | number> = {},
): Record<string, string | number> {
  return { action: verb, transferId: transfer.id, version: transfer.version, ...extra };
}

/** Parses a Slack button `value` (or any JSON action payload); throws a ZodError or SyntaxError if it is not one. */
export function parseActionValue(value: string): ActionPayload {
  return actionPayloadSchema.parse(JSON.parse(value));
}

/** The verb of a Slack `action_id` ("decline", or "schedule_meeting:2" when a block repeats a verb). */
export function verbOfActionId(actionId: string): ActionVerb | null {
  const verb = actionId.split(':')[0] ?? '';
  return (actionVerbs as readonly string[]).includes(verb) ? (verb as ActionVerb) : null;
}
