/**
 * The numbers behind the dashboard, one loader per chart section, each with the tables it is drawn from (the
 * same tables are printed under the charts and downloaded as CSV, so the three always agree).
 *
 * Data protection: the loaders select references, states, teams and times only. They never read the request's
 * form (the child's name, date of birth, address, the narrative), the consent record, or the free text of a
 * decision or a dispute, so no rendering of these numbers can leak them.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { type Duration, isWorkingUnit, type WorkingCalendar } from '../../domain/calendar.ts';
import type { Directory } from '../../domain/directory.ts';
import { stateLabels, type TransferState, transferStates } from '../../domain/lifecycle.ts';
import type { ProtocolProfile } from '../../domain/profile.ts';
import { decisionDue, findRoute } from '../../domain/rules.ts';
import type { PrismaClient } from '../../store/generated/prisma/client.ts';
import { formatRef } from '../../store/transfer-store.ts';

export interface DashboardFilter {
  /** A receiving team's id, or null for every team. */
  teamId: string | null;
  /** The period as local dates (both included) and as instants, [start, end). */
  from: string;
  to: string;
  start: Date;
  end: Date;
  /** The Contact Challenge month (YYYY-MM) and its instants, [monthStart, monthEnd). */
  month: string;
  monthStart: Date;
  monthEnd: Date;
}

export interface DashboardContext {
  prisma: PrismaClient;
  profile: ProtocolProfile;
  calendar: WorkingCalendar;
  directory: Directory;
  filter: DashboardFilter;
  now: Date;
}

export const tableNames = [
  'open-by-state',
  'open-by-team',
  'decision-times',
  'decisions',
  'missed-deadlines',
  'disputes',
  're-referrals',
  're-referral-list',
  'kept-at-early-help',
  'contact-challenge',
] as const;
export type TableName = (typeof tableNames)[number];

export function isTableName(name: string): name is TableName {
  return (tableNames as readonly string[]).includes(name);
}

export type Cell = string | number;

export interface Table {
  name: TableName;
  title: string;
  columns: string[];
  rows: Cell[][];
}

// ---- shared helpers ------------------------------------------------------------------------------------

const teamName = (ctx: DashboardContext, id: string) => ctx.directory.team(id)?.name ?? id;
const routeName = (ctx: DashboardContext, id: string) => findRoute(ctx.profile, id)?.name ?? id;
/** The team filter applies to the receiving team of a transfer. */
const receivedBy = (ctx: DashboardContext) =>
  ctx.filter.teamId ? { receivingTeamId: ctx.filter.teamId } : {};
const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);

/** Only a decision's action and time: its free text (the advice, a decline's explanation) is never kept. */
function decisionOf(value: unknown): { action: string; at: Date } | null {
  if (!value || typeof value !== 'object') return null;
  const { action, at } = value as { action?: unknown; at?: unknown };
  return typeof action === 'string' && typeof at === 'string' ? { action, at: new Date(at) } : null;
}

/** "3 calendar months", "1 working day". */
export function durationText(d: Duration): string {
  const unit = d.unit.replace('_', ' ');
  return `${d.amount} ${d.amount === 1 ? unit.replace(/s$/, '') : unit}`;
}

/** Every local month (YYYY-MM) the period touches, in order. */
function monthsOf(ctx: DashboardContext): string[] {
  const zone = ctx.calendar.timeZone;
  const last = DateTime.fromJSDate(new Date(ctx.filter.end.getTime() - 1), { zone }).toFormat('yyyy-MM');
  const months: string[] = [];
  let m = DateTime.fromJSDate(ctx.filter.start, { zone }).startOf('month');
  while (m.toFormat('yyyy-MM') <= last) {
    months.push(m.toFormat('yyyy-MM'));
    m = m.plus({ months: 1 });
  }
  return months;
}

const monthOf = (ctx: DashboardContext, at: Date) =>
  DateTime.fromJSDate(at, { zone: ctx.calendar.timeZone }).toFormat('yyyy-MM');

// ---- 1. open transfers ---------------------------------------------------------------------------------

/** Not open: never sent, or nothing more will happen. */
const notOpen: TransferState[] = ['draft', 'closed', 'withdrawn'];

export interface OpenData {
  byState: { state: TransferState; label: string; count: number }[];
  byTeam: { teamId: string; name: string; count: number }[];
  total: number;
}

/** Transfers open now (sent, not closed or withdrawn), whatever the period: by state and by receiving team. */
export async function loadOpen(ctx: DashboardContext): Promise<OpenData> {
  const groups = await ctx.prisma.transfer.groupBy({
    by: ['state', 'receivingTeamId'],
    where: { profileId: ctx.profile.id, state: { notIn: notOpen }, ...receivedBy(ctx) },
    _count: { _all: true },
  });
  const states = new Map<string, number>();
  const teams = new Map<string, number>();
  for (const g of groups) {
    states.set(g.state, (states.get(g.state) ?? 0) + g._count._all);
    teams.set(g.receivingTeamId, (teams.get(g.receivingTeamId) ?? 0) + g._count._all);
  }
  return {
    byState: transferStates
      .filter((s) => states.has(s))
      .map((state) => ({ state, label: stateLabels[state], count: states.get(state) ?? 0 })),
    byTeam: [...teams]
      .map(([teamId, count]) => ({ teamId, name: teamName(ctx, teamId), count }))
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    total: [...states.values()].reduce((a, b) => a + b, 0),
  };
}

export function openTables(d: OpenData): Table[] {
  return [
    {
      name: 'open-by-state',
      title: 'Open transfers by state',
      columns: ['State', 'Open transfers'],
      rows: d.byState.map((s) => [s.label, s.count]),
    },
    {
      name: 'open-by-team',
      title: 'Open transfers by receiving team',
      columns: ['Receiving team', 'Open transfers'],
      rows: d.byTeam.map((t) => [t.name, t.count]),
    },
  ];
}

// ---- 2. time to decision -------------------------------------------------------------------------------

const decisionActions = ['accept', 'decline', 'advice_only'];
const decisionLabels: Record<string, string> = {
  accept: 'accepted',
  decline: 'declined',
  advice_only: 'advice only',
};

export interface DecisionRow {
  ref: string;
  route: string;
  team: string;
  submittedAt: Date;
  decidedAt: Date;
  decision: string;
  /** Working time from the request to the decision, in working days (a working day is the working hours). */
  workingDays: number;
  dueAt: Date | null;
  /** Decided by the route's decision deadline; null when the route sets none. */
  inTime: boolean | null;
}

export interface DecisionData {
  rows: DecisionRow[];
  /** Requests in the period still waiting for a decision. */
  waiting: number;
  bins: { label: string; inTime: number; late: number; noDeadline: number }[];
}

const bins = [
  { label: 'under 1 working day', below: 1 },
  { label: '1 to 2 working days', below: 2 },
  { label: '2 to 3 working days', below: 3 },
  { label: '3 to 4 working days', below: 4 },
  { label: '4 to 5 working days', below: 5 },
  { label: '5 to 10 working days', below: 10 },
  { label: '10 working days or more', below: Number.POSITIVE_INFINITY },
];

/**
 * Requests submitted in the period on routes where the receiving team decides: the working time from the
 * request (submittedAt; the time the clock stood paused for more information is taken off) to
 * the receiving team's first decision (its first accept, decline or advice-only event; else the decision
 * recorded on the transfer, e.g. by the ladder), against the route's decision deadline.
 */
export async function loadDecisions(ctx: DashboardContext): Promise<DecisionData> {
  const transfers = await ctx.prisma.transfer.findMany({
    where: {
      profileId: ctx.profile.id,
      submittedAt: { gte: ctx.filter.start, lt: ctx.filter.end },
      ...receivedBy(ctx),
    },
    select: {
      id: true,
      number: true,
      routeId: true,
      receivingTeamId: true,
      state: true,
      submittedAt: true,
      pausedMs: true,
      decision: true,
    },
    orderBy: { number: 'asc' },
  });
  const deciding = transfers.filter((t) => findRoute(ctx.profile, t.routeId)?.decision.mode !== 'notify');
  const events = deciding.length
    ? await ctx.prisma.auditEvent.findMany({
        where: { transferId: { in: deciding.map((t) => t.id) }, action: { in: decisionActions } },
        select: { transferId: true, action: true, at: true },
        orderBy: { seq: 'asc' },
      })
    : [];
  const first = new Map<string, { action: string; at: Date }>();
  for (const e of events) if (e.transferId && !first.has(e.transferId)) first.set(e.transferId, e);

  const rows: DecisionRow[] = [];
  let waiting = 0;
  for (const t of deciding) {
    if (!t.submittedAt) continue;
    const recorded = decisionOf(t.decision);
    const decision =
      first.get(t.id) ?? (recorded && decisionActions.includes(recorded.action) ? recorded : null);
    if (!decision) {
      if (!notOpen.includes(t.state as TransferState)) waiting += 1;
      continue;
    }
    const route = findRoute(ctx.profile, t.routeId);
    const dueAt = route ? decisionDue(route, t.submittedAt, ctx.calendar, Number(t.pausedMs)) : null;
    // The working time it waited for the sending team's answers does not count. On a limit in working time the
    // pause is stored as working time and is taken off; on a clock-hours limit it is clock time, whose working
    // part is not known, so nothing is taken off there (the due time above does allow for it).
    const unit = route?.decision.due?.unit;
    const paused = unit && isWorkingUnit(unit) ? Number(t.pausedMs) : 0;
    const minutes = Math.max(
      0,
      ctx.calendar.workingMinutesBetween(t.submittedAt, decision.at) - Math.round(paused / 60_000),
    );
    rows.push({
      ref: formatRef(t.number),
      route: routeName(ctx, t.routeId),
      team: teamName(ctx, t.receivingTeamId),
      submittedAt: t.submittedAt,
      decidedAt: decision.at,
      decision: decisionLabels[decision.action] ?? decision.action,
      workingDays: minutes / ctx.calendar.workingDayMinutes,
      dueAt,
      inTime: dueAt ? decision.at.getTime() <= dueAt.getTime() : null,
    });
  }
  return { rows, waiting, bins: binDecisions(rows) };
}

function binDecisions(rows: DecisionRow[]): DecisionData['bins'] {
  const counts = bins.map((b) => ({ label: b.label, inTime: 0, late: 0, noDeadline: 0 }));
  for (const r of rows) {
    const i = bins.findIndex((b) => r.workingDays < b.below);
    const bin = counts[i] as (typeof counts)[number];
    if (r.inTime === null) bin.noDeadline += 1;
    else if (r.inTime) bin.inTime += 1;
    else bin.late += 1;
  }
  return counts;
}

export function decisionTables(d: DecisionData, ctx: DashboardContext): Table[] {
  const when = (at: Date) => ctx.calendar.localDateTime(at);
  return [
    {
      name: 'decision-times',
      title: 'Working time from request to decision',
      columns: [
        'Working time to decision',
        'Decided by the deadline',
        'Decided late',
        'No deadline',
        'Total',
      ],
      rows: d.bins.map((b) => [b.label, b.inTime, b.late, b.noDeadline, b.inTime + b.late + b.noDeadline]),
    },
    {
      name: 'decisions',
      title: 'Each decision in the period',
      columns: [
        'Reference',
        'Route',
        'Receiving team',
        'Submitted',
        'Decided',
        'Decision',
        'Working days to decision',
        'Deadline',
        'By the deadline',
      ],
      rows: d.rows.map((r) => [
        r.ref,
        r.route,
        r.team,
        when(r.submittedAt),
        when(r.decidedAt),
        r.decision,
        Math.round(r.workingDays * 10) / 10,
        r.dueAt ? when(r.dueAt) : '',
        r.inTime === null ? '' : r.inTime ? 'yes' : 'no',
      ]),
    },
  ];
}

export function decisionSummary(d: DecisionData): { withDeadline: number; inTime: number; share: number } {
  const withDeadline = d.rows.filter((r) => r.inTime !== null).length;
  const inTime = d.rows.filter((r) => r.inTime === true).length;
  return { withDeadline, inTime, share: percent(inTime, withDeadline) };
}

// ---- 3. deadlines missed per week ----------------------------------------------------------------------

const missedKinds = ['decision_due', 'meeting_due', 'task_due'] as const;
type MissedKind = (typeof missedKinds)[number];

export interface WeekRow {
  week: string;
  /** The Monday the ISO week starts on, local date. */
  monday: string;
  counts: Record<MissedKind, number>;
}

/**
 * Whether a deadline timer was missed. The sweep marks a timer `done` when it fires (the deadline passed and
 * the chase went out), but a decision or a held meeting made later settles the same row as `met` (or
 * `cancelled`) and stamps that time on it, so a row settled after its due time was missed too. A row still
 * pending after its due time is overdue and only waits for the next sweep.
 */
export function wasMissed(t: { status: string; dueAt: Date; doneAt: Date | null }, now: Date): boolean {
  if (t.status === 'done') return true;
  if (t.status === 'pending') return t.dueAt.getTime() < now.getTime();
  return t.doneAt !== null && t.doneAt.getTime() > t.dueAt.getTime();
}

function isoWeek(at: Date | DateTime, zone: string): { week: string; monday: string } {
  const d = at instanceof Date ? DateTime.fromJSDate(at, { zone }) : at;
  return {
    week: `${d.weekYear}-W${String(d.weekNumber).padStart(2, '0')}`,
    monday: d.startOf('week').toISODate() as string,
  };
}

/**
 * Decision, meeting and task deadlines that fell due in the period (up to now) and were missed, by the ISO
 * week of the deadline (Europe/London). A decision counts once: only the first chase (step 0), not the later
 * pings up the management line.
 */
export async function loadMissed(ctx: DashboardContext): Promise<WeekRow[]> {
  const zone = ctx.calendar.timeZone;
  const until = new Date(Math.min(ctx.filter.end.getTime(), ctx.now.getTime()));
  if (until <= ctx.filter.start) return [];
  const timers = await ctx.prisma.timer.findMany({
    where: {
      kind: { in: [...missedKinds] },
      dueAt: { gte: ctx.filter.start, lt: until },
      transfer: { profileId: ctx.profile.id, ...receivedBy(ctx) },
    },
    select: { kind: true, dueAt: true, status: true, doneAt: true, payload: true },
  });
  const weeks = new Map<string, WeekRow>();
  const last = isoWeek(new Date(until.getTime() - 1), zone).monday;
  for (let d = DateTime.fromJSDate(ctx.filter.start, { zone }).startOf('week'); ; d = d.plus({ weeks: 1 })) {
    const w = isoWeek(d, zone);
    if (w.monday > last) break;
    weeks.set(w.week, { ...w, counts: { decision_due: 0, meeting_due: 0, task_due: 0 } });
  }
  for (const t of timers) {
    const step = Number((t.payload as { step?: unknown } | null)?.step ?? 0);
    if (t.kind === 'decision_due' && step !== 0) continue;
    if (!wasMissed(t, ctx.now)) continue;
    const row = weeks.get(isoWeek(t.dueAt, zone).week);
    if (row) row.counts[t.kind as MissedKind] += 1;
  }
  return [...weeks.values()];
}

export function missedTables(weeks: WeekRow[]): Table[] {
  return [
    {
      name: 'missed-deadlines',
      title: 'Deadlines missed per week',
      columns: ['Week', 'Week starting', 'Decisions', 'Meetings', 'Tasks', 'Total'],
      rows: weeks.map((w) => [
        w.week,
        w.monday,
        w.counts.decision_due,
        w.counts.meeting_due,
        w.counts.task_due,
        w.counts.decision_due + w.counts.meeting_due + w.counts.task_due,
      ]),
    },
  ];
}

// ---- 4. disputes ---------------------------------------------------------------------------------------

export interface DisputeStageRow {
  index: number;
  stage: string;
  open: number;
  upheld: number;
  overturned: number;
}

function stageName(ladder: unknown, index: number): string {
  const stages = (ladder as { stages?: { name?: unknown }[] } | null)?.stages;
  const name = stages?.[index]?.name;
  return `Stage ${index + 1}: ${typeof name === 'string' ? name : 'unnamed'}`;
}

/**
 * Disagreements opened in the period, by the ladder stage they reached (the stage they are at, or were
 * resolved at) and their outcome. Stage names come from the ladder snapshotted on each dispute; the stages of
 * the profile's default ladder are always listed, so a rung nobody reached shows as zero.
 */
export async function loadDisputes(ctx: DashboardContext): Promise<DisputeStageRow[]> {
  const disputes = await ctx.prisma.dispute.findMany({
    where: {
      createdAt: { gte: ctx.filter.start, lt: ctx.filter.end },
      transfer: { profileId: ctx.profile.id, ...receivedBy(ctx) },
    },
    select: { stageIndex: true, status: true, resolution: true, ladder: true },
  });
  const rows = new Map<string, DisputeStageRow>();
  const row = (index: number, stage: string) => {
    const found = rows.get(stage) ?? { index, stage, open: 0, upheld: 0, overturned: 0 };
    rows.set(stage, found);
    return found;
  };
  const ladder = ctx.profile.ladders.find((l) => l.id === ctx.profile.defaultLadder);
  ladder?.stages.forEach((_, i) => {
    row(i, stageName(ladder, i));
  });
  for (const d of disputes) {
    const r = row(d.stageIndex, stageName(d.ladder, d.stageIndex));
    // Only the outcome: the resolution's rationale is free text and stays out.
    const outcome = (d.resolution as { outcome?: unknown } | null)?.outcome;
    if (d.status === 'open') r.open += 1;
    else if (outcome === 'overturned') r.overturned += 1;
    else r.upheld += 1;
  }
  return [...rows.values()].sort((a, b) => a.index - b.index || a.stage.localeCompare(b.stage));
}

export function disputeTables(rows: DisputeStageRow[]): Table[] {
  return [
    {
      name: 'disputes',
      title: 'Disagreements by ladder stage reached and outcome',
      columns: ['Stage reached', 'Still open', 'Decision upheld', 'Decision overturned', 'Total'],
      rows: rows.map((r) => [r.stage, r.open, r.upheld, r.overturned, r.open + r.upheld + r.overturned]),
    },
  ];
}

// ---- 5 and 6. step-downs: re-referrals and children kept at early help -----------------------------------

/** The common window for "stepped back up soon after a step-down", where the profile sets none. */
const defaultReReferralWindow: Duration = { amount: 3, unit: 'calendar_months' };

export function reReferralWindow(profile: ProtocolProfile): Duration {
  return profile.oversight.reReferralWithin ?? defaultReReferralWindow;
}

export type StepDownOutcome = 'stepped_back_up' | 'kept' | 'too_soon' | 'untraceable';

export interface StepDownRow {
  ref: string;
  month: string;
  submittedAt: Date;
  outcome: StepDownOutcome;
  stepUp: { ref: string; submittedAt: Date; team: string } | null;
}

export interface StepDownData {
  window: Duration;
  months: string[];
  rows: StepDownRow[];
}

/**
 * Step-downs submitted in the period that went ahead (accepted by the receiving team or on the ladder, or
 * sent on a route where nobody decides), each followed up through the child's case-system id (its hash,
 * `childKey`): stepped back up if a step-up for the same child (not withdrawn) was submitted within the
 * window after the step-down's submission; kept at early help if the window has passed without one; too
 * soon to tell while the window is still open. Without a case-system id a step-down cannot be followed.
 */
export async function loadStepDowns(ctx: DashboardContext): Promise<StepDownData> {
  const window = reReferralWindow(ctx.profile);
  const stepDowns = await ctx.prisma.transfer.findMany({
    where: {
      profileId: ctx.profile.id,
      kind: 'step-down',
      submittedAt: { gte: ctx.filter.start, lt: ctx.filter.end },
      ...receivedBy(ctx),
    },
    select: { number: true, routeId: true, childKey: true, submittedAt: true, decision: true, state: true },
    orderBy: { number: 'asc' },
  });
  const wentAhead = stepDowns.filter(
    (t) =>
      t.submittedAt &&
      t.state !== 'withdrawn' &&
      (decisionOf(t.decision)?.action === 'accept' ||
        findRoute(ctx.profile, t.routeId)?.decision.mode === 'notify'),
  );
  const keys = [...new Set(wentAhead.flatMap((t) => (t.childKey ? [t.childKey] : [])))];
  // Step-ups are looked for in every team and after the period too: a child stepped down in the period may
  // be stepped back up to anyone, later.
  const stepUps = keys.length
    ? await ctx.prisma.transfer.findMany({
        where: {
          profileId: ctx.profile.id,
          kind: 'step-up',
          childKey: { in: keys },
          submittedAt: { gte: ctx.filter.start },
          state: { not: 'withdrawn' },
        },
        select: { number: true, childKey: true, submittedAt: true, receivingTeamId: true },
        orderBy: [{ submittedAt: 'asc' }, { number: 'asc' }],
      })
    : [];
  const rows = wentAhead.map((t): StepDownRow => {
    const submittedAt = t.submittedAt as Date;
    const base = { ref: formatRef(t.number), month: monthOf(ctx, submittedAt), submittedAt };
    if (!t.childKey) return { ...base, outcome: 'untraceable', stepUp: null };
    const windowEnd = ctx.calendar.due(submittedAt, window);
    const back = stepUps.find(
      (u) =>
        u.childKey === t.childKey &&
        u.submittedAt &&
        u.submittedAt > submittedAt &&
        u.submittedAt <= windowEnd,
    );
    if (back?.submittedAt) {
      const stepUp = {
        ref: formatRef(back.number),
        submittedAt: back.submittedAt,
        team: teamName(ctx, back.receivingTeamId),
      };
      return { ...base, outcome: 'stepped_back_up', stepUp };
    }
    return { ...base, outcome: windowEnd <= ctx.now ? 'kept' : 'too_soon', stepUp: null };
  });
  return { window, months: monthsOf(ctx), rows };
}

export function stepDownCounts(d: StepDownData, month: string): Record<StepDownOutcome, number> {
  const counts: Record<StepDownOutcome, number> = {
    stepped_back_up: 0,
    kept: 0,
    too_soon: 0,
    untraceable: 0,
  };
  for (const r of d.rows) if (r.month === month) counts[r.outcome] += 1;
  return counts;
}

export function stepDownTables(d: StepDownData, ctx: DashboardContext): Table[] {
  const within = durationText(d.window);
  const date = (at: Date) => ctx.calendar.localDate(at);
  return [
    {
      name: 're-referrals',
      title: `Stepped back up within ${within} of a step-down`,
      columns: [
        'Month of step-down',
        'Stepped down (with a case-system ID)',
        `Stepped back up within ${within}`,
        'Share stepped back up (%)',
      ],
      rows: d.months.map((m) => {
        const c = stepDownCounts(d, m);
        const traceable = c.stepped_back_up + c.kept + c.too_soon;
        return [m, traceable, c.stepped_back_up, percent(c.stepped_back_up, traceable)];
      }),
    },
    {
      name: 're-referral-list',
      title: `Each step-down followed by a step-up within ${within}`,
      columns: [
        'Step-down',
        'Stepped down on',
        'Step-up',
        'Stepped up on',
        'Days between',
        'Step-up sent to',
      ],
      rows: d.rows.flatMap((r) =>
        r.stepUp
          ? [
              [
                r.ref,
                date(r.submittedAt),
                r.stepUp.ref,
                date(r.stepUp.submittedAt),
                Math.floor((r.stepUp.submittedAt.getTime() - r.submittedAt.getTime()) / 86_400_000),
                r.stepUp.team,
              ],
            ]
          : [],
      ),
    },
    {
      name: 'kept-at-early-help',
      title: 'Stepped down and kept at early help',
      columns: [
        'Month of step-down',
        'Stepped down',
        `Kept (${within} passed with no step-up)`,
        `No step-up yet (${within} not yet passed)`,
        'Stepped back up',
        'No case-system ID',
      ],
      rows: d.months.map((m) => {
        const c = stepDownCounts(d, m);
        const all = c.kept + c.too_soon + c.stepped_back_up + c.untraceable;
        return [m, all, c.kept, c.too_soon, c.stepped_back_up, c.untraceable];
      }),
    },
  ];
}

// ---- Halton's Contact Challenge sample --------------------------------------------------------------------

/** mulberry32: a tiny, well-mixed 32-bit PRNG; enough to draw a sample, and the same everywhere. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `size` items drawn at random without replacement, reproducibly: the same items in the same order and the
 * same seed always give the same sample (a partial Fisher-Yates shuffle driven by mulberry32, seeded with the
 * first 32 bits of SHA-256 of the seed text). Callers sort the items first so storage order cannot matter.
 */
export function seededSample<T>(items: readonly T[], size: number, seed: string): T[] {
  const random = mulberry32(createHash('sha256').update(seed).digest().readUInt32BE(0));
  const pool = [...items];
  const n = Math.min(Math.max(0, size), pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    const picked = pool[j] as T;
    pool[j] = pool[i] as T;
    pool[i] = picked;
  }
  return pool.slice(0, n);
}

export interface SampleRow {
  ref: string;
  number: number;
  sentAt: Date;
  route: string;
  team: string;
  state: string;
}

export interface SampleData {
  month: string;
  /** What "the front door" is for this profile, in words. */
  frontDoor: string;
  candidates: number;
  size: number;
  rows: SampleRow[];
}

/** The front door the sample is drawn from: Halton's configured service, else every front-door service. */
function frontDoorTest(ctx: DashboardContext): {
  text: string;
  passes: (routeId: string, teamId: string) => boolean;
} {
  const configured = ctx.profile.oversight.contactChallenge?.frontDoor;
  const serviceOf = (teamId: string) =>
    ctx.profile.services.find((s) => s.id === ctx.directory.team(teamId)?.service);
  if (configured) {
    const name = ctx.profile.services.find((s) => s.id === configured)?.name ?? configured;
    return {
      text: name,
      passes: (routeId, teamId) =>
        findRoute(ctx.profile, routeId)?.frontDoor === configured || serviceOf(teamId)?.id === configured,
    };
  }
  const doors = ctx.profile.services.filter((s) => s.kind === 'front_door').map((s) => s.name);
  return {
    text: doors.length ? doors.join(', ') : 'the front door',
    passes: (routeId, teamId) =>
      findRoute(ctx.profile, routeId)?.frontDoor !== undefined || serviceOf(teamId)?.kind === 'front_door',
  };
}

/**
 * The Contact Challenge sample: requests first sent to the front door in the month (its "submit" audit event,
 * so a later resubmission does not move a request into another month and the sample of a past month never
 * changes), sorted by reference, then drawn with a seed of the profile id and the month. Every team is
 * included whatever the team filter: the meeting reviews the whole front door.
 */
export async function loadSample(ctx: DashboardContext): Promise<SampleData> {
  const door = frontDoorTest(ctx);
  const size = ctx.profile.oversight.contactChallenge?.sampleSize ?? 10;
  const sent = await ctx.prisma.auditEvent.findMany({
    where: {
      action: 'submit',
      at: { gte: ctx.filter.monthStart, lt: ctx.filter.monthEnd },
      transferId: { not: null },
    },
    select: { transferId: true, at: true },
  });
  const sentAt = new Map(sent.map((e) => [e.transferId as string, e.at]));
  const transfers = sentAt.size
    ? await ctx.prisma.transfer.findMany({
        where: { id: { in: [...sentAt.keys()] }, profileId: ctx.profile.id },
        select: { id: true, number: true, routeId: true, receivingTeamId: true, state: true },
        orderBy: { number: 'asc' },
      })
    : [];
  const candidates = transfers
    .filter((t) => door.passes(t.routeId, t.receivingTeamId))
    .map((t) => ({
      ref: formatRef(t.number),
      number: t.number,
      sentAt: sentAt.get(t.id) as Date,
      route: routeName(ctx, t.routeId),
      team: teamName(ctx, t.receivingTeamId),
      state: stateLabels[t.state as TransferState] ?? t.state,
    }));
  const rows = seededSample(candidates, size, `${ctx.profile.id}:${ctx.filter.month}`).sort(
    (a, b) => a.number - b.number,
  );
  return { month: ctx.filter.month, frontDoor: door.text, candidates: candidates.length, size, rows };
}

export function sampleTables(d: SampleData, ctx: DashboardContext): Table[] {
  return [
    {
      name: 'contact-challenge',
      title: `Contact Challenge sample for ${d.month}`,
      columns: ['Reference', 'Sent', 'Route', 'Receiving team', 'State'],
      rows: d.rows.map((r) => [r.ref, ctx.calendar.localDate(r.sentAt), r.route, r.team, r.state]),
    },
  ];
}

// ---- which loader makes which table ------------------------------------------------------------------------

/** Builds one table, running only the loader it needs (for the CSV download). */
export async function loadTable(ctx: DashboardContext, name: TableName): Promise<Table> {
  const tables = await (async (): Promise<Table[]> => {
    switch (name) {
      case 'open-by-state':
      case 'open-by-team':
        return openTables(await loadOpen(ctx));
      case 'decision-times':
      case 'decisions':
        return decisionTables(await loadDecisions(ctx), ctx);
      case 'missed-deadlines':
        return missedTables(await loadMissed(ctx));
      case 'disputes':
        return disputeTables(await loadDisputes(ctx));
      case 're-referrals':
      case 're-referral-list':
      case 'kept-at-early-help':
        return stepDownTables(await loadStepDowns(ctx), ctx);
      case 'contact-challenge':
        return sampleTables(await loadSample(ctx), ctx);
    }
  })();
  const table = tables.find((t) => t.name === name);
  if (!table) throw new Error(`no loader makes the table ${name}`);
  return table;
}
