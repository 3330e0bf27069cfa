/** The outbox table behind the delivery worker (src/workflow/outbox.ts). */
import { randomUUID } from 'node:crypto';
import type { OutboxMessage, OutboxStore } from '../workflow/outbox.ts';
import type { NewOutbox } from '../workflow/ports.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

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

export class PrismaOutboxStore implements OutboxStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** One statement: lock due rows no other worker holds, and lease them to this one. */
  async claimOutbox(now: Date, limit: number, leaseUntil: Date): Promise<OutboxMessage[]> {
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>`
      UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ${leaseUntil}::timestamptz
      WHERE id IN (
        SELECT id FROM outbox
        WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${now}::timestamptz
        ORDER BY next_attempt_at, created_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
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

  async markSent(id: string, now: Date): Promise<void> {
    await this.prisma.outbox.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'sent', sentAt: now, lastError: null },
    });
  }

  async markRetry(id: string, nextAttemptAt: Date, error: string): Promise<void> {
    await this.prisma.outbox.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'pending', nextAttemptAt, lastError: error.slice(0, 500) },
    });
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.prisma.outbox.updateMany({
      where: { id, status: 'sending' },
      data: { status: 'failed', lastError: error.slice(0, 500) },
    });
  }
}
