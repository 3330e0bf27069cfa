/**
 * One sweep of due timers: each timer is a row with a due time, claimed with SKIP LOCKED so replicas never
 * double-handle, and finished in the same transaction as the messages and state changes it causes. What fell
 * due while the server was down is handled at the next sweep, oldest first. node-cron only calls this.
 */
import { randomUUID } from 'node:crypto';
import { nextStage } from '../domain/ladder.ts';
import { awaitingDecision } from '../domain/lifecycle.ts';
import { defaultDeciders } from '../domain/roles.ts';
import { climb } from './escalation.ts';
import { ladderPings } from './notifications.ts';
import type { NewOutbox, SweepAction, TimerRow, TimerStore, TransferRow } from './ports.ts';
import type { TransferWorkflow } from './transfers.ts';

export interface SweepReport {
  handled: { ref: string | null; kind: string; summary: string }[];
  skipped: number;
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
  const report: SweepReport = { handled: [], skipped: 0 };
  for (;;) {
    const claimed = await store.transaction(async (tx) => {
      const timers = await tx.claimDue(now, batch);
      for (const timer of timers) {
        const t = timer.transferId ? await tx.find(timer.transferId) : null;
        const action = await handleTimer(workflow, tx, timer, t, now);
        if (await tx.finishTimer(timer, action, now)) {
          report.handled.push({ ref: t?.ref ?? null, kind: timer.kind, summary: action.summary });
        } else report.skipped += 1;
      }
      return timers.length;
    });
    if (claimed < batch || report.handled.length + report.skipped >= max) return report;
  }
}

function overdueText(workflow: TransferWorkflow, due: Date, now: Date): string {
  return workflow.calendar.describe(now, due, 'working_hours');
}

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
  if (!t || ['closed', 'withdrawn'].includes(t.state))
    return { summary: 'nothing to do: the transfer is finished' };
  const route = w.route(t.routeId);

  if (timer.kind === 'decision_due') {
    if (!awaitingDecision.includes(t.state)) return { summary: `${t.ref}: already decided` };
    const text = `${t.ref}: the decision is overdue (${overdueText(w, timer.dueAt, now)}). ${w.holderText(t)}.`;
    const managers = w.directory.members(t.receivingTeamId, route.decision.deciders ?? defaultDeciders);
    return {
      summary: `${t.ref}: decision overdue, chased ${w.teamName(t.receivingTeamId)} and ${managers.length} decider(s)`,
      outbox: [
        msg('thread', 'thread', { teamId: t.receivingTeamId }, text),
        ...managers.map((p) => msg(`dm:${p.id}`, 'dm', { personId: p.id }, text)),
      ],
    };
  }

  if (timer.kind === 'meeting_due' || timer.kind === 'task_due') {
    const what =
      timer.kind === 'meeting_due'
        ? route.meetings.find((m) => m.id === timer.payload.meeting)?.label
        : route.tasks.find((x) => x.id === timer.payload.task)?.label;
    if (timer.kind === 'meeting_due') {
      const meeting = (await tx.meetings(t.id)).find((m) => m.meetingKey === timer.payload.meeting);
      if (!meeting || meeting.status === 'held')
        return { summary: `${t.ref}: ${what ?? 'meeting'} already held` };
    }
    const text = `${t.ref}: ${what ?? 'a required step'} was due ${w.calendar.localDate(timer.dueAt)} and is not recorded as done (${overdueText(w, timer.dueAt, now)}).`;
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
    return {
      summary: `${t.ref}: last stage overdue, decision chased`,
      outbox: ladderPings(w, t, dispute, `overdue:${timer.id}`),
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
