// Durable timers across real processes on real PostgreSQL: two `stepwise serve` processes on one database
// deliver every reminder exactly once, and a server killed with SIGKILL in the middle of a sweep loses nothing
// and sends nothing twice after a restart.
//
// The timers are `decision_due` rows of Hackney step-ups submitted in the test process. They are held a
// century in the future while the servers start, then released with one UPDATE (every due time moves by the
// same amount, so the sweep order is unchanged). Messages go to a fake Slack Web API on loopback. The waits
// poll the database and the fake every 100 ms until a condition holds, with a deadline; there are no sleeps.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { SlackSender } from '../../src/channels/slack/sender.ts';
import { configSchema } from '../../src/config.ts';
import { defaultDeciders } from '../../src/domain/roles.ts';
import { MessageRefStore } from '../../src/store/message-ref-store.ts';
import { PrismaOutboxStore } from '../../src/store/outbox-store.ts';
import { deliverOutbox } from '../../src/workflow/outbox.ts';
import { testPgUrl } from '../support/databases.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { stepUpToMash } from '../support/hackney-fixture.ts';
import { createPostgresDatabase } from '../support/postgres-database.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'stepwise.mjs');
const protocol = 'hackney';
const signingSecret = 'sweep-processes-signing-secret';
const botToken = 'xoxb-sweep-processes';
/** The sweep's batch (src/workflow/sweep.ts): one transaction claims and finishes this many timers. */
const sweepBatch = 100;
/** How far the seeded timers are held in the future until the test releases them. */
const hold = "interval '100 years'";
/** Monday 2 November 2026, a working day in London: the step-ups are sent from here on, a minute apart. */
const submittedFrom = Date.parse('2026-11-02T09:00:00Z');

// ---- child processes ----------------------------------------------------------------------------------------

interface Stepwise {
  name: string;
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

const children = new Set<Stepwise>();

/** `stepwise serve` on the database, Slack pointed at the fake, sweeping every second. */
function serve(name: string, databaseUrl: string, fake: FakeSlack): Stepwise {
  const child = spawn(process.execPath, [bin, 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      STEPWISE_PROTOCOL: protocol,
      STEPWISE_DIRECTORY: '',
      STEPWISE_CLOSURES: '',
      STEPWISE_DEBUG: '',
      SLACK_APP_TOKEN: '',
      PORT: '0',
      HOST: '127.0.0.1',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: botToken,
      SLACK_API_URL: fake.apiUrl,
      STEPWISE_SWEEP_CRON: '* * * * * *',
      STEPWISE_LOG_LEVEL: 'info',
      // node-postgres reads PGAPPNAME: the process's connections are findable in pg_stat_activity.
      PGAPPNAME: name,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p: Stepwise = {
    name,
    child,
    stdout: [],
    stderr: [],
    exited: false,
    exit: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        p.exited = true;
        children.delete(p);
        resolve({ code, signal });
      });
    }),
  };
  const lines = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts);
    };
  };
  child.stdout?.on('data', lines(p.stdout));
  child.stderr?.on('data', lines(p.stderr));
  children.add(p);
  return p;
}

/** SIGTERM (a clean stop), SIGKILL if it is still there after 15 s. */
async function stop(p: Stepwise): Promise<void> {
  if (p.exited) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!p.exited) p.child.kill('SIGKILL');
  }, 15_000);
  await p.exit;
  clearTimeout(timer);
}

afterAll(async () => {
  await Promise.all([...children].map(stop));
});

function tail(p: Stepwise): string {
  return `${p.name} stdout:\n${p.stdout.slice(-15).join('\n')}\n${p.name} stderr:\n${p.stderr.slice(-15).join('\n')}`;
}

/** Timers handled, from the server's "timer sweep" log lines (one per sweep that handled any). */
function handledInLog(p: Stepwise): number {
  let n = 0;
  for (const line of p.stdout) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; handled?: number };
    if (entry.msg === 'timer sweep') n += entry.handled ?? 0;
  }
  return n;
}

/**
 * Polls `check` every 100 ms until it answers something other than undefined; fails after the deadline with
 * the last state `describe` gives, or at once when one of `alive` exits.
 */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; alive?: Stepwise[]; describe?: () => Promise<string> | string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    for (const p of opts.alive ?? []) {
      if (p.exited) throw new Error(`${p.name} exited while waiting for ${what}\n${tail(p)}`);
    }
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      const state = opts.describe ? await opts.describe() : '';
      const logs = (opts.alive ?? []).map(tail).join('\n');
      throw new Error(`timed out waiting for ${what}${state ? ` (${state})` : ''}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function listening(p: Stepwise): Promise<string> {
  return until(
    `${p.name} to listen`,
    async () => {
      for (const line of p.stdout) {
        const m = /is running at (http:\/\/\S+?)\/\s/.exec(line);
        if (m?.[1]) return m[1];
      }
      return undefined;
    },
    { alive: [p] },
  );
}

// ---- the database -------------------------------------------------------------------------------------------

interface Seeded {
  transfers: number;
  /** Who a decision_due chase DMs besides the thread: the receiving team's deciders. */
  deciders: string[];
  /** Where each person's DM lands on the fake (conversations.open answers D + the user id without its U). */
  dmChannel: Map<string, string>;
}

/**
 * `count` Hackney step-ups to MASH sent a minute apart from 2 November 2026, their submission messages (card,
 * thread, receipt) delivered to the fake in this process, and their decision timers held in the future.
 */
async function seed(databaseUrl: string, count: number, fake: FakeSlack): Promise<Seeded> {
  const config = configSchema.parse({
    DATABASE_URL: databaseUrl,
    STEPWISE_PROTOCOL: protocol,
    STEPWISE_LOG_LEVEL: 'silent',
  });
  const app = await openApp(config, { demoDirectory: true });
  try {
    const route = app.workflow.route('to-statutory');
    for (let i = 0; i < count; i++) {
      const t = await app.workflow.start(
        stepUpToMash({
          consent: { status: 'given', givenBy: 'Mother', givenOn: '2026-10-30', lawfulBasis: 'consent' },
        }),
        new Date(submittedFrom + i * 60_000),
      );
      expect(t.receivingTeamId).toBe('mash');
    }
    // The submission messages, through the same sender the server uses: the cards exist in the channel (and
    // their message refs in the database) before any reminder is due.
    const sender = new SlackSender({
      app,
      client: new WebClient(botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } }),
      refs: new MessageRefStore(app.db.prisma),
      now: () => new Date(),
      responseOrigins: [],
    });
    const outbox = new PrismaOutboxStore(app.db.prisma);
    for (;;) {
      const report = await deliverOutbox(outbox, sender, new Date(), { batch: 200, concurrency: 8 });
      expect(report).toMatchObject({ retried: 0, failed: 0 });
      if (report.sent === 0) break;
    }
    expect(await app.db.prisma.outbox.count({ where: { status: { not: 'sent' } } })).toBe(0);
    expect(await app.db.prisma.messageRef.count({ where: { purpose: 'card' } })).toBe(count);

    const timers = await app.db.prisma.timer.groupBy({ by: ['kind', 'status'], _count: true });
    expect(timers).toEqual([{ kind: 'decision_due', status: 'pending', _count: count }]);
    await app.db.prisma.$executeRawUnsafe(`UPDATE timer SET due_at = due_at + ${hold}`);

    const deciders = app.workflow.directory.members('mash', route.decision.deciders ?? defaultDeciders);
    expect(deciders.length).toBeGreaterThan(0);
    const dmChannel = new Map<string, string>();
    for (const p of deciders) {
      if (!p.slackUser) throw new Error(`${p.id} has no Slack user in the ${protocol} demo directory`);
      dmChannel.set(p.id, `D${p.slackUser.slice(1)}`);
    }
    return { transfers: count, deciders: deciders.map((p) => p.id).sort(), dmChannel };
  } finally {
    await app.close();
  }
}

async function client(url: string, applicationName = 'sweep-processes-test'): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: applicationName });
  await c.connect();
  return c;
}

async function release(db: pg.Client): Promise<void> {
  await db.query(`UPDATE timer SET due_at = due_at - ${hold}`);
}

interface TimerState {
  id: string;
  occurrence: number;
  status: string;
  transfer_id: string;
}

/** The timers in the sweep's order (due time, then id). */
async function timersInSweepOrder(db: pg.Client): Promise<TimerState[]> {
  const { rows } = await db.query<TimerState>(
    'SELECT id, occurrence, status, transfer_id FROM timer ORDER BY due_at, id',
  );
  return rows;
}

async function counts(db: pg.Client): Promise<{ done: number; pending: number; unsent: number }> {
  const { rows } = await db.query<{ done: number; pending: number; unsent: number }>(
    `SELECT (SELECT count(*)::int FROM timer WHERE status = 'done') AS done,
            (SELECT count(*)::int FROM timer WHERE status = 'pending') AS pending,
            (SELECT count(*)::int FROM outbox WHERE status <> 'sent') AS unsent`,
  );
  return rows[0] as { done: number; pending: number; unsent: number };
}

const countsText = async (db: pg.Client) => JSON.stringify(await counts(db));

/** The sweep's idempotency keys of a decision_due chase: the thread reply and a DM to each decider. */
function chaseKeys(t: { id: string; occurrence: number }, deciders: string[]): string[] {
  return [
    `timer:${t.id}:${t.occurrence}:thread`,
    ...deciders.map((d) => `timer:${t.id}:${t.occurrence}:dm:${d}`),
  ].sort();
}

interface ChaseRow {
  idempotency_key: string;
  transfer_id: string;
  kind: string;
  target: { personId?: string; teamId?: string };
  payload: { text: string };
  status: string;
}

/** The outbox rows the sweeps wrote, by timer id. */
async function chaseRows(db: pg.Client): Promise<Map<string, ChaseRow[]>> {
  const { rows } = await db.query<ChaseRow>(
    `SELECT idempotency_key, transfer_id, kind, target, payload, status FROM outbox
     WHERE idempotency_key LIKE 'timer:%' ORDER BY idempotency_key`,
  );
  const byTimer = new Map<string, ChaseRow[]>();
  for (const r of rows) {
    const id = r.idempotency_key.split(':')[1] ?? '';
    byTimer.set(id, [...(byTimer.get(id) ?? []), r]);
  }
  return byTimer;
}

/**
 * The chat.postMessage each chase row must cause, as "channel | thread_ts | text": a reply in the card's
 * thread (where the card was posted), or a DM to the decider.
 */
async function expectedPosts(db: pg.Client, rows: ChaseRow[], seeded: Seeded): Promise<string[]> {
  const { rows: cards } = await db.query<{ transfer_id: string; channel: string; message_id: string }>(
    "SELECT transfer_id, channel, message_id FROM message_ref WHERE surface = 'slack' AND purpose = 'card'",
  );
  const card = new Map(cards.map((c) => [c.transfer_id, c]));
  return rows
    .map((r) => {
      if (r.kind === 'thread') {
        const c = card.get(r.transfer_id);
        if (!c) throw new Error(`no card posted for transfer ${r.transfer_id}`);
        return `${c.channel} | ${c.message_id} | ${r.payload.text}`;
      }
      const channel = seeded.dmChannel.get(r.target.personId ?? '');
      if (r.kind !== 'dm' || !channel) throw new Error(`unexpected chase row ${JSON.stringify(r)}`);
      return `${channel} | - | ${r.payload.text}`;
    })
    .sort();
}

function postsOn(fake: FakeSlack): string[] {
  return fake
    .callsTo('chat.postMessage')
    .map((c) => `${String(c.args.channel)} | ${String(c.args.thread_ts ?? '-')} | ${String(c.args.text)}`)
    .sort();
}

/** Every timer done, with exactly its chase rows, each sent; the fake got exactly one post per row. */
async function expectEveryReminderOnce(
  db: pg.Client,
  fake: FakeSlack,
  seeded: Seeded,
): Promise<{ rows: ChaseRow[] }> {
  const timers = await timersInSweepOrder(db);
  expect(timers).toHaveLength(seeded.transfers);
  expect(timers.filter((t) => t.status !== 'done')).toEqual([]);
  const byTimer = await chaseRows(db);
  expect(byTimer.size).toBe(seeded.transfers);
  for (const t of timers) {
    expect(byTimer.get(t.id)?.map((r) => r.idempotency_key)).toEqual(chaseKeys(t, seeded.deciders));
  }
  const rows = [...byTimer.values()].flat();
  expect(rows).toHaveLength(seeded.transfers * (1 + seeded.deciders.length));
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
  const { rows: all } = await db.query<{ n: number; keys: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM outbox',
  );
  expect(all[0]?.n).toBe(all[0]?.keys);

  const expected = await expectedPosts(db, rows, seeded);
  expect(new Set(expected).size).toBe(expected.length);
  const posted = postsOn(fake);
  const twice = posted.filter((p, i) => posted[i - 1] === p);
  expect(twice).toEqual([]);
  expect(posted).toEqual(expected);
  expect(fake.callsTo('chat.update')).toEqual([]);
  expect([...fake.failed, ...fake.errors]).toEqual([]);
  return { rows };
}

// ---- the tests ----------------------------------------------------------------------------------------------

describe.skipIf(!testPgUrl)('durable timers across server processes on PostgreSQL', () => {
  it('two server processes on one database deliver every reminder exactly once', async () => {
    const serverUrl = testPgUrl as string;
    const created = await createPostgresDatabase(serverUrl, 'stepwise_sweep');
    const fake = await startFakeSlack();
    const servers: Stepwise[] = [];
    let db: pg.Client | undefined;
    try {
      // Three sweep batches, so the two processes' sweeps overlap and take turns at batches.
      const seeded = await seed(created.url, 300, fake);
      fake.reset();
      servers.push(
        serve('stepwise-sweep-1', created.url, fake),
        serve('stepwise-sweep-2', created.url, fake),
      );
      await Promise.all(servers.map(listening));
      db = await client(created.url);
      const conn = db;
      expect(await counts(conn)).toEqual({ done: 0, pending: seeded.transfers, unsent: 0 });

      // Both crons tick on the same wall-clock second: both sweeps start at once on the released timers.
      await release(conn);
      await until(
        'every timer done and every message sent',
        async () => {
          const c = await counts(conn);
          const handled = servers.reduce((n, p) => n + handledInLog(p), 0);
          return c.done === seeded.transfers && c.unsent === 0 && handled >= seeded.transfers
            ? true
            : undefined;
        },
        {
          timeoutMs: 90_000,
          alive: servers,
          describe: async () =>
            `${await countsText(conn)}, handled in logs: ${servers.map(handledInLog).join(' + ')}`,
        },
      );

      // Each timer handled once: the two processes' sweeps together handled as many timers as there are.
      const handled = servers.map(handledInLog);
      expect(handled.reduce((a, b) => a + b, 0)).toBe(seeded.transfers);
      expect(servers.flatMap((p) => p.stdout).filter((l) => l.includes('timer sweep failed'))).toEqual([]);
      await expectEveryReminderOnce(conn, fake, seeded);
      // Both processes are still up: nothing above came from a crash and restart.
      expect(servers.filter((p) => p.exited).map((p) => p.name)).toEqual([]);
    } finally {
      await Promise.all(servers.map(stop));
      await db?.end();
      await fake.close();
      await created.drop();
    }
  }, 180_000);

  it('a server killed with SIGKILL in the middle of a sweep loses nothing and sends nothing twice after restart', async () => {
    const serverUrl = testPgUrl as string;
    const created = await createPostgresDatabase(serverUrl, 'stepwise_sweep');
    const fake = await startFakeSlack();
    const servers: Stepwise[] = [];
    let db: pg.Client | undefined;
    let blocker: pg.Client | undefined;
    try {
      const total = 250;
      const seeded = await seed(created.url, total, fake);
      fake.reset();
      db = await client(created.url);
      const conn = db;
      const first = serve('stepwise-sweep-killed', created.url, fake);
      servers.push(first);
      await listening(first);

      // The sweep's first batch commits; the second blocks on the outbox row of the 150th timer in sweep order,
      // which an open transaction here has already inserted with the key the sweep uses.
      const order = await timersInSweepOrder(conn);
      const stuck = order[Math.floor(1.5 * sweepBatch) - 1] as TimerState;
      const stuckKey = `timer:${stuck.id}:${stuck.occurrence}:thread`;
      blocker = await client(created.url, 'sweep-processes-blocker');
      const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
        ?.pid;
      await blocker.query('BEGIN');
      await blocker.query(
        `INSERT INTO outbox (id, idempotency_key, transfer_id, kind, target, payload, status, attempts,
                             next_attempt_at, created_at)
         VALUES ($1, $2, $3, 'thread', '{"teamId":"mash"}', '{"text":"held by the test"}', 'pending', 0,
                 now(), now())`,
        [randomUUID(), stuckKey, stuck.transfer_id],
      );
      await release(conn);

      const blockedBackend = async () => {
        const { rows } = await conn.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE application_name = $1 AND $2 = ANY (pg_blocking_pids(pid))`,
          [first.name, blockerPid],
        );
        return rows[0]?.pid;
      };
      const sweeper = await until('the sweep to block on the held outbox key', blockedBackend, {
        timeoutMs: 60_000,
        alive: [first],
        describe: () => countsText(conn),
      });
      const firstBatch = order.slice(0, sweepBatch);
      expect((await counts(conn)).done).toBe(sweepBatch);
      // The committed batch's messages go out while the next batch waits (the pump runs beside the sweep).
      const firstBatchMessages = sweepBatch * (1 + seeded.deciders.length);
      await until(
        "the first batch's reminders delivered",
        async () => {
          const { rows } = await conn.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM outbox WHERE idempotency_key LIKE 'timer:%' AND status = 'sent'",
          );
          return rows[0]?.n === firstBatchMessages && (await counts(conn)).unsent === 0 ? true : undefined;
        },
        { timeoutMs: 20_000, alive: [first], describe: () => countsText(conn) },
      );
      expect(fake.callsTo('chat.postMessage')).toHaveLength(firstBatchMessages);
      // Still in the middle of the sweep (the sweep's transaction times out after 30 s; this is well within).
      expect(await blockedBackend()).toBe(sweeper);

      first.child.kill('SIGKILL');
      expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
      await blocker.query('ROLLBACK');
      // The killed process's connections end (the waiting one once the lock is free); its open batch rolls back.
      await until(
        "the killed process's connections to end",
        async () => {
          const { rows } = await conn.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
            [first.name],
          );
          return rows[0]?.n === 0 ? true : undefined;
        },
        { timeoutMs: 30_000 },
      );

      // The committed part is whole: the first batch done with all its messages, the rest pending with none.
      const afterKill = await timersInSweepOrder(conn);
      const done = new Set(firstBatch.map((t) => t.id));
      expect(afterKill.filter((t) => t.status === 'done').map((t) => t.id)).toEqual(
        firstBatch.map((t) => t.id),
      );
      expect(afterKill.filter((t) => !done.has(t.id)).every((t) => t.status === 'pending')).toBe(true);
      const rowsAfterKill = await chaseRows(conn);
      expect([...rowsAfterKill.keys()].sort()).toEqual([...done].sort());
      for (const t of firstBatch) {
        expect(rowsAfterKill.get(t.id)?.map((r) => r.idempotency_key)).toEqual(chaseKeys(t, seeded.deciders));
      }
      expect(await conn.query('SELECT 1 FROM outbox WHERE idempotency_key = $1', [stuckKey])).toMatchObject({
        rowCount: 0,
      });

      // Restart: the new server sweeps what is left and delivers it; the first batch is not sent again.
      const second = serve('stepwise-sweep-restarted', created.url, fake);
      servers.push(second);
      await until(
        'every timer done and every message sent after the restart',
        async () => {
          const c = await counts(conn);
          return c.done === total && c.unsent === 0 && handledInLog(second) >= total - sweepBatch
            ? true
            : undefined;
        },
        {
          timeoutMs: 90_000,
          alive: [second],
          describe: async () => `${await countsText(conn)}, handled in log: ${handledInLog(second)}`,
        },
      );
      expect(handledInLog(second)).toBe(total - sweepBatch);
      await expectEveryReminderOnce(conn, fake, seeded);
    } finally {
      await Promise.all(servers.map(stop));
      await blocker?.end();
      await db?.end();
      await fake.close();
      await created.drop();
    }
  }, 180_000);
});
