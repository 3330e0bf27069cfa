/**
 * The use cases of a transfer request. Each one validates its input, checks who is acting against the
 * directory, asks the domain whether the change is allowed, and hands the store one set of writes
 * (state, audit event, timers, meetings, dispute, outbox) to commit together.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { WorkingCalendar } from '../domain/calendar.ts';
import type { Directory, Person } from '../domain/directory.ts';
import {
  ageBand,
  type ConditionContext,
  evaluateCondition,
  type FormValues,
  initials,
  parseForm,
} from '../domain/form.ts';
import { nextStage, stageAt } from '../domain/ladder.ts';
import {
  type Actor,
  actions,
  disputeActionIn,
  holderAfter,
  stateLabels,
  type TransferAction,
  type TransferState,
  transition,
} from '../domain/lifecycle.ts';
import {
  type ProtocolProfile,
  type Route,
  type TaskRule,
  type TransferEvent,
  transferEvents,
} from '../domain/profile.ts';
import { defaultDeciders, type Role } from '../domain/roles.ts';
import {
  type Anchor,
  checkConsent,
  checkGates,
  chooseReceivingService,
  decisionDue,
  findRoute,
  findVagueWords,
  meetingsStartedBy,
  pauseLength,
  type Scheduled,
  tasksAnchoredOn,
  tasksStartedBy,
} from '../domain/rules.ts';
import * as cmd from './commands.ts';
import { EmergencyRoute, foreignRoute, WorkflowError } from './errors.ts';
import { climb, stageTimer } from './escalation.ts';
import { ladderPings, outboxFor, resolutionNotices } from './notifications.ts';
import {
  allocatableWorkers,
  holderTeam,
  meetingParticipants,
  participantsText,
  peopleToInvite,
} from './participants.ts';
import {
  type Changes,
  type DisputeRow,
  decisionTimerKinds,
  type Flag,
  type LoadedTransfer,
  type MeetingRow,
  meetingTimerKinds,
  type NewOutbox,
  type NewTimer,
  type Side,
  type TransferPatch,
  type TransferRow,
  type TransferStore,
} from './ports.ts';

export interface WorkflowDeps {
  profile: ProtocolProfile;
  calendar: WorkingCalendar;
  directory: Directory;
  store: TransferStore;
  newId?: () => string;
}

const managers: Role[] = ['senior', 'team_manager', 'service_manager', 'head_of_service', 'director'];

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors = result.error.issues.map((i) => ({
    field: i.path.join('.') || 'input',
    message: i.message,
  }));
  throw new WorkflowError(
    'invalid',
    fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; '),
    fieldErrors,
  );
}

/** The timer keys of a confirmed meeting's day-before reminder and outcome chase, one pair per confirmed time. */
function meetingChaseKeys(meetingKey: string, sequence: number): { notice: string; record: string } {
  return {
    notice: `meeting:${meetingKey}:notice:${sequence}`,
    record: `meeting:${meetingKey}:record:${sequence}`,
  };
}

/** A stable key for finding the same child again without indexing the case-system id itself. */
export function childKey(profileId: string, childRef: string): string {
  return createHash('sha256').update(`${profileId}:${childRef.trim().toUpperCase()}`).digest('hex');
}

/**
 * A meeting whose invites for its current version are out (confirmed, or recorded not held after it was): the
 * next confirmation is a new version whose invites replace them.
 */
function invitesOut(m: MeetingRow): boolean {
  return (m.status === 'scheduled' || m.status === 'not_held') && m.scheduledAt !== null;
}

/** The level the form says the child steps to (the route's `to.levelField`), when it says one of the route's. */
function levelStatedOn(route: Route, values: FormValues): string | undefined {
  const stated = route.to.levelField ? values[route.to.levelField] : undefined;
  return typeof stated === 'string' && route.to.levels.includes(stated) ? stated : undefined;
}

/** A task's deadline as a timer row (none when the task has no due time). */
function taskTimer(transferId: string, task: Scheduled<TaskRule>): NewTimer[] {
  return task.dueBy
    ? [
        {
          transferId,
          kind: 'task_due',
          key: `task:${task.rule.id}`,
          dueAt: task.dueBy,
          payload: { task: task.rule.id, owner: task.rule.owner },
        },
      ]
    : [];
}

function notFound(ref: string): never {
  throw new WorkflowError(
    'not_found',
    `No transfer ${ref} was found. Check the reference (for example SW-000012).`,
  );
}

export class TransferWorkflow {
  readonly profile: ProtocolProfile;
  readonly calendar: WorkingCalendar;
  readonly directory: Directory;
  private readonly store: TransferStore;
  private readonly newId: () => string;

  constructor(deps: WorkflowDeps) {
    this.profile = deps.profile;
    this.calendar = deps.calendar;
    this.directory = deps.directory;
    this.store = deps.store;
    this.newId = deps.newId ?? randomUUID;
  }

  // ---- lookups -------------------------------------------------------------------------------------------

  person(personId: string): Person {
    const p = this.directory.person(personId);
    if (!p) {
      throw new WorkflowError(
        'unknown_person',
        'You are not in the Stepwise directory, so you cannot act on transfers. Ask your council administrator to add you.',
      );
    }
    return p;
  }

  route(routeId: string): Route {
    const route = findRoute(this.profile, routeId);
    if (!route) throw new WorkflowError('not_found', foreignRoute(this.profile, routeId));
    return route;
  }

  async get(ref: string): Promise<TransferRow> {
    return (await this.store.find(ref)) ?? notFound(ref);
  }

  /** The transfer with its meetings and/or its open dispute, in one read. */
  private async load(ref: string, what: { meetings?: boolean; dispute?: boolean }): Promise<LoadedTransfer> {
    return (await this.store.load(ref, what)) ?? notFound(ref);
  }

  private conditionContext(values: FormValues, sendingTeamId: string, now: Date): ConditionContext {
    const team = this.directory.team(sendingTeamId);
    const service = this.profile.services.find((s) => s.id === team?.service);
    return {
      values,
      sendingService: service?.id ?? '',
      sendingServiceKind: service?.kind ?? 'other',
      now,
      calendar: this.calendar,
    };
  }

  // ---- authorisation -------------------------------------------------------------------------------------

  /** The sending side: the requester, or a senior or manager of the sending team. */
  isSender(t: TransferRow, p: Person): boolean {
    return p.id === t.requesterId || (p.teamId === t.sendingTeamId && this.directory.hasRole(p, managers));
  }

  /** The receiving side's deciders: members of the receiving team with a deciding role for the route. */
  isDecider(t: TransferRow, p: Person): boolean {
    const route = this.route(t.routeId);
    return (
      p.teamId === t.receivingTeamId && this.directory.hasRole(p, route.decision.deciders ?? defaultDeciders)
    );
  }

  /** People at a ladder stage on one side: that team's holders of the roles, else the same service's, else anyone's. */
  stagePeople(t: TransferRow, dispute: DisputeRow, side: Side): Person[] {
    const stage = dispute.ladder.stages[dispute.stageIndex];
    if (!stage) return [];
    const teamId = side === 'sending' ? t.sendingTeamId : t.receivingTeamId;
    const roles = side === 'sending' ? stage.roles.sending : stage.roles.receiving;
    // A front-line stage (Manchester's first) is the people who know the case, whatever their title, not every
    // practitioner in the two teams: the requester, and the one who decided or was allocated.
    if (roles.every((r) => r === 'practitioner')) {
      const ids = side === 'sending' ? [t.requesterId] : [t.decision?.byId, t.allocation?.workerId];
      const involved = [...new Set(ids)]
        .map((id) => (id ? this.directory.person(id) : undefined))
        .filter((p): p is Person => p !== undefined && p.teamId === teamId);
      if (involved.length) return involved;
    }
    return this.directory.nearest(teamId, roles);
  }

  /** In either team, or the allocated worker: may arrange meetings and mark tasks done. */
  isInvolved(t: Pick<TransferRow, 'sendingTeamId' | 'receivingTeamId' | 'allocation'>, p: Person): boolean {
    return p.teamId === t.sendingTeamId || p.teamId === t.receivingTeamId || p.id === t.allocation?.workerId;
  }

  private authorise(t: TransferRow, p: Person, action: TransferAction, dispute: DisputeRow | null): void {
    const by: Actor = actions[action].by;
    const involved = this.isInvolved(t, p);
    const onLadder =
      dispute !== null &&
      [...this.stagePeople(t, dispute, 'sending'), ...this.stagePeople(t, dispute, 'receiving')].some(
        (x) => x.id === p.id,
      );
    const sides = () => this.isSender(t, p) || this.isDecider(t, p);
    const allowedBy: Record<Actor, () => boolean> = {
      sender: () => this.isSender(t, p),
      receiver: () => this.isDecider(t, p),
      involved: () => involved,
      ladder: () => onLadder || (action === 'escalate' && sides()),
      either: () => sides() || p.id === t.allocation?.workerId,
    };
    const allowed = allowedBy[by]();
    if (allowed) return;
    const who: Record<Actor, string> = {
      sender: `the person who made the request or a manager of ${this.teamName(t.sendingTeamId)}`,
      receiver: `a ${(this.route(t.routeId).decision.deciders ?? defaultDeciders).map((r) => r.replace('_', ' ')).join(' / ')} of ${this.teamName(t.receivingTeamId)}`,
      involved: `a member of ${this.teamName(t.sendingTeamId)} or ${this.teamName(t.receivingTeamId)}`,
      ladder: 'one of the people at the current stage of the escalation ladder',
      either: `the sending side or a decider of ${this.teamName(t.receivingTeamId)}`,
    };
    throw new WorkflowError('forbidden', `Only ${who[by]} can do that on ${t.ref}. Nothing has changed.`);
  }

  /**
   * Whether a person may take an action on a transfer now, asked before a form is opened for it: null if they
   * may, else the refusal in words. The command itself checks again when the form comes back.
   */
  async refusal(
    ref: string,
    personId: string,
    action: TransferAction,
    expectedVersion?: number,
  ): Promise<string | null> {
    try {
      const p = this.person(personId);
      const { transfer: t, dispute } = await this.load(ref, {
        dispute: ['escalate', 'resolve'].includes(action),
      });
      if (expectedVersion !== undefined && expectedVersion !== t.version) return this.staleMessage(t);
      const asked = action === 'dispute' ? disputeActionIn(t.state) : action;
      this.authorise(t, p, asked, dispute);
      const tr = transition(t.state, asked, t.ref);
      return tr.ok ? null : tr.message;
    } catch (e) {
      if (e instanceof WorkflowError) return e.message;
      throw e;
    }
  }

  teamName(teamId: string): string {
    return this.directory.team(teamId)?.name ?? teamId;
  }

  /** Who holds the case now, in words for every view. */
  holderText(t: TransferRow): string {
    return `${this.teamName(holderTeam(this.directory, t))} holds the case`;
  }

  /** "This request has changed: SW-000012 was accepted by Sam Patel at 10:42." */
  staleMessage(t: TransferRow): string {
    const at = (iso: string) => this.calendar.localTime(new Date(iso));
    const by = (id: string) => this.directory.person(id)?.name ?? id;
    const decided: Partial<Record<TransferState, string>> = {
      accepted: 'accepted',
      declined: 'declined',
      advice_only: 'answered with advice only',
      more_info_requested: 'sent back for more information',
    };
    const verb = decided[t.state];
    let what = `is now ${stateLabels[t.state]}`;
    if (verb && t.decision) what = `was ${verb} by ${by(t.decision.byId)} at ${at(t.decision.at)}`;
    else if (t.state === 'allocated' && t.allocation)
      what = `was allocated by ${by(t.allocation.byId)} at ${at(t.allocation.at)}`;
    return `This request has changed: ${t.ref} ${what}. Nothing was changed by your action.`;
  }

  // ---- the shared step for every change of an existing transfer -----------------------------------------

  private async change(
    input: { actor: cmd.ActorInput; ref: string; expectedVersion?: number | undefined },
    action: TransferAction,
    now: Date,
    build: (ctx: {
      t: TransferRow;
      p: Person;
      route: Route;
      to: TransferState;
      dispute: DisputeRow | null;
    }) =>
      | Promise<{
          patch?: TransferPatch;
          changes?: Partial<Changes>;
          data?: Record<string, unknown>;
          event?: TransferEvent | null;
        }>
      | {
          patch?: TransferPatch;
          changes?: Partial<Changes>;
          data?: Record<string, unknown>;
          event?: TransferEvent | null;
        },
    opts: {
      dispute?: boolean;
      transitionCtx?: Parameters<typeof transition>[3];
      /** The transfer as the caller already read it: not read again (one statement fewer). */
      transfer?: TransferRow;
    } = {},
  ): Promise<TransferRow> {
    const p = this.person(input.actor.personId);
    const { transfer: t, dispute } = opts.transfer
      ? {
          transfer: opts.transfer,
          dispute: opts.dispute ? await this.store.openDispute(opts.transfer.id) : null,
        }
      : await this.load(input.ref, { dispute: opts.dispute ?? false });
    if (input.expectedVersion !== undefined && input.expectedVersion !== t.version) {
      throw new WorkflowError('stale', this.staleMessage(t));
    }
    this.authorise(t, p, action, dispute);
    const route = this.route(t.routeId);
    const tr = transition(t.state, action, t.ref, opts.transitionCtx);
    if (!tr.ok) throw new WorkflowError('refused', tr.message);
    const built = await build({ t, p, route, to: tr.to, dispute });
    const patch: TransferPatch = { state: tr.to, ...built.patch };
    patch.holder = holderAfter(t.holder, action, opts.transitionCtx);
    if (tr.to === 'closed' || tr.to === 'withdrawn') patch.closedAt = now;
    const next: TransferRow = { ...t, ...patch, version: t.version + 1, updatedAt: now };
    // null: nothing to announce (the card is refreshed; the change's own messages say the rest).
    const event =
      built.event !== undefined
        ? built.event
        : (transferEvents as readonly string[]).includes(tr.to)
          ? (tr.to as TransferEvent)
          : null;
    const changes: Changes = {
      ...built.changes,
      audit: {
        id: this.newId(),
        actorId: p.id,
        surface: input.actor.surface,
        action,
        at: now,
        data: { from: t.state, to: tr.to, version: next.version, ...built.data },
      },
      outbox: [...(built.changes?.outbox ?? []), ...outboxFor(this, next, event, p, now)],
    };
    const saved = await this.store.update(t, patch, changes);
    if (!saved) {
      const fresh = await this.get(t.id);
      throw new WorkflowError('stale', this.staleMessage(fresh));
    }
    return saved;
  }

  /** Meetings, tasks and their timers that an event sets going. */
  private started(
    route: Route,
    t: Pick<TransferRow, 'id' | 'form' | 'sendingTeamId' | 'receivingTeamId'>,
    event: Anchor,
    now: Date,
  ) {
    const ctx = this.conditionContext(t.form, t.sendingTeamId, now);
    const meetings: MeetingRow[] = [];
    const timers: NewTimer[] = [];
    const receivingService = this.directory.team(t.receivingTeamId)?.service;
    const standing = this.profile.schedules.find((x) => x.service === receivingService);
    for (const m of meetingsStartedBy(route, event, now, ctx, standing)) {
      meetings.push({
        id: this.newId(),
        transferId: t.id,
        meetingKey: m.rule.id,
        label: m.rule.label,
        status: m.datedAt ? 'scheduled' : m.rule.optional ? 'optional' : 'required',
        dueBy: m.dueBy,
        scheduledAt: m.datedAt,
        proposedById: null,
        sequence: 0,
        outcome: null,
      });
      // Dated by the form: confirmed already, so chased as a confirmed meeting (the day-before reminder, the
      // unrecorded outcome), not as one to arrange.
      if (m.datedAt) timers.push(...this.meetingChaseTimers(t.id, m.rule.id, m.datedAt, 0, now));
      else if (m.dueBy && !m.rule.optional) {
        timers.push({
          transferId: t.id,
          kind: 'meeting_due',
          key: `meeting:${m.rule.id}`,
          dueAt: m.dueBy,
          payload: { meeting: m.rule.id },
        });
      }
    }
    for (const task of tasksStartedBy(route, event, now, ctx)) timers.push(...taskTimer(t.id, task));
    return { meetings, timers };
  }

  /**
   * The level the child steps from: of the route's starting levels, the one the sender's service works at (a
   * school's request to MASH is from Tier 1, targeted Early Help's from Tier 2); the highest where that leaves
   * more than one or none.
   */
  private levelSteppedFrom(route: Route, senderService: string): string {
    const works = this.profile.services.find((s) => s.id === senderService)?.levels ?? [];
    const mine = route.from.levels.filter((l) => works.includes(l));
    const levels = mine.length === 1 ? mine : route.from.levels;
    return levels[levels.length - 1] as string;
  }

  /** The time the decision clock has stood paused up to `now`, the pause still open (if any) included. */
  private pausedSoFar(t: TransferRow, route: Route, now: Date): number {
    return t.pausedMs + (t.pausedAt ? pauseLength(route, t.pausedAt, now, this.calendar) : 0);
  }

  /** The decision's chase: a reminder before it is due (if there is time for one), and the overdue chase. */
  private decisionTimer(
    route: Route,
    transferId: string,
    version: number,
    from: Date,
    due = decisionDue(route, from, this.calendar),
  ): NewTimer[] {
    if (!due) return [];
    const { remindBefore } = this.profile.chasing;
    const remindAt = this.calendar.due(due, {
      amount: -Math.abs(remindBefore.amount),
      unit: remindBefore.unit,
    });
    return [
      ...(remindAt.getTime() > from.getTime()
        ? [
            {
              transferId,
              kind: 'decision_reminder' as const,
              key: `decision@${version}:reminder`,
              dueAt: remindAt,
              payload: { due: due.toISOString() },
            },
          ]
        : []),
      { transferId, kind: 'decision_due', key: `decision@${version}`, dueAt: due, payload: { step: 0 } },
    ];
  }

  // ---- use cases -----------------------------------------------------------------------------------------

  /** Starts a request: validates the form, consent and gates, routes it, and submits it (or saves a draft). */
  async start(input: cmd.StartInput, now: Date): Promise<TransferRow> {
    const data = parse(cmd.startSchema, input);
    if (data.significantHarm) throw new EmergencyRoute(this.profile.emergency);
    const p = this.person(data.actor.personId);
    const route = findRoute(this.profile, data.routeId);
    if (!route) {
      const ids = this.profile.routes.map((r) => r.id).join(', ');
      throw new WorkflowError(
        'not_found',
        `There is no route "${data.routeId}" in the ${this.profile.name}; routes: ${ids}.`,
      );
    }
    const team = this.directory.team(p.teamId);
    if (!team || !route.from.services.includes(team.service)) {
      const mine = this.profile.routes.filter((r) => team && r.from.services.includes(team.service));
      throw new WorkflowError(
        'forbidden',
        `${team?.name ?? 'Your team'} does not send requests on the route "${route.name}". ` +
          (mine.length
            ? `Routes you can start: ${mine.map((r) => r.name).join('; ')}.`
            : 'No route starts from your team.'),
      );
    }
    const base = this.conditionContext({}, team.id, now);
    const form = parseForm(route, data.form, base);
    const ctx = { ...base, values: form.values };
    const errors = [...form.errors];
    errors.push(...checkConsent(this.profile, route, data.consent));
    const gates = form.errors.length ? [] : checkGates(route, ctx);
    for (const g of gates.filter((x) => x.blocking))
      errors.push({ field: `gate:${g.gate}`, message: g.message });
    if (errors.length) {
      throw new WorkflowError('invalid', errors.map((e) => e.message).join(' '), errors);
    }
    const flags: Flag[] = [
      ...gates.filter((g) => !g.blocking).map((g) => ({ kind: 'warning' as const, message: g.message })),
      ...findVagueWords(this.profile, route, form.values).map((f) => ({
        kind: 'vague_word' as const,
        message: f.message,
      })),
    ];
    if (flags.length && !data.confirmWarnings) {
      throw new WorkflowError(
        'needs_confirmation',
        `Please check before sending: ${flags.map((f) => f.message).join(' ')}`,
        flags.map((f) => ({ field: 'warning', message: f.message })),
      );
    }
    const receiving = await this.chooseReceivingTeam(
      route,
      ctx,
      data.receivingTeamId,
      form.values,
      now,
      flags,
    );
    const childRef = typeof form.values.child_ref === 'string' ? form.values.child_ref : null;
    const id = this.newId();
    const notifyOnly = route.decision.mode === 'notify';
    const state: TransferState = data.draft ? 'draft' : notifyOnly ? 'closed' : 'submitted';
    const row = {
      id,
      profileId: this.profile.id,
      routeId: route.id,
      kind: route.kind,
      fromLevel: this.levelSteppedFrom(route, team.service),
      toLevel: levelStatedOn(route, form.values) ?? (route.to.levels[0] as string),
      sendingTeamId: team.id,
      receivingTeamId: receiving,
      requesterId: p.id,
      state,
      version: 1,
      holder: 'sending' as const,
      childKey: childRef ? childKey(this.profile.id, childRef) : null,
      childInitials: initials(String(form.values.child_name)),
      childAgeBand: ageBand(Number(form.values.child_age)),
      form: form.values,
      consent: data.consent,
      flags,
      decision: null,
      allocation: null,
      pausedAt: null,
      pausedMs: 0,
      createdAt: now,
      submittedAt: data.draft ? null : now,
      updatedAt: now,
      closedAt: state === 'closed' ? now : null,
    };
    const started = data.draft ? { meetings: [], timers: [] } : this.started(route, row, 'submitted', now);
    const changes: Changes = {
      audit: {
        id: this.newId(),
        actorId: p.id,
        surface: data.actor.surface,
        action: data.draft ? 'draft' : 'submit',
        at: now,
        data: {
          to: state,
          version: 1,
          route: route.id,
          sendingTeamId: team.id,
          receivingTeamId: receiving,
          flags: flags.map((f) => f.kind),
        },
      },
      meetings: started.meetings,
      timers: data.draft ? [] : [...this.decisionTimer(route, id, 1, now), ...started.timers],
    };
    const plans = data.draft ? [] : await this.openPlans(row);
    // A notify-only route closes at once; what it tells people are its notifications on submission.
    return this.store.create(row, changes, (created) =>
      data.draft
        ? []
        : [
            ...outboxFor(this, created, 'submitted', p, now),
            ...this.openPlanNotices(created, plans),
            ...this.confirmedAgain(created, started.meetings, p, now),
          ],
    );
  }

  /**
   * Open early help plans of the same child (Halton: a contact for a child with an open MAP notifies its lead
   * professional): transfers into an early help service, allocated and not closed. Only when the profile asks.
   */
  private async openPlans(t: Pick<TransferRow, 'id' | 'childKey' | 'kind'>): Promise<TransferRow[]> {
    if (!this.profile.oversight.notifyOpenPlanLead || !t.childKey || t.kind !== 'step-up') return [];
    const earlyHelp = new Set(['early_help_hub', 'early_help', 'locality_team', 'children_centre']);
    const found = await this.store.list({
      profileId: this.profile.id,
      childKey: t.childKey,
      states: ['allocated', 'handover_scheduled', 'handover_done'],
      limit: 10,
    });
    return found.filter((x) => {
      if (x.id === t.id) return false;
      const service = this.directory.team(x.receivingTeamId)?.service;
      return earlyHelp.has(this.profile.services.find((s) => s.id === service)?.kind ?? '');
    });
  }

  private openPlanNotices(t: TransferRow, plans: readonly TransferRow[]): NewOutbox[] {
    return plans.flatMap((plan) => {
      const lead = plan.allocation?.workerId ? this.directory.person(plan.allocation.workerId) : undefined;
      const leads = lead ? [lead] : this.directory.members(plan.receivingTeamId, ['team_manager']);
      const text =
        `${t.ref}: a step-up request about a child on the early help plan you lead (${plan.ref}) was sent to ` +
        `${this.teamName(t.receivingTeamId)}. You will see its outcome on ${t.ref}; consider a plan review.`;
      return leads.map((person) => ({
        idempotencyKey: `open-plan:${t.id}:${plan.id}:${person.id}`,
        transferId: t.id,
        kind: 'dm',
        target: { personId: person.id },
        payload: { text },
      }));
    });
  }

  private async chooseReceivingTeam(
    route: Route,
    ctx: ConditionContext,
    requested: string | undefined,
    values: FormValues,
    now: Date,
    flags: Flag[],
  ): Promise<string> {
    // Stepped back up soon after a step-down: it goes to the team that stepped it down.
    const back = this.profile.stepBackUp;
    if (back && route.kind === 'step-up' && typeof values.child_ref === 'string') {
      const since = this.calendar.due(now, { amount: -back.within.amount, unit: back.within.unit });
      const previous = await this.store.lastStepDown(
        this.profile.id,
        childKey(this.profile.id, values.child_ref),
        since,
      );
      if (previous) {
        flags.push({ kind: 'step_back_up', message: `${back.note} (${previous.ref}).` });
        return previous.sendingTeamId;
      }
    }
    const { service, reason } = chooseReceivingService(route, ctx);
    const teams = this.directory.teamsProviding(service);
    const serviceName = this.profile.services.find((s) => s.id === service)?.name ?? service;
    if (reason) flags.push({ kind: 'routing', message: reason });
    if (requested) {
      if (!teams.some((t) => t.id === requested)) {
        throw new WorkflowError(
          'invalid',
          `The team "${requested}" does not provide ${serviceName}; choose one of: ${teams.map((t) => t.name).join(', ') || 'none is set up'}.`,
          [{ field: 'receivingTeamId', message: `choose a team providing ${serviceName}` }],
        );
      }
      return requested;
    }
    if (teams.length === 1) return (teams[0] as { id: string }).id;
    if (teams.length === 0) {
      throw new WorkflowError(
        'refused',
        `No team in the directory provides ${serviceName}, so the request has nowhere to go. Ask your administrator to add one.`,
      );
    }
    throw new WorkflowError(
      'invalid',
      `Several teams provide ${serviceName}; choose one: ${teams.map((t) => `${t.name} (${t.id})`).join(', ')}.`,
      [{ field: 'receivingTeamId', message: `choose a team providing ${serviceName}` }],
    );
  }

  async submit(input: z.input<typeof cmd.submitSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.submitSchema, input);
    return this.change(data, 'submit', now, async ({ t, p, route }) => {
      const started = this.started(route, t, 'submitted', now);
      return {
        patch: { submittedAt: now },
        changes: {
          meetings: started.meetings,
          timers: [...this.decisionTimer(route, t.id, t.version + 1, now), ...started.timers],
          outbox: [
            ...this.openPlanNotices(t, await this.openPlans(t)),
            ...this.confirmedAgain(t, started.meetings, p, now),
          ],
        },
      };
    });
  }

  async requestInfo(input: z.input<typeof cmd.requestInfoSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.requestInfoSchema, input);
    return this.change(data, 'request_info', now, ({ p }) => ({
      patch: {
        pausedAt: now,
        decision: { action: 'request_info', byId: p.id, at: now.toISOString(), text: data.question },
      },
      changes: { settleTimers: { kinds: decisionTimerKinds, status: 'cancelled' } },
      data: { question: data.question },
    }));
  }

  async resubmit(input: z.input<typeof cmd.resubmitSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.resubmitSchema, input);
    return this.change(data, 'resubmit', now, ({ t, route }) => {
      let form = t.form;
      if (data.form) {
        // The stored form holds the derived child_age, which is not an input: it is worked out again.
        const { child_age: _derived, ...typed } = t.form;
        const parsed = parseForm(
          route,
          { ...typed, ...data.form },
          this.conditionContext({}, t.sendingTeamId, now),
        );
        if (parsed.errors.length) {
          throw new WorkflowError('invalid', parsed.errors.map((e) => e.message).join(' '), parsed.errors);
        }
        form = parsed.values;
      }
      // More information pauses the clock; the answer (resubmission) lets it run on from where it stopped: the
      // time it stood is added to the time allowed, and the request keeps the time it had already waited.
      const pausedMs = this.pausedSoFar(t, route, now);
      return {
        patch: {
          form,
          // A corrected Level of Need (Manchester's pro forma) is the level the card shows.
          toLevel: levelStatedOn(route, form) ?? t.toLevel,
          pausedAt: null,
          pausedMs,
        },
        changes: {
          timers: this.decisionTimer(
            route,
            t.id,
            t.version + 1,
            now,
            decisionDue(route, t.submittedAt ?? now, this.calendar, pausedMs),
          ),
        },
        data: { answer: data.answer, changedFields: data.form ? Object.keys(data.form) : [] },
      };
    });
  }

  async accept(input: z.input<typeof cmd.acceptSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.acceptSchema, input);
    return this.change(data, 'accept', now, ({ t, p, route }) => {
      const started = this.started(route, t, 'accepted', now);
      return {
        patch: {
          decision: {
            action: 'accept',
            byId: p.id,
            at: now.toISOString(),
            ...(data.note ? { text: data.note } : {}),
          },
        },
        changes: {
          settleTimers: { kinds: decisionTimerKinds, status: 'met' },
          meetings: started.meetings,
          timers: started.timers,
        },
      };
    });
  }

  async decline(input: z.input<typeof cmd.declineSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.declineSchema, input);
    const reason = this.profile.declineReasons.find((r) => r.id === data.reason);
    if (!reason) {
      throw new WorkflowError(
        'invalid',
        `Choose a reason: ${this.profile.declineReasons.map((r) => r.label).join(', ')}.`,
        [{ field: 'reason', message: 'choose a reason from the list' }],
      );
    }
    if (reason.needsText && !data.text) {
      throw new WorkflowError('invalid', `Explain "${reason.label}" in a sentence.`, [
        { field: 'text', message: 'an explanation is required' },
      ]);
    }
    return this.change(data, 'decline', now, ({ p }) => ({
      patch: {
        decision: {
          action: 'decline',
          byId: p.id,
          at: now.toISOString(),
          reason: reason.id,
          ...(data.text ? { text: data.text } : {}),
        },
      },
      changes: { settleTimers: { kinds: decisionTimerKinds, status: 'met' } },
      data: { reason: reason.id },
    }));
  }

  async adviceOnly(input: z.input<typeof cmd.adviceSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.adviceSchema, input);
    const t = await this.get(data.ref);
    const decision = this.route(t.routeId).decision;
    const ctx = this.conditionContext(t.form, t.sendingTeamId, now);
    if (
      !decision.adviceOnly ||
      (decision.adviceOnlyWhen && !evaluateCondition(decision.adviceOnlyWhen, ctx))
    ) {
      throw new WorkflowError(
        'refused',
        `Advice only is not allowed for ${t.ref} on the ${this.route(t.routeId).name} route: accept or decline it.`,
      );
    }
    return this.change(
      data,
      'advice_only',
      now,
      ({ p }) => ({
        patch: { decision: { action: 'advice_only', byId: p.id, at: now.toISOString(), text: data.advice } },
        changes: { settleTimers: { kinds: decisionTimerKinds, status: 'met' } },
      }),
      { transfer: t },
    );
  }

  async allocate(input: z.input<typeof cmd.allocateSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.allocateSchema, input);
    const { transfer: t, meetings } = await this.load(data.ref, { meetings: true });
    if (data.workerId) {
      const allowed = allocatableWorkers(this.directory, this.route(t.routeId), t);
      if (!allowed.some((w) => w.id === data.workerId)) {
        const teams = [...new Set(allowed.map((w) => this.teamName(w.teamId)))];
        throw new WorkflowError(
          'invalid',
          `Allocate to a member of ${teams.join(' or ') || this.teamName(t.receivingTeamId)}.`,
          [{ field: 'workerId', message: 'not someone this request can be allocated to' }],
        );
      }
    }
    const dispute = t.state === 'resolved' ? this.resolutionOf(t) : undefined;
    return this.change(
      data,
      'allocate',
      now,
      async ({ t: current, p, route }) => {
        this.checkAllocatedLevel(route, data.level);
        const started = this.started(route, current, 'allocated', now);
        const allocation = {
          byId: p.id,
          at: now.toISOString(),
          ...(data.workerId ? { workerId: data.workerId } : {}),
          ...(data.service ? { service: data.service } : {}),
          ...(data.note ? { note: data.note } : {}),
        };
        // Meetings confirmed before allocation (dated by the request) now invite the allocated worker too.
        const confirmed = this.confirmedAgain({ ...current, allocation }, meetings, p, now);
        return {
          patch: { allocation, ...(data.level ? { toLevel: data.level } : {}) },
          changes: { meetings: started.meetings, timers: started.timers, outbox: confirmed },
          data: {
            workerId: data.workerId,
            service: data.service,
            ...(data.level ? { level: data.level } : {}),
          },
        };
      },
      { transitionCtx: { resolution: dispute }, transfer: t },
    );
  }

  /**
   * Where the receiving team decides the level when it allocates, the allocation must say one of the route's
   * levels; elsewhere the level was set by the request and an allocation cannot change it.
   */
  private checkAllocatedLevel(route: Route, level: string | undefined): void {
    const names = route.to.levels.map((id) => this.profile.levels.find((l) => l.id === id)?.name ?? id);
    if (route.to.levelAtAllocation && !(level && route.to.levels.includes(level)))
      throw new WorkflowError('invalid', `Choose the level of need: ${names.join(' or ')}.`, [
        { field: 'level', message: level ? "not one of this route's levels" : 'choose the level of need' },
      ]);
    if (!route.to.levelAtAllocation && level)
      throw new WorkflowError('invalid', "This request's level is not decided at allocation.", [
        { field: 'level', message: 'not asked on this route' },
      ]);
  }

  /** A resolved dispute's outcome: an overturn records the ladder's acceptance as the decision. */
  private resolutionOf(t: TransferRow): 'upheld' | 'overturned' {
    return t.decision?.action === 'accept' ? 'overturned' : 'upheld';
  }

  /**
   * Takes a disagreement up the ladder: the sender disputing a decline or advice only, or either side escalating
   * a decision that has not come (submitted, resubmitted, or stuck waiting for more information).
   */
  async dispute(input: z.input<typeof cmd.disputeSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.disputeSchema, input);
    const current = await this.get(data.ref);
    const action = disputeActionIn(current.state);
    const about = action === 'escalate_delay' ? 'delay' : 'decision';
    return this.change(
      data,
      action,
      now,
      ({ t, p, route }) => {
        if (about === 'delay' && route.decision.mode !== 'decide') {
          throw new WorkflowError('refused', `${t.ref} needs no decision, so there is no delay to escalate.`);
        }
        const ladder = this.profile.ladders.find(
          (l) => l.id === (route.ladder ?? this.profile.defaultLadder),
        );
        if (!ladder) throw new WorkflowError('refused', 'This protocol has no escalation ladder configured.');
        const pos = stageAt(ladder, 0, now, this.calendar);
        const dispute: DisputeRow = {
          id: this.newId(),
          transferId: t.id,
          openedById: p.id,
          about,
          reason: data.reason,
          ladder: structuredClone(ladder),
          stageIndex: 0,
          stageDueAt: pos.dueAt,
          status: 'open',
          resolution: null,
          createdAt: now,
          resolvedAt: null,
        };
        return {
          // A decision stuck on a question goes to the ladder: the pause ends here, and the time it stood counts
          // as paused (the ladder, not the sending team's answer, now moves it on).
          ...(about === 'delay' && t.pausedAt
            ? {
                patch: {
                  pausedAt: null,
                  pausedMs: this.pausedSoFar(t, route, now),
                },
              }
            : {}),
          changes: {
            outbox: ladderPings(this, t, dispute, 'opened'),
            dispute: { insert: dispute },
            timers: [stageTimer(t.id, dispute.id, 0, pos.dueAt)],
            // The ladder now owns the decision: the decision chase stops.
            ...(about === 'delay'
              ? { settleTimers: { kinds: decisionTimerKinds, status: 'cancelled' } }
              : {}),
          },
          data: { disputeId: dispute.id, about, ladder: ladder.id, stage: pos.stage.id, reason: data.reason },
        };
      },
      { transfer: current },
    );
  }

  /** Moves a dispute up one rung now ("Escalate now"), or when the stage's time runs out (the sweep). */
  async escalate(input: z.input<typeof cmd.escalateSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.escalateSchema, input);
    return this.change(
      data,
      'escalate',
      now,
      ({ t, dispute }) => {
        if (!dispute) throw new WorkflowError('refused', `${t.ref} has no open disagreement to escalate.`);
        const next = nextStage(dispute.ladder, dispute.stageIndex, now, this.calendar);
        if (!next) {
          throw new WorkflowError(
            'refused',
            `${t.ref} is already at the last stage of the ladder (${dispute.ladder.stages.at(-1)?.name}), which decides.`,
          );
        }
        return {
          changes: {
            ...climb(this, t, dispute, next),
            settleTimers: { kinds: ['ladder_stage'], status: 'cancelled' },
          },
          data: { disputeId: dispute.id, stage: next.stage.id, stageIndex: next.stageIndex, note: data.note },
        };
      },
      { dispute: true },
    );
  }

  async resolve(input: z.input<typeof cmd.resolveSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.resolveSchema, input);
    return this.change(
      data,
      'resolve',
      now,
      ({ t, p, route, dispute }) => {
        if (!dispute) throw new WorkflowError('refused', `${t.ref} has no open disagreement to resolve.`);
        this.mayRecordOutcome(t, p, dispute, data.outcome);
        const resolution = {
          outcome: data.outcome,
          rationale: data.rationale,
          byId: p.id,
          at: now.toISOString(),
        };
        // The ladder's outcome is the decision: an overturn (or a delay decided for the receiving team) accepts;
        // a delay decided against it declines. An upheld decline keeps the decision it upheld.
        const decided = { byId: resolution.byId, at: resolution.at, text: data.rationale };
        const patch: TransferPatch =
          data.outcome === 'overturned'
            ? { decision: { action: 'accept', ...decided } }
            : dispute.about === 'delay'
              ? { decision: { action: 'decline', ...decided } }
              : {};
        // Accepted by the ladder: what acceptance starts (Somerset's handover TAF) starts now, as on Accept.
        const started =
          data.outcome === 'overturned'
            ? this.started(route, t, 'accepted', now)
            : { meetings: [], timers: [] };
        return {
          patch,
          changes: {
            meetings: started.meetings,
            timers: started.timers,
            dispute: {
              update: {
                id: dispute.id,
                stageIndex: dispute.stageIndex,
                stageDueAt: null,
                status: 'resolved',
                resolution,
                resolvedAt: now,
              },
            },
            settleTimers: { kinds: ['ladder_stage'], status: 'met' },
            outbox: resolutionNotices(this, t, dispute, data.outcome, data.rationale, p),
          },
          data: {
            disputeId: dispute.id,
            outcome: data.outcome,
            stage: dispute.ladder.stages[dispute.stageIndex]?.id,
          },
        };
      },
      { dispute: true, transitionCtx: { resolution: data.outcome } },
    );
  }

  /**
   * Below the ladder's last stage a disagreement ends when the two sides agree, so the side that gives way
   * records it: the receiving side that the request is accepted after all (overturned), the sending side that
   * the decline stands (upheld). Neither side can end it alone in its own favour. The last stage decides: any
   * of its people may record either outcome.
   */
  private mayRecordOutcome(
    t: TransferRow,
    p: Person,
    dispute: DisputeRow,
    outcome: 'upheld' | 'overturned',
  ): void {
    const stages = dispute.ladder.stages;
    if (dispute.stageIndex >= stages.length - 1) return;
    const side: Side = outcome === 'overturned' ? 'receiving' : 'sending';
    if (this.stagePeople(t, dispute, side).some((x) => x.id === p.id)) return;
    const team = this.teamName(side === 'receiving' ? t.receivingTeamId : t.sendingTeamId);
    const what =
      outcome === 'overturned'
        ? dispute.about === 'delay'
          ? 'that the request is accepted'
          : 'that the decision is overturned'
        : dispute.about === 'delay'
          ? 'that the request is declined'
          : 'that the decision stands';
    throw new WorkflowError(
      'forbidden',
      `At ${stages[dispute.stageIndex]?.name ?? 'this stage'} the two sides agree: only ${team}'s people at this stage can record ${what}. ` +
        `If you cannot agree, escalate to the next stage. The last stage decides: ${stages.at(-1)?.name ?? 'the last stage'}.`,
    );
  }

  async withdraw(input: z.input<typeof cmd.withdrawSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.withdrawSchema, input);
    const { transfer, meetings } = await this.load(data.ref, { meetings: true });
    return this.change(
      data,
      'withdraw',
      now,
      ({ t }) => ({
        changes: {
          settleTimers: { kinds: [...decisionTimerKinds, ...meetingTimerKinds], status: 'cancelled' },
          outbox: this.cancelledInvites(t, meetings, now, `${t.ref} was withdrawn`),
        },
        data: { reason: data.reason },
      }),
      { transfer },
    );
  }

  /**
   * Puts a meeting in the diary at a time picked from the card's slots (or a time agreed elsewhere): confirmed at
   * once. Every participant is sent an invite, reminded the working day before, and the outcome is chased after.
   * Handover meetings move the transfer to "handover scheduled".
   */
  async scheduleMeeting(input: z.input<typeof cmd.scheduleMeetingSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.scheduleMeetingSchema, input);
    const { t, meeting } = await this.findMeeting(data.ref, data.meeting);
    return this.confirm(data, t, meeting, this.meetingTime(t, meeting, data.at, now), now);
  }

  /** Puts a time forward for a meeting; someone else confirms it (or picks another). */
  async proposeMeeting(input: z.input<typeof cmd.scheduleMeetingSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.scheduleMeetingSchema, input);
    const { t, meeting } = await this.findMeeting(data.ref, data.meeting);
    if (!['required', 'optional', 'proposed', 'scheduled', 'not_held'].includes(meeting.status))
      throw new WorkflowError(
        'refused',
        `The ${meeting.label} for ${t.ref} is already ${meeting.status.replace('_', ' ')}.`,
      );
    const at = this.meetingTime(t, meeting, data.at, now);
    const p = this.person(data.actor.personId);
    const when = this.calendar.localDateTime(at);
    const late = meeting.dueBy && at > meeting.dueBy ? ' This is after the meeting is due.' : '';
    // Proposing to move a confirmed meeting takes its time back to "proposed": the confirmed time's reminder and
    // outcome chase end, and the next confirmation is a new version (new invites replacing the old).
    const confirmed = invitesOut(meeting);
    const update = {
      ...meeting,
      status: 'proposed' as const,
      scheduledAt: at,
      proposedById: p.id,
      sequence: confirmed ? meeting.sequence + 1 : meeting.sequence,
    };
    return this.meetingOnly(
      data,
      t,
      now,
      'propose_meeting',
      [update],
      { meeting: meeting.meetingKey, at: data.at },
      confirmed
        ? {
            keys: Object.values(meetingChaseKeys(meeting.meetingKey, meeting.sequence)),
            status: 'cancelled',
          }
        : undefined,
      [
        {
          idempotencyKey: `propose:${meeting.id}:${at.toISOString()}:${t.version + 1}`,
          transferId: t.id,
          kind: 'thread',
          target: { teamId: t.receivingTeamId },
          payload: {
            text: `${p.name} proposed ${when} for the ${meeting.label} on ${t.ref}.${late} Someone else confirms it on the meeting card, or picks another time.`,
          },
        },
      ],
    );
  }

  /** Confirms the time someone else proposed. */
  async confirmMeeting(input: z.input<typeof cmd.confirmMeetingSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.confirmMeetingSchema, input);
    const { t, meeting } = await this.findMeeting(data.ref, data.meeting);
    if (meeting.status !== 'proposed' || !meeting.scheduledAt)
      throw new WorkflowError(
        'refused',
        `No time has been proposed for the ${meeting.label} on ${t.ref}: pick one of the slots or propose a time.`,
      );
    if (meeting.proposedById === data.actor.personId)
      throw new WorkflowError(
        'refused',
        `You proposed this time; someone else in the two teams confirms it. Nothing has changed.`,
      );
    if (meeting.scheduledAt <= now)
      throw new WorkflowError(
        'refused',
        `The proposed time for the ${meeting.label} has passed: propose another.`,
      );
    return this.confirm(data, t, meeting, meeting.scheduledAt, now);
  }

  /** The meeting time checked: in the future, on a working day, inside working hours. */
  private meetingTime(t: TransferRow, meeting: MeetingRow, iso: string, now: Date): Date {
    const at = new Date(iso);
    const minutes = this.profile.chasing.meetingMinutes;
    const end = new Date(at.getTime() + minutes * 60_000 - 1);
    const hours = this.profile.calendar.workingHours;
    const problem =
      at <= now
        ? 'That time has passed: choose a time in the future.'
        : !this.calendar.isWorkingDay(this.calendar.localDate(at))
          ? `${this.calendar.localDate(at)} is not a working day (a weekend, bank holiday or closure): choose another day.`
          : !this.calendar.isWorkingTime(at) || !this.calendar.isWorkingTime(end)
            ? `Choose a time inside working hours, ${hours.start} to ${hours.end} (the ${meeting.label} takes ${minutes} minutes).`
            : null;
    if (problem)
      throw new WorkflowError('invalid', `${t.ref}: ${problem}`, [{ field: 'at', message: problem }]);
    return at;
  }

  /**
   * The organizer every invite and cancellation of a transfer's meetings names: the requester, the same person
   * for every version of an event (calendars match a cancellation to its invite by organizer as well as uid).
   */
  private inviteOrganizer(t: TransferRow): { name: string; email: string | null } | undefined {
    const requester = this.directory.person(t.requesterId);
    return requester ? { name: requester.name, email: requester.email ?? null } : undefined;
  }

  /**
   * Cancellations of the confirmed meetings still to come (`meetings`), one per person invited: the same
   * calendar event (uid) with METHOD:CANCEL, so it leaves their calendars. `why` ends the message.
   */
  private cancelledInvites(
    t: TransferRow,
    meetings: readonly MeetingRow[],
    now: Date,
    why: string,
  ): NewOutbox[] {
    return (
      meetings
        // Confirmed, or proposed to move after it was (its old invite is still in the calendars).
        .filter(
          (m) =>
            (m.status === 'scheduled' || (m.status === 'proposed' && m.sequence > 0)) &&
            m.scheduledAt !== null &&
            m.scheduledAt > now,
        )
        .flatMap((meeting) => {
          const at = meeting.scheduledAt as Date;
          const { invitees } = this.meetingInvitees(t, meeting.meetingKey);
          const when = this.calendar.localDateTime(at);
          return invitees.map((person) => ({
            idempotencyKey: `invite-cancel:${meeting.id}:s${meeting.sequence}:${person.id}`,
            transferId: t.id,
            kind: 'invite',
            target: { personId: person.id },
            payload: {
              ...this.invitePayload(t, meeting, at, meeting.sequence + 1, invitees),
              cancelled: true,
              text: `${t.ref}: the ${meeting.label} on ${when} is cancelled (${why}).`,
            },
          }));
        })
    );
  }

  /** A meeting's participants by the route's rule, and the people among them an invite is sent to. */
  private meetingInvitees(t: TransferRow, meetingKey: string) {
    const rule = this.route(t.routeId).meetings.find((r) => r.id === meetingKey);
    const participants = meetingParticipants(this.directory, t, {
      participants: rule?.participants ?? ['sending_worker'],
    });
    return { participants, invitees: peopleToInvite(participants) };
  }

  /** What a meeting's calendar file is made from (see compose.inviteFile), for one version of the event. */
  private invitePayload(
    t: TransferRow,
    meeting: MeetingRow,
    at: Date,
    sequence: number,
    invitees: readonly Person[],
  ) {
    return {
      meetingId: meeting.id,
      meetingKey: meeting.meetingKey,
      label: meeting.label,
      at: at.toISOString(),
      minutes: this.profile.chasing.meetingMinutes,
      sequence,
      attendees: invitees.map((x) => ({ name: x.name, email: x.email ?? null })),
      organizer: this.inviteOrganizer(t),
    };
  }

  /** The writes of a confirmed meeting time: the meeting row, invites, the thread note and the timers. */
  private confirmWrites(t: TransferRow, meeting: MeetingRow, at: Date, by: Person, now: Date) {
    // Moved straight from a confirmed time (a new version now), or confirming a proposal to move one (its
    // version was raised when it was proposed): either way the invites replace earlier ones.
    const rescheduled = invitesOut(meeting);
    const sequence = rescheduled ? meeting.sequence + 1 : meeting.sequence;
    const moved = sequence > 0;
    const { participants, invitees } = this.meetingInvitees(t, meeting.meetingKey);
    const when = this.calendar.localDateTime(at);
    const late = meeting.dueBy && at > meeting.dueBy ? ' This is after the meeting was due.' : '';
    const outbox: NewOutbox[] = [
      {
        idempotencyKey: `confirm:${meeting.id}:s${sequence}`,
        transferId: t.id,
        kind: 'thread',
        target: { teamId: t.receivingTeamId },
        payload: {
          text: `The ${meeting.label} for ${t.ref} is ${moved ? 'moved to' : 'confirmed for'} ${when} (by ${by.name}).${late} Invited: ${participantsText(participants)}.`,
        },
      },
      ...invitees.map((person) => ({
        idempotencyKey: `invite:${meeting.id}:s${sequence}:${person.id}`,
        transferId: t.id,
        kind: 'invite',
        target: { personId: person.id },
        payload: {
          ...this.invitePayload(t, meeting, at, sequence, invitees),
          text: `${t.ref}: ${moved ? 'the' : 'an'} invite for the ${meeting.label}, ${when}${moved ? ' (moved; this replaces the earlier invite)' : ''}.`,
        },
      })),
    ];
    const previous = rescheduled ? Object.values(meetingChaseKeys(meeting.meetingKey, meeting.sequence)) : [];
    return {
      update: { ...meeting, status: 'scheduled' as const, scheduledAt: at, proposedById: null, sequence },
      outbox,
      timers: this.meetingChaseTimers(t.id, meeting.meetingKey, at, sequence, now),
      previous,
    };
  }

  /** A confirmed meeting's chase: the participants' reminder the working day before, and the unrecorded outcome. */
  private meetingChaseTimers(
    transferId: string,
    meetingKey: string,
    at: Date,
    sequence: number,
    now: Date,
  ): NewTimer[] {
    const keys = meetingChaseKeys(meetingKey, sequence);
    const payload = { meeting: meetingKey, at: at.toISOString(), sequence };
    const timers: NewTimer[] = [];
    const dayBefore = this.calendar.previousWorkingDay(this.calendar.localDate(at));
    const noticeAt = this.calendar.at(dayBefore, this.profile.chasing.meetingReminderAt);
    if (noticeAt > now)
      timers.push({ transferId, kind: 'meeting_notice', key: keys.notice, dueAt: noticeAt, payload });
    const end = new Date(at.getTime() + this.profile.chasing.meetingMinutes * 60_000);
    timers.push({
      transferId,
      kind: 'meeting_unrecorded',
      key: keys.record,
      dueAt: this.calendar.due(end, this.profile.chasing.recordOutcomeWithin),
      payload,
    });
    return timers;
  }

  /**
   * The confirmation writes (thread note, invites) of meetings already confirmed, again for the people who are
   * participants now: for meetings the request itself dated, when it is sent; and after allocation, when the
   * allocated worker joins. What was sent before has the same key and is not sent twice.
   */
  private confirmedAgain(
    t: TransferRow,
    meetings: readonly MeetingRow[],
    by: Person,
    now: Date,
  ): NewOutbox[] {
    return meetings.flatMap((m) =>
      m.status === 'scheduled' && m.scheduledAt
        ? this.confirmWrites(t, { ...m, status: 'required', scheduledAt: null }, m.scheduledAt, by, now)
            .outbox
        : [],
    );
  }

  private async confirm(
    data: { actor: cmd.ActorInput; ref: string; expectedVersion?: number | undefined; meeting: string },
    t: TransferRow,
    meeting: MeetingRow,
    at: Date,
    now: Date,
  ): Promise<TransferRow> {
    const p = this.person(data.actor.personId);
    const w = this.confirmWrites(t, meeting, at, p, now);
    const logged = { meeting: meeting.meetingKey, at: at.toISOString(), sequence: w.update.sequence };
    const settle = w.previous.length ? { keys: w.previous, status: 'cancelled' as const } : undefined;
    if (!['allocated', 'handover_scheduled'].includes(t.state))
      return this.meetingOnly(
        data,
        t,
        now,
        'schedule_meeting',
        [w.update],
        logged,
        settle,
        w.outbox,
        w.timers,
      );
    // The first settle wins in the store; moving a handover meeting cancels its old reminders the same way.
    return this.change(
      data,
      'schedule_handover',
      now,
      () => ({
        changes: {
          meetingUpdates: [w.update],
          outbox: w.outbox,
          timers: w.timers,
          ...(settle ? { settleTimers: settle } : {}),
        },
        data: logged,
        // The meeting's invites tell its people; the allocation is not announced again.
        event: null,
      }),
      { transfer: t },
    );
  }

  /** Records what happened at a meeting: held (with the meeting's own outcome), not held, or rescheduled. */
  async recordMeetingOutcome(
    input: z.input<typeof cmd.meetingOutcomeSchema>,
    now: Date,
  ): Promise<TransferRow> {
    const data = parse(cmd.meetingOutcomeSchema, input);
    const { t, meeting, meetings } = await this.findMeeting(data.ref, data.meeting);
    const rule = this.route(t.routeId).meetings.find((m) => m.id === meeting.meetingKey);
    let effect: 'none' | 'close' = 'none';
    const result = rule?.outcomes?.find((o) => o.id === data.result);
    if (data.result || rule?.outcomes) {
      if (data.outcome === 'held' && rule?.outcomes && !result) {
        throw new WorkflowError(
          'invalid',
          `Record the outcome of the ${meeting.label}: ${rule.outcomes.map((o) => o.label).join('; ')}.`,
          [{ field: 'result', message: 'choose the outcome agreed at the meeting' }],
        );
      }
      effect = result?.effect ?? 'none';
    }
    if (data.outcome === 'rescheduled') {
      // A new time: the same as confirming a moved meeting (new invites replace the old, reminders move).
      const at = this.meetingTime(t, meeting, data.at as string, now);
      const moved = { ...meeting, status: 'scheduled' as const, scheduledAt: meeting.scheduledAt ?? at };
      return this.confirm(data, t, moved, at, now);
    }
    const status = data.outcome === 'held' ? 'held' : 'not_held';
    const update = {
      ...meeting,
      status: status as MeetingRow['status'],
      outcome: {
        outcome: data.outcome,
        result: data.result ?? null,
        reason: data.reason ?? null,
        at: now.toISOString(),
      },
    };
    // Recorded: the day-before reminder and the "record the outcome" chase are moot; held meets the deadline.
    const chases = Object.values(meetingChaseKeys(meeting.meetingKey, meeting.sequence));
    // Not held, with the reason: the meeting's deadline chase ends too (the decision it asks for is made); the
    // card still lets the teams arrange it again.
    const settle = {
      keys: [`meeting:${meeting.meetingKey}`, ...chases],
      status: data.outcome === 'held' ? ('met' as const) : ('cancelled' as const),
    };
    const logged = { meeting: meeting.meetingKey, outcome: data.outcome, result: data.result };
    const agreed =
      data.outcome === 'held' && effect === 'none'
        ? this.agreedDate(t, result?.records, data.agreed, now)
        : null;
    if (effect === 'close') {
      // The tasks set after this meeting (anchored on its own date, as Halton's Level of Need Review Form is)
      // still fall due whatever the outcome; the others (the MAP papers for a review that will not happen) end.
      const meetingField = typeof rule?.anchor === 'object' ? rule.anchor.field : undefined;
      const mootTasks = this.route(t.routeId)
        .tasks.filter((x) => typeof x.anchor !== 'object' || x.anchor.field !== meetingField)
        .map((x) => `task:${x.id}`);
      const action: TransferAction = ['submitted', 'resubmitted', 'more_info_requested', 'draft'].includes(
        t.state,
      )
        ? 'withdraw'
        : 'close';
      return this.change(
        { ...data, actor: data.actor },
        action,
        now,
        () => ({
          changes: {
            meetingUpdates: [update],
            // Any other meeting still in the diary goes out of it.
            outbox: this.cancelledInvites(
              t,
              meetings.filter((m) => m.id !== meeting.id),
              now,
              `${t.ref} has ended`,
            ),
            // The meetings' chases end, and the tasks this outcome makes moot.
            settleTimers: {
              keys: mootTasks,
              kinds: [...decisionTimerKinds, ...meetingTimerKinds.filter((k) => k !== 'task_due')],
              status: 'cancelled',
            },
          },
          data: { ...logged, effect },
        }),
        {
          transitionCtx: {
            openMeetings: 0,
            meetingOutcome: true,
            ...(result?.holder ? { holder: result.holder } : {}),
          },
          transfer: t,
        },
      );
    }
    const remaining = meetings.filter(
      (m) => m.status !== 'held' && m.status !== 'optional' && m.id !== meeting.id,
    );
    if (t.state === 'handover_scheduled' && data.outcome === 'held' && remaining.length === 0) {
      return this.change(
        data,
        'complete_handover',
        now,
        () => ({
          ...(agreed ? { patch: agreed.patch } : {}),
          changes: { meetingUpdates: [update], settleTimers: settle, timers: agreed?.timers ?? [] },
          data: { ...logged, ...agreed?.logged },
        }),
        { transfer: t },
      );
    }
    // Not held: a time still ahead in the calendars (recorded early) is taken out of them.
    const cancelled =
      data.outcome === 'not_held' ? this.cancelledInvites(t, [meeting], now, 'it will not be held') : [];
    return this.meetingOnly(
      data,
      t,
      now,
      'meeting_outcome',
      [update],
      { ...logged, ...agreed?.logged },
      settle,
      cancelled,
      agreed?.timers ?? [],
      agreed?.patch ?? {},
    );
  }

  /**
   * A date a meeting's outcome agrees (`records`, e.g. Halton's first MAP review) that the request did not give:
   * required then, kept on the request, and the tasks anchored on it start, as if it had been there from the
   * start. Refused when a task it starts would already be overdue. Null when there is nothing to record.
   */
  private agreedDate(t: TransferRow, field: string | undefined, given: string | undefined, now: Date) {
    if (!field) return null;
    const route = this.route(t.routeId);
    const found = route.fields.find((f) => f.id === field)?.label ?? field;
    const label = found.charAt(0).toLowerCase() + found.slice(1);
    const current = t.form[field];
    if (typeof current === 'string' && current) {
      if (given && given !== current)
        throw new WorkflowError(
          'invalid',
          `${t.ref} already gives the ${label} (${current}): leave the date empty.`,
          [{ field: 'agreed', message: `already given: ${current}` }],
        );
      return null;
    }
    if (!given)
      throw new WorkflowError('invalid', `Give the ${label} agreed at the meeting.`, [
        { field: 'agreed', message: `the ${label} agreed at the meeting` },
      ]);
    const form = { ...t.form, [field]: given };
    const tasks = tasksAnchoredOn(route, field, this.conditionContext(form, t.sendingTeamId, now));
    for (const task of tasks) {
      if (task.dueBy && task.dueBy < now)
        throw new WorkflowError(
          'invalid',
          `With the ${label} on ${given}, "${task.rule.label}" would have been due on ` +
            `${this.calendar.localDate(task.dueBy)}: choose a later date.`,
          [{ field: 'agreed', message: 'too soon for what must happen before it' }],
        );
    }
    return {
      patch: { form } satisfies TransferPatch,
      timers: tasks.flatMap((task) => taskTimer(t.id, task)),
      logged: { agreed: { field, date: given } },
    };
  }

  /** A meeting change that does not move the lifecycle: still versioned, audited and told to the card. */
  private async meetingOnly(
    data: { actor: cmd.ActorInput; ref: string; expectedVersion?: number | undefined },
    t: TransferRow,
    now: Date,
    action: string,
    updates: NonNullable<Changes['meetingUpdates']>,
    logged: Record<string, unknown>,
    settle?: Changes['settleTimers'],
    outbox: NewOutbox[] = [],
    timers: NewTimer[] = [],
    patch: TransferPatch = {},
  ): Promise<TransferRow> {
    const p = this.person(data.actor.personId);
    // Meetings and tasks are for anyone in the two teams, as for scheduling the handover.
    this.authorise(t, p, 'schedule_handover', null);
    // A task may still be done after the request has ended (a form completed after the final meeting).
    if (['closed', 'withdrawn'].includes(t.state) && action !== 'task_done')
      throw new WorkflowError('refused', `${t.ref} is ${stateLabels[t.state]}.`);
    if (data.expectedVersion !== undefined && data.expectedVersion !== t.version)
      throw new WorkflowError('stale', this.staleMessage(t));
    const saved = await this.store.update(t, patch, {
      audit: {
        id: this.newId(),
        actorId: p.id,
        surface: data.actor.surface,
        action,
        at: now,
        data: { version: t.version + 1, ...logged },
      },
      meetingUpdates: updates,
      ...(settle ? { settleTimers: settle } : {}),
      timers,
      outbox: [...outboxFor(this, { ...t, version: t.version + 1 }, null, p, now), ...outbox],
    });
    if (!saved) throw new WorkflowError('stale', this.staleMessage(await this.get(t.id)));
    return saved;
  }

  private async findMeeting(
    ref: string,
    key: string,
  ): Promise<{ t: TransferRow; meeting: MeetingRow; meetings: MeetingRow[] }> {
    const { transfer: t, meetings } = await this.load(ref, { meetings: true });
    const m = meetings.find((x) => x.meetingKey === key || x.id === key);
    if (!m) {
      throw new WorkflowError(
        'not_found',
        `${t.ref} has no meeting "${key}"` +
          (meetings.length
            ? `; its meetings: ${meetings.map((x) => `${x.label} (${x.meetingKey})`).join(', ')}.`
            : '.'),
      );
    }
    return { t, meeting: m, meetings };
  }

  /** Marks one of the route's tasks done (e.g. the final CIN papers sent). */
  async completeTask(input: z.input<typeof cmd.completeTaskSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.completeTaskSchema, input);
    const t = await this.get(data.ref);
    const task = this.route(t.routeId).tasks.find((x) => x.id === data.task);
    if (!task) throw new WorkflowError('not_found', `${t.ref} has no task "${data.task}".`);
    return this.meetingOnly(
      data,
      t,
      now,
      'task_done',
      [],
      { task: task.id, note: data.note },
      { keys: [`task:${task.id}`], status: 'met' },
    );
  }

  async close(input: z.input<typeof cmd.closeSchema>, now: Date): Promise<TransferRow> {
    const data = parse(cmd.closeSchema, input);
    const { transfer: t, meetings } = await this.load(data.ref, { meetings: true });
    const openMeetings = meetings.filter((m) =>
      ['required', 'proposed', 'scheduled'].includes(m.status),
    ).length;
    const resolution = t.state === 'resolved' ? this.resolutionOf(t) : undefined;
    return this.change(
      data,
      'close',
      now,
      ({ p }) => {
        // Closing a declined request (or advice only) ends the sender's right to dispute the decision: it is
        // theirs to give up, never the deciding team's.
        if ((t.state === 'declined' || t.state === 'advice_only') && !this.isSender(t, p)) {
          throw new WorkflowError(
            'forbidden',
            `${t.ref} is ${stateLabels[t.state]}: only the person who made the request or a manager of ${this.teamName(t.sendingTeamId)} can close it, since closing ends their right to dispute the decision.`,
          );
        }
        return {
          changes: {
            outbox: this.cancelledInvites(t, meetings, now, `${t.ref} is closed`),
            settleTimers: {
              kinds: [...decisionTimerKinds, ...meetingTimerKinds, 'ladder_stage'],
              status: 'cancelled',
            },
          },
          data: { note: data.note },
        };
      },
      {
        transitionCtx: {
          openMeetings,
          resolution,
          notifyOnly: this.route(t.routeId).decision.mode === 'notify',
        },
        transfer: t,
      },
    );
  }
}
