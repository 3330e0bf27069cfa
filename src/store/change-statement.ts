/**
 * Everything one change writes (the transfer row, its audit event, timers, meetings, dispute, outbox rows) as a
 * single SQL statement of data-modifying CTEs. One statement is atomic on its own, so a command costs one round
 * trip instead of BEGIN, one statement per table and COMMIT.
 *
 * Written by hand because no query builder we use does this: Prisma's client sends one statement per model call
 * (inside an interactive transaction), and a general SQL builder would add a dependency for this one statement.
 *
 * Rules the statement keeps:
 * - Every write is gated on the transfer's write: an update that finds the row at another version (someone changed
 *   it first) writes nothing at all, and the statement returns no row.
 * - The audit chain's head row is locked before the transfer row, and the timer sweep locks it first too
 *   (`claimDue` in transfer-store.ts), so writers always queue in the same order and never deadlock.
 * - All CTEs see the same snapshot, so no part reads what another writes; the only overlaps are settled timers
 *   and new timers with the same key, where the new one is skipped (ON CONFLICT DO NOTHING), as before.
 */
import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../domain/audit.ts';
import { auditPayload } from '../domain/audit.ts';
import type { Changes, NewTransfer, TransferPatch } from '../workflow/ports.ts';

type Cast = 'text' | 'int' | 'bigint' | 'timestamptz' | 'jsonb';

/** Positional parameters with explicit casts, so drivers never have to guess a type. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: Cast): string {
    if (value === undefined || value === null) {
      this.values.push(null);
    } else if (cast === 'jsonb') {
      this.values.push(JSON.stringify(value));
    } else if (cast === 'timestamptz') {
      this.values.push((value as Date).toISOString());
    } else if (cast === 'bigint') {
      this.values.push(String(value));
    } else {
      this.values.push(value);
    }
    return `$${this.values.length}::${cast}`;
  }
}

/** The transfer's fields: column and cast. */
const transferColumns = {
  id: ['id', 'text'],
  number: ['number', 'int'],
  profileId: ['profile_id', 'text'],
  routeId: ['route_id', 'text'],
  kind: ['kind', 'text'],
  fromLevel: ['from_level', 'text'],
  toLevel: ['to_level', 'text'],
  sendingTeamId: ['sending_team_id', 'text'],
  receivingTeamId: ['receiving_team_id', 'text'],
  requesterId: ['requester_id', 'text'],
  state: ['state', 'text'],
  version: ['version', 'int'],
  holder: ['holder', 'text'],
  childKey: ['child_key', 'text'],
  childInitials: ['child_initials', 'text'],
  childAgeBand: ['child_age_band', 'text'],
  form: ['form', 'jsonb'],
  consent: ['consent', 'jsonb'],
  flags: ['flags', 'jsonb'],
  decision: ['decision', 'jsonb'],
  allocation: ['allocation', 'jsonb'],
  pausedAt: ['paused_at', 'timestamptz'],
  pausedMs: ['paused_ms', 'bigint'],
  createdAt: ['created_at', 'timestamptz'],
  submittedAt: ['submitted_at', 'timestamptz'],
  updatedAt: ['updated_at', 'timestamptz'],
  closedAt: ['closed_at', 'timestamptz'],
} as const satisfies Record<string, readonly [string, Cast]>;
type TransferField = keyof typeof transferColumns;

/**
 * The transfer row `t` as one JSON object keyed by field name. Read as one JSON value, a row costs the embedded
 * database's client a third less than 27 typed columns; the store turns its timestamps back into dates.
 */
export const transferJson = `json_build_object(${Object.entries(transferColumns)
  .map(([field, [column]]) => `'${field}', t.${column}`)
  .join(', ')})`;

const timerColumns =
  'id, transfer_id, kind, key, due_at, status, occurrence, global_key, payload, created_at';
const outboxColumns =
  'id, idempotency_key, transfer_id, kind, target, payload, status, attempts, next_attempt_at, created_at';
const meetingColumns =
  'id, transfer_id, meeting_key, label, status, due_by, scheduled_at, proposed_by_id, sequence, outcome, created_at, updated_at';

/** Rows as one JSON array parameter, expanded in SQL: the statement's text is the same whatever their number. */
function rowsFrom(p: Params, table: string, columns: string, rows: Record<string, unknown>[]): string {
  return `SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, ${p.add(rows, 'jsonb')})`;
}

export type TransferWrite =
  | { insert: NewTransfer & { number: number } }
  | { update: { id: string; expectedVersion: number; patch: TransferPatch; at: Date } };

export interface ChangeWrite {
  transfer?: TransferWrite;
  /** The transfer the rest belongs to (timers settled on it, meetings and outbox rows of it). */
  transferId: string | null;
  audit?: AuditEntry;
  changes: Omit<Partial<Changes>, 'audit'>;
  /** Rows are stamped with the change's time, never the clock. */
  stamp: Date;
  /** A timer the sweep handled: rescheduled, or marked done (or failed, when it could not be handled). */
  timer?: {
    id: string;
    reschedule?: { dueAt: Date; payload?: Record<string, unknown> };
    failed?: boolean;
  };
}

/**
 * The statement and its parameters. It returns one row when it wrote, and no row when the transfer's update found
 * another version (so nothing was written).
 */
export function changeStatement(w: ChangeWrite): { sql: string; params: unknown[] } {
  const p = new Params();
  const ctes: string[] = [];
  const c = w.changes;
  const stamp = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  // The audit head comes first: its lock orders concurrent writers.
  if (w.audit) ctes.push('head AS (SELECT hash FROM audit_head WHERE id = 1 FOR UPDATE)');

  let gate = '';
  let result = 'SELECT 1 AS ok';
  if (w.transfer && 'insert' in w.transfer) {
    const row = w.transfer.insert;
    const fields = Object.keys(transferColumns) as TransferField[];
    const values = fields.map((f) => p.add(row[f as keyof typeof row], transferColumns[f][1]));
    const afterHead = w.audit ? ' WHERE EXISTS (SELECT 1 FROM head)' : '';
    ctes.push(
      `tr AS (INSERT INTO transfer (${fields.map((f) => transferColumns[f][0]).join(', ')}) ` +
        `SELECT ${values.join(', ')}${afterHead} RETURNING id)`,
    );
    gate = ' WHERE EXISTS (SELECT 1 FROM tr)';
    result = 'SELECT 1 AS ok FROM tr';
  } else if (w.transfer) {
    const { id, expectedVersion, patch, at } = w.transfer.update;
    const sets = (Object.keys(patch) as (keyof TransferPatch)[])
      .filter((f) => patch[f] !== undefined)
      .map((f) => {
        const [column, cast] = transferColumns[f];
        return `${column} = ${p.add(patch[f], cast)}`;
      });
    sets.push('version = version + 1', `updated_at = ${p.add(at, 'timestamptz')}`);
    const afterHead = w.audit ? ' AND EXISTS (SELECT 1 FROM head)' : '';
    ctes.push(
      `tr AS (UPDATE transfer SET ${sets.join(', ')} WHERE id = ${p.add(id, 'text')} ` +
        `AND version = ${p.add(expectedVersion, 'int')}${afterHead} RETURNING id)`,
    );
    gate = ' WHERE EXISTS (SELECT 1 FROM tr)';
    result = 'SELECT 1 AS ok FROM tr';
  }
  const and = gate ? ` AND EXISTS (SELECT 1 FROM tr)` : '';

  if (w.audit) {
    const a = w.audit;
    ctes.push(
      `ev AS (INSERT INTO audit_event (id, transfer_id, actor_id, surface, action, at, data, prev_hash, hash) ` +
        `SELECT ${p.add(a.id, 'text')}, ${p.add(a.transferId, 'text')}, ${p.add(a.actorId, 'text')}, ` +
        `${p.add(a.surface, 'text')}, ${p.add(a.action, 'text')}, ${p.add(a.at, 'timestamptz')}, ` +
        `${p.add(a.data ?? null, 'jsonb')}, head.hash, ` +
        `encode(sha256(convert_to(head.hash || ${p.add(auditPayload(a), 'text')}, 'UTF8')), 'hex') ` +
        `FROM head${gate} RETURNING seq, hash)`,
      'evh AS (UPDATE audit_head SET seq = ev.seq, hash = ev.hash FROM ev WHERE audit_head.id = 1)',
    );
  }

  if (c.settleTimers && w.transferId) {
    const { keys, kinds, status } = c.settleTimers;
    const which = [
      ...(keys?.length ? [`key IN (SELECT jsonb_array_elements_text(${p.add(keys, 'jsonb')}))`] : []),
      ...(kinds?.length ? [`kind IN (SELECT jsonb_array_elements_text(${p.add(kinds, 'jsonb')}))`] : []),
    ];
    if (which.length) {
      // A timer that already fired (done) is settled too: met late, or made moot.
      ctes.push(
        `settled AS (UPDATE timer SET status = ${p.add(status, 'text')}, done_at = ${p.add(w.audit?.at ?? null, 'timestamptz')} ` +
          `WHERE transfer_id = ${p.add(w.transferId, 'text')} AND status IN ('pending', 'done') ` +
          `AND (${which.join(' OR ')})${and})`,
      );
    }
  }

  if (c.meetings?.length) {
    const rows = c.meetings.map((m) => ({
      id: m.id,
      transfer_id: m.transferId,
      meeting_key: m.meetingKey,
      label: m.label,
      status: m.status,
      due_by: stamp(m.dueBy),
      scheduled_at: stamp(m.scheduledAt),
      proposed_by_id: m.proposedById,
      sequence: m.sequence,
      outcome: m.outcome ?? null,
      created_at: stamp(w.stamp),
      updated_at: stamp(w.stamp),
    }));
    ctes.push(
      `meetings_new AS (INSERT INTO meeting (${meetingColumns}) ${rowsFrom(p, 'meeting', meetingColumns, rows)}${gate})`,
    );
  }

  (c.meetingUpdates ?? []).forEach((m, i) => {
    const sets = [
      `status = ${p.add(m.status, 'text')}`,
      `updated_at = ${p.add(w.stamp, 'timestamptz')}`,
      ...(m.scheduledAt !== undefined ? [`scheduled_at = ${p.add(m.scheduledAt, 'timestamptz')}`] : []),
      ...(m.proposedById !== undefined ? [`proposed_by_id = ${p.add(m.proposedById, 'text')}`] : []),
      ...(m.sequence !== undefined ? [`sequence = ${p.add(m.sequence, 'int')}`] : []),
      // As before: an update without an outcome leaves the recorded one alone.
      ...(m.outcome ? [`outcome = ${p.add(m.outcome, 'jsonb')}`] : []),
    ];
    ctes.push(
      `meeting_${i} AS (UPDATE meeting SET ${sets.join(', ')} WHERE id = ${p.add(m.id, 'text')}${and})`,
    );
  });

  const dispute = c.dispute;
  if (dispute?.insert) {
    const d = dispute.insert;
    const values = [
      p.add(d.id, 'text'),
      p.add(d.transferId, 'text'),
      p.add(d.openedById, 'text'),
      p.add(d.about, 'text'),
      p.add(d.reason, 'text'),
      p.add(d.ladder, 'jsonb'),
      p.add(d.stageIndex, 'int'),
      p.add(d.stageDueAt, 'timestamptz'),
      p.add(d.status, 'text'),
      p.add(d.resolution ?? null, 'jsonb'),
      p.add(d.createdAt, 'timestamptz'),
      p.add(d.resolvedAt, 'timestamptz'),
    ];
    ctes.push(
      'dispute_new AS (INSERT INTO dispute (id, transfer_id, opened_by_id, about, reason, ladder, stage_index, ' +
        `stage_due_at, status, resolution, created_at, resolved_at) SELECT ${values.join(', ')}${gate})`,
    );
  }
  if (dispute?.update) {
    const d = dispute.update;
    const sets = [
      ...(d.stageIndex !== undefined ? [`stage_index = ${p.add(d.stageIndex, 'int')}`] : []),
      ...(d.stageDueAt !== undefined ? [`stage_due_at = ${p.add(d.stageDueAt, 'timestamptz')}`] : []),
      ...(d.status !== undefined ? [`status = ${p.add(d.status, 'text')}`] : []),
      ...(d.resolvedAt !== undefined ? [`resolved_at = ${p.add(d.resolvedAt, 'timestamptz')}`] : []),
      ...(d.resolution ? [`resolution = ${p.add(d.resolution, 'jsonb')}`] : []),
    ];
    if (sets.length) {
      ctes.push(
        `dispute_set AS (UPDATE dispute SET ${sets.join(', ')} WHERE id = ${p.add(d.id, 'text')}${and})`,
      );
    }
  }

  if (c.timers?.length) {
    const rows = c.timers.map((t) => ({
      id: randomUUID(),
      transfer_id: t.transferId,
      kind: t.kind,
      key: t.key,
      due_at: stamp(t.dueAt),
      status: 'pending',
      occurrence: 0,
      global_key: t.transferId ? null : t.key,
      payload: t.payload,
      created_at: stamp(w.stamp),
    }));
    ctes.push(
      `timers_new AS (INSERT INTO timer (${timerColumns}) ${rowsFrom(p, 'timer', timerColumns, rows)}${gate} ` +
        'ON CONFLICT DO NOTHING)',
    );
  }

  if (c.outbox?.length) {
    // A change's messages share created_at; the id's prefix keeps the order they were written in (the card
    // before the thread reply that hangs off it), which is the order the outbox hands them out.
    const rows = c.outbox.map((o, i) => ({
      id: `${String(i).padStart(4, '0')}-${randomUUID()}`,
      idempotency_key: o.idempotencyKey,
      transfer_id: o.transferId,
      kind: o.kind,
      target: o.target,
      payload: o.payload,
      status: 'pending',
      attempts: 0,
      next_attempt_at: stamp(w.stamp),
      created_at: stamp(w.stamp),
    }));
    ctes.push(
      `outbox_new AS (INSERT INTO outbox (${outboxColumns}) ${rowsFrom(p, 'outbox', outboxColumns, rows)}${gate} ` +
        'ON CONFLICT DO NOTHING)',
    );
  }

  if (w.timer) {
    const { id, reschedule, failed } = w.timer;
    const set = reschedule
      ? [
          `due_at = ${p.add(reschedule.dueAt, 'timestamptz')}`,
          'occurrence = occurrence + 1',
          ...(reschedule.payload ? [`payload = ${p.add(reschedule.payload, 'jsonb')}`] : []),
        ]
      : [`status = '${failed ? 'failed' : 'done'}'`, `done_at = ${p.add(w.stamp, 'timestamptz')}`];
    ctes.push(`timer_done AS (UPDATE timer SET ${set.join(', ')} WHERE id = ${p.add(id, 'text')}${and})`);
  }

  const sql = ctes.length ? `WITH ${ctes.join(',\n')}\n${result}` : result;
  return { sql, params: p.values };
}
