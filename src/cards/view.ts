/**
 * View models: the data each card template in cards/ is bound to, built from domain objects. Pure functions:
 * the time is passed in, nothing is read from a store or a clock.
 *
 * Data protection (DESIGN.md): the cards that go to channels (request card, status, dispute, reminder, digest)
 * are built from {@link channelView}, which carries the reference, the child's initials and age band, levels,
 * teams, state and the structured decision and allocation records, never the form's free text, the child's
 * name, date of birth or address, or anything a person typed as a reason, question or note. Free text reaches a
 * card only in the forms shown to the people involved, and in a status built with `includeText` for a DM.
 */
import { DateTime } from 'luxon';
import type { DurationUnit, WorkingCalendar } from '../domain/calendar.ts';
import type { Directory, Person, Team } from '../domain/directory.ts';
import {
  type ConditionContext,
  evaluateCondition,
  type FieldError,
  type FormValue,
  type FormValues,
  routeFields,
} from '../domain/form.ts';
import {
  disputeActionIn,
  finalStates,
  actions as lifecycle,
  resolutionLabels,
  stateLabels,
  type TransferAction,
} from '../domain/lifecycle.ts';
import type {
  Condition,
  FormField,
  MeetingRule,
  ProtocolProfile,
  Route,
  RouteKind,
} from '../domain/profile.ts';
import { roleLabels } from '../domain/roles.ts';
import { decisionDue, lawfulBases, lawfulBasisLabels } from '../domain/rules.ts';
import { foreignRoute, WorkflowError } from '../workflow/errors.ts';
import {
  allocatableWorkers,
  holderTeam,
  meetingParticipants,
  participantsText,
} from '../workflow/participants.ts';
import type {
  AllocationRecord,
  DecisionRecord,
  DisputeRow,
  Flag,
  MeetingRow,
  Side,
  TaskState,
  TransferRow,
  TransferStore,
} from '../workflow/ports.ts';
import { TransferWorkflow } from '../workflow/transfers.ts';
import { type ActionVerb, actionData, type FormName } from './actions.ts';
import type { SubCard } from './templates.ts';

// ---- shared pieces ---------------------------------------------------------------------------------------

export const routeKindLabels: Record<RouteKind, string> = {
  'step-up': 'Step-up',
  'step-down': 'Step-down',
  'step-in': 'Step-in',
  'joint-working': 'Joint working',
};

const flagLabels: Record<Flag['kind'], string> = {
  warning: 'warning',
  vague_word: 'wording to check',
  step_back_up: 'stepped back up',
  routing: 'routing note',
};

/** "Tue 24 Nov 2026, 17:00" in the calendar's zone (Europe/London by default). */
export function formatWhen(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone })
    .setLocale('en-GB')
    .toFormat('ccc d LLL yyyy, HH:mm');
}

/** The store is never touched by the card views: only the workflow's pure authorisation rules are used. */
const noStore = new Proxy({} as TransferStore, {
  get() {
    throw new Error('the card views never use the transfer store');
  },
});

const workflows = new WeakMap<
  ProtocolProfile,
  WeakMap<Directory, WeakMap<WorkingCalendar, TransferWorkflow>>
>();

/** The workflow's own rules (isDecider, isSender, stagePeople, holderText), so cards and presses agree. */
function rulesOf(
  profile: ProtocolProfile,
  directory: Directory,
  calendar: WorkingCalendar,
): TransferWorkflow {
  let byDirectory = workflows.get(profile);
  if (!byDirectory) {
    byDirectory = new WeakMap();
    workflows.set(profile, byDirectory);
  }
  let byCalendar = byDirectory.get(directory);
  if (!byCalendar) {
    byCalendar = new WeakMap();
    byDirectory.set(directory, byCalendar);
  }
  let w = byCalendar.get(calendar);
  if (!w) {
    w = new TransferWorkflow({ profile, calendar, directory, store: noStore });
    byCalendar.set(calendar, w);
  }
  return w;
}

function routeOf(profile: ProtocolProfile, routeId: string): Route {
  const route = profile.routes.find((r) => r.id === routeId);
  if (!route) throw new WorkflowError('not_found', foreignRoute(profile, routeId));
  return route;
}

function levelName(profile: ProtocolProfile, id: string): string {
  return profile.levels.find((l) => l.id === id)?.name ?? id;
}

/**
 * The level stepped to; where the receiving team decides it when it allocates and has not, the ones it may be
 * (a request withdrawn or closed without allocation will never have it decided).
 */
function toLevelText(profile: ProtocolProfile, route: Route, v: ChannelView): string {
  if (!route.to.levelAtAllocation || v.allocation) return levelName(profile, v.toLevel);
  const which = finalStates.includes(v.state) ? 'not decided' : 'decided at allocation';
  return `${route.to.levels.map((id) => levelName(profile, id)).join(' or ')} (${which})`;
}

function personText(directory: Directory, id: string): string {
  const p = directory.person(id);
  if (!p) return id === 'stepwise' ? 'Stepwise (automatically)' : id;
  const team = directory.team(p.teamId)?.name;
  return team ? `${p.name} (${team})` : p.name;
}

function personName(directory: Directory, id: string): string {
  return directory.person(id)?.name ?? id;
}

/**
 * What a channel card may read of a transfer (DESIGN.md, data protection): no free text, no identity fields.
 * `structured` holds only the route's own choice, yes/no and number answers, for conditions such as "advice only
 * is allowed at level 3"; the child's name, date of birth and case-system id, and every text, date and e-mail
 * answer, are left behind.
 */
export interface ChannelView
  extends Pick<
    TransferRow,
    | 'id'
    | 'ref'
    | 'version'
    | 'routeId'
    | 'kind'
    | 'fromLevel'
    | 'toLevel'
    | 'sendingTeamId'
    | 'receivingTeamId'
    | 'requesterId'
    | 'state'
    | 'holder'
    | 'childInitials'
    | 'childAgeBand'
    | 'submittedAt'
    | 'pausedMs'
  > {
  flagKinds: Flag['kind'][];
  decision: Omit<DecisionRecord, 'text'> | null;
  allocation: Omit<AllocationRecord, 'note'> | null;
  structured: FormValues;
}

const structuredTypes = new Set<FormField['type']>(['select', 'multiselect', 'boolean', 'number']);

export function channelView(t: TransferRow, route: Route): ChannelView {
  const structured: FormValues = {};
  for (const field of route.fields) {
    const value = t.form[field.id];
    if (structuredTypes.has(field.type) && value !== undefined) structured[field.id] = value;
  }
  return {
    id: t.id,
    ref: t.ref,
    version: t.version,
    routeId: t.routeId,
    kind: t.kind,
    fromLevel: t.fromLevel,
    toLevel: t.toLevel,
    sendingTeamId: t.sendingTeamId,
    receivingTeamId: t.receivingTeamId,
    requesterId: t.requesterId,
    state: t.state,
    holder: t.holder,
    childInitials: t.childInitials,
    childAgeBand: t.childAgeBand,
    flagKinds: t.flags.map((f) => f.kind),
    decision: t.decision
      ? { action: t.decision.action, byId: t.decision.byId, at: t.decision.at, reason: t.decision.reason }
      : null,
    allocation: t.allocation
      ? {
          byId: t.allocation.byId,
          at: t.allocation.at,
          ...(t.allocation.workerId ? { workerId: t.allocation.workerId } : {}),
          ...(t.allocation.service ? { service: t.allocation.service } : {}),
        }
      : null,
    submittedAt: t.submittedAt,
    pausedMs: t.pausedMs,
    structured,
  };
}

/** The few facts every card about a transfer starts with. */
function headerOf(profile: ProtocolProfile, v: ChannelView) {
  const route = routeOf(profile, v.routeId);
  return {
    ref: v.ref,
    child: `${v.childInitials}, age ${v.childAgeBand}`,
    routeName: route.name,
    kindLabel: routeKindLabels[route.kind],
  };
}

export interface Deadline {
  /** In words, e.g. "Decision due Tue 24 Nov 2026, 17:00 (2 working days left)". */
  text: string;
  at: Date | null;
}

/** The next thing that falls due on a transfer, in words. */
export function nextDeadline(args: {
  transfer: TransferRow | ChannelView;
  profile: ProtocolProfile;
  calendar: WorkingCalendar;
  now: Date;
  meetings?: readonly MeetingRow[];
  dispute?: DisputeRow | null;
}): Deadline {
  const { transfer: t, profile, calendar, now } = args;
  const route = routeOf(profile, t.routeId);
  const when = (d: Date) => formatWhen(d, calendar.timeZone);
  const left = (d: Date, unit: DurationUnit) => calendar.describe(now, d, unit);
  if ((t.state === 'submitted' || t.state === 'resubmitted') && t.submittedAt) {
    const due = decisionDue(route, t.submittedAt, calendar, t.pausedMs);
    if (due) {
      const unit = route.decision.due?.unit ?? 'working_days';
      return { text: `Decision due ${when(due)} (${left(due, unit)})`, at: due };
    }
    return { text: 'Waiting for a decision (no time limit)', at: null };
  }
  if (t.state === 'more_info_requested') {
    return { text: 'Decision clock paused until the sending team answers', at: null };
  }
  const d = args.dispute;
  if ((t.state === 'disputed' || t.state === 'escalated') && d && d.status === 'open' && d.stageDueAt) {
    const stage = d.ladder.stages[d.stageIndex];
    const unit = stage?.timeLimit.unit ?? 'working_days';
    return {
      text: `Stage ${d.stageIndex + 1} of ${d.ladder.stages.length} to resolve by ${when(d.stageDueAt)} (${left(d.stageDueAt, unit)})`,
      at: d.stageDueAt,
    };
  }
  if (t.state === 'closed' || t.state === 'withdrawn')
    return { text: `None: ${stateLabels[t.state]}`, at: null };
  const open = (args.meetings ?? [])
    .filter((m) => m.status === 'required' || m.status === 'proposed' || m.status === 'scheduled')
    .map((m) => ({ m, at: m.status === 'scheduled' ? m.scheduledAt : m.dueBy }))
    .filter((x): x is { m: MeetingRow; at: Date } => x.at !== null)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const first = open[0];
  if (first) {
    if (first.m.status === 'scheduled') return { text: `${first.m.label}: ${when(first.at)}`, at: first.at };
    const unit = route.meetings.find((r) => r.id === first.m.meetingKey)?.within?.unit ?? 'working_days';
    return { text: `${first.m.label} due by ${when(first.at)} (${left(first.at, unit)})`, at: first.at };
  }
  return { text: 'No deadline set', at: null };
}

interface Button {
  title: string;
  style: 'default' | 'positive' | 'destructive';
  data: Record<string, string | number>;
}
interface FormAction {
  form: FormName;
  title: string;
  subcard: SubCard;
}

function decisionSummary(profile: ProtocolProfile, directory: Directory, v: ChannelView, timeZone: string) {
  const d = v.decision;
  if (!d) return null;
  const by = personText(directory, d.byId);
  const at = formatWhen(new Date(d.at), timeZone);
  switch (d.action) {
    case 'accept':
      return { title: 'Accepted by', text: `${by}, ${at}` };
    case 'decline': {
      const reason = profile.declineReasons.find((r) => r.id === d.reason)?.label;
      return { title: 'Declined by', text: `${by}, ${at}${reason ? `: ${reason}` : ''}` };
    }
    case 'advice_only':
      return { title: 'Advice given by', text: `${by}, ${at}` };
    case 'request_info':
      return { title: 'More information asked by', text: `${by}, ${at}` };
  }
}

function allocationSummary(directory: Directory, v: ChannelView, timeZone: string): string | null {
  const a = v.allocation;
  if (!a) return null;
  const to = a.workerId ? personText(directory, a.workerId) : (a.service ?? 'unnamed');
  return `${to}; by ${personName(directory, a.byId)}, ${formatWhen(new Date(a.at), timeZone)}`;
}

function flagsText(kinds: Flag['kind'][]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(flagLabels[k], (counts.get(flagLabels[k]) ?? 0) + 1);
  const parts = [...counts].map(([label, n]) => `${n} ${label}`);
  return `${kinds.length} (${parts.join(', ')}): see the full request`;
}

// ---- the request card (receiving channel) ------------------------------------------------------------------

export interface RequestCardInput {
  transfer: TransferRow;
  profile: ProtocolProfile;
  directory: Directory;
  /** The person the card is for (a DM, a dialog). None: the channel card, with the deciders' actions. */
  viewer?: Person;
  now: Date;
  calendar: WorkingCalendar;
  meetings?: readonly MeetingRow[];
  dispute?: DisputeRow | null;
  /** The route's tasks that have started (their deadlines), open or done. */
  tasks?: readonly TaskState[];
}

/**
 * The route's started tasks, numbered, each open one with its "done" button (a task's label is the protocol's
 * words, never the case's). Anyone in the two teams may mark one done, also after the request has ended.
 */
function taskList(input: RequestCardInput, route: Route, v: ChannelView, rules: TransferWorkflow) {
  const mayMark = !input.viewer || rules.isInvolved(v, input.viewer);
  const rows: { title: string; value: string }[] = [];
  const buttons: Button[] = [];
  for (const state of input.tasks ?? []) {
    if (state.status === 'cancelled') continue;
    const rule = route.tasks.find((x) => x.id === state.task);
    if (!rule) continue;
    const n = rows.length + 1;
    const team = rules.teamName(rule.owner === 'sending' ? v.sendingTeamId : v.receivingTeamId);
    const open = state.status !== 'met';
    rows.push({
      title: `Task ${n}`,
      value: `${rule.label}. ${open ? `Due ${formatWhen(state.dueAt, input.calendar.timeZone)} (${team})` : 'Done'}`,
    });
    if (open && mayMark)
      buttons.push({
        title: `Task ${n} done`,
        style: 'default',
        data: actionData('complete_task', v, { task: rule.id }),
      });
  }
  return { rows, buttons };
}

/** The card in the receiving channel, built from {@link channelView} only (no free text, no identity). */
export function requestCardData(input: RequestCardInput) {
  const { profile, directory, calendar, now } = input;
  const route = routeOf(profile, input.transfer.routeId);
  const v = channelView(input.transfer, route);
  const rules = rulesOf(profile, directory, calendar);
  const header = headerOf(profile, v);
  const decision = decisionSummary(profile, directory, v, calendar.timeZone);
  const allocation = allocationSummary(directory, v, calendar.timeZone);
  const deadline = nextDeadline({
    transfer: v,
    profile,
    calendar,
    now,
    meetings: input.meetings ?? [],
    dispute: input.dispute ?? null,
  });
  const { buttons, forms } = allowedActions(input, route, v, rules);
  const tasks = taskList(input, route, v, rules);
  const holder = holderTeam(input.directory, v);
  const stateLabel = stateLabels[v.state];
  return {
    ...header,
    title: `${v.ref} · ${header.kindLabel} request`,
    summary: `${v.ref}: ${header.kindLabel.toLowerCase()} request for ${v.childInitials} (age ${v.childAgeBand}), ${stateLabel}`,
    // A step-in asks a service to join the plan: it does not move the child between levels.
    levels:
      v.kind === 'step-in'
        ? 'No change of level (a step-in)'
        : `${levelName(profile, v.fromLevel)} → ${toLevelText(profile, route, v)}`,
    sendingTeam: rules.teamName(v.sendingTeamId),
    receivingTeam: rules.teamName(v.receivingTeamId),
    stateLabel,
    holder: rules.teamName(holder),
    deadline: deadline.text,
    hasDecision: decision !== null,
    decisionTitle: decision?.title ?? '',
    decisionText: decision?.text ?? '',
    hasAllocation: allocation !== null,
    allocationText: allocation ?? '',
    hasFlags: v.flagKinds.length > 0,
    flagsText: v.flagKinds.length ? flagsText(v.flagKinds) : '',
    hasFrontDoor: route.frontDoor !== undefined,
    frontDoorText: route.frontDoor
      ? `Passes the front door: ${profile.services.find((s) => s.id === route.frontDoor)?.name ?? route.frontDoor}`
      : '',
    hasTasks: tasks.rows.length > 0,
    tasks: tasks.rows,
    buttons: [...buttons, ...tasks.buttons],
    forms,
  };
}

function allowedActions(input: RequestCardInput, route: Route, v: ChannelView, rules: TransferWorkflow) {
  const t = input.transfer;
  const viewer = input.viewer;
  const asDecider = !viewer || rules.isDecider(t, viewer);
  const asSender = viewer !== undefined && rules.isSender(t, viewer);
  const inState = (a: TransferAction) => (lifecycle[a].from as readonly string[]).includes(v.state);
  const buttons: Button[] = [];
  const forms: FormAction[] = [];
  const form = (name: FormName, title: string, data: object) =>
    forms.push({ form: name, title, subcard: { template: `forms/${name}`, data } });
  const deciding = route.decision.mode === 'decide';
  if (asDecider && deciding) {
    if (inState('accept'))
      buttons.push({ title: 'Accept', style: 'positive', data: actionData('accept', v) });
    if (inState('request_info'))
      form(
        'request-info',
        'Ask for more information',
        requestInfoFormData({ transfer: t, profile: input.profile }),
      );
    if (inState('decline'))
      form('decline', 'Decline', declineFormData({ transfer: t, profile: input.profile }));
    if (inState('advice_only') && adviceAllowed(route, v, input)) {
      form('advice-only', 'Advice only', adviceOnlyFormData({ transfer: t, profile: input.profile }));
    }
  }
  const overturned = v.state === 'resolved' && v.decision?.action === 'accept';
  if (asDecider && (v.state === 'accepted' || overturned)) {
    form(
      'allocate',
      'Allocate',
      allocateFormData({ transfer: t, profile: input.profile, directory: input.directory }),
    );
  }
  if (asSender) {
    if (inState('resubmit'))
      form('resubmit', 'Resubmit', resubmitFormData({ transfer: t, profile: input.profile }));
    if (inState('withdraw'))
      form('withdraw', 'Withdraw', withdrawFormData({ transfer: t, profile: input.profile }));
    if (inState('dispute'))
      form('dispute', 'Dispute the decision', disputeFormData({ transfer: t, profile: input.profile }));
  }
  // A decision that has not come: either side may take the delay up the ladder.
  if ((asSender || asDecider) && deciding && inState('escalate_delay'))
    form('dispute', 'Escalate the delay', disputeFormData({ transfer: t, profile: input.profile }));
  return { buttons, forms };
}

/** Advice only, where the route allows it; its condition sees only the structured answers. */
function adviceAllowed(route: Route, v: ChannelView, input: RequestCardInput): boolean {
  if (!route.decision.adviceOnly) return false;
  if (!route.decision.adviceOnlyWhen) return true;
  const sending = input.directory.team(v.sendingTeamId)?.service ?? '';
  const ctx: ConditionContext = {
    values: v.structured,
    sendingService: sending,
    sendingServiceKind: input.profile.services.find((s) => s.id === sending)?.kind ?? 'other',
    now: input.now,
    calendar: input.calendar,
  };
  return evaluateCondition(route.decision.adviceOnlyWhen, ctx);
}

// ---- decision forms (cards/forms/*.json) ---------------------------------------------------------------------

interface FormInput {
  transfer: TransferRow;
  profile: ProtocolProfile;
}

function formHeader(profile: ProtocolProfile, t: TransferRow, heading: string) {
  const v = channelView(t, routeOf(profile, t.routeId));
  const h = headerOf(profile, v);
  return { ...h, heading: `${heading} ${t.ref}`, subtitle: `${h.child} · ${h.routeName}` };
}

function submitFor(verb: Exclude<ActionVerb, 'start' | 'open_form'>, t: TransferRow, extra = {}) {
  return actionData(verb, t, extra);
}

export function declineFormData({ transfer, profile }: FormInput) {
  return {
    ...formHeader(profile, transfer, 'Decline'),
    reasons: profile.declineReasons.map((r) => ({ title: r.label, value: r.id })),
    textHelp: `Needed for: ${
      profile.declineReasons
        .filter((r) => r.needsText)
        .map((r) => r.label)
        .join('; ') || 'none'
    }. The sending team is told the reason; they may dispute the decision.`,
    submit: submitFor('decline', transfer),
  };
}

export function requestInfoFormData({ transfer, profile }: FormInput) {
  return {
    ...formHeader(profile, transfer, 'Ask for more information on'),
    help: 'The decision clock pauses until the sending team answers, and runs on when they resubmit.',
    submit: submitFor('request_info', transfer),
  };
}

export function adviceOnlyFormData({ transfer, profile }: FormInput) {
  return {
    ...formHeader(profile, transfer, 'Advice only on'),
    help: 'The request is not accepted: the sending team keeps the case and is given your advice.',
    submit: submitFor('advice_only', transfer),
  };
}

export function allocateFormData({ transfer, profile, directory }: FormInput & { directory: Directory }) {
  const route = routeOf(profile, transfer.routeId);
  const people = allocatableWorkers(directory, route, transfer);
  const teamIds = [...new Set(people.map((p) => p.teamId))];
  const name = (teamId: string) => directory.team(teamId)?.name ?? teamId;
  const workers = people.map((p) => ({
    title: `${p.name} (${p.roles.map((r) => roleLabels[r]).join(', ')}${teamIds.length > 1 ? `, ${name(p.teamId)}` : ''})`,
    value: p.id,
  }));
  return {
    ...formHeader(profile, transfer, 'Allocate'),
    // The level of need, where the receiving team decides it now (Hackney's MASH: Tier 3 or 4).
    hasLevels: route.to.levelAtAllocation === true,
    levels: route.to.levels.map((id) => ({ title: levelName(profile, id), value: id })),
    hasWorkers: workers.length > 0,
    workers,
    teamName: (teamIds.length ? teamIds : [transfer.receivingTeamId]).map(name).join(' or '),
    submit: submitFor('allocate', transfer),
  };
}

export function resubmitFormData({ transfer, profile }: FormInput) {
  const asked = transfer.decision?.action === 'request_info' ? (transfer.decision.text ?? '') : '';
  return {
    ...formHeader(profile, transfer, 'Resubmit'),
    hasQuestion: asked !== '',
    question: asked,
    help: 'Your answer goes to the receiving team and the decision clock runs on from where it paused.',
    submit: submitFor('resubmit', transfer),
  };
}

export function withdrawFormData({ transfer, profile }: FormInput) {
  return {
    ...formHeader(profile, transfer, 'Withdraw'),
    help: 'Withdrawing ends the request; the receiving team is told.',
    submit: submitFor('withdraw', transfer),
  };
}

export function disputeFormData({ transfer, profile }: FormInput) {
  const route = routeOf(profile, transfer.routeId);
  const ladder = profile.ladders.find((l) => l.id === (route.ladder ?? profile.defaultLadder));
  const first = ladder?.stages[0];
  const delay = disputeActionIn(transfer.state) === 'escalate_delay';
  const goesTo = ladder
    ? `the ${ladder.name}, starting with: ${first?.name ?? 'the first stage'}`
    : 'the escalation ladder';
  return {
    ...formHeader(profile, transfer, delay ? 'Escalate the delay on' : 'Dispute the decision on'),
    reasonLabel: delay ? 'Why the decision is stuck' : 'Why you disagree',
    submitTitle: delay ? 'Escalate the delay' : 'Dispute the decision',
    help: delay
      ? `The decision goes to ${goesTo}; the decision reminders stop and the ladder decides whether the request is accepted.`
      : `The disagreement goes to ${goesTo}.`,
    submit: submitFor('dispute', transfer),
  };
}

/** Who may record which outcome (the workflow enforces it): below the last stage, the side that gives way. */
function agreementRule(dispute: DisputeRow): string {
  const last = dispute.ladder.stages.at(-1);
  if (dispute.stageIndex >= dispute.ladder.stages.length - 1) return 'This is the last stage: it decides.';
  return `At this stage the two sides agree: the receiving team's people record "${resolutionLabels(dispute.about).overturned}", the sending team's "${resolutionLabels(dispute.about).upheld}"; if you cannot agree, escalate. The last stage decides: ${last?.name ?? 'the last stage'}.`;
}

export function resolveFormData({ transfer, profile, dispute }: FormInput & { dispute: DisputeRow }) {
  const stage = dispute.ladder.stages[dispute.stageIndex];
  const labels = resolutionLabels(dispute.about);
  const order =
    dispute.about === 'delay' ? (['overturned', 'upheld'] as const) : (['upheld', 'overturned'] as const);
  return {
    ...formHeader(
      profile,
      transfer,
      dispute.about === 'delay' ? 'Decide the delayed request' : 'Resolve the disagreement on',
    ),
    outcomes: order.map((value) => ({ title: labels[value], value })),
    help: `${order.map((o) => `${labels[o]}.`).join(' ')} ${stage?.who ?? ''} ${agreementRule(dispute)}`
      .replace(/\s+/g, ' ')
      .trim(),
    submit: submitFor('resolve', transfer),
  };
}

export function meetingTimeFormData({
  transfer,
  profile,
  meeting,
}: FormInput & { meeting: Pick<MeetingRow, 'meetingKey' | 'label'> }) {
  return {
    ...formHeader(profile, transfer, 'Propose a time for'),
    meetingLabel: meeting.label,
    help: 'London time. Everyone invited is told; the family is noted as invited, never messaged.',
    submit: submitFor('propose_meeting', transfer, { meeting: meeting.meetingKey }),
  };
}

export function meetingOutcomeFormData({
  transfer,
  profile,
  meeting,
}: FormInput & { meeting: Pick<MeetingRow, 'meetingKey' | 'label'> }) {
  const route = routeOf(profile, transfer.routeId);
  const rule = route.meetings.find((m) => m.id === meeting.meetingKey);
  const outcomes = (rule?.outcomes ?? []).map((o) => ({ title: o.label, value: o.id }));
  // An outcome that agrees a date the request does not give yet (Halton's first MAP review) asks for it here.
  const asking = (rule?.outcomes ?? []).find((o) => o.records && !transfer.form[o.records]);
  const field = asking?.records ? route.fields.find((f) => f.id === asking.records) : undefined;
  return {
    ...formHeader(profile, transfer, 'Record the outcome of'),
    meetingLabel: meeting.label,
    hasOutcomes: outcomes.length > 0,
    outcomes,
    asksAgreed: Boolean(asking),
    agreedLabel: asking
      ? `If "${asking.label}": ${field?.label ?? asking.records} (agreed at the meeting)`
      : '',
    submit: submitFor('meeting_outcome', transfer, { meeting: meeting.meetingKey }),
  };
}

// ---- status, dispute, meeting, reminder, digest --------------------------------------------------------------

interface TransferCardInput {
  transfer: TransferRow;
  profile: ProtocolProfile;
  directory: Directory;
  now: Date;
  calendar: WorkingCalendar;
  meetings?: readonly MeetingRow[];
  dispute?: DisputeRow | null;
}

/** A short status after each change, for the card's thread and for DMs. */
export function statusData(
  input: TransferCardInput & {
    /** Who made the change (else the decision or allocation record's author). */
    actorId?: string;
    /** Adds the decision's own words (the question, the advice, the explanation): for a DM, never a channel. */
    includeText?: boolean;
  },
) {
  const { transfer: t, profile, directory, calendar } = input;
  const route = routeOf(profile, t.routeId);
  const v = channelView(t, route);
  const rules = rulesOf(profile, directory, calendar);
  const who = (fallback?: string) => {
    const id = input.actorId ?? fallback;
    return id ? personText(directory, id) : 'someone';
  };
  const receiving = rules.teamName(v.receivingTeamId);
  const reason = profile.declineReasons.find((r) => r.id === v.decision?.reason)?.label;
  const worker = v.allocation?.workerId
    ? personName(directory, v.allocation.workerId)
    : (v.allocation?.service ?? '');
  const stage = input.dispute?.ladder.stages[input.dispute.stageIndex];
  const headlines: Record<TransferRow['state'], string> = {
    draft: `${v.ref} is saved as a draft.`,
    submitted: `${v.ref} was sent to ${receiving} by ${who(v.requesterId)}.`,
    more_info_requested: `${who(v.decision?.byId)} asked for more information on ${v.ref}; the decision clock is paused.`,
    resubmitted: `${v.ref} was resubmitted by ${who(v.requesterId)}; the decision clock runs again.`,
    accepted: `${v.ref} was accepted by ${who(v.decision?.byId)}.`,
    allocated: `${v.ref} was allocated${worker ? ` to ${worker}` : ''} by ${who(v.allocation?.byId)}.`,
    handover_scheduled: `The handover of ${v.ref} is scheduled.`,
    handover_done: `The handover of ${v.ref} is done.`,
    closed: `${v.ref} is closed.`,
    declined: `${v.ref} was declined by ${who(v.decision?.byId)}${reason ? `: ${reason}` : ''}.`,
    disputed:
      input.dispute?.about === 'delay'
        ? `The delayed decision on ${v.ref} was escalated by ${who(input.dispute.openedById)}: it goes to the escalation ladder.`
        : `The decision on ${v.ref} is disputed: it goes to the escalation ladder.`,
    escalated: `The disagreement on ${v.ref} was escalated${stage ? ` to ${stage.name}` : ''}.`,
    resolved: `The disagreement on ${v.ref} was resolved: ${
      v.decision?.action === 'accept'
        ? `the request is accepted by ${receiving}`
        : 'the sending team keeps the case'
    }.`,
    withdrawn: `${v.ref} was withdrawn by ${who(v.requesterId)}.`,
    advice_only: `${who(v.decision?.byId)} gave advice on ${v.ref} without accepting it.`,
  };
  const holder = holderTeam(input.directory, v);
  const deadline = nextDeadline({
    transfer: v,
    profile,
    calendar,
    now: input.now,
    meetings: input.meetings ?? [],
    dispute: input.dispute ?? null,
  });
  const words = input.includeText ? (t.decision?.text ?? '') : '';
  const wordsTitle: Record<DecisionRecord['action'], string> = {
    request_info: 'The question',
    advice_only: 'The advice',
    decline: 'The explanation',
    accept: 'Note',
  };
  return {
    ref: v.ref,
    headline: headlines[v.state],
    stateLabel: stateLabels[v.state],
    holder: rules.teamName(holder),
    deadline: deadline.text,
    hasText: words !== '',
    textTitle: t.decision ? wordsTitle[t.decision.action] : '',
    text: words,
  };
}

/** The dispute / escalation card: the current rung, who must resolve it and by when. */
export function disputeCardData(input: TransferCardInput & { dispute: DisputeRow }) {
  const { transfer: t, profile, directory, calendar, now, dispute: d } = input;
  const route = routeOf(profile, t.routeId);
  const v = channelView(t, route);
  const rules = rulesOf(profile, directory, calendar);
  const stage = d.ladder.stages[d.stageIndex];
  const isFinal = d.stageIndex === d.ladder.stages.length - 1;
  const open = d.status === 'open';
  const names = (side: Side) =>
    rules
      .stagePeople(t, d, side)
      .map((p) => p.name)
      .join(', ') || 'nobody in the directory yet';
  const decision = decisionSummary(profile, directory, v, calendar.timeZone);
  const what = d.about === 'delay' ? 'decision delayed' : 'disagreement';
  const resolution = d.resolution
    ? `${resolutionLabels(d.about)[d.resolution.outcome]}, by ${personText(directory, d.resolution.byId)}, ${formatWhen(new Date(d.resolution.at), calendar.timeZone)}`
    : '';
  const buttons: Button[] = [];
  const forms: FormAction[] = [];
  if (open && !isFinal)
    buttons.push({ title: 'Escalate now', style: 'default', data: actionData('escalate', v) });
  if (open) {
    forms.push({
      form: 'resolve',
      title: 'Resolve',
      subcard: { template: 'forms/resolve', data: resolveFormData({ transfer: t, profile, dispute: d }) },
    });
  }
  return {
    ...headerOf(profile, v),
    title: `${v.ref} · ${what}, stage ${d.stageIndex + 1} of ${d.ladder.stages.length}`,
    summary: `${v.ref}: ${what} at stage ${d.stageIndex + 1} of ${d.ladder.stages.length} (${stage?.name ?? ''})`,
    ladderName: d.ladder.name,
    stageNumber: d.stageIndex + 1,
    stageCount: d.ladder.stages.length,
    stageName: `${stage?.name ?? ''}${isFinal ? ' (this stage decides)' : ''}`,
    who: stage?.who ?? '',
    sendingPeople: names('sending'),
    receivingPeople: names('receiving'),
    sendingTeam: rules.teamName(v.sendingTeamId),
    receivingTeam: rules.teamName(v.receivingTeamId),
    due:
      open && d.stageDueAt
        ? `${formatWhen(d.stageDueAt, calendar.timeZone)} (${calendar.describe(now, d.stageDueAt, stage?.timeLimit.unit ?? 'working_days')})`
        : 'None',
    hasDecision: decision !== null,
    decisionTitle: decision?.title ?? '',
    decisionText: decision?.text ?? '',
    openedBy: `${personText(directory, d.openedById)}, ${formatWhen(d.createdAt, calendar.timeZone)}`,
    isResolved: !open,
    resolution,
    stateLabel: stateLabels[v.state],
    buttons,
    forms,
  };
}

/**
 * The slots the bot offers for a meeting: the profile's slot times on working days (bank holidays and closures
 * skipped), from two working hours ahead until the meeting must have ended by its deadline. One a day first, so
 * the choices spread over the days left; at most `count`.
 */
export function proposeSlots(
  now: Date,
  calendar: WorkingCalendar,
  dueBy: Date | null,
  opts: { times?: readonly string[]; minutes?: number; count?: number } = {},
): Date[] {
  const times = [...(opts.times ?? ['10:00', '14:00'])].sort();
  const minutes = opts.minutes ?? 60;
  const count = opts.count ?? 3;
  const earliest = calendar.due(now, { amount: 2, unit: 'working_hours' });
  const days: Date[][] = [];
  let day = calendar.localDate(now);
  if (!calendar.isWorkingDay(day)) day = calendar.nextWorkingDay(day);
  for (
    let i = 0;
    i < 30 && days.flat().length < count * times.length;
    i++, day = calendar.nextWorkingDay(day)
  ) {
    const fits = times
      .map((hhmm) => calendar.at(day, hhmm))
      .filter(
        (at) => at >= earliest && calendar.isWorkingTime(new Date(at.getTime() + minutes * 60_000 - 1)),
      );
    const inTime = fits.filter((at) => !dueBy || at.getTime() + minutes * 60_000 <= dueBy.getTime());
    if (inTime.length) days.push(inTime);
    if (inTime.length < fits.length) break; // past the deadline
  }
  const firsts = days.map((d) => d[0] as Date).slice(0, count);
  const rest = days.flatMap((d) => d.slice(1));
  return [...firsts, ...rest.slice(0, count - firsts.length)].sort((a, b) => a.getTime() - b.getTime());
}

/** A meeting the route requires: pick one of the bot's slots, propose another time, confirm, record what happened. */
export function meetingCardData(
  input: Omit<TransferCardInput, 'meetings'> & { meeting: MeetingRow; slots?: readonly Date[] },
) {
  const { transfer: t, profile, directory, calendar, now, meeting: m } = input;
  const route = routeOf(profile, t.routeId);
  const v = channelView(t, route);
  const rules = rulesOf(profile, directory, calendar);
  const rule: MeetingRule | undefined = route.meetings.find((r) => r.id === m.meetingKey);
  const when = (d: Date) => formatWhen(d, calendar.timeZone);
  const unit = rule?.within?.unit ?? 'working_days';
  // Not held: it can be arranged again, like one never scheduled.
  const pending =
    m.status === 'required' || m.status === 'optional' || m.status === 'proposed' || m.status === 'not_held';
  const open = pending || m.status === 'scheduled';
  const slots = pending
    ? [
        ...(input.slots ??
          proposeSlots(now, calendar, m.dueBy, {
            times: profile.chasing.slotTimes,
            minutes: profile.chasing.meetingMinutes,
          })),
      ]
    : [];
  const outcome = m.outcome as { outcome?: string; result?: string | null } | null;
  const result = rule?.outcomes?.find((o) => o.id === outcome?.result)?.label;
  const proposer = m.proposedById ? personName(directory, m.proposedById) : 'someone';
  const statusText: Record<MeetingRow['status'], string> = {
    required: 'Not yet scheduled',
    optional: 'Optional (if appropriate): not scheduled',
    proposed: m.scheduledAt
      ? `${when(m.scheduledAt)} proposed by ${proposer}: waiting for someone else to confirm`
      : 'Proposed',
    scheduled: m.scheduledAt ? `Confirmed for ${when(m.scheduledAt)}` : 'Confirmed',
    held: `Held${result ? `: ${result}` : ''}`,
    // The reason is free text and may name the family: it stays in the audit trail, off the channel.
    not_held: 'Not held (it can be arranged again below)',
  };
  const buttons: Button[] = [];
  if (m.status === 'proposed' && m.scheduledAt)
    buttons.push({
      title: `Confirm ${when(m.scheduledAt)}`,
      style: 'positive',
      data: actionData('confirm_meeting', v, { meeting: m.meetingKey }),
    });
  for (const at of slots)
    buttons.push({
      title: when(at),
      style: 'default',
      data: actionData('schedule_meeting', v, { meeting: m.meetingKey, at: at.toISOString() }),
    });
  const forms: FormAction[] = [];
  if (open) {
    forms.push({
      form: 'meeting-time',
      title: m.status === 'scheduled' ? 'Propose a new time' : 'Propose another time',
      subcard: {
        template: 'forms/meeting-time',
        data: meetingTimeFormData({ transfer: t, profile, meeting: m }),
      },
    });
    forms.push({
      form: 'meeting-outcome',
      title: 'Record the outcome',
      subcard: {
        template: 'forms/meeting-outcome',
        data: meetingOutcomeFormData({ transfer: t, profile, meeting: m }),
      },
    });
  }
  const participants = meetingParticipants(directory, t, { participants: rule?.participants ?? [] });
  // No slot left before the deadline: said plainly, with who must decide.
  const deciders = directory
    .members(t.receivingTeamId, ['team_manager', 'service_manager'])
    .map((p) => p.name);
  const stuck =
    pending && m.status !== 'optional' && m.status !== 'not_held' && slots.length === 0 && m.dueBy !== null
      ? `No working-hours slot is left before the ${m.label} is due (${when(m.dueBy)}). ` +
        `${deciders.length ? deciders.join(' or ') : `The manager of ${rules.teamName(t.receivingTeamId)}`} must decide: ` +
        'hold it late (propose a time), or record that it will not be held and why.'
      : '';
  const note = [stuck, rule?.note ?? ''].filter(Boolean).join('\n\n');
  return {
    ...headerOf(profile, v),
    title: m.label,
    summary: `${v.ref}: ${m.label}, ${statusText[m.status].toLowerCase()}`,
    due: m.dueBy ? `${when(m.dueBy)} (${calendar.describe(now, m.dueBy, unit)})` : 'No deadline',
    status: statusText[m.status],
    participants: participantsText(participants) || 'Not set',
    teams: `${rules.teamName(v.sendingTeamId)} and ${rules.teamName(v.receivingTeamId)}`,
    hasNote: Boolean(note),
    note,
    hasSlots: slots.length > 0,
    buttons,
    forms,
  };
}

export type ReminderKind = 'decision' | 'meeting' | 'task' | 'ladder_stage';

/** A chase: what is due or overdue on a transfer, and for how long. */
export function reminderData(
  input: Omit<TransferCardInput, 'meetings' | 'dispute'> & {
    kind: ReminderKind;
    /** The meeting's or task's label; for a ladder stage, the stage's name. */
    label?: string;
    dueAt: Date;
    unit?: DurationUnit;
  },
) {
  const { transfer: t, profile, directory, calendar, now } = input;
  const route = routeOf(profile, t.routeId);
  const v = channelView(t, route);
  const rules = rulesOf(profile, directory, calendar);
  const unit =
    input.unit ?? (input.kind === 'decision' ? (route.decision.due?.unit ?? 'working_days') : 'working_days');
  const overdue = now.getTime() > input.dueAt.getTime();
  const what: Record<ReminderKind, string> = {
    decision: `The decision on ${v.ref}`,
    meeting: `${input.label ?? 'A required meeting'} for ${v.ref}`,
    task: `${input.label ?? 'A required step'} for ${v.ref}`,
    ladder_stage: `${input.label ?? 'The current stage'} of the disagreement on ${v.ref}`,
  };
  const holder = holderTeam(input.directory, v);
  return {
    ref: v.ref,
    title: `${overdue ? 'Overdue' : 'Due soon'}: ${v.ref}`,
    text: `${what[input.kind]} ${overdue ? 'was' : 'is'} due ${formatWhen(input.dueAt, calendar.timeZone)}: ${calendar.describe(now, input.dueAt, unit)}.`,
    stateLabel: stateLabels[v.state],
    holder: rules.teamName(holder),
    routeName: route.name,
    child: `${v.childInitials}, age ${v.childAgeBand}`,
  };
}

/** A list of transfers with their states and next deadlines (`/transfer list`, a daily digest). */
export function digestData(input: {
  title: string;
  intro?: string;
  transfers: readonly TransferRow[];
  profile: ProtocolProfile;
  directory: Directory;
  now: Date;
  calendar: WorkingCalendar;
  meetings?: Readonly<Record<string, readonly MeetingRow[]>>;
  disputes?: Readonly<Record<string, DisputeRow | null>>;
  /** At most this many items (Slack: 50 blocks a message); the rest are counted. */
  limit?: number;
}) {
  const limit = input.limit ?? 40;
  const rows = input.transfers.map((t) => {
    const route = routeOf(input.profile, t.routeId);
    const v = channelView(t, route);
    const deadline = nextDeadline({
      transfer: v,
      profile: input.profile,
      calendar: input.calendar,
      now: input.now,
      meetings: input.meetings?.[t.id] ?? [],
      dispute: input.disputes?.[t.id] ?? null,
    });
    return {
      at: deadline.at,
      item: {
        ref: v.ref,
        stateLabel: stateLabels[v.state],
        dueText: deadline.text,
        routeName: route.name,
      },
    };
  });
  rows.sort(
    (a, b) =>
      (a.at?.getTime() ?? Number.POSITIVE_INFINITY) - (b.at?.getTime() ?? Number.POSITIVE_INFINITY) ||
      a.item.ref.localeCompare(b.item.ref),
  );
  return digestCard({ ...input, items: rows.map((r) => r.item), limit, noun: 'request' });
}

/** The digest card's data from its lines: the first `limit` shown, the rest counted. */
function digestCard<T>(input: {
  title: string;
  intro?: string | undefined;
  items: readonly T[];
  limit: number;
  emptyText?: string | undefined;
  noun: string;
}) {
  const items = input.items.slice(0, input.limit);
  const more = input.items.length - items.length;
  const count = input.items.length;
  return {
    title: input.title,
    hasIntro: Boolean(input.intro),
    intro: input.intro ?? '',
    items,
    hasMore: more > 0,
    moreText: `and ${more} more: use /transfer status <ref> for one request`,
    isEmpty: count === 0,
    emptyText: input.emptyText ?? 'Nothing to show.',
    summary: `${input.title}: ${count} ${input.noun}${count === 1 ? '' : 's'}`,
  };
}

/** A digest the sweep wrote as ready-made lines (an agenda, the overdue list): the same card as `digestData`. */
export function digestFromItems(input: {
  title: string;
  intro?: string;
  items: readonly { ref: string; stateLabel: string; dueText: string }[];
  emptyText?: string;
  limit?: number;
}) {
  return digestCard({ ...input, limit: input.limit ?? 40, noun: 'item' });
}

/** The council's emergency phone route: shown at once for a significant-harm concern, never a request. */
export function emergencyData(profile: ProtocolProfile) {
  return {
    title: profile.emergency.title,
    text: profile.emergency.text,
    phones: profile.emergency.phones.map((p) => ({ label: p.label, number: p.number })),
    hasFollowUp: Boolean(profile.emergency.followUp),
    followUp: profile.emergency.followUp ?? '',
  };
}

// ---- the request form -----------------------------------------------------------------------------------------

/** Input ids of the form's own questions (route field ids never contain a dot, so these cannot clash). */
export const formInputIds = {
  significantHarm: 'request.significant_harm',
  receivingTeam: 'request.receiving_team',
  confirmWarnings: 'request.confirm_warnings',
  consentStatus: 'consent.status',
  consentGivenBy: 'consent.given_by',
  consentGivenOn: 'consent.given_on',
  consentReason: 'consent.reason',
  consentRationale: 'consent.rationale',
  consentNote: 'consent.note',
  lawfulBasis: 'consent.lawful_basis',
} as const;

export interface RequestFormOptions {
  /** The directory's teams (the receiving team is chosen among those providing the route's services). */
  teams: readonly Team[];
  /** What was typed so far: input ids as submitted (see {@link parseRequestSubmission}) or typed field values. */
  values?: Readonly<Record<string, unknown>>;
  /** Validation errors, placed next to their inputs (see {@link requestFormInputId}). */
  errors?: readonly FieldError[];
  /** Flags found on the last try: vague words and non-blocking gates (warnings), blocking gates. */
  flags?: readonly { message: string; blocking?: boolean }[];
}

/** The input a validation error belongs to: a field id, `consent` or `receivingTeamId`, mapped to the form's ids. */
export function requestFormInputId(route: Route, errorField: string): string | null {
  if (errorField === 'consent') return formInputIds.consentStatus;
  if (errorField === 'receivingTeamId') return formInputIds.receivingTeam;
  if (errorField.startsWith('consent.')) {
    const key = errorField.slice('consent.'.length);
    const byKey: Record<string, string> = {
      status: formInputIds.consentStatus,
      givenBy: formInputIds.consentGivenBy,
      givenOn: formInputIds.consentGivenOn,
      reason: formInputIds.consentReason,
      rationale: formInputIds.consentRationale,
      note: formInputIds.consentNote,
      lawfulBasis: formInputIds.lawfulBasis,
    };
    return byKey[key] ?? formInputIds.consentStatus;
  }
  const field = routeFields(route).find((f) => f.id === errorField);
  if (!field) return null;
  return field.type === 'datetime' ? `${field.id}.date` : field.id;
}

/** The route's own significant-harm question, if it has one; else the form asks its own. */
function ownSignificantHarmField(route: Route): FormField | undefined {
  return route.fields.find((f) => f.type === 'boolean' && /significant_harm/.test(f.id));
}

function describeCondition(c: Condition, route: Route): string | null {
  const label = (id: string) =>
    id === 'child_age' ? "the child's age" : (routeFields(route).find((f) => f.id === id)?.label ?? id);
  const option = (id: string, value: unknown) =>
    routeFields(route)
      .find((f) => f.id === id)
      ?.options?.find((o) => o.value === value)?.label ??
    (value === true ? 'yes' : value === false ? 'no' : String(value));
  if ('field' in c) {
    if ('equals' in c) return `"${label(c.field)}" is ${option(c.field, c.equals)}`;
    if ('lessThan' in c) return `${label(c.field)} is under ${c.lessThan}`;
    if ('atLeast' in c) return `${label(c.field)} is at least ${c.atLeast}`;
    if ('in' in c) return `"${label(c.field)}" is one of: ${c.in.map((v) => option(c.field, v)).join(', ')}`;
    if ('present' in c) return `"${label(c.field)}" is ${c.present ? 'answered' : 'not answered'}`;
  }
  if ('all' in c) {
    const parts = c.all.map((x) => describeCondition(x, route));
    return parts.every((p) => p !== null) ? parts.join(' and ') : null;
  }
  return null;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(',');
  return String(value);
}

/** A date-time value as typed ("YYYY-MM-DD HH:MM") or stored (an ISO instant), split for the date and time inputs. */
function splitDateTime(value: unknown, timeZone: string): { date: string; time: string } {
  if (typeof value !== 'string' || value === '') return { date: '', time: '' };
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})$/.exec(value);
  if (local) return { date: local[1] as string, time: local[2] as string };
  const dt = DateTime.fromISO(value, { zone: timeZone });
  return dt.isValid ? { date: dt.toISODate() ?? '', time: dt.toFormat('HH:mm') } : { date: '', time: '' };
}

/** The route's form: fields by section, the consent section, the receiving team, warnings and the emergency route. */
export function requestFormData(profile: ProtocolProfile, route: Route, options: RequestFormOptions) {
  const values = options.values ?? {};
  const errors = options.errors ?? [];
  const timeZone = profile.calendar.timeZone;
  const placed = new Set<FieldError>();
  const errorFor = (inputId: string) => {
    const mine = errors.filter((e) => requestFormInputId(route, e.field) === inputId);
    for (const e of mine) placed.add(e);
    return mine.map((e) => e.message).join(' ');
  };
  const sigField = ownSignificantHarmField(route);
  const sigId = sigField?.id ?? formInputIds.significantHarm;

  const fieldView = (f: FormField) => {
    const dt = f.type === 'datetime';
    const parts = dt
      ? {
          date: text(values[`${f.id}.date`]) || splitDateTime(values[f.id], timeZone).date,
          time: text(values[`${f.id}.time`]) || splitDateTime(values[f.id], timeZone).time,
        }
      : { date: '', time: '' };
    const inputId = dt ? `${f.id}.date` : f.id;
    const requiredWhen = f.requiredWhen ? describeCondition(f.requiredWhen, route) : null;
    const help = [
      f.help ?? '',
      f.requiredWhen ? `Required when ${requiredWhen ?? 'it applies to this request'}.` : '',
      f.evidence && profile.evidence && !profile.evidence.vagueWords.every((w) => f.help?.includes(w))
        ? `Say why: avoid "${profile.evidence.vagueWords.join('", "')}" without the reasons behind them.`
        : '',
    ]
      .filter(Boolean)
      .join(' ');
    const error = errorFor(inputId);
    const raw = values[f.id];
    const value = f.type === 'boolean' && typeof raw === 'boolean' ? String(raw) : text(raw);
    const numberValue =
      f.type === 'number' && value !== '' && Number.isFinite(Number(value)) ? Number(value) : 0;
    return {
      id: f.id,
      type: f.type,
      label: f.label,
      required: f.required,
      errorMessage: `${f.label}: ${f.required ? 'required' : 'check this answer'}`,
      placeholder: '',
      maxLength: f.maxLength ?? (f.type === 'textarea' ? 3000 : 300),
      value,
      hasValue: f.type === 'number' && value !== '' && Number.isFinite(Number(value)),
      numberValue,
      choices: (f.options ?? []).map((o) => ({ title: o.label, value: o.value })),
      dateId: `${f.id}.date`,
      timeId: `${f.id}.time`,
      timeLabel: 'Time (24-hour, UK time)',
      dateValue: parts.date,
      timeValue: parts.time,
      hasHelp: help !== '',
      help,
      helpId: `${inputId}.help`,
      hasError: error !== '',
      error,
      errorId: `${inputId}.error`,
    };
  };

  const sections: { title: string; hasTitle: boolean; fields: ReturnType<typeof fieldView>[] }[] = [];
  const section = (title: string) => {
    let s = sections.find((x) => x.title === title);
    if (!s) {
      s = { title, hasTitle: title !== '', fields: [] };
      sections.push(s);
    }
    return s;
  };
  for (const f of routeFields(route)) {
    if (f.id === sigField?.id) continue;
    const isBase = f.id === 'child_name' || f.id === 'child_dob' || f.id === 'child_ref';
    section(isBase ? 'The child' : (f.section ?? 'The request')).fields.push(fieldView(f));
  }

  // The receiving team: asked only when several teams provide a service the route can send to.
  const candidates = [route.to.service, ...route.receiveVia.map((v) => v.service)];
  const serviceName = (id: string) => profile.services.find((s) => s.id === id)?.name ?? id;
  const multi = [...new Set(candidates)].filter(
    (s) => options.teams.filter((t) => t.service === s).length > 1,
  );
  const teamChoices = options.teams
    .filter((t) => multi.includes(t.service))
    .map((t) => ({ title: `${t.name} (${serviceName(t.service)})`, value: t.id }));

  // Consent: the family's agreement, recorded apart from the lawful basis for sharing.
  const consentValue = (values.consent ?? {}) as Record<string, unknown>;
  const cv = (inputId: string, key: string) => text(values[inputId] ?? consentValue[key]);
  const allowedReasons = route.consent.required
    ? profile.consent.reasons.filter((r) => route.consent.notSoughtReasons.includes(r.id))
    : profile.consent.reasons;
  const canNotSeek = allowedReasons.length > 0;
  const canBeNotRequired = !route.consent.required;
  const statusChoices = [
    { title: 'Given: the family agreed to this request', value: 'given' },
    ...(canNotSeek ? [{ title: 'Not sought: one of the reasons below applies', value: 'not_sought' }] : []),
    ...(canBeNotRequired ? [{ title: 'Not required on this route', value: 'not_required' }] : []),
  ];
  const refused = profile.consent.refused.map((r) => r.label);
  const consentError = [
    errorFor(formInputIds.consentStatus),
    ...[
      formInputIds.consentGivenBy,
      formInputIds.consentGivenOn,
      formInputIds.consentReason,
      formInputIds.consentRationale,
      formInputIds.consentNote,
    ].map(errorFor),
  ]
    .filter(Boolean)
    .join(' ');
  const lawfulError = errorFor(formInputIds.lawfulBasis);
  const teamError = errorFor(formInputIds.receivingTeam);
  const sigError = errorFor(sigId);

  // Warnings (shown and kept with the request) and blocking gates (the request cannot be sent).
  const flags = options.flags ?? [];
  const warnings = [
    ...flags.filter((f) => !f.blocking).map((f) => f.message),
    ...errors.filter((e) => e.field === 'warning').map((e) => e.message),
  ];
  for (const e of errors.filter((x) => x.field === 'warning')) placed.add(e);
  const blocking = [
    ...flags.filter((f) => f.blocking).map((f) => f.message),
    ...errors.filter((e) => e.field.startsWith('gate:')).map((e) => e.message),
  ];
  for (const e of errors.filter((x) => x.field.startsWith('gate:'))) placed.add(e);
  const unplaced = errors.filter((e) => !placed.has(e)).map((e) => e.message);

  const emergency = profile.emergency;
  return {
    title: route.name,
    routeName: route.name,
    summary: route.summary,
    emergencyText: `${emergency.title}: ${emergency.phones
      .map((p) => `${p.label} ${p.number}`)
      .join(' · ')}. Emergencies never go through Stepwise.`,
    significantHarm: {
      id: sigId,
      label:
        sigField?.label ??
        'Is there reasonable cause to suspect that the child is suffering, or likely to suffer, significant harm now?',
      help: sigField?.help ?? 'If yes, do not send a request: you will be shown who to call now.',
      value: text(values[sigId]),
      hasError: sigError !== '',
      error: sigError,
    },
    hasErrors: unplaced.length > 0,
    errorsText: unplaced.map((m) => `• ${m}`).join('\n'),
    hasBlocking: blocking.length > 0,
    blockingText: blocking.map((m) => `• ${m}`).join('\n'),
    hasWarnings: warnings.length > 0,
    warningsText: warnings.map((m) => `• ${m}`).join('\n'),
    confirmWarnings: text(values[formInputIds.confirmWarnings]) === 'true' ? 'true' : 'false',
    hasChecks: route.gates.length > 0,
    checksText: `Checked before sending: ${route.gates.map((g) => g.description).join('; ')}.`,
    sections,
    receivingTeam: {
      show: teamChoices.length > 0,
      required: teamChoices.length > 0 && route.receiveVia.length === 0,
      label: 'Receiving team',
      help: `Several teams provide ${multi.map(serviceName).join(' and ')}: choose the one for the family's area.`,
      choices: teamChoices,
      value: text(values[formInputIds.receivingTeam]),
      hasError: teamError !== '',
      error: teamError,
    },
    consent: {
      hasNote: Boolean(route.consent.note),
      note: route.consent.note ?? '',
      statusChoices,
      status: cv(formInputIds.consentStatus, 'status'),
      givenBy: cv(formInputIds.consentGivenBy, 'givenBy'),
      givenOn: cv(formInputIds.consentGivenOn, 'givenOn'),
      canNotSeek,
      reasonChoices: allowedReasons.map((r) => ({ title: r.label, value: r.id })),
      reason: cv(formInputIds.consentReason, 'reason'),
      rationale: cv(formInputIds.consentRationale, 'rationale'),
      rationaleHelp: `At least 20 characters; recorded with the request.${
        refused.length ? ` Not a valid reason: ${refused.join('; ')}.` : ''
      }`,
      canBeNotRequired,
      noteValue: cv(formInputIds.consentNote, 'note'),
      hasError: consentError !== '',
      error: consentError,
    },
    lawfulBasis: {
      choices: lawfulBases.map((b) => ({ title: lawfulBasisLabels[b], value: b })),
      value: text(values[formInputIds.lawfulBasis] ?? consentValue.lawfulBasis),
      help: 'Consent is one lawful basis, not the default: choose the basis you rely on to share this information.',
      hasError: lawfulError !== '',
      error: lawfulError,
    },
    submitTitle: 'Send the request',
    submit: { action: 'start', routeId: route.id },
  };
}

export interface RequestSubmission {
  form: Record<string, unknown>;
  consent: Record<string, unknown>;
  receivingTeamId?: string;
  significantHarm: boolean;
  confirmWarnings: boolean;
}

/**
 * Turns the request form's submitted inputs (Teams: the Action.Submit value; Slack: `slackStateToInputs`) into the
 * parts of the workflow's start command. Values stay as typed: the workflow validates them.
 */
export function parseRequestSubmission(
  route: Route,
  inputs: Readonly<Record<string, unknown>>,
): RequestSubmission {
  const form: Record<string, unknown> = {};
  const blank = (v: unknown) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length);
  for (const f of routeFields(route)) {
    if (f.type === 'datetime') {
      const date = text(inputs[`${f.id}.date`]).trim();
      const time = text(inputs[`${f.id}.time`]).trim();
      if (date || time) form[f.id] = `${date} ${time}`.trim();
      else if (!blank(inputs[f.id])) form[f.id] = inputs[f.id];
      continue;
    }
    const v = inputs[f.id];
    if (blank(v)) continue;
    form[f.id] =
      f.type === 'multiselect' && typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v;
  }
  const get = (id: string) => {
    const v = inputs[id];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const status = get(formInputIds.consentStatus);
  const lawfulBasis = get(formInputIds.lawfulBasis);
  const consent: Record<string, unknown> =
    status === 'given'
      ? {
          status,
          givenBy: get(formInputIds.consentGivenBy),
          givenOn: get(formInputIds.consentGivenOn),
          lawfulBasis,
        }
      : status === 'not_sought'
        ? {
            status,
            reason: get(formInputIds.consentReason),
            rationale: get(formInputIds.consentRationale),
            lawfulBasis,
          }
        : status === 'not_required'
          ? {
              status,
              ...(get(formInputIds.consentNote) ? { note: get(formInputIds.consentNote) } : {}),
              lawfulBasis,
            }
          : { status, lawfulBasis };
  for (const key of Object.keys(consent)) if (consent[key] === undefined) delete consent[key];
  const sigId = ownSignificantHarmField(route)?.id ?? formInputIds.significantHarm;
  const team = get(formInputIds.receivingTeam);
  return {
    form,
    consent,
    ...(team ? { receivingTeamId: team } : {}),
    significantHarm: text(inputs[sigId]) === 'true',
    confirmWarnings: text(inputs[formInputIds.confirmWarnings]) === 'true',
  };
}

/**
 * A sub-form's inputs as the workflow command's fields: inputs are named `<verb>.<field>`; a date and a time
 * (`<verb>.date`, `<verb>.time`) become `at`, an ISO instant in the calendar's zone.
 */
export function formSubmission(
  verb: ActionVerb,
  inputs: Readonly<Record<string, unknown>>,
  calendar: WorkingCalendar,
): Record<string, FormValue> {
  const out: Record<string, FormValue> = {};
  const prefix = `${verb}.`;
  for (const [key, value] of Object.entries(inputs)) {
    if (!key.startsWith(prefix) || value === undefined || value === null || value === '') continue;
    const field = key.slice(prefix.length);
    if (field === 'date' || field === 'time') continue;
    out[field] = Array.isArray(value) ? value.map(String) : (value as FormValue);
  }
  const date = text(inputs[`${prefix}date`]).trim();
  const time = text(inputs[`${prefix}time`]).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(date) && /^\d{2}:\d{2}/.test(time)) {
    out.at = calendar.at(date, time.slice(0, 5)).toISOString();
  }
  return out;
}
