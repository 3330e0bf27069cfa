/**
 * `npm run bench` (after the Slack figures), or `STEPWISE_BENCH_ONLY=teams npm run bench`: the Teams surface.
 * A button press (Accept, an `adaptiveCard/action` invoke) answered with the updated card: the HTTP response
 * time of Stepwise's `POST /api/messages` (`stepwise serve` as deployed, Teams alone in local mode, the workflow
 * on the database, the card rendered for the person) beside a bare Agents SDK bot that answers the same invoke
 * with a fixed card, interleaved one request at a time in the same run. Stepwise and the bare bots each run in a
 * process of their own; the load and the fake Bot Connector (which takes the cards the outbox posts) run in this
 * one, so what a server does after it has answered (delivering the press's messages) is not counted as if the
 * client had to wait for it, as no real client does.
 *
 * Two more bare bots (bare-agents.ts, PostgreSQL only) show what the database alone adds: one reads the pressed
 * request, one reads it and updates its row. Then Stepwise's two steps are timed called directly, with no HTTP
 * and no SDK: the decision, and the card for the person.
 *
 * Runs on PostgreSQL when STEPWISE_BENCH_PG_URL is set (npm run bench starts one), else on PGlite. Figures only.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, openApp } from '../src/app.ts';
import { requestCard } from '../src/channels/compose.ts';
import { readConfig } from '../src/config.ts';
import { startFakeConnector } from '../test/support/fake-connector.ts';
import { stepUpToMash } from '../test/support/hackney-fixture.ts';
import { createPostgresDatabase } from '../test/support/postgres-database.ts';
import { root, startProcess } from './process.ts';
import { quantile } from './stats.ts';

const ROUNDS = Number.parseInt(process.env.STEPWISE_BENCH_TEAMS_N ?? '', 10) || 200;
/** Presses before the timed ones, on every bot: each server process starts cold. */
const WARM = 50;
const row = (xs: number[]) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });

/** The requests to press on, and Stepwise's two steps timed directly on others (before the server starts). */
async function prepare(app: App) {
  const start = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await app.workflow.start(stepUpToMash(), new Date())).id);
    return ids;
  };
  const pressIds = await start(ROUNDS + WARM);
  const mo = app.workflow.directory.person('mo');
  if (!mo) throw new Error('no Mo in the Hackney demo directory');
  const decisions: number[] = [];
  const cards: number[] = [];
  for (const id of await start(ROUNDS)) {
    const t0 = performance.now();
    const t = await app.workflow.accept(
      { actor: { personId: mo.id, surface: 'teams' }, ref: id, expectedVersion: 1 },
      new Date(),
    );
    const t1 = performance.now();
    await requestCard(app, t, new Date(), mo);
    decisions.push(t1 - t0);
    cards.push(performance.now() - t1);
  }
  return { pressIds, decision: row(decisions), card: row(cards) };
}

async function main() {
  console.log('\ne. Teams: a button press (adaptiveCard/action invoke) to its HTTP answer\n');
  const connector = await startFakeConnector();
  const pg = process.env.STEPWISE_BENCH_PG_URL;
  const db = pg ? await createPostgresDatabase(pg, 'stepwise_bench_teams') : null;
  const dataDir = db ? null : mkdtempSync(join(tmpdir(), 'stepwise-bench-teams-'));
  const where = db ? { DATABASE_URL: db.url } : { STEPWISE_DATA_DIR: dataDir as string };
  const env = { ...where, STEPWISE_PROTOCOL: 'hackney' };
  // The embedded database is one process's at a time: this one prepares, closes it, then the server opens it.
  const app = await openApp(readConfig(env), { demoDirectory: true });
  const prepared = await prepare(app).finally(() => app.close());
  const stepwise = await startProcess([join(root, 'bin', 'stepwise.mjs'), 'serve'], {
    ...env,
    PORT: '0',
    STEPWISE_TEAMS: 'local',
    STEPWISE_LOG_LEVEL: 'silent',
  });
  const bots = await startProcess(
    ['--import', 'tsx', join(root, 'bench', 'bare-agents.ts')],
    db ? { DATABASE_URL: db.url } : {},
    db ? 3 : 1,
  );
  const [bare, reader, writer] = bots.urls as [string, string?, string?];
  try {
    const activity = (from: string, value: unknown) => ({
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: `29:1${from}`, name: from },
      recipient: { id: '28:stepwise-bot', name: 'Stepwise' },
      conversation: { id: '19:mash-hackney@thread.tacv2', conversationType: 'channel' },
      value,
    });
    const post = async (url: string, body: unknown) => {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`HTTP ${res.status} from ${url}`);
      return performance.now() - t0;
    };
    // What the server has yet to send (the outbox's pending and sending rows), from its health answer.
    const drained = async () => {
      for (;;) {
        const health = (await (await fetch(`${stepwise.url}/healthz`)).json()) as {
          outbox: { waiting: number };
        };
        if (health.outbox.waiting === 0) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await post(stepwise.url, {
      ...activity('mo', undefined),
      type: 'conversationUpdate',
      name: undefined,
      membersAdded: [{ id: '28:stepwise-bot' }],
    });
    const press = (id: string) => ({
      action: {
        type: 'Action.Execute',
        verb: 'accept',
        data: { action: 'accept', transferId: id, version: 1 },
      },
    });
    const yardsticks = [bare, reader, writer].filter((u): u is string => Boolean(u));
    // Warm every bot up.
    for (const id of prepared.pressIds.slice(0, WARM))
      for (const url of [stepwise.url, ...yardsticks]) await post(url, activity('mo', press(id)));
    // Each press is timed with nothing else in flight: the messages the previous press wrote (the channel card,
    // the thread, the direct message) are delivered to the fake connector first, as they would be long before a
    // person presses the next button.
    const times = new Map<string, number[]>([stepwise.url, ...yardsticks].map((u) => [u, []]));
    for (const id of prepared.pressIds.slice(WARM)) {
      for (const url of [stepwise.url, ...yardsticks]) {
        await drained();
        times.get(url)?.push(await post(url, activity('mo', press(id))));
      }
    }
    await drained();
    const a = row(times.get(stepwise.url) ?? []);
    const b = row(times.get(bare) ?? []);
    const r = reader ? row(times.get(reader) ?? []) : null;
    const w = writer ? row(times.get(writer) ?? []) : null;
    const { decision: d, card: c } = prepared;
    const ms = (q: { p50: number; p99: number }) => `p50 ${q.p50.toFixed(1)} ms, p99 ${q.p99.toFixed(1)} ms`;
    const x = (q: { p50: number }) => `${(q.p50 / b.p50).toFixed(2)}x`;
    console.log(
      `   database: ${db ? 'PostgreSQL' : 'PGlite on disk'}; ${ROUNDS} presses each, one at a time, interleaved; each server in its own process`,
    );
    console.log(`   Stepwise (Accept, the workflow, the card for the person): ${ms(a)}`);
    console.log(`   bare Agents SDK bot (a fixed card):                       ${ms(b)}`);
    if (r) console.log(`   the bare bot, reading the pressed request first:         ${ms(r)}`);
    if (w) console.log(`   the bare bot, reading it and updating its row:           ${ms(w)}`);
    console.log(
      `   p50 ratio ${x(a)} (target at most 1.5x)${a.p50 / b.p50 > 1.5 ? ' (missed)' : ''}` +
        (r && w ? `; the reading bot's ${x(r)}, the updating bot's ${x(w)}` : ''),
    );
    console.log(
      `   Stepwise's two steps called directly: the decision (read, one write) ${ms(d)}; the card for the person (read, render) ${ms(c)}`,
    );
    const health = (await (await fetch(`${stepwise.url}/healthz`)).json()) as {
      outbox: { waiting: number; sent: number; failed: number };
    };
    const { waiting, sent, failed } = health.outbox;
    console.log(
      `   the server's outbox at the end: ${waiting} waiting, ${sent} sent, ${failed} failed (the prepared requests' ` +
        `first messages, written before the app was installed in MASH's channel, had nowhere to go)`,
    );
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(
      join(root, 'test-output', 'bench-teams.json'),
      `${JSON.stringify({ rounds: ROUNDS, database: db ? 'postgresql' : 'pglite', stepwise: a, bare: b, bareReading: r, bareUpdating: w, decision: d, card: c }, null, 2)}\n`,
    );
  } finally {
    bots.stop();
    stepwise.stop();
    await connector.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`teams bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
