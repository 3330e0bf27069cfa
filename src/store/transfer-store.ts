/**
 * The workflow's store on Prisma (PGlite or PostgreSQL). A command's writes go in one transaction; the
 * transfer row is updated only at the version the command read (optimistic concurrency), and the audit
 * event is chained to the previous one by a single statement that locks the chain's head row.
 */
import { randomUUID } from 'node:crypto';
import { auditPayload } from '../domain/audit.ts';
import type { FormValues } from '../domain/form.ts';
import type { TransferState } from '../domain/lifecycle.ts';
import type { Ladder } from '../domain/profile.ts';
import type { Consent } from '../domain/rules.ts';
import type {
  Changes,
  DisputeRow,
  MeetingRow,
  NewOutbox,
  NewTimer,
  NewTransfer,
  SweepAction,
  TimerKind,
  TimerRow,
  TransferFilter,
  TransferPatch,
  TransferRow,
  TransferStore,
} from '../workflow/ports.ts';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';

type Client = PrismaClient | Prisma.TransactionClient;
type TransferModel = Prisma.TransferGetPayload<object>;
const json = (v: unknown) => v as Prisma.InputJsonValue;

export function formatRef(n: number): string {
  return `SW-${String(n).padStart(6, '0')}`;
}

/** "SW-000012", "sw-12" and "12" all name transfer 12. */
export function parseRef(text: string): number | null {
  const m = /^(?:SW-?)?(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

function toRow(t: TransferModel): TransferRow {
  return {
    id: t.id,
    number: t.number,
    ref: formatRef(t.number),
    profileId: t.profileId,
    routeId: t.routeId,
    kind: t.kind,
    fromLevel: t.fromLevel,
    toLevel: t.toLevel,
    sendingTeamId: t.sendingTeamId,
    receivingTeamId: t.receivingTeamId,
    requesterId: t.requesterId,
    state: t.state as TransferState,
    version: t.version,
    holder: t.holder as TransferRow['holder'],
    childKey: t.childKey,
    childInitials: t.childInitials,
    childAgeBand: t.childAgeBand,
    form: t.form as FormValues,
    consent: t.consent as Consent,
    flags: t.flags as unknown as TransferRow['flags'],
    decision: t.decision as unknown as TransferRow['decision'],
    allocation: t.allocation as unknown as TransferRow['allocation'],
    pausedAt: t.pausedAt,
    pausedMs: Number(t.pausedMs),
    createdAt: t.createdAt,
    submittedAt: t.submittedAt,
    updatedAt: t.updatedAt,
    closedAt: t.closedAt,
  };
}

function patchData(patch: TransferPatch): Prisma.TransferUpdateManyMutationInput {
  const { decision, allocation, form, flags, pausedMs, ...rest } = patch;
  return {
    ...rest,
    ...(decision !== undefined ? { decision: decision === null ? (null as never) : json(decision) } : {}),
    ...(allocation !== undefined
      ? { allocation: allocation === null ? (null as never) : json(allocation) }
      : {}),
    ...(form !== undefined ? { form: json(form) } : {}),
    ...(flags !== undefined ? { flags: json(flags) } : {}),
    ...(pausedMs !== undefined ? { pausedMs: BigInt(pausedMs) } : {}),
  };
}

export class PrismaTransferStore implements TransferStore {
  constructor(
    private readonly db: Client,
    private readonly inTransaction = false,
  ) {}

  /** Runs `fn` with a store bound to one transaction (used by the timer sweep). */
  async transaction<T>(fn: (store: PrismaTransferStore) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return (this.db as PrismaClient).$transaction((tx) => fn(new PrismaTransferStore(tx, true)), {
      timeout: 30_000,
      maxWait: 30_000,
    });
  }

  async find(refOrId: string): Promise<TransferRow | null> {
    const n = parseRef(refOrId);
    const t =
      n !== null
        ? await this.db.transfer.findUnique({ where: { number: n } })
        : await this.db.transfer.findUnique({ where: { id: refOrId } });
    return t ? toRow(t) : null;
  }

  async list(filter: TransferFilter): Promise<TransferRow[]> {
    const or: Prisma.TransferWhereInput[] = [];
    if (filter.teamIds?.length) {
      or.push({ sendingTeamId: { in: filter.teamIds } }, { receivingTeamId: { in: filter.teamIds } });
    }
    if (filter.requesterId) or.push({ requesterId: filter.requesterId });
    const rows = await this.db.transfer.findMany({
      where: {
        ...(or.length ? { OR: or } : {}),
        ...(filter.states ? { state: { in: filter.states } } : {}),
        ...(filter.receivingTeamIds ? { receivingTeamId: { in: filter.receivingTeamIds } } : {}),
        ...(filter.kinds ? { kind: { in: filter.kinds } } : {}),
        ...(filter.childKey ? { childKey: filter.childKey } : {}),
        ...(filter.profileId ? { profileId: filter.profileId } : {}),
      },
      orderBy: { number: 'desc' },
      take: filter.limit ?? 50,
    });
    return rows.map(toRow);
  }

  async meetings(transferId: string): Promise<MeetingRow[]> {
    const rows = await this.db.meeting.findMany({ where: { transferId }, orderBy: { createdAt: 'asc' } });
    return rows.map((m) => ({
      id: m.id,
      transferId: m.transferId,
      meetingKey: m.meetingKey,
      label: m.label,
      status: m.status as MeetingRow['status'],
      dueBy: m.dueBy,
      scheduledAt: m.scheduledAt,
      proposedById: m.proposedById,
      sequence: m.sequence,
      outcome: m.outcome as MeetingRow['outcome'],
    }));
  }

  async openDispute(transferId: string): Promise<DisputeRow | null> {
    const d = await this.db.dispute.findFirst({
      where: { transferId, status: 'open' },
      orderBy: { createdAt: 'desc' },
    });
    if (!d) return null;
    return {
      id: d.id,
      transferId: d.transferId,
      openedById: d.openedById,
      about: d.about === 'delay' ? 'delay' : 'decision',
      reason: d.reason,
      ladder: d.ladder as unknown as Ladder,
      stageIndex: d.stageIndex,
      stageDueAt: d.stageDueAt,
      status: d.status as DisputeRow['status'],
      resolution: d.resolution as DisputeRow['resolution'],
      createdAt: d.createdAt,
      resolvedAt: d.resolvedAt,
    };
  }

  async lastStepDown(profileId: string, childKey: string, since: Date): Promise<TransferRow | null> {
    const rows = await this.db.transfer.findMany({
      where: {
        profileId,
        childKey,
        kind: 'step-down',
        state: { in: ['accepted', 'allocated', 'handover_scheduled', 'handover_done', 'closed'] },
      },
      orderBy: { number: 'desc' },
      take: 5,
    });
    const stepped = rows
      .map(toRow)
      .find((t) => t.decision?.action === 'accept' && new Date(t.decision.at) >= since);
    return stepped ?? null;
  }

  async create(
    row: NewTransfer,
    changes: Changes,
    outbox?: (created: TransferRow) => NewOutbox[],
  ): Promise<TransferRow> {
    return this.transaction(async (s) => {
      const created = toRow(
        await s.db.transfer.create({
          data: {
            ...row,
            form: json(row.form),
            consent: json(row.consent),
            flags: json(row.flags),
            decision: undefined,
            allocation: undefined,
            pausedMs: BigInt(row.pausedMs),
          },
        }),
      );
      await s.apply(created.id, {
        ...changes,
        outbox: [...(changes.outbox ?? []), ...(outbox?.(created) ?? [])],
      });
      return created;
    });
  }

  async update(
    id: string,
    expectedVersion: number,
    patch: TransferPatch,
    changes: Changes,
  ): Promise<TransferRow | null> {
    return this.transaction(async (s) => {
      let updated: TransferModel;
      try {
        updated = await s.db.transfer.update({
          where: { id, version: expectedVersion },
          data: { ...patchData(patch), version: { increment: 1 }, updatedAt: changes.audit.at },
        });
      } catch (e) {
        if ((e as { code?: string }).code === 'P2025') return null; // someone else changed it first
        throw e;
      }
      await s.apply(id, changes);
      return toRow(updated);
    });
  }

  /** Writes everything a change carries besides the transfer row. */
  async apply(transferId: string | null, c: Partial<Changes>, when?: Date): Promise<void> {
    // Rows are stamped with the change's time (the audit event's, or the sweep's injected now): never the clock.
    const stamp = when ?? c.audit?.at ?? new Date();
    if (c.audit) await this.appendAudit({ ...c.audit, transferId });
    if (c.settleTimers && transferId) {
      const { keys, kinds, status } = c.settleTimers;
      await this.db.timer.updateMany({
        where: {
          transferId,
          // A timer that already fired (done) is settled too: met late, or made moot.
          status: { in: ['pending', 'done'] },
          OR: [...(keys ? [{ key: { in: keys } }] : []), ...(kinds ? [{ kind: { in: kinds } }] : [])],
        },
        data: { status, doneAt: c.audit?.at ?? null },
      });
    }
    if (c.meetings?.length) {
      await this.db.meeting.createMany({
        data: c.meetings.map((m) => ({
          ...m,
          outcome: m.outcome ? json(m.outcome) : undefined,
          createdAt: stamp,
          updatedAt: stamp,
        })),
      });
    }
    for (const m of c.meetingUpdates ?? []) {
      await this.db.meeting.update({
        where: { id: m.id },
        data: {
          status: m.status,
          scheduledAt: m.scheduledAt,
          proposedById: m.proposedById,
          sequence: m.sequence,
          outcome: m.outcome ? json(m.outcome) : undefined,
          updatedAt: stamp,
        },
      });
    }
    if (c.dispute?.insert) {
      const d = c.dispute.insert;
      await this.db.dispute.create({
        data: { ...d, ladder: json(d.ladder), resolution: d.resolution ? json(d.resolution) : undefined },
      });
    }
    if (c.dispute?.update) {
      const { id, resolution, ...rest } = c.dispute.update;
      await this.db.dispute.update({
        where: { id },
        data: { ...rest, resolution: resolution ? json(resolution) : undefined },
      });
    }
    if (c.timers?.length) {
      await this.db.timer.createMany({
        data: c.timers.map((t) => ({
          id: randomUUID(),
          ...t,
          globalKey: t.transferId ? null : t.key,
          payload: json(t.payload),
          status: 'pending',
          createdAt: stamp,
        })),
        skipDuplicates: true,
      });
    }
    if (c.outbox?.length) {
      await this.db.outbox.createMany({
        // A change's messages share created_at; the id's prefix keeps the order they were written in (the card
        // before the thread reply that hangs off it), which is the order the outbox hands them out.
        data: c.outbox.map((o, i) => ({
          id: `${String(i).padStart(4, '0')}-${randomUUID()}`,
          ...o,
          target: json(o.target),
          payload: json(o.payload),
          status: 'pending',
          nextAttemptAt: stamp,
          createdAt: stamp,
        })),
        skipDuplicates: true,
      });
    }
  }

  /**
   * Appends one audit event in one statement: the CTE locks the head row, so concurrent writers queue and the
   * chain never forks; the hash is SHA-256 over the previous hash and the event's canonical text, exactly as
   * src/domain/audit.ts recomputes it for `stepwise audit verify`.
   */
  async appendAudit(e: Changes['audit'] & { transferId: string | null }): Promise<void> {
    const payload = auditPayload(e);
    await this.db.$executeRaw`
      WITH head AS (SELECT hash FROM audit_head WHERE id = 1 FOR UPDATE),
      ins AS (
        INSERT INTO audit_event (id, transfer_id, actor_id, surface, action, at, data, prev_hash, hash)
        SELECT ${e.id}, ${e.transferId}, ${e.actorId}, ${e.surface}, ${e.action}, ${e.at}::timestamptz,
               ${JSON.stringify(e.data)}::jsonb, head.hash,
               encode(sha256(convert_to(head.hash || ${payload}, 'UTF8')), 'hex')
        FROM head
        RETURNING seq, hash
      )
      UPDATE audit_head SET seq = ins.seq, hash = ins.hash FROM ins WHERE audit_head.id = 1`;
  }

  // ---- timers ---------------------------------------------------------------------------------------------

  /** Claims up to `limit` due timers, oldest first, skipping rows another sweeper holds. Call in a transaction. */
  async claimDue(now: Date, limit: number): Promise<TimerRow[]> {
    const rows = await this.db.$queryRaw<
      {
        id: string;
        transfer_id: string | null;
        kind: string;
        key: string;
        due_at: Date;
        status: string;
        occurrence: number;
        payload: unknown;
      }[]
    >`SELECT id, transfer_id, kind, key, due_at, status, occurrence, payload FROM timer
      WHERE status = 'pending' AND due_at <= ${now}::timestamptz
      ORDER BY due_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    return rows.map((r) => ({
      id: r.id,
      transferId: r.transfer_id,
      kind: r.kind as TimerRow['kind'],
      key: r.key,
      dueAt: new Date(r.due_at),
      status: 'pending',
      occurrence: r.occurrence,
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    }));
  }

  /** Applies a handled timer's writes and marks it done, in the caller's transaction. */
  async finishTimer(timer: TimerRow, action: SweepAction, now: Date): Promise<boolean> {
    if (action.transfer) {
      const { count } = await this.db.transfer.updateMany({
        where: { id: action.transfer.id, version: action.transfer.expectedVersion },
        data: { ...patchData(action.transfer.patch), version: { increment: 1 }, updatedAt: now },
      });
      if (count === 0) return false;
    }
    const { audit, reschedule: _again, ...rest } = action;
    if (audit) await this.appendAudit(audit);
    await this.apply(timer.transferId, { ...rest, ...(rest.dispute ? { dispute: rest.dispute } : {}) }, now);
    await this.db.timer.update({
      where: { id: timer.id },
      data: action.reschedule
        ? {
            dueAt: action.reschedule.dueAt,
            occurrence: { increment: 1 },
            ...(action.reschedule.payload ? { payload: json(action.reschedule.payload) } : {}),
          }
        : { status: 'done', doneAt: now },
    });
    return true;
  }

  /** Creates the recurring timers that belong to no transfer (digests) unless they exist already. */
  async ensureGlobalTimers(timers: NewTimer[], now: Date): Promise<void> {
    if (!timers.length) return;
    await this.db.timer.createMany({
      data: timers.map((t) => ({
        id: randomUUID(),
        ...t,
        transferId: null,
        globalKey: t.key,
        payload: json(t.payload),
        status: 'pending',
        createdAt: now,
      })),
      skipDuplicates: true,
    });
  }

  /**
   * Deadlines passed and not met on open transfers: timers due before `now` that fired or wait to fire and
   * were never settled. The caller checks each against the transfer's current state.
   */
  async outstanding(now: Date, kinds: TimerKind[]): Promise<{ timer: TimerRow; transfer: TransferRow }[]> {
    const rows = await this.db.timer.findMany({
      where: {
        kind: { in: kinds },
        status: { in: ['pending', 'done'] },
        dueAt: { lt: now },
        transfer: { state: { notIn: ['closed', 'withdrawn'] } },
      },
      include: { transfer: true },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      take: 5000,
    });
    return rows.flatMap((r) =>
      r.transfer
        ? [
            {
              timer: {
                id: r.id,
                transferId: r.transferId,
                kind: r.kind as TimerKind,
                key: r.key,
                dueAt: r.dueAt,
                status: r.status as TimerRow['status'],
                occurrence: r.occurrence,
                payload: r.payload as Record<string, unknown>,
              },
              transfer: toRow(r.transfer),
            },
          ]
        : [],
    );
  }
}
