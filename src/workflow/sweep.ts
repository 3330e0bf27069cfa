/**
 * One sweep of due timers: each timer is a row with a due time, claimed with SKIP LOCKED so replicas never
 * double-handle, and finished in the same transaction as the messages and state changes it causes. What fell
 * due while the server was down is handled at the next sweep, oldest first. node-cron only calls this.
 *
 * Every message a timer writes has the idempotency key `timer:<timer id>:<occurrence>:<what>`, so a timer
 * handled twice (it cannot be, but a crash between two writes of one transaction is the database's problem,
 * not ours) still sends once. Recurring digests are one row each whose occurrence goes up every time.
 */
import { randomUUID } from 'node:crypto';
import type { Duration } from '../domain/calendar.ts';
import { nextStage } from '../domain/ladder.ts';
import { awaitingDecision, stateLabels } from '../domain/lifecycle.ts';
import type { ProtocolProfile } from '../domain/profile.ts';
import { type Role, roleLabels } from '../domain/roles.ts';
import { climb } from './escalation.ts';
import { ladderPings } from './notifications.ts';
import { meetingParticipants, peopleToInvite } from './participants.ts';
import {
  type NewOutbox,
  type NewTimer,
  profileScope,
  type SweepAction,
  type TimerKind,
  type TimerRow,
  type TimerStore,
  type TransferRow,
} from './ports.ts';
import type { TransferWorkflow } from './transfers.ts';

export interface SweepReport {
  handled: { ref: string | null; kind: string; summary: string }[];
  skipped: number;
  /** Timers that could not be handled, set aside (a digest tries again at its next time), with why. */
  failed: { ref: string | null; kind: string; timerId: string; reason: string }[];
}

export interface SweepOptions {
  batch?: number;
  /** Stop after this many timers in one call (the next tick carries on). */
  max?: number;
}

/** Runs sweeps until nothing due is left (or `max` is reached). */
export async function sweepDueTimers(
  workflow: TransferWorkflow,
  store: TimerStore,
  now: Date,
  opts: SweepOptions = {},
): Promise<SweepReport> {
  const batch = opts.batch ?? 100;
  const max = opts.max ?? 10_000;
  const report: SweepReport = { handled: [], skipped: 0, failed: [] };
  await store.ensureGlobalTimers(recurringTimers(workflow, now), now);
  const on = profileScope(workflow.profile);
  for (;;) {
    const claimed = await store.transaction(async (tx) => {
      const timers = await tx.claimDue(now, batch, on);
      for (const timer of timers) {
        const t = timer.transferId ? await tx.find(timer.transferId) : null;
        let action: SweepAction;
        try {
          action = timer.transferId
            ? await handleTimer(workflow, tx, timer, t, now)
            : await handleDigest(workflow, tx, timer, now);
        } catch (e) {
          // One timer the sweep cannot handle (a fault in its handling) must not hold back every other timer:
          // it is set aside, and the rest of the batch goes on. A database error is not caught here in effect:
          // the transaction is aborted, so the next statement fails too.
          const reason = e instanceof Error ? e.message : String(e);
          action = setAside(workflow, timer, now, reason);
          report.failed.push({ ref: t?.ref ?? null, kind: timer.kind, timerId: timer.id, reason });
        }
        if (await tx.finishTimer(timer, action, now)) {
          if (!action.failed)
            report.handled.push({ ref: t?.ref ?? null, kind: timer.kind, summary: action.summary });
        } else report.skipped += 1;
      }
      return timers.length;
    });
    if (claimed < batch || report.handled.length + report.skipped + report.failed.length >= max)
      return report;
  }
}

/**
 * What becomes of a timer that failed: a recurring digest is due again at its next time (it will fail again
 * until its cause is mended, but never blocks the others); any other timer is marked failed, and kept.
 */
function setAside(w: TransferWorkflow, timer: TimerRow, now: Date, reason: string): SweepAction {
  const summary = `failed: ${reason}`;
  if (!timer.transferId) {
    const next = recurringTimers(w, now).find((r) => r.key === timer.key);
    if (next) return { summary, failed: true, reschedule: { dueAt: next.dueAt, payload: next.payload } };
  }
  return { summary, failed: true };
}

// ---- recurring digests -------------------------------------------------------------------------------------

/** The first instant after `after` at `hhmm` on a working day. */
function nextWorkingAt(w: TransferWorkflow, after: Date, hhmm: string): Date {
  let day = w.calendar.localDate(after);
  for (let i = 0; i < 400; i++) {
    if (w.calendar.isWorkingDay(day)) {
      const at = w.calendar.at(day, hhmm);
      if (at > after) return at;
    }
    day = w.calendar.nextWorkingDay(day);
  }
  throw new Error('no working day found within 400 days: check the calendar');
}

/** The next standing meeting whose agenda time is after `after`: the meeting's date and when its agenda goes. */
export function nextAgenda(
  w: TransferWorkflow,
  schedule: ProtocolProfile['schedules'][number],
  after: Date,
): { meetingDate: string; due: Date } {
  let meeting = w.calendar.nextWeekday(new Date(after.getTime() - 8 * 86_400_000), schedule.weekday);
  for (let i = 0; i < 60; i++) {
    const agendaDay = w.calendar.addWorkingDays(meeting, -schedule.agendaWorkingDaysBefore);
    const due = w.calendar.at(agendaDay, w.profile.chasing.agendaAt);
    if (due > after) return { meetingDate: meeting, due };
    meeting = w.calendar.nextWeekday(w.calendar.at(meeting, '12:00'), schedule.weekday);
  }
  throw new Error(`no date found for the standing meeting "${schedule.id}"`);
}

/** The digests the profile and directory call for: one row each, created once, rescheduled when they run. */
export function recurringTimers(w: TransferWorkflow, now: Date): NewTimer[] {
  const timers: NewTimer[] = [
    {
      transferId: null,
      kind: 'digest',
      key: 'digest:overdue',
      dueAt: nextWorkingAt(w, now, w.profile.chasing.overdueDigestAt),
      payload: { digest: 'overdue' },
    },
  ];
  for (const schedule of w.profile.schedules) {
    for (const team of w.directory.teamsProviding(schedule.service)) {
      const next = nextAgenda(w, schedule, now);
      timers.push({
        transferId: null,
        kind: 'digest',
        key: `digest:agenda:${schedule.id}:${team.id}`,
        dueAt: next.due,
        payload: { digest: 'agenda', schedule: schedule.id, teamId: team.id, meetingDate: next.meetingDate },
      });
    }
  }
  return timers;
}

async function handleDigest(
  w: TransferWorkflow,
  tx: TimerStore,
  timer: TimerRow,
  now: Date,
): Promise<SweepAction> {
  const key = (what: string) => `timer:${timer.id}:${timer.occurrence}:${what}`;
  const p = timer.payload;
  if (p.digest === 'overdue') {
    const outbox = await overdueDigests(w, tx, now, key);
    return {
      summary: outbox.length
        ? `overdue lists sent to ${outbox.length} manager(s)`
        : 'overdue lists: nothing is overdue, nothing sent',
      outbox,
      reschedule: { dueAt: nextWorkingAt(w, now, w.profile.chasing.overdueDigestAt) },
    };
  }
  const schedule = w.profile.schedules.find((s) => s.id === p.schedule);
  const team = w.directory.team(String(p.teamId));
  if (p.digest !== 'agenda' || !schedule || !team || team.service !== schedule.service)
    return { summary: `${timer.key}: the profile or directory no longer has this digest; retired` };
  const next = nextAgenda(w, schedule, now);
  const reschedule = { reschedule: { dueAt: next.due, payload: { ...p, meetingDate: next.meetingDate } } };
  const meetingDate = String(p.meetingDate);
  const meetingAt = w.calendar.at(meetingDate, schedule.time);
  if (meetingAt <= now)
    return {
      summary: `${schedule.label} agenda for ${meetingDate}: the meeting has passed, skipped`,
      ...reschedule,
    };
  const pending = await tx.list({
    receivingTeamIds: [team.id],
    kinds: ['step-down'],
    states: [...awaitingDecision, 'more_info_requested', 'accepted'],
    limit: 500,
  });
  pending.sort((a, b) => a.number - b.number);
  const items = pending.map((t) => ({
    ref: t.ref,
    stateLabel: stateLabels[t.state],
    dueText: `from ${w.teamName(t.sendingTeamId)}${t.submittedAt ? `, sent ${w.calendar.localDate(t.submittedAt)}` : ''}`,
  }));
  const weekday = w.calendar.localDate(meetingAt);
  return {
    summary: `${schedule.label} agenda for ${team.name}: ${items.length} pending step-down(s)`,
    ...reschedule,
    outbox: [
      {
        idempotencyKey: key(`agenda:${team.id}`),
        transferId: null,
        kind: 'digest',
        target: { teamId: team.id },
        payload: {
          title: `Agenda: ${schedule.label}, ${weekday} ${schedule.time}`,
          intro: `Step-downs pending for ${team.name}: ${items.length}.`,
          items,
          emptyText: 'No step-downs are pending for this meeting.',
          text: `Agenda for the ${schedule.label} on ${weekday}: ${items.length} pending step-down(s): ${items.map((i) => i.ref).join(', ') || 'none'}.`,
        },
      },
    ],
  };
}

/** What is still outstanding for a timer that fell due, or null if it has been met since. */
async function stillOutstanding(
  w: TransferWorkflow,
  tx: TimerStore,
  timer: TimerRow,
  t: TransferRow,
  now: Date,
): Promise<{ text: string; teams: string[] } | null> {
  const late = `due ${w.calendar.localDateTime(timer.dueAt)}: ${w.calendar.describe(now, timer.dueAt, 'working_hours')}`;
  const both = [t.sendingTeamId, t.receivingTeamId];
  switch (timer.kind) {
    case 'decision_due':
      if ((timer.payload.step ?? 0) !== 0 || !awaitingDecision.includes(t.state)) return null;
      return { text: `decision ${late}`, teams: [t.receivingTeamId] };
    case 'meeting_due': {
      const m = (await tx.meetings(t.id)).find((x) => x.meetingKey === timer.payload.meeting);
      if (!m || m.status === 'held') return null;
      return { text: `${m.label} ${late}`, teams: both };
    }
    case 'meeting_unrecorded': {
      const m = (await tx.meetings(t.id)).find((x) => x.meetingKey === timer.payload.meeting);
      if (m?.status !== 'scheduled' || m.sequence !== timer.payload.sequence) return null;
      return { text: `${m.label}: outcome not recorded`, teams: both };
    }
    case 'task_due': {
      const label = w.route(t.routeId).tasks.find((x) => x.id === timer.payload.task)?.label ?? 'a task';
      return {
        text: `${label} ${late}`,
        teams: [timer.payload.owner === 'sending' ? t.sendingTeamId : t.receivingTeamId],
      };
    }
    case 'ladder_stage': {
      const d = await tx.openDispute(t.id);
      if (!d || d.stageIndex !== timer.payload.stageIndex) return null;
      return { text: `disagreement stage ${d.stageIndex + 1} ${late}`, teams: both };
    }
    default:
      return null;
  }
}

/** Each team manager's list of what their team has overdue: only for teams with something overdue. */
async function overdueDigests(
  w: TransferWorkflow,
  tx: TimerStore,
  now: Date,
  key: (what: string) => string,
): Promise<NewOutbox[]> {
  const kinds: TimerKind[] = [
    'decision_due',
    'meeting_due',
    'meeting_unrecorded',
    'task_due',
    'ladder_stage',
  ];
  const byTeam = new Map<string, { ref: string; stateLabel: string; dueText: string }[]>();
  for (const { timer, transfer } of await tx.outstanding(now, kinds, profileScope(w.profile))) {
    const item = await stillOutstanding(w, tx, timer, transfer, now);
    if (!item) continue;
    for (const team of new Set(item.teams)) {
      const list = byTeam.get(team) ?? [];
      list.push({ ref: transfer.ref, stateLabel: stateLabels[transfer.state], dueText: item.text });
      byTeam.set(team, list);
    }
  }
  const rows: NewOutbox[] = [];
  for (const [teamId, items] of [...byTeam].sort(([a], [b]) => a.localeCompare(b))) {
    for (const manager of w.directory.members(teamId, ['team_manager'])) {
      rows.push({
        idempotencyKey: key(`overdue:${manager.id}`),
        transferId: null,
        kind: 'digest',
        target: { personId: manager.id },
        payload: {
          title: `Overdue for ${w.teamName(teamId)}: ${items.length}`,
          intro: `As of ${w.calendar.localDateTime(now)}, in working time.`,
          items,
          text: `${w.teamName(teamId)} has ${items.length} overdue item(s): ${items.map((i) => `${i.ref} (${i.dueText})`).join('; ')}.`,
        },
      });
    }
  }
  return rows;
}

/** How long each rung up the overdue line waits, as working time. */
function rungInterval(w: TransferWorkflow): Duration {
  const every = w.profile.chasing.every;
  return every.unit === 'working_days'
    ? { amount: every.amount * w.calendar.hoursPerDay, unit: 'working_hours' }
    : every;
}

// ---- timers of one transfer --------------------------------------------------------------------------------

async function handleTimer(
  w: TransferWorkflow,
  tx: TimerStore,
  timer: TimerRow,
  t: TransferRow | null,
  now: Date,
): Promise<SweepAction> {
  const key = (what: string) => `timer:${timer.id}:${timer.occurrence}:${what}`;
  const msg = (what: string, kind: string, target: Record<string, unknown>, text: string): NewOutbox => ({
    idempotencyKey: key(what),
    transferId: t?.id ?? null,
    kind,
    target,
    payload: { text },
  });
  // A finished transfer's only live timers are tasks its last meeting left (they are chased as usual).
  if (!t || (['closed', 'withdrawn'].includes(t.state) && timer.kind !== 'task_due'))
    return { summary: 'nothing to do: the transfer is finished' };
  const route = w.route(t.routeId);
  const when = (d: Date) => w.calendar.localDateTime(d);
  const decisionUnit = route.decision.due?.unit ?? 'working_days';

  if (timer.kind === 'decision_reminder') {
    if (!awaitingDecision.includes(t.state)) return { summary: `${t.ref}: already decided` };
    const due = new Date(String(timer.payload.due));
    const text = `Reminder: the decision on ${t.ref} is due ${when(due)} (${w.calendar.describe(now, due, decisionUnit)}). ${w.holderText(t)}.`;
    return {
      summary: `${t.ref}: decision due soon, reminded ${w.teamName(t.receivingTeamId)}`,
      outbox: [
        {
          ...msg('reminder', 'reminder', { teamId: t.receivingTeamId }, text),
          payload: { text, reminder: { kind: 'decision', dueAt: due.toISOString(), unit: decisionUnit } },
        },
      ],
    };
  }

  if (timer.kind === 'decision_due') {
    if (!awaitingDecision.includes(t.state)) return { summary: `${t.ref}: already decided` };
    const line = w.profile.chasing.overdueLine;
    const step = Number(timer.payload.step ?? 0);
    const role = line[Math.min(step, line.length - 1)] as Role;
    const dueAt = step === 0 ? timer.dueAt : new Date(String(timer.payload.due));
    const pinged = w.directory.nearest(t.receivingTeamId, [role]);
    const names = pinged.map((p) => p.name).join(', ') || `no ${roleLabels[role]} in the directory`;
    const text =
      `${t.ref}: the decision is overdue (${w.calendar.describe(now, dueAt, decisionUnit)}; it was due ${when(dueAt)}). ` +
      `${w.holderText(t)}. Chasing the ${roleLabels[role]}: ${names}.`;
    const base = timer.key.split(':')[0];
    const next: NewTimer[] =
      step + 1 < line.length
        ? [
            {
              transferId: t.id,
              kind: 'decision_due',
              key: `${base}:up${step + 1}`,
              // From now, not from when it was due: after downtime the line is climbed one rung at a time. A
              // working day here is a day of working time later (Monday 17:00 -> Tuesday 17:00), not a
              // deadline's "by the end of the next working day".
              dueAt: w.calendar.due(now > timer.dueAt ? now : timer.dueAt, rungInterval(w)),
              payload: { step: step + 1, due: dueAt.toISOString() },
            },
          ]
        : [];
    return {
      summary: `${t.ref}: decision overdue, chased ${w.teamName(t.receivingTeamId)} and the ${roleLabels[role]} (${pinged.length})`,
      outbox: [
        msg('thread', 'thread', { teamId: t.receivingTeamId }, text),
        ...pinged.map((p) => msg(`dm:${p.id}`, 'dm', { personId: p.id }, text)),
      ],
      timers: next,
    };
  }

  if (timer.kind === 'meeting_notice' || timer.kind === 'meeting_unrecorded') {
    const meeting = (await tx.meetings(t.id)).find((m) => m.meetingKey === timer.payload.meeting);
    if (
      meeting?.status !== 'scheduled' ||
      meeting.sequence !== timer.payload.sequence ||
      !meeting.scheduledAt
    )
      return { summary: `${t.ref}: the meeting has moved on` };
    const rule = route.meetings.find((m) => m.id === meeting.meetingKey);
    const invitees = peopleToInvite(
      meetingParticipants(w.directory, t, { participants: rule?.participants ?? [] }),
    );
    const at = when(meeting.scheduledAt);
    if (timer.kind === 'meeting_notice') {
      const text = `Reminder: the ${meeting.label} for ${t.ref} is on ${at}.`;
      return {
        summary: `${t.ref}: ${meeting.label} tomorrow, reminded ${invitees.length} participant(s)`,
        outbox: invitees.map((p) => msg(`dm:${p.id}`, 'dm', { personId: p.id }, text)),
      };
    }
    const text =
      `${t.ref}: the outcome of the ${meeting.label} (${at}) is not recorded (${w.calendar.describe(now, timer.dueAt, 'working_hours')}). ` +
      'Record it on the meeting card: held, not held with the reason, or rescheduled.';
    return {
      summary: `${t.ref}: ${meeting.label} outcome not recorded, chased`,
      outbox: [
        msg('thread', 'thread', { teamId: t.receivingTeamId }, text),
        ...invitees.map((p) => msg(`dm:${p.id}`, 'dm', { personId: p.id }, text)),
      ],
    };
  }

  if (timer.kind === 'meeting_due' || timer.kind === 'task_due') {
    const what =
      timer.kind === 'meeting_due'
        ? route.meetings.find((m) => m.id === timer.payload.meeting)?.label
        : route.tasks.find((x) => x.id === timer.payload.task)?.label;
    let decide = '';
    if (timer.kind === 'meeting_due') {
      const meeting = (await tx.meetings(t.id)).find((m) => m.meetingKey === timer.payload.meeting);
      if (!meeting || meeting.status === 'held')
        return { summary: `${t.ref}: ${what ?? 'meeting'} already held` };
      // Recorded as not held, with the reason: that was the decision the chase asks for.
      if (meeting.status === 'not_held')
        return { summary: `${t.ref}: ${what ?? 'meeting'} recorded as not held` };
      if (meeting.status !== 'scheduled') {
        const managers = w.directory.members(t.receivingTeamId, ['team_manager', 'service_manager']);
        decide = ` No time is confirmed and none is left before the deadline: ${managers.map((p) => p.name).join(' or ') || `the manager of ${w.teamName(t.receivingTeamId)}`} must decide whether to hold it late or record why not.`;
      }
    }
    const how = timer.kind === 'task_due' ? ' Mark it done on the request card once it is.' : '';
    const text = `${t.ref}: ${what ?? 'a required step'} was due ${w.calendar.localDate(timer.dueAt)} and is not recorded as done (${w.calendar.describe(now, timer.dueAt, 'working_hours')}).${decide}${how}`;
    const people = new Set([t.requesterId, ...(t.allocation?.workerId ? [t.allocation.workerId] : [])]);
    return {
      summary: `${t.ref}: ${what ?? timer.kind} overdue, chased`,
      outbox: [
        msg('thread', 'thread', { teamId: t.receivingTeamId }, text),
        ...[...people].map((id) => msg(`dm:${id}`, 'dm', { personId: id }, text)),
      ],
    };
  }

  // ladder_stage: the stage's time ran out. Climb one rung, or on the last rung ask for the decision again.
  const dispute = await tx.openDispute(t.id);
  if (!dispute || dispute.stageIndex !== timer.payload.stageIndex)
    return { summary: `${t.ref}: stage already moved on` };
  const next = nextStage(dispute.ladder, dispute.stageIndex, now, w.calendar);
  if (!next) {
    // The last rung: chased again every working day until someone decides.
    return {
      summary: `${t.ref}: last stage overdue, decision chased`,
      outbox: ladderPings(w, t, dispute, `overdue:${timer.id}:${timer.occurrence}`, now),
      reschedule: { dueAt: w.calendar.due(now, rungInterval(w)) },
    };
  }
  const climbed = climb(w, t, dispute, next);
  return {
    summary: `${t.ref}: stage ${dispute.stageIndex + 1} ran out of time; escalated to ${next.stage.name}`,
    transfer: { id: t.id, expectedVersion: t.version, patch: { state: 'escalated' } },
    dispute: climbed.dispute,
    timers: climbed.timers,
    audit: {
      id: randomUUID(),
      transferId: t.id,
      actorId: 'stepwise',
      surface: 'system',
      action: 'escalate',
      at: now,
      data: {
        from: t.state,
        to: 'escalated',
        version: t.version + 1,
        disputeId: dispute.id,
        stage: next.stage.id,
        stageIndex: next.stageIndex,
        automatic: true,
      },
    },
    outbox: [
      {
        idempotencyKey: key('card'),
        transferId: t.id,
        kind: 'card',
        target: { teamId: t.receivingTeamId },
        payload: { version: t.version + 1 },
      },
      ...climbed.outbox,
    ],
  };
}
