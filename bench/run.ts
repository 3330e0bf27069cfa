/**
 * `npm run bench` (through scripts/bench.mjs, which starts a throwaway PostgreSQL and sets STEPWISE_BENCH_PG_URL).
 * Runs on its own too: `npx tsx bench/run.ts` (PGlite only unless STEPWISE_BENCH_PG_URL is set).
 *
 *  a. a bare single-row insert (prisma.team.create), the yardstick; one is also timed before every run of b;
 *  b. every workflow command, each on fresh transfers brought to the right state outside the timed region;
 *  c. the timer sweep: 1,000 due timers among 1,000 open transfers, and among 100,000;
 *  d. the idle server's memory (RSS of `stepwise serve`).
 *
 * Figures only: a missed target is reported, never a failure. Results also go to test-output/bench.json.
 *
 * Settings (environment): STEPWISE_BENCH_N (timed runs per measurement, default 200), STEPWISE_BENCH_WARMUP
 * (default 20), STEPWISE_BENCH_SWEEP_OPEN (open transfers of the large sweep, default 100000),
 * STEPWISE_BENCH_FILE_PGLITE=0 (skip file-backed PGlite), STEPWISE_BENCH_SQL=1 (print the statements of every
 * command, not only of those that miss a target).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, openMigratedDatabase } from '../src/store/database.ts';
import type { PrismaTransferStore } from '../src/store/transfer-store.ts';
import { sweepDueTimers } from '../src/workflow/sweep.ts';
import type { TransferWorkflow } from '../src/workflow/transfers.ts';
import { hackneyWorkflow, monday, stepUpToMash } from '../test/support/hackney-fixture.ts';
import { createPostgresDatabase } from '../test/support/postgres-database.ts';
import { quantile } from './stats.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const intEnv = (name: string, fallback: number) => {
  const n = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const RUNS = intEnv('STEPWISE_BENCH_N', 200);
const WARMUP = intEnv('STEPWISE_BENCH_WARMUP', 20);
const SWEEP_DUE = 1000;
const SWEEP_OPEN_LARGE = intEnv('STEPWISE_BENCH_SWEEP_OPEN', 100_000);
const FILE_PGLITE = process.env.STEPWISE_BENCH_FILE_PGLITE !== '0';
const PRINT_ALL_SQL = process.env.STEPWISE_BENCH_SQL === '1';
/** STEPWISE_BENCH_PARTS=commands,sweep,memory (default all): which of b, c and d to run. */
const PARTS = new Set(
  (process.env.STEPWISE_BENCH_PARTS || 'commands,sweep,memory').split(',').map((p) => p.trim()),
);
const pgUrl = process.env.STEPWISE_BENCH_PG_URL || undefined;
const pgNote = process.env.STEPWISE_BENCH_PG_NOTE || (pgUrl ? 'the server at STEPWISE_BENCH_PG_URL' : '');

const TARGET = { ratio: 5, statements: 10, sweepRatio: 1.5, idleMB: 250 };

// ---- small helpers ----------------------------------------------------------------------------------------

interface Summary {
  runs: number;
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  statements: { median: number; min: number; max: number };
  /** Median time spent waiting on the database's answers, and median of the rest (Prisma, the workflow). */
  dbMedianMs: number;
  restMedianMs: number;
}

function summarise(ms: number[], statements: number[], dbMs: number[]): Summary {
  const t = [...ms].sort((a, b) => a - b);
  const s = [...statements].sort((a, b) => a - b);
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return {
    runs: ms.length,
    dbMedianMs: quantile(sorted(dbMs), 0.5),
    restMedianMs: quantile(sorted(ms.map((x, i) => x - (dbMs[i] ?? 0))), 0.5),
    medianMs: quantile(t, 0.5),
    p95Ms: quantile(t, 0.95),
    minMs: t[0] ?? Number.NaN,
    maxMs: t.at(-1) ?? Number.NaN,
    statements: { median: quantile(s, 0.5), min: s[0] ?? 0, max: s.at(-1) ?? 0 },
  };
}

const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const int = (n: number) => Math.round(n).toLocaleString('en-GB');
const stmtText = (s: Summary['statements']) =>
  s.min === s.max ? String(s.min) : `${s.median} (${s.min}-${s.max})`;

function table(headers: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const out = (text = '') => console.log(text);
const note = (text: string) => console.log(`  ${text}`);

// ---- probing the statements: time spent waiting on the database, and the SQL text of one run --------------

/**
 * Wraps the database driver: PostgreSQL at pg.Client's query (every statement of the pool), PGlite at the
 * instance's query / exec / transaction (BEGIN and COMMIT are sent inside PGlite.transaction). `dbMs` adds up the
 * time from sending each statement to its answer; `capture` records the statements' text while it runs.
 */
class Probe {
  dbMs = 0;
  private lines: string[] | undefined;
  private static pgPatched = false;
  private static current: Probe | undefined;

  constructor(db: Database) {
    if (db.pglite) this.patchPGlite(db.pglite);
    else Probe.patchPg();
    Probe.current = this;
  }

  /** Stops timing PostgreSQL statements for this probe (PGlite's wrappers go with its instance). */
  dispose() {
    if (Probe.current === this) Probe.current = undefined;
  }

  async capture<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
    const lines: string[] = [];
    this.lines = lines;
    try {
      return { result: await fn(), lines };
    } finally {
      this.lines = undefined;
    }
  }

  private record(sql: unknown) {
    if (!this.lines) return;
    const text = typeof sql === 'string' ? sql : ((sql as { text?: string } | null)?.text ?? String(sql));
    this.lines.push(text.replace(/\s+/g, ' ').trim());
  }

  /** Times a driver call that returns a promise. */
  private timed<T>(sql: unknown, call: () => T): T {
    this.record(sql);
    const t0 = performance.now();
    const result = call();
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      (result as unknown as Promise<unknown>).then(
        () => {
          this.dbMs += performance.now() - t0;
        },
        () => {
          this.dbMs += performance.now() - t0;
        },
      );
    }
    return result;
  }

  /**
   * Prisma's adapter sends statements outside a transaction through pool.query (which calls client.query with a
   * callback) and those inside one through client.query (a promise): each is probed once, where it returns a promise.
   */
  private static patchPg() {
    if (Probe.pgPatched) return;
    Probe.pgPatched = true;
    for (const proto of [pg.Client.prototype, pg.Pool.prototype] as unknown as {
      query: (...args: unknown[]) => unknown;
    }[]) {
      const query = proto.query;
      proto.query = function (this: unknown, ...args: unknown[]) {
        const probe = Probe.current;
        if (!probe || typeof args.at(-1) === 'function') return query.apply(this, args);
        return probe.timed(args[0], () => query.apply(this, args));
      };
    }
  }

  private patchPGlite(client: PGlite) {
    type Call = (...a: unknown[]) => Promise<unknown>;
    const wrap = (target: { query: unknown; exec: unknown }, into: { query: unknown; exec: unknown }) => {
      const query = (target.query as Call).bind(target);
      const exec = (target.exec as Call).bind(target);
      into.query = (sql: unknown, ...rest: unknown[]) => this.timed(sql, () => query(sql, ...rest));
      into.exec = (sql: unknown, ...rest: unknown[]) => this.timed(sql, () => exec(sql, ...rest));
    };
    wrap(client, client);
    const transaction = client.transaction.bind(client);
    client.transaction = (<T>(fn: (tx: PGliteTransaction) => Promise<T>) => {
      // PGlite sends BEGIN before calling fn and COMMIT after fn's promise settles.
      this.record('BEGIN');
      let mark = performance.now();
      let rolledBack = false;
      const settle = () => {
        this.dbMs += performance.now() - mark;
        if (!rolledBack) this.record('COMMIT');
      };
      return transaction(async (tx) => {
        this.dbMs += performance.now() - mark;
        const wrapped: PGliteTransaction = Object.create(tx);
        wrap(tx, wrapped);
        wrapped.rollback = () => {
          rolledBack = true;
          return this.timed('ROLLBACK', () => tx.rollback());
        };
        try {
          return await fn(wrapped);
        } finally {
          mark = performance.now();
        }
      }).then(
        (v) => {
          settle();
          return v;
        },
        (e: unknown) => {
          settle();
          throw e;
        },
      );
    }) as PGlite['transaction'];
  }
}

/** "SELECT transfer with meetings", "one change: update transfer, insert outbox": a statement in a few words. */
function shortStatement(sql: string): string {
  if (/^(BEGIN|COMMIT|ROLLBACK)\b/i.test(sql)) return sql.split(' ')[0] as string;
  if (/^WITH head AS /i.test(sql)) {
    // One change (src/store/change-statement.ts): name its parts.
    const parts = [...sql.matchAll(/\b(\w+) AS \((UPDATE|INSERT INTO) (\w+)/g)].map(
      ([, , verb, t]) => `${verb === 'UPDATE' ? 'update' : 'insert'} ${t}`,
    );
    return `one change: ${[...new Set(parts)].join(', ')}`;
  }
  if (/^SELECT json_build_object\('t'/i.test(sql)) {
    const also = [
      /'meetings'/.test(sql) ? 'meetings' : '',
      /'dispute'/.test(sql) ? 'open dispute' : '',
    ].filter(Boolean);
    return `SELECT transfer${also.length ? ` with ${also.join(' and ')}` : ''}`;
  }
  const table = (re: RegExp) => re.exec(sql)?.[1];
  const where = /WHERE \(*"public"\."\w+"\."(\w+)"/.exec(sql)?.[1];
  const select = table(/^SELECT .*? FROM "public"\."(\w+)"/i);
  if (select) return `SELECT ${select}${where ? ` by ${where}` : ''}`;
  const insert = table(/^INSERT INTO "public"\."(\w+)"/i);
  if (insert) {
    const rows = sql.match(/\),\s*\(/g)?.length ?? 0;
    return `INSERT ${insert}${rows ? ` (${rows + 1} rows)` : ''}`;
  }
  const update = table(/^UPDATE "public"\."(\w+)"/i);
  if (update) return `UPDATE ${update}${where ? ` by ${where}` : ''}`;
  return sql.length > 60 ? `${sql.slice(0, 57)}...` : sql;
}

// ---- databases ------------------------------------------------------------------------------------------

type TargetKind = 'pglite-memory' | 'pglite-file' | 'postgres';

interface Target {
  kind: TargetKind;
  label: string;
}

interface Fresh {
  db: Database;
  openMs: number;
  close(): Promise<void>;
}

let pgliteTemplate: Blob | undefined;

async function freshDatabase(kind: TargetKind): Promise<Fresh> {
  const started = performance.now();
  if (kind === 'pglite-memory') {
    let db: Database;
    if (pgliteTemplate) {
      db = await openMigratedDatabase({ inMemory: true, loadDataDir: pgliteTemplate });
    } else {
      db = await openMigratedDatabase({ inMemory: true });
      pgliteTemplate = await db.pglite?.dumpDataDir('none');
    }
    return { db, openMs: performance.now() - started, close: () => db.close() };
  }
  if (kind === 'pglite-file') {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-bench-pglite-'));
    const db = await openMigratedDatabase({ dataDir: dir });
    return {
      db,
      openMs: performance.now() - started,
      close: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const { url, drop } = await createPgDatabase();
  try {
    const db = await openMigratedDatabase({ databaseUrl: url });
    return {
      db,
      openMs: performance.now() - started,
      close: async () => {
        try {
          await db.close();
        } finally {
          await drop();
        }
      },
    };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!pgUrl) throw new Error('no PostgreSQL server (STEPWISE_BENCH_PG_URL)');
  return createPostgresDatabase(pgUrl, 'stepwise_bench');
}

async function serverVersion(db: Database): Promise<string> {
  const rows = await db.prisma.$queryRawUnsafe<{ v: string }[]>('SELECT version() AS v');
  return (rows[0]?.v ?? '?').replace(/ on .*| \(.*$/, '').replace(/,.*$/, '');
}

// ---- a. bare insert ---------------------------------------------------------------------------------------

let insertSerial = 0;

/** One bare insert, timed: the yardstick. */
async function bareInsert(db: Database): Promise<number> {
  const i = insertSerial++;
  const t0 = performance.now();
  await db.prisma.team.create({ data: { id: `bench-${i}`, service: 'csc', name: `Bench team ${i}` } });
  return performance.now() - t0;
}

async function benchInsert(db: Database, probe: Probe): Promise<Summary> {
  const ms: number[] = [];
  const stmts: number[] = [];
  const dbMs: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const before = db.statements.count;
    const dbBefore = probe.dbMs;
    const dt = await bareInsert(db);
    if (i >= WARMUP) {
      ms.push(dt);
      stmts.push(db.statements.count - before);
      dbMs.push(probe.dbMs - dbBefore);
    }
  }
  return summarise(ms, stmts, dbMs);
}

// ---- b. workflow commands ---------------------------------------------------------------------------------

interface CommandResult extends Summary {
  command: string;
  what: string;
  /** Median of the bare inserts timed between this command's runs (one before each): the ratio's yardstick. */
  insertMedianMs: number;
  ratio: number;
  ratioMet: boolean;
  statementsMet: boolean;
  sql: string[];
}

const mo = { personId: 'mo', surface: 'slack' as const };
const eve = { personId: 'eve', surface: 'local' as const };
const mia = { personId: 'mia', surface: 'local' as const };
const hosMash = { personId: 'hos-mash', surface: 'slack' as const };

async function benchCommands(db: Database, probe: Probe, workflow: TransferWorkflow) {
  let minute = 0;
  const next = () => new Date(monday.getTime() + minute++ * 60_000);
  const total = WARMUP + RUNS;
  const results: CommandResult[] = [];

  /** Runs `fn` once on each of `refs` (in order); the first WARMUP runs are untimed, the last of those logged. */
  async function step(
    command: string,
    what: string,
    refs: string[],
    fn: (ref: string, now: Date) => Promise<{ ref: string }>,
  ): Promise<string[]> {
    const ms: number[] = [];
    const stmts: number[] = [];
    const dbMs: number[] = [];
    const insertMs: number[] = [];
    const outRefs: string[] = [];
    let sql: string[] = [];
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i] as string;
      const now = next();
      if (i === WARMUP - 1) {
        const { result, lines } = await probe.capture(() => fn(ref, now));
        sql = lines;
        outRefs.push(result.ref);
        continue;
      }
      // The yardstick is timed beside every run, so both see the machine in the same state.
      const inserted = await bareInsert(db);
      const before = db.statements.count;
      const dbBefore = probe.dbMs;
      const t0 = performance.now();
      const row = await fn(ref, now);
      const dt = performance.now() - t0;
      const n = db.statements.count - before;
      const inDb = probe.dbMs - dbBefore;
      outRefs.push(row.ref);
      if (i >= WARMUP) {
        ms.push(dt);
        stmts.push(n);
        dbMs.push(inDb);
        insertMs.push(inserted);
      }
    }
    const s = summarise(ms, stmts, dbMs);
    const insertMedianMs = quantile(
      insertMs.sort((a, b) => a - b),
      0.5,
    );
    const ratio = s.medianMs / insertMedianMs;
    results.push({
      command,
      what,
      ...s,
      insertMedianMs,
      ratio,
      ratioMet: ratio <= TARGET.ratio,
      statementsMet: s.statements.max <= TARGET.statements,
      sql,
    });
    return outRefs;
  }
  /** Preparation outside any timed region. */
  async function prep(refs: string[], fn: (ref: string, now: Date) => Promise<{ ref: string }>) {
    const outRefs: string[] = [];
    for (const ref of refs) outRefs.push((await fn(ref, next())).ref);
    return outRefs;
  }
  const slots = Array.from({ length: total }, (_, i) => String(i));

  // The main path: start, more information, resubmit, accept, allocate, the handover meetings, close.
  let a = await step('start', 'new request, submitted', slots, (_, now) =>
    workflow.start(stepUpToMash(), now),
  );
  a = await step('requestInfo', 'submitted -> more info', a, (ref, now) =>
    workflow.requestInfo({ actor: mo, ref, question: 'Which school does the child attend?' }, now),
  );
  a = await step('resubmit', 'more info -> resubmitted', a, (ref, now) =>
    workflow.resubmit({ actor: eve, ref, answer: 'Hackney Primary.' }, now),
  );
  a = await step('accept', 'resubmitted -> accepted', a, (ref, now) =>
    workflow.accept({ actor: mo, ref }, now),
  );
  a = await step('allocate', 'accepted -> allocated', a, (ref, now) =>
    workflow.allocate({ actor: mo, ref, workerId: 'mia' }, now),
  );
  // The dispute path: decline, dispute, escalate, resolve.
  let b = await prep(slots, (_, now) => workflow.start(stepUpToMash(), now));
  b = await step('decline', 'submitted -> declined', b, (ref, now) =>
    workflow.decline({ actor: mo, ref, reason: 'threshold-not-met' }, now),
  );
  b = await step('dispute', 'declined -> disputed', b, (ref, now) =>
    workflow.dispute({ actor: eve, ref, reason: 'The risks have risen since the last assessment.' }, now),
  );
  b = await step('escalate', 'disputed -> escalated', b, (ref, now) =>
    workflow.escalate({ actor: mo, ref }, now),
  );
  b = await step('resolve', 'escalated -> resolved (upheld)', b, (ref, now) =>
    workflow.resolve(
      { actor: hosMash, ref, outcome: 'upheld', rationale: 'The threshold is not met on the evidence.' },
      now,
    ),
  );
  // Withdraw.
  const c = await prep(slots, (_, now) => workflow.start(stepUpToMash(), now));
  await step('withdraw', 'submitted -> withdrawn', c, (ref, now) =>
    workflow.withdraw({ actor: eve, ref, reason: 'Sent twice by mistake.' }, now),
  );
  // Back on the main path: meetings, then close.
  a = await step('scheduleMeeting', 'joint visit; allocated -> handover scheduled', a, (ref, now) =>
    workflow.scheduleMeeting({ actor: eve, ref, meeting: 'joint-visit', at: '2026-11-30T10:00:00Z' }, now),
  );
  a = await step('recordMeetingOutcome', 'handover discussion held (state unchanged)', a, (ref, now) =>
    workflow.recordMeetingOutcome({ actor: mia, ref, meeting: 'handover-discussion', outcome: 'held' }, now),
  );
  a = await step('recordMeetingOutcome', 'joint visit held -> handover done', a, (ref, now) =>
    workflow.recordMeetingOutcome({ actor: mia, ref, meeting: 'joint-visit', outcome: 'held' }, now),
  );
  await step('close', 'handover done -> closed', a, (ref, now) => workflow.close({ actor: mo, ref }, now));
  return results;
}

// ---- c. timer sweep ---------------------------------------------------------------------------------------

interface SweepResult {
  openTransfers: number;
  dueTimers: number;
  seedMs: number;
  sweepMs: number;
  timersPerSecond: number;
  handled: number;
  skipped: number;
  statements: number;
  outboxRows: number;
}

async function benchSweep(kind: TargetKind, open: number, due: number): Promise<SweepResult> {
  const fresh = await freshDatabase(kind);
  const { db } = fresh;
  try {
    const { workflow, store } = await hackneyWorkflow(db);
    const now = new Date('2026-11-30T09:00:00Z');
    const seedStarted = performance.now();
    await seed(db, workflow, open, due, now);
    const seedMs = performance.now() - seedStarted;
    const outboxBefore = await db.prisma.outbox.count();
    const before = db.statements.count;
    const t0 = performance.now();
    const report = await sweepDueTimers(workflow, store as PrismaTransferStore, now);
    const sweepMs = performance.now() - t0;
    const statements = db.statements.count - before;
    const outboxRows = (await db.prisma.outbox.count()) - outboxBefore;
    return {
      openTransfers: open,
      dueTimers: due,
      seedMs,
      sweepMs,
      timersPerSecond: report.handled.length / (sweepMs / 1000),
      handled: report.handled.length,
      skipped: report.skipped,
      statements,
      outboxRows,
    };
  } finally {
    await fresh.close();
  }
}

/**
 * `open` transfers in state 'submitted', each with a pending decision_due timer; `due` of them (spread evenly)
 * are due before `now`, the others two days after it. Rows are copies of one transfer made by the workflow
 * (whose own rows are then removed), inserted with INSERT ... SELECT generate_series in batches.
 */
async function seed(db: Database, workflow: TransferWorkflow, open: number, due: number, now: Date) {
  const template = await workflow.start(stepUpToMash(), new Date(now.getTime() - 7 * 86_400_000));
  const every = Math.floor(open / due);
  const batch = 10_000;
  await db.session(async (s) => {
    await s.transaction(async (tx) => {
      for (const table of ['outbox', 'timer', 'meeting']) {
        await tx.query(`DELETE FROM ${table} WHERE transfer_id = $1`, [template.id]);
      }
      await tx.query('DELETE FROM transfer WHERE id = $1', [template.id]);
    });
    for (let from = 1; from <= open; from += batch) {
      const to = Math.min(open, from + batch - 1);
      await s.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO transfer (id, profile_id, route_id, kind, from_level, to_level, sending_team_id,
             receiving_team_id, requester_id, state, version, holder, child_key, child_initials, child_age_band,
             form, consent, flags, paused_ms, created_at, submitted_at, updated_at)
           SELECT md5('bench-transfer:' || g)::uuid::text, $3, $4, $5, $6, $7, $8, $9, $10, 'submitted', 1,
             'sending', encode(sha256(convert_to('bench-child:' || g, 'UTF8')), 'hex'), $11, $12,
             $13::jsonb, $14::jsonb, $15::jsonb, 0,
             $16::timestamptz - make_interval(mins => g % 1000), $16::timestamptz - make_interval(mins => g % 1000),
             $16::timestamptz - make_interval(mins => g % 1000)
           FROM generate_series($1::int, $2::int) AS g`,
          [
            from,
            to,
            template.profileId,
            template.routeId,
            template.kind,
            template.fromLevel,
            template.toLevel,
            template.sendingTeamId,
            template.receivingTeamId,
            template.requesterId,
            template.childInitials,
            template.childAgeBand,
            JSON.stringify(template.form),
            JSON.stringify(template.consent),
            JSON.stringify(template.flags),
            template.createdAt.toISOString(),
          ],
        );
        await tx.query(
          `INSERT INTO timer (id, transfer_id, kind, key, due_at, status, occurrence, payload, created_at)
           SELECT md5('bench-timer:' || g)::uuid::text, md5('bench-transfer:' || g)::uuid::text, 'decision_due',
             'decision@1',
             CASE WHEN g % $3::int = 0
               THEN $4::timestamptz - make_interval(mins => 1 + (g / $3::int) % 600)
               ELSE $4::timestamptz + interval '2 days' + make_interval(mins => g % 600) END,
             'pending', 0, '{}'::jsonb, $5::timestamptz
           FROM generate_series($1::int, $2::int) AS g`,
          [from, to, every, now.toISOString(), template.createdAt.toISOString()],
        );
      });
    }
    await s.exec('ANALYZE transfer; ANALYZE timer; ANALYZE outbox');
  });
  const [counts] = await db.prisma.$queryRawUnsafe<{ open: bigint; due: bigint; pending: bigint }[]>(
    `SELECT (SELECT count(*) FROM transfer WHERE state = 'submitted') AS open,
            (SELECT count(*) FROM timer WHERE status = 'pending' AND due_at <= $1::timestamptz) AS due,
            (SELECT count(*) FROM timer WHERE status = 'pending') AS pending`,
    now.toISOString(),
  );
  if (Number(counts?.open) !== open || Number(counts?.due) !== due || Number(counts?.pending) !== open) {
    throw new Error(
      `seeding went wrong: ${counts?.open} open transfers, ${counts?.pending} pending timers, ${counts?.due} due (wanted ${open}, ${open}, ${due})`,
    );
  }
}

// ---- d. idle server memory --------------------------------------------------------------------------------

interface IdleResult {
  database: string;
  rssMB: number;
  /** Of the RSS: anonymous memory (heaps, PGlite's WebAssembly memory) and mapped files (node, libraries). */
  anonMB: number;
  fileMB: number;
  peakMB: number;
  startMs: number;
  met: boolean;
}

let serverChild: ReturnType<typeof spawn> | undefined;
process.on('exit', () => serverChild?.kill('SIGKILL'));

async function benchIdle(label: string, dataDir: string, databaseUrl?: string): Promise<IdleResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    STEPWISE_DATA_DIR: dataDir,
    STEPWISE_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'stepwise.mjs'), 'serve'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serverChild = child;
  let output = '';
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "running at" line within 90 s:\n${output}`)),
        90_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /is running at (http:\/\/\S+?)\/?\s/.exec(output);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`stepwise serve exited with ${code}:\n${output}`));
      });
    });
    for (let i = 0; ; i++) {
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      if (res?.ok) {
        await res.text();
        break;
      }
      if (i > 100) throw new Error(`${url}/healthz did not answer`);
      await sleep(100);
    }
    const startMs = performance.now() - started;
    await sleep(3000);
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const rssMB = kb('VmRSS') / 1024;
    return {
      database: label,
      rssMB,
      anonMB: kb('RssAnon') / 1024,
      fileMB: kb('RssFile') / 1024,
      peakMB: kb('VmHWM') / 1024,
      startMs,
      met: rssMB <= TARGET.idleMB,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timeout = sleep(10_000).then(() => 'timeout');
      if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
    }
    serverChild = undefined;
  }
}

// ---- main -------------------------------------------------------------------------------------------------

interface DatabaseResults {
  target: string;
  version: string;
  openMs: number;
  insert: Summary;
  commands: CommandResult[];
  sweeps: SweepResult[];
  sweepRatio?: number;
}

function printCommands(r: DatabaseResults) {
  out(`b. Workflow commands on ${r.target}: ${RUNS} fresh transfers each (after ${WARMUP} warm-ups)`);
  out(`   targets: median at most ${TARGET.ratio}x the bare insert, at most ${TARGET.statements} statements`);
  out(
    '   insert ms: median of the bare inserts timed one before each run of the command (the ratio is against it)',
  );
  out(
    "   db ms: median time waiting on the database's answers; rest ms: median of the remainder (Prisma, the workflow)",
  );
  out(
    table(
      [
        'command',
        'case',
        'median ms',
        'p95 ms',
        'db ms',
        'rest ms',
        'insert ms',
        'x insert',
        'stmts',
        'targets met',
      ],
      r.commands.map((c) => {
        const misses = [
          ...(c.ratioMet ? [] : [`${f1(c.ratio)}x > ${TARGET.ratio}x`]),
          ...(c.statementsMet ? [] : [`${c.statements.max} stmts > ${TARGET.statements}`]),
        ];
        return [
          c.command,
          c.what,
          f2(c.medianMs),
          f2(c.p95Ms),
          f2(c.dbMedianMs),
          f2(c.restMedianMs),
          f2(c.insertMedianMs),
          `${f1(c.ratio)}x`,
          stmtText(c.statements),
          misses.length ? `NO: ${misses.join(', ')}` : 'yes',
        ];
      }),
      [false, false, true, true, true, true, true, true, true, false],
    ),
  );
  out();
}

/** Where each statement sequence was first printed, so the same sequence on the next database is not repeated. */
const printedSql = new Map<string, string>();

function printSql(r: DatabaseResults) {
  const shown = r.commands.filter((c) => PRINT_ALL_SQL || !c.statementsMet || !c.ratioMet);
  if (!shown.length) return;
  out(
    `   Statements of one run of each command${PRINT_ALL_SQL ? '' : ' that misses a target'} on ${r.target}, in order` +
      `${PRINT_ALL_SQL ? '' : ' (full SQL: STEPWISE_BENCH_SQL=1)'}:`,
  );
  for (const c of shown) {
    const key = `${c.command}|${c.what}|${c.sql.join('\n')}`;
    const seen = printedSql.get(key);
    if (seen && !PRINT_ALL_SQL) {
      out(`   - ${c.command} (${c.what}): the same ${c.sql.length} statements as on ${seen}`);
      continue;
    }
    printedSql.set(key, r.target);
    if (PRINT_ALL_SQL) {
      out(`   - ${c.command} (${c.what}): ${c.sql.length} statements`);
      c.sql.forEach((s, i) => {
        out(`     ${String(i + 1).padStart(2)}. ${s.length > 200 ? `${s.slice(0, 197)}...` : s}`);
      });
    } else {
      out(`   - ${c.command} (${c.what}): ${c.sql.length}: ${c.sql.map(shortStatement).join('; ')}`);
    }
  }
  out();
}

async function main() {
  const cpu = cpus();
  const machine = {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
  out('Stepwise benchmark');
  out(
    table(
      ['machine', ''],
      [
        ['cpu', `${machine.cpu}, ${machine.cores} cores`],
        ['memory', `${machine.memoryGB} GB`],
        ['os', machine.platform],
        ['node', machine.node],
        ['date', machine.date],
        ['runs', `${RUNS} timed + ${WARMUP} warm-up per measurement`],
      ],
    ),
  );
  out();

  const targets: Target[] = [{ kind: 'pglite-memory', label: 'PGlite in memory' }];
  if (FILE_PGLITE) targets.push({ kind: 'pglite-file', label: 'PGlite on disk' });
  if (pgUrl) targets.push({ kind: 'postgres', label: 'PostgreSQL' });
  else out(`PostgreSQL: not measured (${pgNote || 'STEPWISE_BENCH_PG_URL is not set'}): PGlite only.\n`);

  const results: DatabaseResults[] = [];
  for (const target of targets) {
    const fresh = await freshDatabase(target.kind);
    let r: DatabaseResults;
    try {
      const version = await serverVersion(fresh.db);
      const label = target.kind === 'postgres' && pgNote ? `${target.label} (${pgNote})` : target.label;
      out(`== ${label}: ${version}; fresh migrated database opened in ${int(fresh.openMs)} ms`);
      const { workflow } = await hackneyWorkflow(fresh.db);
      const probe = new Probe(fresh.db);
      const insert = await benchInsert(fresh.db, probe);
      out(
        `a. Bare insert (prisma.team.create, one row): median ${f2(insert.medianMs)} ms, p95 ${f2(insert.p95Ms)} ms ` +
          `(db ${f2(insert.dbMedianMs)} ms), ${stmtText(insert.statements)} statement(s) per insert`,
      );
      out();
      const commands = PARTS.has('commands') ? await benchCommands(fresh.db, probe, workflow) : [];
      probe.dispose();
      r = { target: target.label, version, openMs: fresh.openMs, insert, commands, sweeps: [] };
      printCommands(r);
      printSql(r);
    } finally {
      await fresh.close();
    }
    results.push(r);
    if (!PARTS.has('sweep')) continue;
    if (target.kind === 'pglite-file') {
      out('c. Timer sweep: not run on PGlite on disk (in memory and PostgreSQL only).\n');
      continue;
    }
    for (const open of [SWEEP_DUE, SWEEP_OPEN_LARGE]) {
      r.sweeps.push(await benchSweep(target.kind, open, SWEEP_DUE));
    }
    const [small, large] = r.sweeps;
    r.sweepRatio = small && large ? large.sweepMs / small.sweepMs : undefined;
    out(`c. Timer sweep on ${target.label}: sweepDueTimers over ${int(SWEEP_DUE)} due decision_due timers`);
    out(
      table(
        [
          'open transfers',
          'due timers',
          'seed ms',
          'sweep ms',
          'timers/s',
          'handled',
          'stmts',
          'outbox rows',
        ],
        r.sweeps.map((s) => [
          int(s.openTransfers),
          int(s.dueTimers),
          int(s.seedMs),
          int(s.sweepMs),
          int(s.timersPerSecond),
          `${int(s.handled)}${s.skipped ? ` (+${s.skipped} skipped)` : ''}`,
          int(s.statements),
          int(s.outboxRows),
        ]),
        [true, true, true, true, true, true, true, true],
      ),
    );
    const ratio = r.sweepRatio ?? Number.NaN;
    out(
      `   ratio ${int(SWEEP_OPEN_LARGE)} / ${int(SWEEP_DUE)} open: ${f2(ratio)}x (target at most ${TARGET.sweepRatio}x): ` +
        `${ratio <= TARGET.sweepRatio ? 'met' : 'NOT met'}. Seeding: INSERT ... SELECT generate_series, 10,000 rows a batch, then ANALYZE.`,
    );
    out();
  }

  const idle: IdleResult[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'stepwise-bench-serve-'));
  if (PARTS.has('memory'))
    try {
      idle.push(await benchIdle('PGlite, new STEPWISE_DATA_DIR (first start creates it)', dataDir));
      idle.push(await benchIdle('PGlite, the same data dir again (restart)', dataDir));
      if (pgUrl) {
        const { url, drop } = await createPgDatabase();
        try {
          idle.push(await benchIdle('PostgreSQL (DATABASE_URL, a new database)', dataDir, url));
        } finally {
          await drop();
        }
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  if (idle.length) {
    out(`d. Idle server memory: \`stepwise serve\` (Manchester), 3 s after /healthz first answered`);
    out(
      table(
        [
          'database',
          'start to healthy ms',
          'RSS MB',
          'anon MB',
          'file MB',
          'peak RSS MB',
          `target <= ${TARGET.idleMB} MB`,
        ],
        idle.map((i) => [
          i.database,
          int(i.startMs),
          f1(i.rssMB),
          f1(i.anonMB),
          f1(i.fileMB),
          f1(i.peakMB),
          i.met ? 'met' : `NOT met (+${f1(i.rssMB - TARGET.idleMB)} MB)`,
        ]),
        [false, true, true, true, true, true, false],
      ),
    );
    out();
  }

  // Summary of the targets.
  const misses: string[] = [];
  for (const r of results) {
    const slow = r.commands.filter((c) => !c.ratioMet);
    if (slow.length) {
      const ratios = slow.map((c) => c.ratio);
      misses.push(
        `${r.target}: ${slow.length} of ${r.commands.length} command cases over ${TARGET.ratio}x the bare insert: ` +
          `${f1(Math.min(...ratios))}x to ${f1(Math.max(...ratios))}x; ` +
          `${slow.map((c) => `${c.command}${r.commands.filter((x) => x.command === c.command).length > 1 ? ` (${c.what})` : ''} ${f1(c.ratio)}x`).join(', ')}`,
      );
    }
    for (const c of r.commands.filter((x) => !x.statementsMet))
      misses.push(
        `${r.target}: ${c.command} (${c.what}) issues ${stmtText(c.statements)} statements (target ${TARGET.statements}, ${c.statements.max - TARGET.statements} over)`,
      );
    if (r.sweepRatio !== undefined && r.sweepRatio > TARGET.sweepRatio)
      misses.push(`${r.target}: sweep ratio ${f2(r.sweepRatio)}x (target ${TARGET.sweepRatio}x)`);
  }
  for (const i of idle.filter((x) => !x.met))
    misses.push(
      `idle memory, ${i.database}: ${f1(i.rssMB)} MB RSS (target ${TARGET.idleMB} MB, ${f1(i.rssMB - TARGET.idleMB)} MB over)`,
    );
  out(misses.length ? 'Targets missed:' : 'All targets met.');
  for (const m of misses) note(`- ${m}`);

  const file = join(root, 'test-output', 'bench.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        machine,
        settings: { runs: RUNS, warmup: WARMUP, sweepDue: SWEEP_DUE, sweepOpenLarge: SWEEP_OPEN_LARGE },
        postgres: pgUrl ? pgNote : `not measured: ${pgNote || 'STEPWISE_BENCH_PG_URL is not set'}`,
        targets: TARGET,
        databases: results,
        idle,
        misses,
      },
      null,
      2,
    )}\n`,
  );
  out(`\nResults written to ${file.replace(`${root}/`, '')}`);
}

await main();
