/** The outbox table behind the delivery worker (src/workflow/outbox.ts). */
import { randomUUID } from 'node:crypto';
import type { Claim, OutboxMessage, OutboxStore } from '../workflow/outbox.ts';
import type { NewOutbox } from '../workflow/ports.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { formatRef } from './transfer-store.ts';

interface ClaimedRow {
  id: string;
  idempotency_key: string;
  transfer_id: string | null;
  kind: string;
  target: unknown;
  payload: unknown;
  attempts: number;
  created_at: Date;
}

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

/**
 * Which failed messages to send again: these ids, those to one team's channel, to one person, to the escalation
 * channel, or every one.
 */
export type FailedSelection =
  | { ids: string[] }
  | { teamId: string }
  | { personId: string }
  | 'escalation'
  | 'all';

/** A message the platform refused for good, as the `stepwise outbox` command lists it (no payload). */
export interface FailedMessage {
  id: string;
  createdAt: Date;
  /** The transfer's reference, when the message belongs to one. */
  ref: string | null;
  kind: string;
  target: Record<string, unknown>;
  attempts: number;
  lastError: string | null;
}

/** How many messages are in each state. */
export interface OutboxCounts {
  /** Pending or being sent. */
  waiting: number;
  sent: number;
  failed: number;
}

export class PrismaOutboxStore implements OutboxStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * One statement: lease due messages to this worker a transfer at a time. A message is claimable only at the
   * head of its transfer's queue (no earlier message of the same transfer still waiting or being sent), so two
   * workers never hold messages of one transfer at once, and a transfer's messages go out in the order they
   * were written even across processes (its card before the thread reply that hangs off it). The due messages
   * queued behind each claimed head come with it.
   */
  async claimOutbox(now: Date, limit: number, leaseUntil: Date): Promise<OutboxMessage[]> {
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      WITH heads AS (
        SELECT o.id, o.transfer_id FROM outbox o
        WHERE o.status IN ('pending', 'sending') AND o.next_attempt_at <= ${now}::timestamptz
          AND (o.transfer_id IS NULL OR NOT EXISTS (
            SELECT 1 FROM outbox b
            WHERE b.transfer_id = o.transfer_id AND b.status IN ('pending', 'sending')
              AND (b.created_at, b.id) < (o.created_at, o.id)))
        ORDER BY o.next_attempt_at, o.created_at, o.id
        LIMIT ${limit}
        FOR UPDATE OF o SKIP LOCKED),
      followers AS (
        SELECT f.id FROM outbox f
        WHERE f.transfer_id IN (SELECT transfer_id FROM heads WHERE transfer_id IS NOT NULL)
          AND f.status = 'pending' AND f.next_attempt_at <= ${now}::timestamptz
          AND f.id NOT IN (SELECT id FROM heads)
          AND NOT EXISTS (
            SELECT 1 FROM outbox b
            WHERE b.transfer_id = f.transfer_id AND b.status = 'pending'
              AND b.next_attempt_at > ${now}::timestamptz AND (b.created_at, b.id) < (f.created_at, f.id))
        FOR UPDATE OF f SKIP LOCKED)
      UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ${leaseUntil}::timestamptz
      WHERE id IN (SELECT id FROM heads UNION ALL SELECT id FROM followers)
      RETURNING id, idempotency_key, transfer_id, kind, target, payload, attempts, created_at`;
    return rows
      .sort(
        (a, b) =>
          new Date(a.created_at).getTime() - new Date(b.created_at).getTime() || a.id.localeCompare(b.id),
      )
      .map((r) => ({
        id: r.id,
        idempotencyKey: r.idempotency_key,
        transferId: r.transfer_id,
        kind: r.kind,
        target: json(r.target),
        payload: json(r.payload),
        attempts: r.attempts,
      }));
  }

  /** Messages that belong to no transfer change (a refusal shown to one person); duplicates by key are ignored. */
  async enqueue(rows: NewOutbox[], now: Date): Promise<void> {
    if (!rows.length) return;
    await this.prisma.outbox.createMany({
      data: rows.map((o) => ({
        id: randomUUID(),
        ...o,
        target: o.target as object,
        payload: o.payload as object,
        status: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })),
      skipDuplicates: true,
    });
  }

  // Every write about a claimed message is fenced by its claim (status 'sending' with that lease): a worker whose
  // claim ran out and was taken over by another changes nothing.

  async renewLease(claim: Claim, until: Date): Promise<boolean> {
    const { count } = await this.prisma.outbox.updateMany({
      where: { id: claim.id, status: 'sending', nextAttemptAt: claim.leaseUntil },
      data: { nextAttemptAt: until },
    });
    return count > 0;
  }

  async markSent(claim: Claim, now: Date): Promise<void> {
    await this.prisma.outbox.updateMany({
      where: { id: claim.id, status: 'sending', nextAttemptAt: claim.leaseUntil },
      data: { status: 'sent', sentAt: now, lastError: null },
    });
  }

  async markRetry(claim: Claim, nextAttemptAt: Date, error: string): Promise<void> {
    await this.prisma.outbox.updateMany({
      where: { id: claim.id, status: 'sending', nextAttemptAt: claim.leaseUntil },
      data: { status: 'pending', nextAttemptAt, lastError: error.slice(0, 500) },
    });
  }

  async release(claims: Claim[], nextAttemptAt: Date): Promise<void> {
    for (const claim of claims)
      await this.prisma.outbox.updateMany({
        where: { id: claim.id, status: 'sending', nextAttemptAt: claim.leaseUntil },
        data: { status: 'pending', nextAttemptAt, attempts: { decrement: 1 } },
      });
  }

  async markFailed(claim: Claim, error: string): Promise<void> {
    await this.prisma.outbox.updateMany({
      where: { id: claim.id, status: 'sending', nextAttemptAt: claim.leaseUntil },
      data: { status: 'failed', lastError: error.slice(0, 500) },
    });
  }

  /**
   * Failed messages back in the queue, due at once and with their attempts counted afresh: for after the cause
   * is mended (a channel linked, the app installed, the directory corrected). A card renders the request as it
   * is when it is sent, and a transfer's messages still go in the order they were written. Returns how many.
   */
  async requeueFailed(which: FailedSelection, now: Date): Promise<number> {
    const where =
      which === 'all'
        ? {}
        : which === 'escalation'
          ? { target: { path: ['escalation'], equals: true } }
          : 'ids' in which
            ? { id: { in: which.ids } }
            : 'teamId' in which
              ? { target: { path: ['teamId'], equals: which.teamId } }
              : { target: { path: ['personId'], equals: which.personId } };
    const { count } = await this.prisma.outbox.updateMany({
      where: { ...where, status: 'failed' },
      data: { status: 'pending', attempts: 0, nextAttemptAt: now },
    });
    return count;
  }

  async counts(): Promise<OutboxCounts> {
    const groups = await this.prisma.outbox.groupBy({ by: ['status'], _count: { _all: true } });
    const n = (...statuses: string[]) =>
      groups.filter((g) => statuses.includes(g.status)).reduce((sum, g) => sum + g._count._all, 0);
    return { waiting: n('pending', 'sending'), sent: n('sent'), failed: n('failed') };
  }

  /** The most recent failed messages first, up to `limit`. */
  async failed(limit: number): Promise<FailedMessage[]> {
    const rows = await this.prisma.outbox.findMany({
      where: { status: 'failed' },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    const ids = [...new Set(rows.flatMap((r) => (r.transferId ? [r.transferId] : [])))];
    const numbers = new Map(
      (
        await this.prisma.transfer.findMany({
          where: { id: { in: ids } },
          select: { id: true, number: true },
        })
      ).map((t) => [t.id, t.number]),
    );
    return rows.map((r) => {
      const number = r.transferId ? numbers.get(r.transferId) : undefined;
      return {
        id: r.id,
        createdAt: r.createdAt,
        ref: number === undefined ? null : formatRef(number),
        kind: r.kind,
        target: json(r.target),
        attempts: r.attempts,
        lastError: r.lastError,
      };
    });
  }
}
