/**
 * `npm run bench` (after the Slack figures), or `STEPWISE_BENCH_ONLY=teams npm run bench`: the Teams surface.
 * A button press (Accept, an `adaptiveCard/action` invoke) answered with the updated card: the HTTP response
 * time of Stepwise's `POST /api/messages` (local mode, the workflow on the database, the card rendered for the
 * person) beside a bare Agents SDK bot that answers the same invoke with a fixed card, interleaved one
 * request at a time in the same run. Each Stepwise press is on its own request. A fake Bot Connector on
 * loopback takes the cards the outbox posts meanwhile.
 *
 * Two more bots, interleaved too, are the bare one that first reads the pressed request through Stepwise's store
 * (the one read any bot that decides must make), and the bare one that reads it and then updates its row once
 * (the least a bot that records the decision must write): what the database alone adds.
 *
 * Runs on PostgreSQL when STEPWISE_BENCH_PG_URL is set (npm run bench starts one), else on PGlite. Figures only.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeConnector } from '../test/support/fake-connector.ts';
import { stepUpToMash } from '../test/support/hackney-fixture.ts';
import { startTestServer } from '../test/support/test-server.ts';
import { startBareAgent } from './bare-agent.ts';
import { quantile } from './stats.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number.parseInt(process.env.STEPWISE_BENCH_TEAMS_N ?? '', 10) || 200;

async function main() {
  console.log('\ne. Teams: a button press (adaptiveCard/action invoke) to its HTTP answer\n');
  const connector = await startFakeConnector();
  const pg = process.env.STEPWISE_BENCH_PG_URL;
  const server = await startTestServer({
    ...(pg ? { DATABASE_URL: pg } : {}),
    STEPWISE_PROTOCOL: 'hackney',
    STEPWISE_TEAMS: 'local',
  });
  const bare = await startBareAgent();
  const pressed = (value: unknown) =>
    String((value as { action?: { data?: { transferId?: string } } }).action?.data?.transferId);
  const read = async (value: unknown) => {
    const t = await server.app.store.find(pressed(value));
    if (!t) throw new Error('the pressed request is not there');
    return t;
  };
  const reader = await startBareAgent(read);
  const writer = await startBareAgent(async (value) => {
    const t = await read(value);
    await server.app.db.prisma.$executeRawUnsafe(
      'UPDATE transfer SET updated_at = $1::timestamptz WHERE id = $2 AND version = $3',
      new Date().toISOString(),
      t.id,
      t.version,
    );
  });
  try {
    if (pg)
      await server.app.db.prisma.$executeRawUnsafe(
        'TRUNCATE transfer, outbox, timer, audit_event, meeting, dispute, message_ref CASCADE',
      );
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
    await post(server.url, {
      ...activity('mo', undefined),
      type: 'conversationUpdate',
      name: undefined,
      membersAdded: [{ id: '28:stepwise-bot' }],
    });
    const ids: string[] = [];
    for (let i = 0; i < ROUNDS + 10; i++)
      ids.push((await server.app.workflow.start(stepUpToMash(), new Date())).id);
    const press = (id: string) => ({
      action: {
        type: 'Action.Execute',
        verb: 'accept',
        data: { action: 'accept', transferId: id, version: 1 },
      },
    });
    // Warm both up.
    for (const id of ids.slice(0, 10)) {
      await post(server.url, activity('mo', press(id)));
      await post(bare.url, activity('mo', press(id)));
      await post(reader.url, activity('mo', press(id)));
      await post(writer.url, activity('mo', press(id)));
    }
    // Each press is timed with nothing else in flight: the messages the previous press wrote (the channel card,
    // the thread, the direct message) are delivered to the fake connector first, as they would be long before a
    // person presses the next button.
    const drained = async () => {
      for (;;) {
        const pending = await server.app.db.prisma.outbox.count({
          where: { status: { in: ['pending', 'sending'] } },
        });
        if (pending === 0) return;
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    const mine: number[] = [];
    const theirs: number[] = [];
    const reads: number[] = [];
    const writes: number[] = [];
    for (const id of ids.slice(10)) {
      await drained();
      mine.push(await post(server.url, activity('mo', press(id))));
      await drained();
      theirs.push(await post(bare.url, activity('mo', press(id))));
      reads.push(await post(reader.url, activity('mo', press(id))));
      writes.push(await post(writer.url, activity('mo', press(id))));
    }
    const accepted = await server.app.db.prisma.transfer.count({ where: { state: 'accepted' } });
    const row = (xs: number[]) => ({ p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });
    const a = row(mine);
    const b = row(theirs);
    const r = row(reads);
    const w = row(writes);
    console.log(
      `   database: ${pg ? 'PostgreSQL' : 'PGlite on disk'}; ${ROUNDS} presses each, one at a time, interleaved`,
    );
    console.log(
      `   Stepwise (Accept, the workflow, the card for the person): p50 ${a.p50.toFixed(1)} ms, p99 ${a.p99.toFixed(1)} ms`,
    );
    console.log(
      `   bare Agents SDK bot (a fixed card):                       p50 ${b.p50.toFixed(1)} ms, p99 ${b.p99.toFixed(1)} ms`,
    );
    console.log(
      `   the bare bot, reading the pressed request first:         p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
    );
    console.log(
      `   the bare bot, reading it and updating its row:           p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms`,
    );
    const x = (q: { p50: number }) => `${(q.p50 / b.p50).toFixed(2)}x`;
    console.log(
      `   p50 ratio ${x(a)} (target at most 1.5x)${a.p50 / b.p50 > 1.5 ? ' (missed)' : ''}; ` +
        `the reading bot's ${x(r)}, the updating bot's ${x(w)}`,
    );
    console.log(`   check: ${accepted} of ${ROUNDS + 10} requests accepted`);
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(
      join(root, 'test-output', 'bench-teams.json'),
      `${JSON.stringify({ rounds: ROUNDS, database: pg ? 'postgresql' : 'pglite', stepwise: a, bare: b, bareReading: r, bareUpdating: w }, null, 2)}\n`,
    );
  } finally {
    bare.server.close();
    reader.server.close();
    writer.server.close();
    await server.close();
    await connector.close();
  }
}

main().catch((e) => {
  console.error(`teams bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
