/**
 * `stepwise demo`: a believable caseload for one council, for training and for trying Stepwise in the local
 * workspace. About sixteen requests over the last six weeks of office hours, each taken by the people the
 * protocol allows through the ordinary workflow (so every change is audited, chased and told as in real use),
 * ending in a spread of states: waiting (one overdue), sent back for more information, resubmitted, accepted,
 * allocated with handover meetings, handed over, closed, declined, advice only, disputed and escalated up the
 * council's ladder, resolved and withdrawn.
 *
 * Everything is decided by the profile, the directory and `now`: the same inputs give the same demo. Time is
 * never read from the clock here; the caller passes it.
 */
import type { App } from '../app.ts';
import type { Person, Team } from '../domain/directory.ts';
import { evaluateCondition } from '../domain/form.ts';
import { type TransferState, transferStates } from '../domain/lifecycle.ts';
import type { Condition, MeetingRule, Route } from '../domain/profile.ts';
import { defaultDeciders, type Role } from '../domain/roles.ts';
import { type Consent, decisionDue, tasksStartedBy } from '../domain/rules.ts';
import { WorkflowError } from '../workflow/errors.ts';
import type { MeetingRow, TransferRow } from '../workflow/ports.ts';
import { sweepDueTimers } from '../workflow/sweep.ts';
import type { TransferWorkflow } from '../workflow/transfers.ts';
import { type FormEnv, fillForm, formContext } from './forms.ts';
import * as say from './narrative.ts';
import { Cast, type DemoChild, Rng } from './people.ts';
import { type Step, Timeline, WorkingAxis } from './timeline.ts';

export interface SeedOptions {
  /** The demo's "now": everything happens before it. */
  now: Date;
  log?: (line: string) => void;
}

export interface SeededRequest {
  ref: string;
  childRef: string;
  routeId: string;
  state: TransferState;
}

export interface SeedResult {
  created: number;
  byState: Record<string, number>;
  /** Every request created, oldest first. */
  requests: SeededRequest[];
}

/** How a demo request's story ends. */
type Story =
  | 'advice_only'
  | 'closed'
  | 'handover_done'
  | 'handover_scheduled'
  | 'allocated'
  | 'overturned'
  | 'resolved'
  | 'escalated'
  | 'disputed'
  | 'declined'
  | 'declined_closed'
  | 'withdrawn'
  | 'accepted'
  | 'resubmitted'
  | 'more_info'
  | 'overdue'
  | 'fresh'
  | 'shared_plan';

interface StorySpec {
  story: Story;
  /** When the request was sent, in working days before now. */
  daysAgo: number;
  /** Meetings the form dates fall after now: the story ends before they would be held. */
  upcoming: boolean;
  wants?: 'advice' | 'handover';
}

/**
 * The stories, in the order routes are handed out: the ones that need a particular kind of route first. How
 * long ago each was sent is chosen so that only the request meant to be overdue is overdue when the demo ends.
 */
const stories: StorySpec[] = [
  { story: 'closed', daysAgo: 29, upcoming: false, wants: 'handover' },
  { story: 'handover_done', daysAgo: 23, upcoming: false, wants: 'handover' },
  { story: 'handover_scheduled', daysAgo: 4, upcoming: false, wants: 'handover' },
  { story: 'allocated', daysAgo: 3.5, upcoming: false, wants: 'handover' },
  { story: 'advice_only', daysAgo: 14, upcoming: true, wants: 'advice' },
  { story: 'overturned', daysAgo: 4.5, upcoming: false },
  { story: 'resolved', daysAgo: 27, upcoming: true },
  { story: 'escalated', daysAgo: 2, upcoming: true },
  { story: 'disputed', daysAgo: 10 / 7, upcoming: true },
  { story: 'declined', daysAgo: 18, upcoming: true },
  { story: 'declined_closed', daysAgo: 25, upcoming: true },
  { story: 'withdrawn', daysAgo: 21, upcoming: true },
  { story: 'accepted', daysAgo: 3, upcoming: false },
  { story: 'more_info', daysAgo: 5, upcoming: true },
  { story: 'resubmitted', daysAgo: 3.3, upcoming: true },
  { story: 'overdue', daysAgo: 6.5, upcoming: true },
  { story: 'fresh', daysAgo: 2 / 7, upcoming: true },
];

/** The decline reason each story gives, by preference (a profile may not have them all). */
const declineReasonFor: Partial<Record<Story, string[]>> = {
  declined: ['threshold-not-met'],
  declined_closed: ['wrong-service', 'information-missing'],
  resolved: ['threshold-not-met'],
  overturned: ['threshold-not-met'],
  escalated: ['threshold-not-met'],
  disputed: ['information-missing', 'threshold-not-met'],
};

/** One demo request: who sends what, where, and what has happened to it so far. */
interface Run {
  index: number;
  spec: StorySpec;
  route: Route;
  variant: number;
  sendingTeam: Team;
  receivingTeam: Team;
  requester: Person;
  child: DemoChild;
  childRef: string;
  form: Record<string, unknown>;
  consent: Consent;
  submitAt: Date;
  ref?: string;
  workerId?: string;
}

const byId = <T extends { id: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => a.id.localeCompare(b.id));

/** Meetings that follow a decision: what a handover story diarises and holds. */
function handoverMeetings(route: Route): MeetingRule[] {
  return route.meetings.filter((m) => m.anchor === 'allocated' || m.anchor === 'accepted');
}

class Seeder {
  private readonly w: TransferWorkflow;
  private readonly axis: WorkingAxis;
  private readonly rng: Rng;
  private readonly cast: Cast;
  private readonly log: (line: string) => void;
  private readonly day: number;

  constructor(
    private readonly app: App,
    private readonly now: Date,
    log: ((line: string) => void) | undefined,
    /** Transfers already in the database (--force): the demo's ids and children carry on after them. */
    private readonly existing: number,
  ) {
    this.w = app.workflow;
    this.axis = new WorkingAxis(app.calendar, now);
    this.rng = new Rng(`stepwise-demo:${app.profile.id}:${existing}`);
    this.cast = new Cast(this.rng);
    this.log = log ?? (() => {});
    this.day = this.axis.dayHours;
  }

  private get formEnv(): FormEnv {
    const { profile, calendar } = this.app;
    return {
      profile,
      calendar,
      directory: this.w.directory,
      rng: this.rng,
      cast: this.cast,
      anchor: this.axis.anchor,
    };
  }

  // ---- choosing routes and people --------------------------------------------------------------------------

  private sendingTeams(route: Route): Team[] {
    return byId(this.w.directory.teams).filter((t) => route.from.services.includes(t.service));
  }

  /** Which route each story uses: every route that can be sent at least once, then the least used. */
  private assign(): { spec: StorySpec; route: Route; variant: number }[] {
    const { profile } = this.app;
    const sendable = profile.routes.filter((r) => {
      if (this.sendingTeams(r).length) return true;
      this.log(`no demo request on "${r.name}": no team in the directory sends on it`);
      return false;
    });
    const deciding = sendable.filter((r) => r.decision.mode === 'decide');
    const uses = new Map<string, number>();
    const out: { spec: StorySpec; route: Route; variant: number }[] = [];
    const take = (spec: StorySpec, route: Route) => {
      const variant = uses.get(route.id) ?? 0;
      uses.set(route.id, variant + 1);
      out.push({ spec, route, variant });
    };
    sendable
      .filter((r) => r.decision.mode === 'notify')
      .forEach((route, i) => {
        take({ story: 'shared_plan', daysAgo: 16 - 5 * (i % 3), upcoming: true }, route);
      });
    if (!deciding.length) {
      this.log('no requests that wait for a decision: no route that needs one can be sent');
      return out;
    }
    for (const spec of stories) {
      const candidates = spec.wants === 'advice' ? deciding.filter((r) => r.decision.adviceOnly) : deciding;
      if (!candidates.length) {
        this.log(`no advice-only request: no route of the ${profile.name} allows advice only`);
        continue;
      }
      // Spread the stories over the routes; a handover story would rather have a route with handover meetings.
      const score = (r: Route) =>
        2 * (uses.get(r.id) ?? 0) + (spec.wants === 'handover' && !handoverMeetings(r).length ? 5 : 0);
      const best = candidates.reduce((a, b) => (score(b) < score(a) ? b : a));
      take(spec, best);
    }
    return out;
  }

  /** The people who decide on a request in its receiving team, managers first. */
  private decider(run: Run): Person | undefined {
    const roles = run.route.decision.deciders ?? defaultDeciders;
    const order: Role[] = run.index % 2 ? ['senior', 'team_manager'] : ['team_manager', 'senior'];
    const members = byId(this.w.directory.members(run.receivingTeam.id, roles));
    for (const role of [...order, ...roles]) {
      const p = members.find((m) => m.roles.includes(role));
      if (p) return p;
    }
    return undefined;
  }

  private worker(run: Run, decider: Person | undefined): Person | undefined {
    const members = byId(this.w.directory.members(run.receivingTeam.id)).filter(
      (p) => p.id !== decider?.id && !p.roles.every((r) => r === 'admin'),
    );
    return members.find((p) => p.roles.includes('practitioner')) ?? members[0];
  }

  private consent(
    route: Route,
    child: DemoChild,
    form: Record<string, unknown>,
    submitAt: Date,
    index: number,
  ): Consent {
    const cal = this.app.calendar;
    if (!route.consent.required) {
      return {
        status: 'not_required',
        note:
          form.family_advised === false
            ? 'The family have not been told yet: it is not safe to do so (see the form).'
            : 'The family were told about the request by the practitioner.',
        lawfulBasis: 'public_task',
      };
    }
    const reason = route.consent.notSoughtReasons[0];
    // Now and then consent is not sought, where the route allows it, with the reason and the rationale.
    if (reason && index % 4 === 2) {
      return {
        status: 'not_sought',
        reason,
        rationale: say.notSoughtRationale(reason),
        lawfulBasis: 'public_task',
      };
    }
    const rank = (level: string | undefined) =>
      this.app.profile.levels.find((l) => l.id === level)?.rank ?? 0;
    const statutory = rank(route.to.levels[0]) >= 3;
    return {
      status: 'given',
      givenBy: child.carer,
      givenOn: cal.addWorkingDays(cal.localDate(submitAt), -this.rng.int(1, 4)),
      lawfulBasis: statutory ? 'public_task' : 'consent',
    };
  }

  /** Plans each request: its time, its child, its sender and form. One that cannot go is logged and left out. */
  private plan(): Run[] {
    const assigned = this.assign()
      .map((a) => {
        const jitter = a.spec.daysAgo >= 3 ? this.rng.int(-10, 10) / 4 : 0;
        return { ...a, hoursAgo: Math.round((a.spec.daysAgo * this.day + jitter) * 4) / 4 };
      })
      .sort((a, b) => b.hoursAgo - a.hoursAgo);
    const runs: Run[] = [];
    const today = this.app.calendar.localDate(this.axis.anchor);
    for (const [i, a] of assigned.entries()) {
      const index = this.existing + i + 1;
      const childRef = `DEMO-${String(index).padStart(4, '0')}`;
      const submitAt =
        a.spec.story === 'fresh'
          ? this.recent(a.hoursAgo, (t) => decisionDue(a.route, t, this.app.calendar))
          : this.axis.ago(a.hoursAgo);
      const child = this.cast.child(this.rng.pick([2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), today);
      const run = this.prepare(a, i, child, childRef, submitAt);
      if (typeof run === 'string') this.log(`skipped ${childRef} on "${a.route.name}": ${run}`);
      else runs.push(run);
    }
    return runs;
  }

  private prepare(
    a: { spec: StorySpec; route: Route; variant: number },
    index: number,
    child: DemoChild,
    childRef: string,
    submitAt: Date,
  ): Run | string {
    const conditions: Condition[] =
      a.spec.wants === 'advice' && a.route.decision.adviceOnlyWhen ? [a.route.decision.adviceOnlyWhen] : [];
    const teams = this.sendingTeams(a.route);
    const ordered = [...teams.slice(a.variant % teams.length), ...teams.slice(0, a.variant % teams.length)];
    let fallback: Run | undefined;
    let problem = 'no team in the directory sends on this route';
    for (const sendingTeam of ordered) {
      const members = byId(this.w.directory.members(sendingTeam.id));
      const requester = members.find((p) => p.roles.includes('practitioner')) ?? members[0];
      if (!requester) continue;
      const req = { route: a.route, sendingTeam, requester, child, childRef, submitAt, conditions };
      const filled = fillForm(this.formEnv, { ...req, upcoming: a.spec.upcoming, variant: a.variant });
      if ('error' in filled) {
        problem = filled.error;
        continue;
      }
      if (filled.receivingTeam.id === sendingTeam.id) {
        problem = `${sendingTeam.name} would be sending to itself`;
        continue;
      }
      const run: Run = {
        index,
        spec: a.spec,
        route: a.route,
        variant: a.variant,
        sendingTeam,
        receivingTeam: filled.receivingTeam,
        requester,
        child,
        childRef,
        form: filled.form,
        consent: this.consent(a.route, child, filled.form, submitAt, index),
        submitAt,
      };
      if (a.spec.wants !== 'handover' || this.hasHandover(run)) return run;
      fallback ??= run;
    }
    return fallback ?? problem;
  }

  /** Whether this request will have meetings to hold after its decision (some depend on who sends it). */
  private hasHandover(run: Run): boolean {
    const ctx = formContext(this.formEnv, { ...run, upcoming: run.spec.upcoming, conditions: [] }, run.form);
    return handoverMeetings(run.route).some((m) => !m.when || evaluateCondition(m.when, ctx));
  }

  // ---- the steps of a story ----------------------------------------------------------------------------------

  private actor(person: Person | string | undefined) {
    const personId = typeof person === 'string' ? person : person?.id;
    if (!personId) throw new WorkflowError('refused', 'nobody in the directory can take this step');
    return { personId, surface: 'cli' as const };
  }

  private async transfer(run: Run): Promise<TransferRow> {
    if (!run.ref) throw new WorkflowError('refused', 'the request was never sent');
    return this.w.get(run.ref);
  }

  private step(
    at: Date,
    what: string,
    run: (r: Run, at: Date) => Promise<Step<Run>[] | undefined>,
  ): Step<Run> {
    return { at, what, run };
  }

  /** A step that changes nothing but the transfer (the workflow returns the row; the story needs nothing back). */
  private act(at: Date, what: string, fn: (r: Run, at: Date) => Promise<unknown>): Step<Run> {
    return this.step(at, what, async (r, t) => {
      await fn(r, t);
      return undefined;
    });
  }

  private pick<T>(items: readonly T[], run: Run): T {
    return items[run.index % items.length] as T;
  }

  private declineReason(run: Run): { reason: string; text: string } {
    const reasons = this.app.profile.declineReasons.map((r) => r.id);
    const wanted = [
      ...(run.route.kind === 'step-in' ? ['no-current-role'] : []),
      ...(declineReasonFor[run.spec.story] ?? []),
    ];
    const reason = wanted.find((id) => reasons.includes(id)) ?? (reasons[0] as string);
    return { reason, text: say.declineTexts[reason] ?? (say.declineTexts.other as string) };
  }

  private stepsFor(run: Run): Step<Run>[] {
    const start = run.submitAt;
    const after = (hours: number) => this.axis.after(start, hours);
    const ago = (hours: number) => this.axis.ago(hours);
    const D = this.day;
    const w = this.w;
    const decide = (at: Date, what: 'accept' | 'decline' | 'advice' | 'info') =>
      this.act(at, what, (r, t) => {
        const base = { actor: this.actor(this.decider(r)), ref: r.ref as string };
        if (what === 'accept') return w.accept({ ...base, note: this.pick(say.acceptNotes, r) }, t);
        if (what === 'advice') return w.adviceOnly({ ...base, advice: this.pick(say.adviceTexts, r) }, t);
        if (what === 'info') return w.requestInfo({ ...base, question: this.pick(say.questions, r) }, t);
        return w.decline({ ...base, ...this.declineReason(r) }, t);
      });
    const allocate = (at: Date) =>
      this.act(at, 'allocate', (r, t) => {
        const decider = this.decider(r);
        const worker = this.worker(r, decider);
        r.workerId = worker?.id;
        return w.allocate(
          {
            actor: this.actor(decider),
            ref: r.ref as string,
            ...(worker ? { workerId: worker.id } : { service: r.receivingTeam.name }),
            ...(r.route.to.levelAtAllocation ? { level: this.pick(r.route.to.levels, r) } : {}),
            note: this.pick(say.allocationNotes, r),
          },
          t,
        );
      });
    const dispute = (at: Date) =>
      this.act(at, 'dispute', (r, t) =>
        w.dispute(
          { actor: this.actor(r.requester), ref: r.ref as string, reason: this.pick(say.disputeReasons, r) },
          t,
        ),
      );
    const escalate = (at: Date) => this.step(at, 'escalate', (r, t) => this.escalate(r, t));
    const resolve = (at: Date, outcome: 'upheld' | 'overturned') =>
      this.step(at, `resolve (${outcome})`, (r, t) => this.resolve(r, t, outcome));
    const steps: Step<Run>[] = [this.step(start, 'send', (r, t) => this.send(r, t))];
    if (run.spec.story !== 'shared_plan')
      steps.push(this.step(after(0.25), 'diarise', (r, t) => this.diarise(r, t)));
    switch (run.spec.story) {
      case 'shared_plan':
      case 'fresh':
      case 'overdue':
        break;
      case 'more_info':
        steps.push(decide(after(4), 'info'));
        break;
      case 'resubmitted':
        steps.push(
          decide(after(4), 'info'),
          this.act(
            this.recent(3.5, (t) => decisionDue(run.route, t, this.app.calendar)),
            'resubmit',
            (r, t) => this.resubmit(r, t),
          ),
        );
        break;
      case 'accepted':
        steps.push(decide(after(D), 'accept'));
        break;
      case 'allocated':
        steps.push(
          decide(after(4), 'accept'),
          allocate(ago(5)),
          this.step(ago(4.5), 'propose a meeting', (r, t) => this.meetingTime(r, t, 'propose')),
        );
        break;
      case 'handover_scheduled':
        steps.push(
          decide(after(4), 'accept'),
          allocate(after(D)),
          this.step(after(D + 1), 'confirm a meeting', (r, t) => this.meetingTime(r, t, 'confirm')),
        );
        break;
      case 'handover_done':
      case 'closed':
        steps.push(
          decide(after(D), 'accept'),
          allocate(after(D + 2)),
          this.step(after(D + 3), 'hand over', (r, t) => this.handover(r, t, run.spec.story === 'closed')),
        );
        break;
      case 'declined':
        steps.push(decide(after(D), 'decline'));
        break;
      case 'declined_closed':
        steps.push(
          decide(after(D), 'decline'),
          this.act(after(2 * D), 'close', (r, t) =>
            w.close(
              { actor: this.actor(r.requester), ref: r.ref as string, note: say.closeNotes.declined },
              t,
            ),
          ),
        );
        break;
      case 'advice_only':
        steps.push(decide(after(D), 'advice'));
        break;
      case 'withdrawn':
        steps.push(
          decide(after(D), 'info'),
          this.act(after(3 * D), 'withdraw', (r, t) =>
            w.withdraw(
              {
                actor: this.actor(r.requester),
                ref: r.ref as string,
                reason: this.pick(say.withdrawReasons, r),
              },
              t,
            ),
          ),
        );
        break;
      case 'resolved':
        steps.push(decide(after(D), 'decline'), dispute(after(1.5 * D)), resolve(after(2 * D), 'upheld'));
        break;
      case 'overturned':
        steps.push(
          decide(after(4), 'decline'),
          dispute(after(6)),
          escalate(after(D + 1)),
          resolve(after(2 * D), 'overturned'),
          allocate(after(2 * D + 1.5)),
        );
        break;
      case 'escalated':
        steps.push(
          decide(ago(10), 'decline'),
          dispute(ago(7)),
          escalate(this.recent(2.5, this.stageDue(run, 1))),
        );
        break;
      case 'disputed':
        steps.push(decide(ago(6), 'decline'), dispute(this.recent(1.5, this.stageDue(run, 0))));
        break;
    }
    return steps;
  }

  /**
   * About `hoursAgo` before now, or later if needed so that the deadline `due` gives is still ahead at now: the
   * requests meant to be waiting (not overdue) stay so whatever the time of day the demo is seeded.
   */
  private recent(hoursAgo: number, due: (at: Date) => Date | null): Date {
    for (const h of [hoursAgo, hoursAgo / 2, 0.5, 0.25]) {
      const at = this.axis.ago(h);
      const by = due(at);
      if (!by || by > this.now) return at;
    }
    return this.axis.ago(0.25);
  }

  /** When a dispute's rung `stageIndex` would run out if it started at a time. */
  private stageDue(run: Run, stageIndex: number): (at: Date) => Date | null {
    const { profile, calendar } = this.app;
    const ladder = profile.ladders.find((l) => l.id === (run.route.ladder ?? profile.defaultLadder));
    const stage = ladder?.stages[stageIndex];
    return (at) => (stage ? calendar.due(at, stage.timeLimit) : null);
  }

  private async send(run: Run, at: Date): Promise<undefined> {
    const t = await this.w.start(
      {
        actor: this.actor(run.requester),
        routeId: run.route.id,
        form: run.form,
        consent: run.consent,
        receivingTeamId: run.receivingTeam.id,
        // Never an emergency: those are phoned through, not sent (the form's own question is answered no too).
        significantHarm: false,
        // The practitioner has read the form's warnings (vague words, routing) and sends it as written.
        confirmWarnings: true,
      },
      at,
    );
    run.ref = t.ref;
    return undefined;
  }

  private async resubmit(run: Run, at: Date): Promise<TransferRow> {
    // The answer only: the workflow re-reads a changed form together with the stored one, whose derived
    // child_age is not a form field, so a resubmission that changes fields is refused.
    return this.w.resubmit(
      { actor: this.actor(run.requester), ref: run.ref as string, answer: this.pick(say.answers, run) },
      at,
    );
  }

  /** The first slot (a time people book) at least three quarters of an hour after `after`, on a working day. */
  private earliestSlot(after: Date): Date {
    const cal = this.app.calendar;
    const times = ['09:30', '10:00', '11:00', '11:30', '13:30', '14:00', '15:00', '15:30'];
    const earliest = after.getTime() + 45 * 60_000;
    let day = cal.localDate(after);
    for (let i = 0; i < 30; i++) {
      if (cal.isWorkingDay(day)) {
        for (const time of times) {
          const at = cal.at(day, time);
          if (at.getTime() >= earliest) return at;
        }
      }
      day = cal.nextWorkingDay(day);
    }
    throw new Error('no working day in the next 30 days');
  }

  /** When a meeting set going by the request is put in the diary: the form's date, the standing time, or soon. */
  private slotFor(run: Run, m: MeetingRow, rule: MeetingRule | undefined, at: Date): Date {
    const cal = this.app.calendar;
    const time = run.variant % 2 ? '14:00' : '10:00';
    const soon = at.getTime() + 3_600_000;
    // The receiving service's standing meeting (Manchester's Thursday allocations meeting) is its own time.
    if (rule?.atNextSchedule && m.dueBy && m.dueBy.getTime() >= soon) return m.dueBy;
    let slot: Date;
    // On the day the form names (a review date); a meeting due within some days of a date is held soon.
    if (rule && typeof rule.anchor === 'object' && !rule.within?.amount && m.dueBy)
      slot = cal.at(cal.localDate(m.dueBy), time);
    else slot = this.axis.workingDaysAfter(at, 1, time);
    const late = m.dueBy && slot.getTime() + 3_600_000 > m.dueBy.getTime();
    return slot.getTime() < soon || late ? this.earliestSlot(at) : slot;
  }

  /** A transfer's meetings in the route's order (the store orders them by creation; one change makes several). */
  private async meetings(run: Run, transferId: string): Promise<MeetingRow[]> {
    const order = (m: MeetingRow) => run.route.meetings.findIndex((rule) => rule.id === m.meetingKey);
    return (await this.app.store.meetings(transferId)).sort((a, b) => order(a) - order(b));
  }

  /** When a meeting's outcome is recorded: a quarter of an hour after it ends. */
  private recordedAt(meetingAt: Date): Date {
    return new Date(meetingAt.getTime() + (this.app.profile.chasing.meetingMinutes + 15) * 60_000);
  }

  private held(key: string, at: Date, by: () => Person | string | undefined): Step<Run> {
    return this.step(at, `record the ${key} meeting`, async (r, t) => {
      const transfer = await this.transfer(r);
      if (['closed', 'withdrawn'].includes(transfer.state)) return undefined;
      const m = (await this.meetings(r, transfer.id)).find((x) => x.meetingKey === key);
      if (m?.status !== 'scheduled') return undefined;
      const rule = r.route.meetings.find((x) => x.id === key);
      // Meetings with outcomes of their own (Halton's final CIN) record the one that carries the plan on.
      const outcome = rule?.outcomes?.find((o) => o.effect === 'none');
      const result = outcome?.id;
      // An outcome that agrees a date the request left open (Halton's first MAP review): six weeks on.
      const agreed =
        outcome?.records && !transfer.form[outcome.records]
          ? this.app.calendar.localDate(new Date(t.getTime() + 42 * 86_400_000))
          : undefined;
      await this.w.recordMeetingOutcome(
        {
          actor: this.actor(by()),
          ref: transfer.ref,
          meeting: key,
          outcome: 'held',
          ...(result ? { result } : {}),
          ...(agreed ? { agreed } : {}),
        },
        t,
      );
      return undefined;
    });
  }

  /** Meetings the request itself sets going (dated on the form, or due soon after it is sent): diarised, then held. */
  private async diarise(run: Run, at: Date): Promise<Step<Run>[]> {
    const t = await this.transfer(run);
    if (['closed', 'withdrawn'].includes(t.state)) return [];
    const steps: Step<Run>[] = [];
    const meetings = await this.meetings(run, t.id);
    for (const m of meetings) {
      const rule = run.route.meetings.find((x) => x.id === m.meetingKey);
      let when = m.scheduledAt;
      if (m.status === 'required') {
        when = this.slotFor(run, m, rule, at);
        await this.w.scheduleMeeting(
          { actor: this.actor(run.requester), ref: t.ref, meeting: m.meetingKey, at: when.toISOString() },
          at,
        );
      }
      if (when && m.status !== 'optional')
        steps.push(this.held(m.meetingKey, this.recordedAt(when), () => run.requester));
    }
    return steps;
  }

  /** After allocation: the handover meetings diarised on the next working days and held; then tasks done, closed. */
  private async handover(run: Run, at: Date, close: boolean): Promise<Step<Run>[]> {
    const t = await this.transfer(run);
    const meetings = await this.meetings(run, t.id);
    const required = meetings.filter((m) => m.status === 'required');
    // "If appropriate" meetings are held when nothing else is required, so the handover still happens.
    const todo = required.length ? required : meetings.filter((m) => m.status === 'optional').slice(0, 1);
    const by = () => run.workerId ?? this.decider(run);
    const steps: Step<Run>[] = [];
    let last = at;
    for (const [i, m] of todo.entries()) {
      const slot = this.axis.workingDaysAfter(at, 1 + i, i % 2 ? '14:00' : '10:00');
      await this.w.scheduleMeeting(
        { actor: this.actor(by()), ref: t.ref, meeting: m.meetingKey, at: slot.toISOString() },
        at,
      );
      const heldAt = this.recordedAt(slot);
      steps.push(this.held(m.meetingKey, heldAt, by));
      if (heldAt > last) last = heldAt;
    }
    for (const m of meetings) {
      if (m.status === 'scheduled' && m.scheduledAt) {
        const heldAt = this.recordedAt(m.scheduledAt);
        if (heldAt > last) last = heldAt;
      }
    }
    const finish = this.axis.after(last, 3);
    steps.push(this.step(finish, 'complete tasks', (r, when) => this.completeTasks(r, when)));
    if (close) {
      steps.push(
        this.act(this.axis.after(finish, 0.5), 'close', (r, when) =>
          this.w.close(
            { actor: this.actor(by()), ref: r.ref as string, note: say.closeNotes.handover },
            when,
          ),
        ),
      );
    }
    return steps;
  }

  /** The route's tasks this request set going (e.g. the Outcomes Framework, the final CIN papers), marked done. */
  private async completeTasks(run: Run, at: Date): Promise<undefined> {
    const t = await this.transfer(run);
    const service = this.app.profile.services.find((s) => s.id === run.sendingTeam.service);
    const ctx = {
      values: t.form,
      sendingService: run.sendingTeam.service,
      sendingServiceKind: service?.kind ?? 'other',
      now: at,
      calendar: this.app.calendar,
    };
    const started = (['submitted', 'accepted', 'allocated'] as const).flatMap((event) =>
      tasksStartedBy(run.route, event, at, ctx).map((s) => s.rule),
    );
    for (const task of started) {
      const by = task.owner === 'sending' ? run.requester.id : (run.workerId ?? this.decider(run)?.id);
      await this.w.completeTask({ actor: this.actor(by), ref: t.ref, task: task.id, note: 'Done.' }, at);
    }
    return undefined;
  }

  /** Puts a time forward for the first handover meeting (left to be confirmed), or confirms one. */
  private async meetingTime(run: Run, at: Date, how: 'propose' | 'confirm'): Promise<undefined> {
    const t = await this.transfer(run);
    const meetings = await this.meetings(run, t.id);
    const m = meetings.find((x) => x.status === 'required') ?? meetings.find((x) => x.status === 'optional');
    if (!m) return undefined;
    const slot = this.axis.workingDaysAfter(
      this.axis.anchor,
      how === 'propose' ? 2 : 1,
      how === 'propose' ? '10:00' : '14:00',
    );
    const input = { ref: t.ref, meeting: m.meetingKey, at: slot.toISOString() };
    if (how === 'propose') await this.w.proposeMeeting({ ...input, actor: this.actor(run.requester) }, at);
    else await this.w.scheduleMeeting({ ...input, actor: this.actor(run.workerId ?? this.decider(run)) }, at);
    return undefined;
  }

  /** The people at the dispute's current rung on one side, in a stable order. */
  private async rung(run: Run, side: 'sending' | 'receiving') {
    const t = await this.transfer(run);
    const d = await this.app.store.openDispute(t.id);
    if (!d) throw new WorkflowError('refused', `${t.ref} has no open disagreement`);
    return { t, d, people: byId(this.w.stagePeople(t, d, side)) };
  }

  private async escalate(run: Run, at: Date): Promise<undefined> {
    const { t, d, people } = await this.rung(run, 'sending');
    if (d.stageIndex + 1 >= d.ladder.stages.length) return undefined; // already at the rung that decides
    await this.w.escalate(
      { actor: this.actor(people[0] ?? run.requester), ref: t.ref, note: this.pick(say.escalateNotes, run) },
      at,
    );
    return undefined;
  }

  private async resolve(run: Run, at: Date, outcome: 'upheld' | 'overturned'): Promise<undefined> {
    // Below the last stage the side that gives way records it (the workflow's rule).
    const { t, people } = await this.rung(run, outcome === 'upheld' ? 'sending' : 'receiving');
    const rationale = this.pick(outcome === 'upheld' ? say.upheldRationales : say.overturnedRationales, run);
    await this.w.resolve({ actor: this.actor(people[0]), ref: t.ref, outcome, rationale }, at);
    return undefined;
  }

  // ---- running it ------------------------------------------------------------------------------------------

  async seed(): Promise<SeedResult> {
    const runs = this.plan();
    const timeline = new Timeline<Run>(this.now);
    for (const run of runs) timeline.add(run, this.stepsFor(run));
    await timeline.run((run, step, error) => {
      if (!(error instanceof WorkflowError)) return false;
      // A refusal ends that request's story where it is; the rest of the demo carries on.
      this.log(
        `${run.ref ?? run.childRef} on "${run.route.name}": stopped at "${step.what}": ${error.message}`,
      );
      return true;
    });
    const sweep = await sweepDueTimers(this.w, this.app.store, this.now);
    const requests: SeededRequest[] = [];
    for (const run of runs) {
      if (!run.ref) continue;
      const t = await this.w.get(run.ref);
      requests.push({ ref: t.ref, childRef: run.childRef, routeId: t.routeId, state: t.state });
    }
    const width = Math.max(...requests.map((r) => r.routeId.length), 0);
    for (const r of requests) this.log(`${r.ref}  ${r.childRef}  ${r.routeId.padEnd(width)}  ${r.state}`);
    const byState: Record<string, number> = {};
    for (const state of transferStates) {
      const n = requests.filter((r) => r.state === state).length;
      if (n) byState[state] = n;
    }
    for (const h of sweep.handled) this.log(`${h.kind.padEnd(17)} ${h.summary}`);
    const counts = Object.entries(byState).map(([state, n]) => `${n} ${state.replaceAll('_', ' ')}`);
    this.log(
      `seeded ${requests.length} request${requests.length === 1 ? '' : 's'} for ${this.app.profile.council}: ${counts.join(', ') || 'none'}`,
    );
    return { created: requests.length, byState, requests };
  }
}

/**
 * Seeds the demo caseload for the app's protocol through the ordinary workflow, with every time before `now`,
 * then runs the timer sweep as of `now` so the reminders and chases due by then are written.
 */
export async function seedDemo(app: App, opts: SeedOptions): Promise<SeedResult> {
  const existing = await app.db.prisma.transfer.count();
  return new Seeder(app, opts.now, opts.log, existing).seed();
}
