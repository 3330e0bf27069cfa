/** The writes that put a dispute on a ladder stage: its stage timer, and for a climb the dispute and its pings. */
import type { LadderPosition } from '../domain/ladder.ts';
import { ladderPings } from './notifications.ts';
import type { Changes, DisputeRow, NewOutbox, NewTimer, TransferRow } from './ports.ts';
import type { TransferWorkflow } from './transfers.ts';

/** The timer that expires a stage: when it falls due the sweep climbs one rung. */
export function stageTimer(transferId: string, disputeId: string, stageIndex: number, dueAt: Date): NewTimer {
  return {
    transferId,
    kind: 'ladder_stage',
    key: `ladder:${disputeId}:${stageIndex}`,
    dueAt,
    payload: { disputeId, stageIndex },
  };
}

/** Moving a dispute to `next`: whether a person pressed "Escalate now" or the stage's time ran out. */
export function climb(
  w: TransferWorkflow,
  t: TransferRow,
  dispute: DisputeRow,
  next: LadderPosition,
): { dispute: NonNullable<Changes['dispute']>; timers: NewTimer[]; outbox: NewOutbox[] } {
  const moved = { ...dispute, stageIndex: next.stageIndex, stageDueAt: next.dueAt };
  return {
    dispute: {
      update: {
        id: dispute.id,
        stageIndex: next.stageIndex,
        stageDueAt: next.dueAt,
        status: 'open',
        resolution: null,
        resolvedAt: null,
      },
    },
    timers: [stageTimer(t.id, dispute.id, next.stageIndex, next.dueAt)],
    outbox: ladderPings(w, t, moved, 'escalated'),
  };
}
