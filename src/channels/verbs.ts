/**
 * A card's button or form, pressed on any surface, as a workflow command: the verb names the use case, the
 * payload and the form's inputs give its fields.
 */
import type { App } from '../app.ts';
import type { ActionPayload } from '../cards/actions.ts';
import { parseRequestSubmission } from '../cards/view.ts';
import type { Route } from '../domain/profile.ts';
import type { Surface } from '../workflow/commands.ts';
import { WorkflowError } from '../workflow/errors.ts';
import type { TransferRow } from '../workflow/ports.ts';

export type Fields = Record<string, unknown>;
const pick = (fields: Fields, keys: readonly string[]) =>
  Object.fromEntries(keys.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));

/** Runs a verb on the workflow with the fields its command takes (a crafted extra field is dropped). */
export function runVerb(
  app: App,
  verb: ActionPayload['action'],
  base: { actor: { personId: string; surface: Surface }; ref: string; expectedVersion: number },
  f: Fields,
  now: Date,
): Promise<TransferRow> {
  const w = app.workflow;
  // The workflow validates every field with its own zod schema; this only drops fields the command does not take.
  const s = (keys: string[]) => ({ ...base, ...pick(f, keys) }) as never;
  switch (verb) {
    case 'accept':
      return w.accept(s(['note']), now);
    case 'decline':
      return w.decline(s(['reason', 'text']), now);
    case 'request_info':
      return w.requestInfo(s(['question']), now);
    case 'advice_only':
      return w.adviceOnly(s(['advice']), now);
    case 'allocate':
      return w.allocate(s(['workerId', 'service', 'level', 'note']), now);
    case 'resubmit':
      return w.resubmit(s(['answer']), now);
    case 'withdraw':
      return w.withdraw(s(['reason']), now);
    case 'dispute':
      return w.dispute(s(['reason']), now);
    case 'escalate':
      return w.escalate(s(['note']), now);
    case 'resolve':
      return w.resolve(s(['outcome', 'rationale']), now);
    case 'schedule_meeting':
      return w.scheduleMeeting(s(['meeting', 'at']), now);
    case 'propose_meeting':
      return w.proposeMeeting(s(['meeting', 'at']), now);
    case 'confirm_meeting':
      return w.confirmMeeting(s(['meeting']), now);
    case 'meeting_outcome':
      return w.recordMeetingOutcome(s(['meeting', 'outcome', 'result', 'reason', 'at', 'agreed']), now);
    case 'complete_task':
      return w.completeTask(s(['task', 'note']), now);
    default:
      throw new WorkflowError('invalid', 'That button does not do anything on its own.');
  }
}

/** The request form's submission (inputs keyed by input id, on any surface) as the start of a request. */
export function startRequest(
  app: App,
  actor: { personId: string; surface: Surface },
  route: Route,
  inputs: Readonly<Record<string, unknown>>,
  now: Date,
): Promise<TransferRow> {
  const sub = parseRequestSubmission(route, inputs);
  return app.workflow.start(
    {
      actor,
      routeId: route.id,
      form: sub.form,
      consent: sub.consent as never,
      ...(sub.receivingTeamId ? { receivingTeamId: sub.receivingTeamId } : {}),
      significantHarm: sub.significantHarm,
      confirmWarnings: sub.confirmWarnings,
    },
    now,
  );
}

/**
 * A press's inputs: Adaptive Cards (in the browser and in Teams) merges each input's value into the action's
 * data, keyed by the input's id; the form parsers pick the ids they know and ignore the rest.
 */
export function stringInputs(data: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
}
