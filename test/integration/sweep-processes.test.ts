// Durable timers and the outbox across real processes on real PostgreSQL: two `stepwise serve` processes on one
// database deliver every request card, receipt, reminder and chase exactly once (each transfer's card posted
// once, its thread replies hanging off that card), and a server killed with SIGKILL in the middle of a sweep
// loses nothing and sends nothing twice after a restart.
//
// The transfers are Hackney step-ups to MASH submitted in the test process three weeks ago, so each has a
// decision reminder and a decision chase long due, and its submission messages (card, thread reply, receipt)
// waiting in the outbox. Timers and messages are held a century in the future while the servers start, then
// released with one UPDATE each (every due time moves by the same amount, so the order is unchanged). Slack is a
// fake Web API on loopback; each server has its own bot token, so every call says which server made it. The
// waits poll the database and the fake every 100 ms until a condition holds, with a deadline; there are no sleeps.
//
// Besides the seeded timers, the sweeps create rows of their own: each decision chase a follow-up `decision_due`
// timer (the next rung of the overdue line) a working day later, and every sweep the recurring digest timers
// (no transfer). Those are checked for what they are: the follow-ups pending, the digests only ever sending what
// they wrote (nothing, unless a test happens to run across the overdue list's time of day).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { configSchema } from '../../src/config.ts';
import type { Role } from '../../src/domain/roles.ts';
import { testPgUrl } from '../support/databases.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../support/fake-slack.ts';
import { stepUpToMash } from '../support/hackney-fixture.ts';
import { createPostgresDatabase } from '../support/postgres-database.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'stepwise.mjs');
const protocol = 'hackney';
const signingSecret = 'sweep-processes-signing-secret';
/** The sweep's batch (src/workflow/sweep.ts): one transaction claims and finishes this many timers. */
const sweepBatch = 100;
/** How far the seeded timers and messages are held in the future until the test releases them. */
const hold = "interval '100 years'";
/** Monday 2 November 2026, a working day in London: the step-ups are sent from here on, a minute apart. */
const submittedFrom = Date.parse('2026-11-02T09:00:00Z');

// ---- child processes ----------------------------------------------------------------------------------------

interface Stepwise {
  name: string;
  /** The server's own Slack bot token: the fake records it on every call. */
  token: string;
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

const children = new Set<Stepwise>();

/** `stepwise serve` on the database, Slack pointed at the fake, sweeping every second. */
function serve(name: string, databaseUrl: string, fake: FakeSlack): Stepwise {
  const token = `xoxb-${name}`;
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
      SLACK_BOT_TOKEN: token,
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
    token,
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

function logEntries(p: Stepwise): { msg?: string; handled?: number; level?: number }[] {
  return p.stdout.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string });
}

/** Timers handled, from the server's "timer sweep" log lines (one per sweep that handled any). */
function handledInLog(p: Stepwise): number {
  return logEntries(p)
    .filter((e) => e.msg === 'timer sweep')
    .reduce((n, e) => n + (e.handled ?? 0), 0);
}

/** Log lines at warn or above (a failed sweep, a failed outbox pass, messages not delivered). */
function troubleInLog(p: Stepwise): string[] {
  return logEntries(p)
    .filter((e) => (e.level ?? 0) >= 40)
    .map((e) => `${p.name}: ${JSON.stringify(e)}`);
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

interface SeededTimer {
  id: string;
  transfer_id: string;
  kind: 'decision_reminder' | 'decision_due';
  occurrence: number;
}

interface Seeded {
  transfers: string[];
  /** The decision timers the step-ups set, in the sweep's order (due time, then id). */
  timers: SeededTimer[];
  /** The outbox rows of the submissions (card, thread reply, receipt), by idempotency key. */
  submissionKeys: string[];
  /** Who a decision chase DMs besides the thread: the first role of the overdue line in the receiving team. */
  chased: string[];
  /** Each team's Slack channel, by team id. */
  teamChannel: Map<string, string>;
  /** Where each person's DM lands on the fake (conversations.open answers D + the user id without its U). */
  dmChannel: Map<string, string>;
}

/**
 * `count` Hackney step-ups to MASH sent a minute apart from 2 November 2026; their decision timers and their
 * submission messages held in the future.
 */
async function seed(databaseUrl: string, count: number): Promise<Seeded> {
  const config = configSchema.parse({
    DATABASE_URL: databaseUrl,
    STEPWISE_PROTOCOL: protocol,
    STEPWISE_LOG_LEVEL: 'silent',
  });
  const app = await openApp(config, { demoDirectory: true });
  try {
    const transfers: string[] = [];
    for (let i = 0; i < count; i++) {
      const t = await app.workflow.start(
        stepUpToMash({
          consent: { status: 'given', givenBy: 'Mother', givenOn: '2026-10-30', lawfulBasis: 'consent' },
        }),
        new Date(submittedFrom + i * 60_000),
      );
      expect(t.receivingTeamId).toBe('mash');
      transfers.push(t.id);
    }
    const prisma = app.db.prisma;
    // Each submission wrote its card, a reply in the card's thread and the requester's receipt, and nothing has
    // been sent: the servers deliver all of it.
    const outbox = await prisma.outbox.findMany({
      select: { idempotencyKey: true, kind: true, status: true },
    });
    expect(outbox.filter((o) => o.status !== 'pending')).toEqual([]);
    const kinds = new Map<string, number>();
    for (const o of outbox) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({ card: count, thread: count, dm: count });
    expect(await prisma.messageRef.count()).toBe(0);

    const groups = await prisma.timer.groupBy({
      by: ['kind', 'status'],
      _count: true,
      orderBy: { kind: 'asc' },
    });
    expect(groups).toEqual([
      { kind: 'decision_due', status: 'pending', _count: count },
      { kind: 'decision_reminder', status: 'pending', _count: count },
    ]);
    // Long due: the reminder (4 working hours before) and the chase both fire at the first sweep.
    expect(await prisma.timer.count({ where: { dueAt: { gte: new Date() } } })).toBe(0);
    const timers = await prisma.$queryRawUnsafe<SeededTimer[]>(
      'SELECT id, transfer_id, kind, occurrence FROM timer ORDER BY due_at, id',
    );
    await prisma.$executeRawUnsafe(`UPDATE timer SET due_at = due_at + ${hold}`);
    await prisma.$executeRawUnsafe(`UPDATE outbox SET next_attempt_at = next_attempt_at + ${hold}`);

    const directory = app.workflow.directory;
    const role = app.profile.chasing.overdueLine[0] as Role;
    const chased = directory.members('mash', [role]);
    expect(chased.length).toBeGreaterThan(0);
    const dmChannel = new Map<string, string>();
    for (const p of directory.people) if (p.slackUser) dmChannel.set(p.id, `D${p.slackUser.slice(1)}`);
    for (const p of chased) expect(dmChannel.has(p.id), `${p.id} has a Slack user`).toBe(true);
    const teamChannel = new Map<string, string>();
    for (const team of directory.teams) if (team.slackChannel) teamChannel.set(team.id, team.slackChannel);
    expect(teamChannel.get('mash')).toBeTruthy();
    return {
      transfers,
      timers,
      submissionKeys: outbox.map((o) => o.idempotencyKey).sort(),
      chased: chased.map((p) => p.id).sort(),
      teamChannel,
      dmChannel,
    };
  } finally {
    await app.close();
  }
}

async function client(url: string, applicationName = 'sweep-processes-test'): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, application_name: applicationName });
  await c.connect();
  return c;
}

/** Brings the held timers and/or messages back to their own due times, in one transaction. */
async function release(db: pg.Client, what: { timers?: boolean; outbox?: boolean }): Promise<void> {
  await db.query('BEGIN');
  if (what.timers)
    await db.query(`UPDATE timer SET due_at = due_at - ${hold} WHERE due_at > now() + interval '50 years'`);
  if (what.outbox)
    await db.query(
      `UPDATE outbox SET next_attempt_at = next_attempt_at - ${hold}
       WHERE status = 'pending' AND next_attempt_at > now() + interval '50 years'`,
    );
  await db.query('COMMIT');
}

interface Counts {
  /** Seeded timers done. */
  done: number;
  /** Outbox rows not sent yet. */
  unsent: number;
  sent: number;
}

async function counts(db: pg.Client, seeded: Seeded): Promise<Counts> {
  const { rows } = await db.query<Counts>(
    `SELECT (SELECT count(*)::int FROM timer WHERE status = 'done' AND id = ANY ($1::text[])) AS done,
            (SELECT count(*)::int FROM outbox WHERE status <> 'sent') AS unsent,
            (SELECT count(*)::int FROM outbox WHERE status = 'sent') AS sent`,
    [seeded.timers.map((t) => t.id)],
  );
  return rows[0] as Counts;
}

const countsText = async (db: pg.Client, seeded: Seeded) => JSON.stringify(await counts(db, seeded));

/** The idempotency keys of what a seeded timer writes: the reminder card, or the chase's thread reply and DMs. */
function timerKeys(t: SeededTimer, chased: string[]): string[] {
  const key = (what: string) => `timer:${t.id}:${t.occurrence}:${what}`;
  return t.kind === 'decision_reminder'
    ? [key('reminder')]
    : [key('thread'), ...chased.map((p) => key(`dm:${p}`))].sort();
}

/** The key the sweep writes first for a timer (the one a test transaction can hold to block the sweep). */
function firstKey(t: SeededTimer): string {
  return `timer:${t.id}:${t.occurrence}:${t.kind === 'decision_reminder' ? 'reminder' : 'thread'}`;
}

interface OutboxRow {
  idempotency_key: string;
  transfer_id: string | null;
  kind: string;
  target: { personId?: string; teamId?: string };
  payload: { text?: string };
  status: string;
  created_at: Date;
}

async function outboxRows(db: pg.Client): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT idempotency_key, transfer_id, kind, target, payload, status, created_at FROM outbox
     ORDER BY idempotency_key`,
  );
  return rows;
}

/** The rows the sweeps wrote for seeded timers, by timer id. */
function byTimer(rows: OutboxRow[], seeded: Seeded): Map<string, OutboxRow[]> {
  const ids = new Set(seeded.timers.map((t) => t.id));
  const out = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    const id = r.idempotency_key.startsWith('timer:') ? (r.idempotency_key.split(':')[1] ?? '') : '';
    if (!ids.has(id)) continue;
    out.set(id, [...(out.get(id) ?? []), r]);
  }
  return out;
}

interface CardRef {
  transfer_id: string;
  channel: string;
  message_id: string;
}

async function cardRefs(db: pg.Client): Promise<Map<string, CardRef>> {
  const { rows } = await db.query<CardRef>(
    "SELECT transfer_id, channel, message_id FROM message_ref WHERE surface = 'slack' AND purpose = 'card'",
  );
  return new Map(rows.map((c) => [c.transfer_id, c]));
}

const postText = (c: SlackCall) =>
  `${String(c.args.channel)} | ${String(c.args.thread_ts ?? '-')} | ${String(c.args.text)}`;

/**
 * The chat.postMessage each outbox row other than a card must cause, as "channel | thread_ts | text": a reply in
 * its transfer's card thread, a DM, a reminder card in the team's channel, a digest to a manager or a channel.
 */
function expectedPosts(rows: OutboxRow[], cards: Map<string, CardRef>, seeded: Seeded): string[] {
  return rows
    .filter((r) => r.kind !== 'card')
    .map((r) => {
      const text = String(r.payload.text ?? '');
      const team = () => {
        const channel = seeded.teamChannel.get(r.target.teamId ?? '');
        if (!channel) throw new Error(`no channel for ${JSON.stringify(r)}`);
        return channel;
      };
      const dm = () => {
        const channel = seeded.dmChannel.get(r.target.personId ?? '');
        if (!channel) throw new Error(`no DM channel for ${JSON.stringify(r)}`);
        return channel;
      };
      switch (r.kind) {
        case 'thread': {
          const c = cards.get(r.transfer_id ?? '');
          if (!c) throw new Error(`no card posted for transfer ${r.transfer_id}`);
          return `${c.channel} | ${c.message_id} | ${text}`;
        }
        case 'dm':
          return `${dm()} | - | ${text}`;
        case 'reminder':
          return `${team()} | - | ${text}`;
        case 'digest':
          return `${r.target.teamId ? team() : dm()} | - | ${text}`;
        default:
          throw new Error(`unexpected outbox row ${JSON.stringify(r)}`);
      }
    })
    .sort();
}

/**
 * Everything delivered exactly once. Every seeded timer done, having written exactly its messages, stamped with
 * the sweep's time; besides them only each chase's follow-up timer (pending) and the digests. Every outbox row
 * sent. On the fake: each transfer's card posted once, top level in the receiving team's channel, before any
 * reply in its thread; every other row exactly one post; nothing updated, nothing refused. Returns the posts by
 * server token.
 */
async function expectEverythingOnce(
  db: pg.Client,
  fake: FakeSlack,
  seeded: Seeded,
  servers: Stepwise[],
): Promise<Map<string, number>> {
  // Timers.
  const { rows: timers } = await db.query<{
    id: string;
    transfer_id: string | null;
    kind: string;
    key: string;
    status: string;
    occurrence: number;
    payload: Record<string, unknown>;
    created_at: Date;
    done_at: Date | null;
  }>('SELECT id, transfer_id, kind, key, status, occurrence, payload, created_at, done_at FROM timer');
  const seededIds = new Set(seeded.timers.map((t) => t.id));
  const seededNow = timers.filter((t) => seededIds.has(t.id));
  expect(seededNow).toHaveLength(seeded.timers.length);
  expect(seededNow.filter((t) => t.status !== 'done')).toEqual([]);
  const others = timers.filter((t) => !seededIds.has(t.id));
  const digests = others.filter((t) => t.transfer_id === null);
  expect(digests.filter((t) => t.kind !== 'digest' || t.status !== 'pending')).toEqual([]);
  expect(digests.map((t) => t.key)).toContain('digest:overdue');
  const followUps = others.filter((t) => t.transfer_id !== null);
  expect(
    followUps
      .map((t) => `${t.transfer_id} ${t.kind} ${t.key} ${t.status} ${JSON.stringify(t.payload.step)}`)
      .sort(),
  ).toEqual(seeded.transfers.map((id) => `${id} decision_due decision@1:up1 pending 1`).sort());

  // Outbox rows.
  const rows = await outboxRows(db);
  expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
  expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(rows.length);
  const written = byTimer(rows, seeded);
  expect(written.size).toBe(seeded.timers.length);
  const doneAt = new Map(seededNow.map((t) => [t.id, t.done_at?.getTime()]));
  const followUpAt = new Map(followUps.map((t) => [t.transfer_id, t.created_at.getTime()]));
  for (const t of seeded.timers) {
    const mine = written.get(t.id) ?? [];
    expect(mine.map((r) => r.idempotency_key)).toEqual(timerKeys(t, seeded.chased));
    // One sweep's time on the timer, its messages and (for a chase) the follow-up timer.
    const at = new Set(mine.map((r) => r.created_at.getTime()));
    expect([...at]).toEqual([doneAt.get(t.id)]);
    if (t.kind === 'decision_due') expect(followUpAt.get(t.transfer_id)).toBe(doneAt.get(t.id));
  }
  const digestIds = new Set(digests.map((t) => t.id));
  const fromDigests = rows.filter((r) => digestIds.has(r.idempotency_key.split(':')[1] ?? ''));
  expect(fromDigests.filter((r) => r.kind !== 'digest' || r.transfer_id !== null)).toEqual([]);
  const submissions = rows.filter((r) => !r.idempotency_key.startsWith('timer:'));
  expect(submissions.map((r) => r.idempotency_key)).toEqual(seeded.submissionKeys);
  expect(rows).toHaveLength(
    submissions.length + [...written.values()].reduce((n, r) => n + r.length, 0) + fromDigests.length,
  );

  // The fake. Each transfer's card: one post, the one its message ref points at.
  const cards = await cardRefs(db);
  expect([...cards.keys()].sort()).toEqual([...seeded.transfers].sort());
  const mash = seeded.teamChannel.get('mash') as string;
  expect([...cards.values()].filter((c) => c.channel !== mash)).toEqual([]);
  const posts = fake.callsTo('chat.postMessage');
  const cardTs = new Map([...cards.values()].map((c) => [c.message_id, c.transfer_id]));
  const cardPosts = posts.filter((c) => cardTs.has(String(c.result?.ts)));
  expect(cardPosts).toHaveLength(seeded.transfers.length);
  expect(
    cardPosts.filter((c) => c.args.channel !== mash || c.args.thread_ts !== undefined).map(postText),
  ).toEqual([]);
  // Nothing else at the top level of the channel but the reminder cards: no card posted a second time.
  const reminderTexts = new Set(rows.filter((r) => r.kind === 'reminder').map((r) => String(r.payload.text)));
  const topLevel = posts.filter((c) => c.args.channel === mash && c.args.thread_ts === undefined);
  const again = topLevel.filter(
    (c) => !cardTs.has(String(c.result?.ts)) && !reminderTexts.has(String(c.args.text)),
  );
  expect(again.map((c) => `${postText(c)} (by ${c.token})`)).toEqual([]);
  expect(topLevel).toHaveLength(seeded.transfers.length + reminderTexts.size);
  // Every other row one post, and no post besides.
  const expected = expectedPosts(rows, cards, seeded);
  expect(new Set(expected).size).toBe(expected.length);
  const posted = posts
    .filter((c) => !cardTs.has(String(c.result?.ts)))
    .map(postText)
    .sort();
  expect(posted.filter((p, i) => posted[i - 1] === p)).toEqual([]);
  expect(posted).toEqual(expected);
  // Replies hang off the one card, and come after it.
  const cardIndex = new Map(posts.map((c, i) => [String(c.result?.ts), i]));
  const early = posts
    .map((c, i) => ({ c, i }))
    .filter(
      ({ c, i }) => c.args.thread_ts !== undefined && !((cardIndex.get(String(c.args.thread_ts)) ?? i) < i),
    );
  expect(early.map(({ c }) => postText(c))).toEqual([]);
  expect(fake.callsTo('chat.update')).toEqual([]);
  expect([...fake.failed, ...fake.errors]).toEqual([]);

  // Each call was made by one of the servers.
  const byServer = new Map<string, number>();
  const names = new Map(servers.map((p) => [p.token, p.name]));
  for (const c of posts) {
    const name = names.get(c.token ?? '') ?? `unknown token ${c.token}`;
    byServer.set(name, (byServer.get(name) ?? 0) + 1);
  }
  expect([...byServer.keys()].filter((n) => n.startsWith('unknown'))).toEqual([]);
  return byServer;
}

/** The digest timers' runs so far (each run adds one to its occurrence): handled too, in the sweep's log. */
async function digestRuns(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT coalesce(sum(occurrence), 0)::int AS n FROM timer WHERE transfer_id IS NULL',
  );
  return rows[0]?.n ?? 0;
}

// ---- the tests ----------------------------------------------------------------------------------------------

describe.skipIf(!testPgUrl)('durable timers across server processes on PostgreSQL', () => {
  it('two server processes on one database deliver every card, reminder and chase exactly once', async () => {
    const serverUrl = testPgUrl as string;
    const created = await createPostgresDatabase(serverUrl, 'stepwise_sweep');
    const fake = await startFakeSlack();
    const servers: Stepwise[] = [];
    let db: pg.Client | undefined;
    try {
      // Six sweep batches, so the two processes' sweeps overlap and take turns at batches; six outbox batches
      // of transfers for each pump.
      const seeded = await seed(created.url, 300);
      const total = seeded.timers.length;
      servers.push(
        serve('stepwise-sweep-1', created.url, fake),
        serve('stepwise-sweep-2', created.url, fake),
      );
      await Promise.all(servers.map(listening));
      db = await client(created.url);
      const conn = db;
      expect(await counts(conn, seeded)).toEqual({ done: 0, unsent: seeded.submissionKeys.length, sent: 0 });
      expect(fake.calls).toEqual([]);

      // Both crons tick on the same wall-clock second and both pumps poll every second: both sweeps start at
      // once on the released timers, and both pumps on the released messages, while the sweeps add to them.
      await release(conn, { timers: true, outbox: true });
      await until(
        'every timer done and every message sent',
        async () => {
          const c = await counts(conn, seeded);
          const handled = servers.reduce((n, p) => n + handledInLog(p), 0);
          return c.done === total && c.unsent === 0 && handled >= total ? true : undefined;
        },
        {
          timeoutMs: 60_000,
          alive: servers,
          describe: async () =>
            `${await countsText(conn, seeded)}, handled in logs: ${servers.map(handledInLog).join(' + ')}`,
        },
      );

      // Each timer handled once: the two processes' sweeps together handled as many timers as there are (and
      // whatever digest runs fell due meanwhile).
      const handled = servers.map(handledInLog);
      expect(handled.reduce((a, b) => a + b, 0)).toBe(total + (await digestRuns(conn)));
      expect(servers.flatMap(troubleInLog)).toEqual([]);
      const byServer = await expectEverythingOnce(conn, fake, seeded, servers);
      // Both servers delivered: the exactly-once above held with both pumps taking transfers at once.
      expect(servers.map((p) => (byServer.get(p.name) ?? 0) > 0)).toEqual([true, true]);
      // Both processes are still up: nothing above came from a crash and restart.
      expect(servers.filter((p) => p.exited).map((p) => p.name)).toEqual([]);
      console.log(
        `sweep-processes: ${seeded.transfers.length} transfers, ${total} timers handled ${handled.join(' + ')}, ` +
          `posts by server ${JSON.stringify(Object.fromEntries(byServer))}`,
      );
    } finally {
      await Promise.all(servers.map(stop));
      await db?.end();
      await fake.close();
      await created.drop();
    }
  }, 120_000);

  it('a server killed with SIGKILL in the middle of a sweep loses nothing and sends nothing twice after restart', async () => {
    const serverUrl = testPgUrl as string;
    const created = await createPostgresDatabase(serverUrl, 'stepwise_sweep');
    const fake = await startFakeSlack();
    const servers: Stepwise[] = [];
    let db: pg.Client | undefined;
    let blocker: pg.Client | undefined;
    try {
      const seeded = await seed(created.url, 200);
      const total = seeded.timers.length;
      db = await client(created.url);
      const conn = db;
      const first = serve('stepwise-sweep-killed', created.url, fake);
      servers.push(first);
      await listening(first);

      // The submissions first (cards, replies, receipts), the timers still held: the sweep below then runs on
      // an outbox with nothing in flight, well within its transaction's 30 s.
      await release(conn, { outbox: true });
      await until(
        'the submissions delivered',
        async () => {
          const c = await counts(conn, seeded);
          return c.unsent === 0 && c.sent === seeded.submissionKeys.length ? true : undefined;
        },
        { timeoutMs: 30_000, alive: [first], describe: () => countsText(conn, seeded) },
      );
      expect(fake.callsTo('chat.postMessage')).toHaveLength(seeded.submissionKeys.length);

      // The sweep's first batch commits; the second blocks on the outbox row of the 150th timer in sweep order,
      // which an open transaction here has already inserted with the key the sweep uses.
      const order = seeded.timers;
      const stuck = order[Math.floor(1.5 * sweepBatch) - 1] as SeededTimer;
      const stuckKey = firstKey(stuck);
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
      await release(conn, { timers: true });

      const blockedBackend = async () => {
        const { rows } = await conn.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity
           WHERE application_name = $1 AND $2 = ANY (pg_blocking_pids(pid))`,
          [first.name, blockerPid],
        );
        return rows[0]?.pid;
      };
      const sweeper = await until('the sweep to block on the held outbox key', blockedBackend, {
        timeoutMs: 20_000,
        alive: [first],
        describe: () => countsText(conn, seeded),
      });
      const firstBatch = order.slice(0, sweepBatch);
      expect((await counts(conn, seeded)).done).toBe(sweepBatch);
      // The committed batch's messages go out while the next batch waits (the pump runs beside the sweep).
      const firstBatchMessages = firstBatch.reduce((n, t) => n + timerKeys(t, seeded.chased).length, 0);
      const sentBeforeKill = seeded.submissionKeys.length + firstBatchMessages;
      await until(
        "the first batch's messages delivered",
        async () => {
          const c = await counts(conn, seeded);
          return c.sent === sentBeforeKill && c.unsent === 0 ? true : undefined;
        },
        { timeoutMs: 15_000, alive: [first], describe: () => countsText(conn, seeded) },
      );
      expect(fake.callsTo('chat.postMessage')).toHaveLength(sentBeforeKill);
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

      // The committed part is whole: the first batch done with all its messages (and, for a chase, its
      // follow-up timer), the rest pending with none.
      const { rows: afterKill } = await conn.query<{
        id: string;
        transfer_id: string | null;
        status: string;
      }>('SELECT id, transfer_id, status FROM timer');
      const done = new Set(firstBatch.map((t) => t.id));
      const seededIds = new Set(order.map((t) => t.id));
      expect(
        afterKill
          .filter((t) => seededIds.has(t.id) && t.status === 'done')
          .map((t) => t.id)
          .sort(),
      ).toEqual([...done].sort());
      expect(
        afterKill.filter((t) => seededIds.has(t.id) && !done.has(t.id) && t.status !== 'pending'),
      ).toEqual([]);
      expect(
        afterKill
          .filter((t) => !seededIds.has(t.id) && t.transfer_id !== null)
          .map((t) => t.transfer_id)
          .sort(),
      ).toEqual(
        firstBatch
          .filter((t) => t.kind === 'decision_due')
          .map((t) => t.transfer_id)
          .sort(),
      );
      const rowsAfterKill = byTimer(await outboxRows(conn), seeded);
      expect([...rowsAfterKill.keys()].sort()).toEqual([...done].sort());
      for (const t of firstBatch) {
        expect(rowsAfterKill.get(t.id)?.map((r) => r.idempotency_key)).toEqual(timerKeys(t, seeded.chased));
      }
      expect(await conn.query('SELECT 1 FROM outbox WHERE idempotency_key = $1', [stuckKey])).toMatchObject({
        rowCount: 0,
      });
      const runsBeforeRestart = await digestRuns(conn);

      // Restart: the new server sweeps what is left and delivers it; nothing delivered before is sent again.
      const second = serve('stepwise-sweep-restarted', created.url, fake);
      servers.push(second);
      await until(
        'every timer done and every message sent after the restart',
        async () => {
          const c = await counts(conn, seeded);
          return c.done === total && c.unsent === 0 && handledInLog(second) >= total - sweepBatch
            ? true
            : undefined;
        },
        {
          timeoutMs: 60_000,
          alive: [second],
          describe: async () => `${await countsText(conn, seeded)}, handled in log: ${handledInLog(second)}`,
        },
      );
      // The killed sweep never logged; the first server's other sweeps handled at most digests.
      expect(handledInLog(first)).toBe(runsBeforeRestart);
      expect(handledInLog(second)).toBe(total - sweepBatch + (await digestRuns(conn)) - runsBeforeRestart);
      expect(servers.flatMap(troubleInLog)).toEqual([]);
      const byServer = await expectEverythingOnce(conn, fake, seeded, servers);
      expect(byServer.get(first.name)).toBe(sentBeforeKill);
      console.log(
        `sweep-processes: ${seeded.transfers.length} transfers, killed after ${sweepBatch} of ${total} timers, ` +
          `posts by server ${JSON.stringify(Object.fromEntries(byServer))}`,
      );
    } finally {
      await Promise.all(servers.map(stop));
      await blocker?.end();
      await db?.end();
      await fake.close();
      await created.drop();
    }
  }, 120_000);
});
