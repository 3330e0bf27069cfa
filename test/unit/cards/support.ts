/**
 * Checks shared by the card tests: the official Adaptive Card 1.5 JSON schema (ajv), the `adaptivecards` package's
 * own parser and validator, and every card the views can build for a route.
 *
 * The schema is Microsoft's schemas/1.5.0/adaptive-card.json from the AdaptiveCards repository, copied verbatim
 * to cards/schema/adaptive-card-1.5.schema.json (neither adaptivecards nor adaptivecards-templating ships it). It
 * is a draft-06 schema whose root names itself with the draft-04 keyword `id`, which ajv 8 refuses: the root
 * `id` is read as `$id` here, and non-standard annotation keywords (`version`, `features`) are allowed.
 */
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { actionPayloadSchema } from '../../../src/cards/actions.ts';
import type { AdaptiveCardJson } from '../../../src/cards/render.ts';
import type { TemplateName } from '../../../src/cards/templates.ts';
import * as view from '../../../src/cards/view.ts';
import type { Route } from '../../../src/domain/profile.ts';
import {
  type Council,
  cardStates,
  deciderOf,
  ladderOf,
  now,
  requesterOf,
  sampleDispute,
  sampleMeetings,
  sampleTransfer,
} from './fixtures.ts';

const require = createRequire(import.meta.url);

// ---- the Adaptive Card 1.5 schema ------------------------------------------------------------------------------

const { id: schemaId, ...schemaRest } = require('../../../cards/schema/adaptive-card-1.5.schema.json') as {
  id: string;
  [key: string]: unknown;
};
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
const validate = ajv.compile({ $id: schemaId, ...schemaRest });

/** Schema errors of a card, as "path: message" lines (none: valid). */
export function schemaErrors(card: unknown): string[] {
  if (validate(card)) return [];
  // anyOf over every element type reports each branch; the most specific messages are the deepest paths.
  const errors = validate.errors ?? [];
  const deepest = Math.max(...errors.map((e) => e.instancePath.length));
  return errors
    .filter((e) => e.instancePath.length === deepest)
    .map((e) => `${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
}

// ---- the adaptivecards package -----------------------------------------------------------------------------------

// Its ESM build (lib/) has extension-less imports Node cannot load; its UMD build (dist/) parses fine in Node.
const AC = require('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => {
    parse(json: unknown, ctx: unknown): void;
    validateProperties(): { validationEvents: { message: string }[] };
  };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: string } };
};

/** Warnings and errors the adaptivecards package reports when it parses and validates the card. */
export function adaptiveCardsProblems(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`parse: ${ctx.getEventAt(i).message}`);
  for (const e of ac.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  return problems;
}

// ---- walking cards ----------------------------------------------------------------------------------------------

export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) allStrings(v, out);
  return out;
}

/** Every Action.Submit / Action.Execute data object in a card, sub-cards included. */
export function actionDatas(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) actionDatas(v, out);
  else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if ((obj.type === 'Action.Submit' || obj.type === 'Action.Execute') && 'data' in obj) out.push(obj.data);
    for (const v of Object.values(obj)) actionDatas(v, out);
  }
  return out;
}

export function badPayloads(card: AdaptiveCardJson): string[] {
  return actionDatas(card)
    .map((d) => ({ d, r: actionPayloadSchema.safeParse(d) }))
    .filter((x) => !x.r.success)
    .map((x) => `${JSON.stringify(x.d)}: ${x.r.error?.message}`);
}

// ---- every card for a route ---------------------------------------------------------------------------------------

export interface Sample {
  label: string;
  template: TemplateName;
  data: object;
  /** Posted in a channel (the data-protection rules apply), or shown to the people involved only. */
  channel: boolean;
  /** A Slack message, or a Slack modal. */
  surface: 'message' | 'modal';
}

/** The cards a route's transfers can show: in every state, to the channel, the requester and a decider. */
export function samplesFor(c: Council, route: Route): Sample[] {
  const { profile, directory, calendar } = c;
  const out: Sample[] = [];
  const base = { profile, directory, calendar, now };
  const requester = requesterOf(c, route);
  const decider = deciderOf(c, route);

  out.push({
    label: 'request form (blank)',
    template: 'request-form',
    data: view.requestFormData(profile, route, { teams: directory.teams }),
    channel: false,
    surface: 'modal',
  });
  const filled = sampleTransfer(c, route, 'submitted').form;
  out.push({
    label: 'request form (filled, with errors, warnings and a blocking gate)',
    template: 'request-form',
    data: view.requestFormData(profile, route, {
      teams: directory.teams,
      values: { ...filled, 'consent.status': 'given', 'consent.lawful_basis': 'public_task' },
      errors: [
        { field: route.fields[0]?.id ?? 'child_name', message: 'This answer is required' },
        { field: 'child_dob', message: "Child's date of birth is in the future" },
        { field: 'consent', message: 'Say who gave consent.' },
        { field: 'receivingTeamId', message: 'Choose a team.' },
        { field: 'gate:example', message: 'A blocking gate refused the request.' },
        { field: 'elsewhere', message: 'Something else went wrong.' },
      ],
      flags: [
        { message: 'Concerns: "worried" - say exactly why.' },
        { message: 'Check the notice period.', blocking: true },
      ],
    }),
    channel: false,
    surface: 'modal',
  });

  for (const state of cardStates) {
    const t = sampleTransfer(c, route, state);
    const meetings = sampleMeetings(c, route, t, 'required');
    const dispute =
      state === 'disputed' || state === 'escalated'
        ? sampleDispute(c, route, t, state === 'escalated' ? 1 : 0)
        : state === 'resolved'
          ? sampleDispute(c, route, t, 0, 'overturned')
          : null;
    for (const [who, viewer] of [
      ['channel', undefined],
      ['requester', requester],
      ['decider', decider],
    ] as const) {
      out.push({
        label: `request card, ${state}, for the ${who}`,
        template: 'request-card',
        data: view.requestCardData({ ...base, transfer: t, viewer, meetings, dispute }),
        channel: viewer === undefined,
        surface: 'message',
      });
    }
    out.push({
      label: `status, ${state}`,
      template: 'status',
      data: view.statusData({ ...base, transfer: t, meetings, dispute }),
      channel: true,
      surface: 'message',
    });
    out.push({
      label: `status, ${state}, as a DM with the decision's words`,
      template: 'status',
      data: view.statusData({
        ...base,
        transfer: t,
        meetings,
        dispute,
        actorId: decider.id,
        includeText: true,
      }),
      channel: false,
      surface: 'message',
    });
  }

  const submitted = sampleTransfer(c, route, 'submitted');
  const more = sampleTransfer(c, route, 'more_info_requested');
  const accepted = sampleTransfer(c, route, 'accepted');
  const forms: [TemplateName, object][] = [
    ['forms/decline', view.declineFormData({ transfer: submitted, profile })],
    ['forms/request-info', view.requestInfoFormData({ transfer: submitted, profile })],
    ['forms/advice-only', view.adviceOnlyFormData({ transfer: submitted, profile })],
    ['forms/allocate', view.allocateFormData({ transfer: accepted, profile, directory })],
    ['forms/resubmit', view.resubmitFormData({ transfer: more, profile })],
    ['forms/withdraw', view.withdrawFormData({ transfer: submitted, profile })],
    ['forms/dispute', view.disputeFormData({ transfer: sampleTransfer(c, route, 'declined'), profile })],
  ];
  for (const [template, data] of forms) {
    out.push({ label: `${template} (modal)`, template, data, channel: false, surface: 'modal' });
  }

  const ladder = ladderOf(c, route);
  const declined = sampleTransfer(c, route, 'disputed');
  ladder.stages.forEach((_, i) => {
    const d = sampleDispute(c, route, declined, i);
    out.push({
      label: `dispute card, stage ${i + 1} of ${ladder.stages.length}`,
      template: 'dispute',
      data: view.disputeCardData({ ...base, transfer: declined, dispute: d }),
      channel: true,
      surface: 'message',
    });
    out.push({
      label: `forms/resolve, stage ${i + 1} (modal)`,
      template: 'forms/resolve',
      data: view.resolveFormData({ transfer: declined, profile, dispute: d }),
      channel: false,
      surface: 'modal',
    });
  });
  for (const outcome of ['upheld', 'overturned'] as const) {
    const t = sampleTransfer(c, route, 'resolved');
    out.push({
      label: `dispute card, ${outcome}`,
      template: 'dispute',
      data: view.disputeCardData({ ...base, transfer: t, dispute: sampleDispute(c, route, t, 0, outcome) }),
      channel: true,
      surface: 'message',
    });
  }

  for (const status of ['required', 'scheduled', 'held', 'not_held'] as const) {
    const t = sampleTransfer(c, route, 'allocated');
    for (const meeting of sampleMeetings(c, route, t, status)) {
      out.push({
        label: `meeting card, ${meeting.meetingKey}, ${meeting.status}`,
        template: 'meeting',
        data: view.meetingCardData({ ...base, transfer: t, meeting }),
        channel: true,
        surface: 'message',
      });
      if (status === 'required') {
        out.push({
          label: `forms/meeting-time, ${meeting.meetingKey} (modal)`,
          template: 'forms/meeting-time',
          data: view.meetingTimeFormData({ transfer: t, profile, meeting }),
          channel: false,
          surface: 'modal',
        });
        out.push({
          label: `forms/meeting-outcome, ${meeting.meetingKey} (modal)`,
          template: 'forms/meeting-outcome',
          data: view.meetingOutcomeFormData({ transfer: t, profile, meeting }),
          channel: false,
          surface: 'modal',
        });
      }
    }
  }

  const overdue = new Date(now.getTime() - 2 * 86_400_000);
  const soon = new Date(now.getTime() + 3 * 3_600_000);
  for (const [kind, dueAt, label] of [
    ['decision', overdue, undefined],
    ['meeting', soon, route.meetings[0]?.label ?? 'Handover meeting'],
    ['task', overdue, 'Send the final CIN papers'],
    ['ladder_stage', overdue, ladder.stages[0]?.name],
  ] as const) {
    out.push({
      label: `reminder, ${kind}`,
      template: 'reminder',
      data: view.reminderData({ ...base, transfer: submitted, kind, dueAt, label }),
      channel: true,
      surface: 'message',
    });
  }

  out.push({
    label: 'digest of every state',
    template: 'digest',
    data: view.digestData({
      ...base,
      title: 'Your team’s requests',
      intro: 'Open requests, soonest deadline first.',
      transfers: cardStates.map((s) =>
        sampleTransfer(c, route, s, { ref: `SW-0000${cardStates.indexOf(s) + 10}` }),
      ),
    }),
    channel: true,
    surface: 'message',
  });
  out.push({
    label: 'digest, empty',
    template: 'digest',
    data: view.digestData({ ...base, title: 'Nothing open', transfers: [] }),
    channel: true,
    surface: 'message',
  });
  out.push({
    label: 'digest over the limit',
    template: 'digest',
    data: view.digestData({
      ...base,
      title: 'Everything',
      transfers: Array.from({ length: 60 }, (_, i) =>
        sampleTransfer(c, route, 'submitted', { id: `t${i}`, ref: `SW-${String(i).padStart(6, '0')}` }),
      ),
    }),
    channel: true,
    surface: 'message',
  });
  return out;
}
