/**
 * The protocol profile: one council's step-up / step-down protocol as data.
 * Every rule the bot runs comes from a profile; the five councils' profiles live in src/protocols.
 * A council adds its own by writing a file of this shape and checking it with `stepwise protocol check`.
 */
import { z } from 'zod';
import type { Duration } from './calendar.ts';
import { calendarConfigSchema, durationSchema } from './calendar.ts';
import { roleSchema } from './roles.ts';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'an id of lower-case letters, digits, "-" or "_"')
  .max(64);

export const levelSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Higher is more need; a move to a higher rank is a step-up. */
  rank: z.number().int(),
  description: z.string().optional(),
});

export const serviceKinds = [
  'universal',
  'early_help_hub',
  'early_help',
  'locality_team',
  'children_centre',
  'front_door',
  'assessment_team',
  'social_work_team',
  'cin_cp_team',
  'out_of_hours',
  'other',
] as const;

export const serviceSchema = z.strictObject({
  id,
  name: z.string().min(1),
  kind: z.enum(serviceKinds),
  /** The levels of need this service works at. */
  levels: z.array(id).min(1),
  description: z.string().optional(),
});

/** A condition over the request's form fields and its context, used by gates, routing and meetings. */
export type Condition =
  | { field: string; equals: string | number | boolean }
  | { field: string; in: (string | number)[] }
  | { field: string; lessThan: number }
  | { field: string; atLeast: number }
  | { field: string; present: boolean }
  | { field: string; withinLast: Duration }
  | { sendingService: string[] }
  | { sendingServiceKind: (typeof serviceKinds)[number][] }
  /** True when the request is made outside the council's working hours (or on a closure day). */
  | { outOfHours: boolean }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ field: z.string(), equals: z.union([z.string(), z.number(), z.boolean()]) }),
    z.strictObject({ field: z.string(), in: z.array(z.union([z.string(), z.number()])).min(1) }),
    z.strictObject({ field: z.string(), lessThan: z.number() }),
    z.strictObject({ field: z.string(), atLeast: z.number() }),
    z.strictObject({ field: z.string(), present: z.boolean() }),
    z.strictObject({ field: z.string(), withinLast: durationSchema }),
    z.strictObject({ sendingService: z.array(id).min(1) }),
    z.strictObject({ sendingServiceKind: z.array(z.enum(serviceKinds)).min(1) }),
    z.strictObject({ outOfHours: z.boolean() }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

export const fieldTypes = [
  'text',
  'textarea',
  'date',
  'datetime',
  'number',
  'select',
  'multiselect',
  'boolean',
  'email',
] as const;

export const fieldSchema = z.strictObject({
  id,
  label: z.string().min(1).max(200),
  type: z.enum(fieldTypes),
  required: z.boolean().default(false),
  /** Required only when this condition holds (e.g. the meeting's details for a step-in). */
  requiredWhen: conditionSchema.optional(),
  options: z.array(z.strictObject({ value: z.string().min(1), label: z.string().min(1) })).optional(),
  help: z.string().optional(),
  /** The form section it belongs to (e.g. "Signs of Safety"). */
  section: z.string().optional(),
  maxLength: z.number().int().positive().optional(),
  /** Free text checked for vague words without reasons (Somerset's evidencing rule). */
  evidence: z.boolean().default(false),
});

/** A check made before a request can be submitted. A blocking gate refuses; a warning is shown and kept. */
export const gateSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('require'),
    id,
    description: z.string().min(1),
    when: conditionSchema.optional(),
    require: conditionSchema,
    message: z.string().min(1),
    blocking: z.boolean().default(true),
  }),
  /**
   * A date field must be at least this far after the moment of submission (e.g. 2 weeks' notice), or after
   * another date of the form (`after`: Halton's first MAP review, 2 weeks after the final CIN meeting).
   */
  z.strictObject({
    kind: z.literal('notice'),
    id,
    description: z.string().min(1),
    when: conditionSchema.optional(),
    field: z.string(),
    atLeast: durationSchema,
    after: z.string().optional(),
    message: z.string().min(1),
    blocking: z.boolean().default(true),
  }),
]);

export const anchorSchema = z.union([
  z.enum(['submitted', 'accepted', 'allocated']),
  z.strictObject({ field: z.string() }),
]);

export const participantKinds = [
  'sending_worker',
  'sending_manager',
  'allocated_worker',
  'receiving_manager',
  'receiving_senior',
  'consultant_social_worker',
  'lead_professional',
  'universal_practitioners',
  'family',
  'former_early_help_practitioner',
] as const;

export const meetingKinds = [
  'handover_discussion',
  'joint_visit',
  'taf',
  'first_taf',
  'final_cin',
  'step_down_meeting',
  'map_step_up',
  'map_review',
  'allocations',
  'listening_together',
  'manager_discussion',
  'case_discussion',
] as const;

export const meetingSchema = z.strictObject({
  id,
  kind: z.enum(meetingKinds),
  label: z.string().min(1),
  /** What starts its clock, and how long there is. No `within`: no deadline (e.g. "if appropriate"). */
  anchor: anchorSchema,
  within: durationSchema.optional(),
  /** Only for requests where this holds (e.g. the request came from targeted Early Help). */
  when: conditionSchema.optional(),
  /** Held at the receiving service's next standing meeting (profile `schedules`), or by `within` if sooner. */
  atNextSchedule: z.boolean().default(false),
  /** "If appropriate": offered, never chased. */
  optional: z.boolean().default(false),
  /** Who is invited; the family is noted as invited, never messaged. */
  participants: z.array(z.enum(participantKinds)).min(1),
  /** The outcomes a meeting may record besides held / not held (e.g. Halton's four final-CIN outcomes). */
  outcomes: z
    .array(
      z.strictObject({
        id,
        label: z.string().min(1),
        /** `close`: this outcome ends the transfer (e.g. the needs stay at level 3). */
        effect: z.enum(['none', 'close']).default('none'),
        /**
         * With `close`: who keeps the case afterwards. `sending` when the case stays where it was (Halton: it
         * remains open to CSC, or closes there with universal services only); absent: whoever holds it now.
         */
        holder: z.enum(['sending', 'receiving']).optional(),
        /**
         * A date field of the route's form that this outcome agrees at the meeting (e.g. Halton's first MAP review):
         * asked for with the outcome when the request did not give it; the tasks anchored on it start then.
         */
        records: z.string().min(1).optional(),
      }),
    )
    .optional(),
  note: z.string().optional(),
});

/** Something one side must do by a time, which is not a meeting (e.g. send the final CIN papers). */
export const taskSchema = z.strictObject({
  id,
  label: z.string().min(1),
  anchor: anchorSchema,
  /** Negative amounts fall before the anchor (e.g. 2 weeks before the first MAP review). */
  offset: durationSchema,
  owner: z.enum(['sending', 'receiving']),
  when: conditionSchema.optional(),
  note: z.string().optional(),
});

export const transferEvents = [
  'submitted',
  'more_info_requested',
  'resubmitted',
  'accepted',
  'allocated',
  'handover_done',
  'declined',
  'advice_only',
  'withdrawn',
  'disputed',
  'escalated',
  'resolved',
  'closed',
] as const;
export type TransferEvent = (typeof transferEvents)[number];

export const recipientSchema = z.union([
  z.strictObject({ side: z.enum(['sending', 'receiving']), roles: z.array(roleSchema).min(1) }),
  z.strictObject({ requester: z.literal(true) }),
  z.strictObject({ allocated: z.literal(true) }),
  /** A person named on the form by e-mail (e.g. the lead professional, the allocated social worker). */
  z.strictObject({ field: z.string() }),
  /** Every team providing this service (e.g. the universal services named in a plan). */
  z.strictObject({ service: id }),
]);

export const notificationSchema = z.strictObject({
  on: z.enum(transferEvents),
  to: recipientSchema,
  message: z.string().min(1),
  when: conditionSchema.optional(),
});

export const routeKinds = ['step-up', 'step-down', 'step-in', 'joint-working'] as const;
export type RouteKind = (typeof routeKinds)[number];

export const routeSchema = z.strictObject({
  id,
  name: z.string().min(1),
  kind: z.enum(routeKinds),
  /**
   * The child's case-system ID is required on this route's form (Manchester's pro forma asks for the Micare ID;
   * a profile's step-back-up rule finds the child's earlier step-down by it, so its routes need it).
   */
  caseIdRequired: z.boolean().default(false),
  /** Which slash command offers it: /stepup, /stepdown or /stepin. Joint working is offered under /stepdown. */
  command: z.enum(['stepup', 'stepdown', 'stepin']),
  summary: z.string().min(1),
  from: z.strictObject({ services: z.array(id).min(1), levels: z.array(id).min(1) }),
  to: z.strictObject({
    service: id,
    levels: z.array(id).min(1),
    /**
     * A select field of the form whose answer is the level the child steps to (Manchester's pro forma "Level of
     * Need"): shown on the card instead of the first of `levels`.
     */
    levelField: z.string().optional(),
    /**
     * The receiving team decides which of `levels` the child steps to, and says it when it allocates (Hackney:
     * MASH "decides the level of need and allocates"). Until then the card shows the levels it may be.
     */
    levelAtAllocation: z.boolean().optional(),
  }),
  /** Alternative receiving services, first match wins (e.g. under-5s go to a children's centre). */
  receiveVia: z.array(z.strictObject({ when: conditionSchema, service: id, reason: z.string() })).default([]),
  /** The front door it passes, when that is not the receiving service itself (said on the card). */
  frontDoor: id.optional(),
  /**
   * Services whose workers the receiving team may allocate besides its own (Hackney: MASH allocates a social
   * worker in Children's Social Care; the Early Help Hub a lead professional in targeted Early Help).
   */
  allocateTo: z.strictObject({ services: z.array(id).min(1) }).optional(),
  /** `decide`: the receiving team accepts, declines... `notify`: the plan is shared, nobody decides. */
  decision: z
    .strictObject({
      mode: z.enum(['decide', 'notify']).default('decide'),
      due: durationSchema.optional(),
      deciders: z.array(roleSchema).min(1).optional(),
      adviceOnly: z.boolean().default(false),
      /** Advice only is allowed just for requests where this holds (e.g. Manchester: level 3 only). */
      adviceOnlyWhen: conditionSchema.optional(),
      note: z.string().optional(),
    })
    .default({ mode: 'decide', adviceOnly: false }),
  fields: z.array(fieldSchema),
  consent: z.strictObject({
    required: z.boolean(),
    /** Reasons (ids of the profile's consent reasons) allowed for not seeking consent; empty: no override. */
    notSoughtReasons: z.array(id),
    note: z.string().optional(),
  }),
  gates: z.array(gateSchema).default([]),
  meetings: z.array(meetingSchema).default([]),
  tasks: z.array(taskSchema).default([]),
  notify: z.array(notificationSchema).default([]),
  ladder: id.optional(),
  /** The source text's own words for this route, shown in `protocol show`. */
  source: z.string().optional(),
});

export const ladderStageSchema = z.strictObject({
  id,
  name: z.string().min(1),
  /** Each rung pairs the sending side's and the receiving side's people at that level. */
  roles: z.strictObject({ sending: z.array(roleSchema).min(1), receiving: z.array(roleSchema).min(1) }),
  who: z.string().min(1),
  timeLimit: durationSchema,
});

export const ladderSchema = z.strictObject({
  id,
  name: z.string().min(1),
  stages: z.array(ladderStageSchema).min(1),
  /** The last stage decides. */
  note: z.string().optional(),
});

export const emergencySchema = z.strictObject({
  title: z.string().min(1),
  text: z.string().min(1),
  phones: z.array(z.strictObject({ label: z.string().min(1), number: z.string().min(3) })).min(1),
  followUp: z.string().optional(),
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a 24-hour time such as 09:00');

/** How the bot chases. The source texts set deadlines but not reminders: these are Stepwise's defaults. */
export const chasingSchema = z.strictObject({
  /** A reminder in the receiving team's channel this long before a decision is due (skipped if already past). */
  remindBefore: durationSchema.default({ amount: 4, unit: 'working_hours' }),
  /** Once a decision is overdue, who is pinged in the receiving team's line, one role after another. */
  overdueLine: z.array(roleSchema).min(1).default(['team_manager', 'service_manager', 'head_of_service']),
  /** How long after one ping the next role up is pinged. */
  every: durationSchema.default({ amount: 1, unit: 'working_days' }),
  /** A meeting's reminder goes out at this time on the working day before it. */
  meetingReminderAt: hhmm.default('09:00'),
  /** A confirmed meeting with no outcome recorded this long after it started is chased. */
  recordOutcomeWithin: durationSchema.default({ amount: 1, unit: 'working_days' }),
  /** Meeting slots the bot proposes: these local times on working days, and how long a meeting lasts. */
  slotTimes: z.array(hhmm).min(1).default(['10:00', '14:00']),
  meetingMinutes: z.number().int().min(15).max(480).default(60),
  /** Each team manager's list of overdue items, on working days at this time (only when there are some). */
  overdueDigestAt: hhmm.default('09:00'),
  /** When a standing meeting's agenda is posted, on the working day(s) before it. */
  agendaAt: hhmm.default('12:00'),
});

const profileObject = z.strictObject({
  id,
  council: z.string().min(1),
  name: z.string().min(1),
  /** Where the rules come from, and where the source is silent and the common defaults apply. */
  source: z.string().min(1),
  notes: z.array(z.string()).default([]),
  caseSystem: z.string().min(1),
  levels: z.array(levelSchema).min(2),
  services: z.array(serviceSchema).min(2),
  calendar: calendarConfigSchema,
  consent: z.strictObject({
    reasons: z.array(z.strictObject({ id, label: z.string().min(1) })),
    /** Reasons people give that the protocol says are not valid; a rationale matching one is refused. */
    refused: z
      .array(
        z.strictObject({ label: z.string().min(1), pattern: z.string().min(1), message: z.string().min(1) }),
      )
      .default([]),
  }),
  declineReasons: z
    .array(z.strictObject({ id, label: z.string().min(1), needsText: z.boolean().default(false) }))
    .min(1),
  evidence: z
    .strictObject({ vagueWords: z.array(z.string().min(1)).min(1), message: z.string().min(1) })
    .optional(),
  emergency: emergencySchema,
  chasing: chasingSchema.prefault({}),
  routes: z.array(routeSchema).min(1),
  ladders: z.array(ladderSchema).min(1),
  defaultLadder: id,
  /** A request stepped back up within this time of a step-down goes to the team that stepped it down. */
  stepBackUp: z.strictObject({ within: durationSchema, note: z.string() }).optional(),
  /** Standing meetings (e.g. Manchester's Thursday allocations meeting in each hub). */
  schedules: z
    .array(
      z.strictObject({
        id,
        label: z.string().min(1),
        service: id,
        weekday: z.number().int().min(1).max(7),
        time: z.string().regex(/^\d{2}:\d{2}$/),
        agendaWorkingDaysBefore: z.number().int().min(0).default(1),
      }),
    )
    .default([]),
  oversight: z
    .strictObject({
      contactChallenge: z
        .strictObject({ frontDoor: id, sampleSize: z.number().int().positive(), note: z.string() })
        .optional(),
      reReferralWithin: durationSchema.optional(),
      monitorSteppedDown: z.boolean().default(false),
      /**
       * A new request about a child who has an open early help plan (a transfer allocated at an early help
       * level) tells that plan's lead professional (Halton: a contact for a child with an open MAP).
       */
      notifyOpenPlanLead: z.boolean().default(false),
    })
    .default({ monitorSteppedDown: false, notifyOpenPlanLead: false }),
});

export const profileSchema = profileObject.superRefine((profile, ctx) => checkReferences(profile, ctx));

export type ProtocolProfile = z.output<typeof profileSchema>;
export type ProfileInput = z.input<typeof profileSchema>;
export type Route = ProtocolProfile['routes'][number];
export type FormField = Route['fields'][number];
export type Gate = Route['gates'][number];
export type MeetingRule = Route['meetings'][number];
export type TaskRule = Route['tasks'][number];
export type Ladder = ProtocolProfile['ladders'][number];
export type LadderStage = Ladder['stages'][number];
export type Level = ProtocolProfile['levels'][number];
export type Service = ProtocolProfile['services'][number];

/** Fields every request carries, before the route's own. The child's identity never leaves the request. */
export const baseFields: FormField[] = [
  {
    id: 'child_name',
    label: "Child's full name",
    type: 'text',
    required: true,
    evidence: false,
    maxLength: 120,
  },
  { id: 'child_dob', label: "Child's date of birth", type: 'date', required: true, evidence: false },
  {
    id: 'child_ref',
    label: 'Case-system ID',
    type: 'text',
    required: false,
    evidence: false,
    maxLength: 40,
    help: 'Used to find earlier transfers of the same child (for example a step back up within 3 months).',
  },
];
const builtInFieldIds = new Set([...baseFields.map((f) => f.id), 'child_age']);

/** Every id a profile refers to must exist: services, levels, ladders, consent reasons, field ids. */
function checkReferences(p: z.output<typeof profileObject>, ctx: z.RefinementCtx) {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });
  const unique = (items: { id: string }[], path: string) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) issue([path, i, 'id'], `duplicate id "${item.id}"`);
      seen.add(item.id);
    });
  };
  unique(p.levels, 'levels');
  unique(p.services, 'services');
  unique(p.routes, 'routes');
  if (p.stepBackUp)
    p.routes.forEach((r, i) => {
      if ((r.kind === 'step-up' || r.kind === 'step-down') && !r.caseIdRequired)
        issue(
          ['routes', i, 'caseIdRequired'],
          'a step-back-up rule finds the child by the case-system ID: every step-up and step-down route needs caseIdRequired: true',
        );
    });
  unique(p.ladders, 'ladders');
  const levels = new Set(p.levels.map((l) => l.id));
  const services = new Set(p.services.map((s) => s.id));
  const ladders = new Set(p.ladders.map((l) => l.id));
  const reasons = new Set(p.consent.reasons.map((r) => r.id));
  const known = (set: Set<string>, value: string, path: (string | number)[], what: string) => {
    if (!set.has(value)) issue(path, `unknown ${what} "${value}" (expected one of: ${[...set].join(', ')})`);
  };
  p.services.forEach((s, i) => {
    s.levels.forEach((l, j) => {
      known(levels, l, ['services', i, 'levels', j], 'level');
    });
  });
  if (!ladders.has(p.defaultLadder)) known(ladders, p.defaultLadder, ['defaultLadder'], 'ladder');
  for (const [i, s] of p.schedules.entries())
    known(services, s.service, ['schedules', i, 'service'], 'service');
  if (p.oversight.contactChallenge) {
    known(
      services,
      p.oversight.contactChallenge.frontDoor,
      ['oversight', 'contactChallenge', 'frontDoor'],
      'service',
    );
  }
  p.routes.forEach((r, i) => {
    const at = (...rest: (string | number)[]) => ['routes', i, ...rest];
    r.from.services.forEach((s, j) => {
      known(services, s, at('from', 'services', j), 'service');
    });
    r.from.levels.forEach((l, j) => {
      known(levels, l, at('from', 'levels', j), 'level');
    });
    known(services, r.to.service, at('to', 'service'), 'service');
    r.to.levels.forEach((l, j) => {
      known(levels, l, at('to', 'levels', j), 'level');
    });
    r.receiveVia.forEach((v, j) => {
      known(services, v.service, at('receiveVia', j, 'service'), 'service');
    });
    if (r.frontDoor) known(services, r.frontDoor, at('frontDoor'), 'service');
    for (const [j, s] of (r.allocateTo?.services ?? []).entries())
      known(services, s, at('allocateTo', 'services', j), 'service');
    if (r.ladder) known(ladders, r.ladder, at('ladder'), 'ladder');
    r.consent.notSoughtReasons.forEach((c, j) => {
      known(reasons, c, at('consent', 'notSoughtReasons', j), 'consent reason');
    });
    if (r.consent.required === false && r.consent.notSoughtReasons.length > 0) {
      issue(at('consent'), 'reasons for not seeking consent only make sense when consent is required');
    }
    unique(r.fields, `routes.${i}.fields`);
    const fields = new Set([...builtInFieldIds, ...r.fields.map((f) => f.id)]);
    if (r.to.levelField) {
      const field = r.fields.find((f) => f.id === r.to.levelField);
      if (field?.type !== 'select')
        issue(at('to', 'levelField'), `"${r.to.levelField}" is not a select field of this route`);
      else
        for (const o of field.options ?? [])
          if (!r.to.levels.includes(o.value))
            issue(at('to', 'levelField'), `option "${o.value}" is not one of the route's levels`);
    }
    if (r.to.levelAtAllocation && (r.to.levelField || r.to.levels.length < 2))
      issue(
        at('to', 'levelAtAllocation'),
        'a level decided at allocation needs two levels or more, and no levelField',
      );
    r.fields.forEach((f, j) => {
      if (builtInFieldIds.has(f.id))
        issue(at('fields', j, 'id'), `"${f.id}" is a field every request already has`);
      if ((f.type === 'select' || f.type === 'multiselect') && !f.options?.length) {
        issue(at('fields', j, 'options'), 'a select field needs options');
      }
      if (f.requiredWhen)
        checkCondition(f.requiredWhen, fields, services, at('fields', j, 'requiredWhen'), issue);
    });
    r.gates.forEach((g, j) => {
      if (g.when) checkCondition(g.when, fields, services, at('gates', j, 'when'), issue);
      if (g.kind === 'require') checkCondition(g.require, fields, services, at('gates', j, 'require'), issue);
      if (g.kind === 'notice') {
        known(fields, g.field, at('gates', j, 'field'), 'field');
        // A misspelt `after` would switch the gate off quietly (no date to measure from): refused here.
        if (g.after !== undefined) {
          const from = r.fields.find((f) => f.id === g.after);
          if (from?.type !== 'date' && from?.type !== 'datetime')
            issue(at('gates', j, 'after'), `"${g.after}" is not a date or date-time field of this route`);
        }
      }
    });
    unique(r.meetings, `routes.${i}.meetings`);
    r.meetings.forEach((m, j) => {
      if (typeof m.anchor === 'object')
        known(fields, m.anchor.field, at('meetings', j, 'anchor', 'field'), 'field');
      if (m.when) checkCondition(m.when, fields, services, at('meetings', j, 'when'), issue);
      (m.outcomes ?? []).forEach((o, k) => {
        if (!o.records) return;
        const path = at('meetings', j, 'outcomes', k, 'records');
        known(fields, o.records, path, 'field');
        const field = r.fields.find((f) => f.id === o.records);
        if (field && field.type !== 'date')
          issue(path, `"${o.records}" is a ${field.type} field; an outcome records a date field`);
      });
    });
    r.tasks.forEach((t, j) => {
      if (typeof t.anchor === 'object')
        known(fields, t.anchor.field, at('tasks', j, 'anchor', 'field'), 'field');
      if (t.when) checkCondition(t.when, fields, services, at('tasks', j, 'when'), issue);
    });
    r.notify.forEach((n, j) => {
      if ('field' in n.to) known(fields, n.to.field, at('notify', j, 'to', 'field'), 'field');
      if ('service' in n.to) known(services, n.to.service, at('notify', j, 'to', 'service'), 'service');
      if (n.when) checkCondition(n.when, fields, services, at('notify', j, 'when'), issue);
    });
  });
}

function checkCondition(
  c: Condition,
  fields: Set<string>,
  services: Set<string>,
  path: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  if ('all' in c)
    c.all.forEach((x, i) => {
      checkCondition(x, fields, services, [...path, 'all', i], issue);
    });
  else if ('any' in c)
    c.any.forEach((x, i) => {
      checkCondition(x, fields, services, [...path, 'any', i], issue);
    });
  else if ('not' in c) checkCondition(c.not, fields, services, [...path, 'not'], issue);
  else if ('sendingService' in c) {
    for (const s of c.sendingService)
      if (!services.has(s)) issue([...path, 'sendingService'], `unknown service "${s}"`);
  } else if ('field' in c && !fields.has(c.field)) {
    issue([...path, 'field'], `unknown field "${c.field}" (expected a field of this route)`);
  }
}
