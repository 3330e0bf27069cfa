/**
 * The workflow's store on Prisma (PGlite or PostgreSQL). A command reads its transfer in one statement and
 * writes everything in one more (change-statement.ts): the transfer row only at the version the command read
 * (optimistic concurrency), the audit event chained to the previous one under the chain head's lock.
 */
import { randomUUID } from 'node:crypto';
import type { FormValues } from '../domain/form.ts';
import type { TransferState } from '../domain/lifecycle.ts';
import type { Consent } from '../domain/rules.ts';
import type {
  Changes,
  DisputeRow,
  LoadedTransfer,
  MeetingRow,
  NewOutbox,
  NewTimer,
  NewTransfer,
  ProfileScope,
  SweepAction,
  TaskState,
  TimerKind,
  TimerRow,
  TransferFilter,
  TransferPatch,
  TransferRow,
  TransferStore,
} from '../workflow/ports.ts';
import { type ChangeWrite, changeStatement, transferJson } from './change-statement.ts';
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

/** A timestamp read as a Date (Prisma) or as JSON text (raw JSON reads). */
const dateOrNull = (v: unknown) => (v ? new Date(v as Date | string) : null);

/** Raw queries may hand JSON columns back as text (PGlite) or parsed (pg); both come out parsed. */
const parsed = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

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
    form: parsed<FormValues>(t.form),
    consent: parsed<Consent>(t.consent),
    flags: parsed<TransferRow['flags']>(t.flags),
    decision: parsed<TransferRow['decision']>(t.decision),
    allocation: parsed<TransferRow['allocation']>(t.allocation),
    pausedAt: dateOrNull(t.pausedAt),
    pausedMs: Number(t.pausedMs),
    createdAt: new Date(t.createdAt),
    submittedAt: dateOrNull(t.submittedAt),
    updatedAt: new Date(t.updatedAt),
    closedAt: dateOrNull(t.closedAt),
  };
}

/** A reference ("SW-000012", "12") or an id: the condition and its parameter. */
const whereRef = (refOrId: string) => (parseRef(refOrId) !== null ? 'number = $1::int' : 'id = $1::text');
const refKey = (refOrId: string) => parseRef(refOrId) ?? refOrId;

/** A transfer's meetings as a JSON array, oldest first. */
const meetingsOf = (transferId: string) =>
  `SELECT coalesce(json_agg(json_build_object('id', m.id, 'transferId', m.transfer_id, 'meetingKey', m.meeting_key, ` +
  `'label', m.label, 'status', m.status, 'dueBy', m.due_by, 'scheduledAt', m.scheduled_at, ` +
  `'proposedById', m.proposed_by_id, 'sequence', m.sequence, 'outcome', m.outcome) ORDER BY m.created_at), '[]') ` +
  `FROM meeting m WHERE m.transfer_id = ${transferId}`;

/** A transfer's open dispute (the newest) as a JSON object, or NULL. */
const openDisputeOf = (transferId: string) =>
  `SELECT json_build_object('id', d.id, 'transferId', d.transfer_id, 'openedById', d.opened_by_id, 'about', d.about, ` +
  `'reason', d.reason, 'ladder', d.ladder, 'stageIndex', d.stage_index, 'stageDueAt', d.stage_due_at, ` +
  `'status', d.status, 'resolution', d.resolution, 'createdAt', d.created_at, 'resolvedAt', d.resolved_at) ` +
  `FROM dispute d WHERE d.transfer_id = ${transferId} AND d.status = 'open' ORDER BY d.created_at DESC LIMIT 1`;

/** A transfer's tasks (their deadline timers) as a JSON array, soonest first. */
const tasksOf = (transferId: string) =>
  `SELECT coalesce(json_agg(json_build_object('task', tm.payload->>'task', 'status', tm.status, 'dueAt', tm.due_at) ` +
  `ORDER BY tm.due_at), '[]') FROM timer tm WHERE tm.transfer_id = ${transferId} AND tm.kind = 'task_due'`;

function meetingFrom(m: Record<string, unknown>): MeetingRow {
  return {
    ...(m as unknown as MeetingRow),
    dueBy: dateOrNull(m.dueBy),
    scheduledAt: dateOrNull(m.scheduledAt),
  };
}

function disputeFrom(d: Record<string, unknown>): DisputeRow {
  return {
    ...(d as unknown as DisputeRow),
    about: d.about === 'delay' ? 'delay' : 'decision',
    stageDueAt: dateOrNull(d.stageDueAt),
    createdAt: new Date(d.createdAt as string),
    resolvedAt: dateOrNull(d.resolvedAt),
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
    return (await this.load(refOrId, {}))?.transfer ?? null;
  }

  async load(
    refOrId: string,
    what: { meetings?: boolean; dispute?: boolean; tasks?: boolean },
  ): Promise<LoadedTransfer | null> {
    // Raw SQL, one JSON value: the read every command starts with, without the query compiler's cost.
    const rows = await this.db.$queryRawUnsafe<{ j: unknown }[]>(
      `SELECT json_build_object('t', ${transferJson}` +
        (what.meetings ? `, 'meetings', (${meetingsOf('t.id')})` : '') +
        (what.dispute ? `, 'dispute', (${openDisputeOf('t.id')})` : '') +
        (what.tasks ? `, 'tasks', (${tasksOf('t.id')})` : '') +
        `) AS j FROM transfer t WHERE ${whereRef(refOrId)}`,
      refKey(refOrId),
    );
    if (!rows[0]) return null;
    const j = parsed<{
      t: TransferModel;
      meetings?: Record<string, unknown>[];
      dispute?: Record<string, unknown>;
      tasks?: { task: string; status: TaskState['status']; dueAt: string }[];
    }>(rows[0].j);
    return {
      transfer: toRow(j.t),
      meetings: (j.meetings ?? []).map(meetingFrom),
      dispute: j.dispute ? disputeFrom(j.dispute) : null,
      tasks: (j.tasks ?? []).map((x) => ({ ...x, dueAt: new Date(x.dueAt) })),
    };
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
    const [row] = await this.db.$queryRawUnsafe<[{ list: unknown }]>(
      `SELECT (${meetingsOf('$1::text')}) AS list`,
      transferId,
    );
    return parsed<Record<string, unknown>[]>(row.list).map(meetingFrom);
  }

  async openDispute(transferId: string): Promise<DisputeRow | null> {
    const [row] = await this.db.$queryRawUnsafe<[{ d: unknown }]>(
      `SELECT (${openDisputeOf('$1::text')}) AS d`,
      transferId,
    );
    return row.d ? disputeFrom(parsed(row.d)) : null;
  }

  async lastStepDown(profileId: string, childKey: string, since: Date): Promise<TransferRow | null> {
    const rows = await this.db.transfer.findMany({
      where: {
        profileId,
        childKey,
        kind: 'step-down',
        state: {
          in: ['accepted', 'allocated', 'handover_scheduled', 'handover_done', 'closed', 'advice_only'],
        },
      },
      orderBy: { number: 'desc' },
      take: 5,
    });
    // Accepted, or stepped down with advice only (Manchester 3.8.1: a Level 3 step-down the Early Help social
    // worker supports with advice, without allocation).
    const stepped = rows
      .map(toRow)
      .find(
        (t) =>
          (t.decision?.action === 'accept' || t.decision?.action === 'advice_only') &&
          new Date(t.decision.at) >= since,
      );
    return stepped ?? null;
  }

  async create(
    row: NewTransfer,
    changes: Changes,
    outbox?: (created: TransferRow) => NewOutbox[],
  ): Promise<TransferRow> {
    // The reference is taken first: the messages carry it. A number left unused by a failed write is a gap in
    // the references, nothing more.
    const [{ n }] = await this.db.$queryRawUnsafe<[{ n: number }]>(
      `SELECT nextval(pg_get_serial_sequence('transfer', 'number'))::int AS n`,
    );
    const created: TransferRow = { ...row, number: n, ref: formatRef(n) };
    const written = await this.write({
      transfer: { insert: { ...row, number: n } },
      transferId: row.id,
      audit: { ...changes.audit, transferId: row.id },
      changes: { ...changes, outbox: [...(changes.outbox ?? []), ...(outbox?.(created) ?? [])] },
      stamp: changes.audit.at,
    });
    if (!written) throw new Error(`transfer ${created.ref} was not written`);
    return created;
  }

  async update(current: TransferRow, patch: TransferPatch, changes: Changes): Promise<TransferRow | null> {
    const at = changes.audit.at;
    const written = await this.write({
      transfer: { update: { id: current.id, expectedVersion: current.version, patch, at } },
      transferId: current.id,
      audit: { ...changes.audit, transferId: current.id },
      changes,
      stamp: at,
    });
    // The row as written is the row as read with the patch: returning it from the database would cost a wide
    // row's transfer and parsing on every command.
    if (!written) return null;
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return { ...current, ...set, version: current.version + 1, updatedAt: at };
  }

  /** One change in one statement (see change-statement.ts): whether it was written. */
  private async write(w: ChangeWrite): Promise<boolean> {
    const { sql, params } = changeStatement(w);
    const rows = await this.db.$queryRawUnsafe<unknown[]>(sql, ...params);
    return rows.length > 0;
  }

  // ---- timers ---------------------------------------------------------------------------------------------

  /**
   * Claims up to `limit` due timers, oldest first, skipping rows another sweeper holds. Call in a transaction.
   * The audit chain's head is locked first, as every command's statement does, so the sweep and commands queue
   * in one order (head, then rows) and cannot deadlock on each other's rows.
   */
  async claimDue(now: Date, limit: number, on: ProfileScope): Promise<TimerRow[]> {
    await this.db.$queryRawUnsafe('SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE');
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
        AND (transfer_id IS NULL OR EXISTS (
          SELECT 1 FROM transfer t WHERE t.id = timer.transfer_id AND t.profile_id = ${on.profileId}
            AND t.route_id = ANY(${[...on.routeIds]}::text[])))
      ORDER BY due_at, id LIMIT ${limit} FOR UPDATE OF timer SKIP LOCKED`;
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

  /** Applies a handled timer's writes and marks it done, in one statement in the caller's transaction. */
  async finishTimer(timer: TimerRow, action: SweepAction, now: Date): Promise<boolean> {
    const { audit, reschedule, transfer, outbox, timers, dispute } = action;
    const { sql, params } = changeStatement({
      ...(transfer
        ? {
            transfer: {
              update: {
                id: transfer.id,
                expectedVersion: transfer.expectedVersion,
                patch: transfer.patch,
                at: now,
              },
            },
          }
        : {}),
      transferId: timer.transferId,
      ...(audit ? { audit } : {}),
      changes: { outbox, timers, dispute },
      stamp: now,
      timer: {
        id: timer.id,
        ...(reschedule ? { reschedule } : {}),
        ...(action.failed ? { failed: true } : {}),
      },
    });
    return (await this.db.$queryRawUnsafe<unknown[]>(sql, ...params)).length > 0;
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

  /** Open requests outside the scope: made under another protocol, which this server can show but not work on. */
  async countOpenOutside(on: ProfileScope): Promise<number> {
    return this.db.transfer.count({
      where: {
        state: { notIn: ['closed', 'withdrawn'] },
        NOT: { profileId: on.profileId, routeId: { in: [...on.routeIds] } },
      },
    });
  }

  /**
   * Deadlines passed and not met on open transfers: timers due before `now` that fired or wait to fire and
   * were never settled. The caller checks each against the transfer's current state.
   */
  async outstanding(
    now: Date,
    kinds: TimerKind[],
    on: ProfileScope,
  ): Promise<{ timer: TimerRow; transfer: TransferRow }[]> {
    const rows = await this.db.timer.findMany({
      where: {
        kind: { in: kinds },
        // A timer the sweep set aside (failed) is still overdue, and is listed like the others.
        status: { in: ['pending', 'done', 'failed'] },
        dueAt: { lt: now },
        transfer: {
          state: { notIn: ['closed', 'withdrawn'] },
          profileId: on.profileId,
          routeId: { in: [...on.routeIds] },
        },
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
