/**
 * The checks a request passes before it is sent, and what its route sets in motion: gates, consent,
 * evidence wording, the receiving service, and the meetings and tasks with their due times.
 */
import { z } from 'zod';
import { isWorkingUnit, type WorkingCalendar } from './calendar.ts';
import { type ConditionContext, evaluateCondition, type FieldError, type FormValues } from './form.ts';
import type { MeetingRule, ProtocolProfile, Route, TaskRule } from './profile.ts';

export const lawfulBases = [
  'consent',
  'public_task',
  'legal_obligation',
  'vital_interests',
  'legitimate_interests',
] as const;
export const lawfulBasisLabels: Record<(typeof lawfulBases)[number], string> = {
  consent: 'Consent',
  public_task: 'Public task (statutory duty)',
  legal_obligation: 'Legal obligation',
  vital_interests: 'Vital interests',
  legitimate_interests: 'Legitimate interests',
};

/**
 * The family's agreement to the service, recorded separately from the lawful basis for sharing
 * information: consent is one basis, never assumed (DESIGN.md, data protection).
 */
export const consentSchema = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('given'),
    givenBy: z
      .string()
      .trim()
      .min(1, 'say who gave consent')
      .max(120, 'who gave consent: at most 120 characters'),
    givenOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)'),
    lawfulBasis: z.enum(lawfulBases),
  }),
  z.strictObject({
    status: z.literal('not_sought'),
    reason: z.string().min(1, 'choose the reason consent was not sought'),
    rationale: z
      .string()
      .trim()
      .min(20, 'explain the decision in at least 20 characters')
      .max(2000, 'the rationale: at most 2000 characters'),
    lawfulBasis: z.enum(lawfulBases),
  }),
  /** Only on routes that do not need consent (e.g. telling the family only if safe). */
  z.strictObject({
    status: z.literal('not_required'),
    note: z.string().trim().max(2000, 'the note: at most 2000 characters').optional(),
    lawfulBasis: z.enum(lawfulBases),
  }),
]);
export type Consent = z.infer<typeof consentSchema>;

/** Checks a consent record against the route and the profile; returns the problems in plain words. */
export function checkConsent(profile: ProtocolProfile, route: Route, consent: Consent): FieldError[] {
  const problems: FieldError[] = [];
  const add = (message: string) => problems.push({ field: 'consent', message });
  if (consent.status === 'not_required') {
    if (route.consent.required)
      add(`The ${route.name} route needs the family's consent, or a recorded reason why it was not sought.`);
    return problems;
  }
  if (consent.status === 'given') return problems;
  if (consent.lawfulBasis === 'consent')
    add('Consent was not sought, so it cannot be the lawful basis for sharing.');
  if (!route.consent.required) return problems;
  if (route.consent.notSoughtReasons.length === 0) {
    add(`The ${route.name} route needs the family's consent; it cannot be overridden.`);
    return problems;
  }
  if (!route.consent.notSoughtReasons.includes(consent.reason)) {
    const allowed = profile.consent.reasons.filter((r) => route.consent.notSoughtReasons.includes(r.id));
    add(`Consent can only be overridden on this route for: ${allowed.map((r) => r.label).join('; ')}.`);
  }
  for (const refused of profile.consent.refused) {
    if (new RegExp(refused.pattern, 'i').test(consent.rationale)) add(refused.message);
  }
  return problems;
}

export interface GateOutcome {
  gate: string;
  message: string;
  blocking: boolean;
}

function fieldInstant(value: unknown, calendar: WorkingCalendar): Date | null {
  if (typeof value !== 'string') return null;
  return value.length === 10 ? calendar.at(value, '00:00') : new Date(value);
}

/** Runs the route's gates. Blocking ones refuse the request; the others are warnings kept with it. */
export function checkGates(route: Route, ctx: ConditionContext): GateOutcome[] {
  const out: GateOutcome[] = [];
  for (const gate of route.gates) {
    if (gate.when && !evaluateCondition(gate.when, ctx)) continue;
    let passed: boolean;
    if (gate.kind === 'require') passed = evaluateCondition(gate.require, ctx);
    else {
      const at = fieldInstant(ctx.values[gate.field], ctx.calendar);
      if (!at) continue; // a missing date is the form's required-field error, not the gate's
      const from = gate.after ? fieldInstant(ctx.values[gate.after], ctx.calendar) : ctx.now;
      if (!from) continue; // likewise for the date it is measured from
      const earliest = ctx.calendar.due(from, gate.atLeast);
      passed =
        ctx.values[gate.field]?.toString().length === 10
          ? (ctx.values[gate.field] as string) >= ctx.calendar.localDate(earliest)
          : at.getTime() >= earliest.getTime();
    }
    if (!passed) out.push({ gate: gate.id, message: gate.message, blocking: gate.blocking });
  }
  return out;
}

const reasonWords =
  /\b(because|since|due to|owing to|caused by|given that|as a result of|which means|meaning that|evidenced by|for example|e\.g\.|shown by|namely)\b|:/i;

export interface VagueWordFlag {
  field: string;
  word: string;
  message: string;
}

/**
 * Whether a sentence says why: a reason word ("because", "due to", a colon...) followed by words of its own, not
 * just the vague word again ("Home conditions: unsuitable." says nothing; "worried due to bruising" does).
 */
function givesAReason(sentence: string, vagueWords: readonly string[]): boolean {
  const vague = new Set(vagueWords.map((w) => w.toLowerCase()));
  for (const m of sentence.matchAll(new RegExp(reasonWords.source, 'gi'))) {
    const after = sentence.slice((m.index ?? 0) + m[0].length);
    const words = after.split(/[^\p{L}\p{N}']+/u).filter((w) => w && !vague.has(w.toLowerCase()));
    if (words.length >= 1) return true;
  }
  return false;
}

/**
 * Somerset's evidencing rule: vague words ('worried', 'unsuitable', 'inappropriate') used without saying why
 * are flagged on the form. A sentence that gives a reason ("because...", "due to...", "for example...") passes.
 */
export function findVagueWords(profile: ProtocolProfile, route: Route, values: FormValues): VagueWordFlag[] {
  if (!profile.evidence) return [];
  const flags: VagueWordFlag[] = [];
  for (const field of route.fields.filter((f) => f.evidence)) {
    const text = values[field.id];
    if (typeof text !== 'string') continue;
    for (const sentence of text.split(/(?<=[.!?])\s+|\n+/)) {
      if (givesAReason(sentence, profile.evidence.vagueWords)) continue;
      for (const word of profile.evidence.vagueWords) {
        if (new RegExp(`\\b${word}\\b`, 'i').test(sentence)) {
          flags.push({
            field: field.id,
            word,
            message: `${field.label}: "${word}" - ${profile.evidence.message}`,
          });
        }
      }
    }
  }
  return flags;
}

/** The service that receives the request: the first matching `receiveVia`, else the route's own. */
export function chooseReceivingService(
  route: Route,
  ctx: ConditionContext,
): { service: string; reason?: string } {
  for (const via of route.receiveVia) {
    if (evaluateCondition(via.when, ctx)) return { service: via.service, reason: via.reason };
  }
  return { service: route.to.service };
}

export type Anchor = 'submitted' | 'accepted' | 'allocated';

export interface Scheduled<T> {
  rule: T;
  dueBy: Date | null;
}

function anchorTime(
  anchor: MeetingRule['anchor'],
  event: Anchor,
  at: Date,
  ctx: ConditionContext,
): Date | null {
  if (typeof anchor === 'string') return anchor === event ? at : null;
  // Field anchors are fixed when the request is submitted.
  if (event !== 'submitted') return null;
  const value = ctx.values[anchor.field];
  if (typeof value !== 'string') return null;
  // A date alone means the start of that day's working hours; the offset's own rules handle non-working days.
  return value.length === 10
    ? ctx.calendar.at(value, ctx.calendar.config.workingHours.start)
    : new Date(value);
}

/** Whether the form gives the meeting's own date and time: a date-time field, with nothing added to it. */
function formDated(rule: MeetingRule, ctx: ConditionContext): boolean {
  if (typeof rule.anchor === 'string' || (rule.within && rule.within.amount !== 0)) return false;
  const value = ctx.values[rule.anchor.field];
  return typeof value === 'string' && value.length > 10;
}

/** A receiving service's standing meeting (e.g. Manchester's Thursday allocations meeting in each hub). */
export interface StandingMeeting {
  weekday: number;
  time: string;
}

/**
 * The meetings a route requires that this event starts, each with its due time (null: no deadline). A rule
 * `atNextSchedule` is due at the receiving service's next standing meeting, or by `within` if that is sooner.
 */
/**
 * The meetings a route requires that this event starts, each with its due time (null: no deadline) and, for a
 * meeting whose date and time the request itself gives (Halton's final CIN and MAP step-up meetings, Somerset's
 * TAF), that time: the meeting is already arranged, so it is confirmed rather than offered slots.
 */
export function meetingsStartedBy(
  route: Route,
  event: Anchor,
  at: Date,
  ctx: ConditionContext,
  standing?: StandingMeeting,
): (Scheduled<MeetingRule> & { datedAt: Date | null })[] {
  const out: (Scheduled<MeetingRule> & { datedAt: Date | null })[] = [];
  for (const rule of route.meetings) {
    if (rule.when && !evaluateCondition(rule.when, ctx)) continue;
    const from = anchorTime(rule.anchor, event, at, ctx);
    if (!from) continue;
    let dueBy = rule.within ? ctx.calendar.due(from, rule.within) : null;
    if (rule.atNextSchedule && standing) {
      const next = ctx.calendar.at(ctx.calendar.nextWeekday(from, standing.weekday), standing.time);
      if (!dueBy || next < dueBy) dueBy = next;
    }
    out.push({ rule, dueBy, datedAt: formDated(rule, ctx) ? from : null });
  }
  return out;
}

/** The tasks this event starts, each with its due time. */
export function tasksStartedBy(
  route: Route,
  event: Anchor,
  at: Date,
  ctx: ConditionContext,
): Scheduled<TaskRule>[] {
  const out: Scheduled<TaskRule>[] = [];
  for (const rule of route.tasks) {
    if (rule.when && !evaluateCondition(rule.when, ctx)) continue;
    const from = anchorTime(rule.anchor, event, at, ctx);
    if (from) out.push({ rule, dueBy: ctx.calendar.due(from, rule.offset) });
  }
  return out;
}

/**
 * The tasks anchored on a form field that was given after submission (a meeting outcome agreed it), each with its
 * due time, as if the field had been on the request from the start.
 */
export function tasksAnchoredOn(route: Route, field: string, ctx: ConditionContext): Scheduled<TaskRule>[] {
  return route.tasks.flatMap((rule) => {
    if (typeof rule.anchor !== 'object' || rule.anchor.field !== field) return [];
    if (rule.when && !evaluateCondition(rule.when, ctx)) return [];
    const from = anchorTime(rule.anchor, 'submitted', ctx.now, ctx);
    return from ? [{ rule, dueBy: ctx.calendar.due(from, rule.offset) }] : [];
  });
}

/**
 * When the receiving team's decision is due: the route's time limit from the request, moved on by the time the
 * clock was paused (asking for more information pauses it; `pausedMs` as {@link pauseLength} measures it).
 */
export function decisionDue(route: Route, from: Date, calendar: WorkingCalendar, pausedMs = 0): Date | null {
  if (route.decision.mode !== 'decide' || !route.decision.due) return null;
  const due = calendar.due(from, route.decision.due);
  if (pausedMs <= 0) return due;
  return isWorkingUnit(route.decision.due.unit)
    ? calendar.addWorkingMs(due, pausedMs)
    : new Date(due.getTime() + pausedMs);
}

/** How long a pause of the decision clock counts: working time for a limit in working days or hours, else clock time. */
export function pauseLength(
  route: Route,
  pausedAt: Date,
  resumedAt: Date,
  calendar: WorkingCalendar,
): number {
  const unit = route.decision.due?.unit;
  if (unit && isWorkingUnit(unit)) return calendar.workingMs(pausedAt, resumedAt);
  return Math.max(0, resumedAt.getTime() - pausedAt.getTime());
}

/** Routes a person in a team providing `service` may start with this command. */
export function routesFor(profile: ProtocolProfile, service: string, command?: Route['command']): Route[] {
  return profile.routes.filter(
    (r) => r.from.services.includes(service) && (!command || r.command === command),
  );
}

export function findRoute(profile: ProtocolProfile, routeId: string): Route | undefined {
  return profile.routes.find((r) => r.id === routeId);
}
