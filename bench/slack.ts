/**
 * `npm run bench` (after bench/run.ts), or `STEPWISE_BENCH_ONLY=slack npm run bench`: the Slack surface.
 *
 *  a. slash-command acknowledgement latency (HTTP response to a signed `/stepup`), p50 and p99, 1 at a time and 50
 *     at once, beside a bare Bolt app (same receiver, one listener that only acks) answering the same request
 *     in the same run;
 *  b. a button press (Accept) to the `chat.update` the fake Slack API sees, p50 and p99, 50 presses at once.
 *
 * Runs on PostgreSQL when STEPWISE_BENCH_PG_URL is set (npm run bench starts one), else on file-backed PGlite.
 * Figures only: a missed target is reported, never a failure. Results go to test-output/bench-slack.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App as BoltApp, HTTPReceiver, LogLevel } from '@slack/bolt';
import type { Person } from '../src/domain/directory.ts';
import { answersFor } from '../test/support/slack-forms.ts';
import { SlackHarness } from '../test/support/slack-harness.ts';
import { postToSlackEvents, signingSecret, slashCommandBody } from '../test/support/slack-requests.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number.parseInt(process.env.STEPWISE_BENCH_SLACK_N ?? '', 10) || 200;
const CONCURRENT = 50;
if (process.env.STEPWISE_BENCH_PG_URL) process.env.STEPWISE_TEST_PG_URL = process.env.STEPWISE_BENCH_PG_URL;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
};
const f1 = (n: number) => n.toFixed(1);
const stats = (xs: number[]) => ({ n: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });

/** A Bolt app with the same receiver settings and one /stepup listener that only acknowledges. */
async function startBareBolt(): Promise<{ url: string; stop: () => Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const app = new BoltApp({
    receiver,
    authorize: async () => ({ botToken: 'xoxb-bare' }),
    logLevel: LogLevel.ERROR,
  });
  app.command('/stepup', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as unknown as { address(): AddressInfo };
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => app.stop() as Promise<void> };
}

/** Acknowledgement latency of `rounds` signed /stepup commands, `concurrency` at a time. */
async function ackLatency(url: string, user: string, rounds: number, concurrency: number): Promise<number[]> {
  const ms: number[] = [];
  for (let done = 0; done < rounds; done += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, rounds - done) }, () =>
      postToSlackEvents(
        url,
        slashCommandBody({ command: '/stepup', text: 'interventions-to-sw', userId: user }),
      ),
    );
    for (const r of await Promise.all(batch)) {
      if (r.status !== 200) throw new Error(`ack answered HTTP ${r.status}`);
      ms.push(r.ms);
    }
  }
  return ms;
}

async function main() {
  const h = await SlackHarness.start('manchester', { outboxIntervalMs: 1000 });
  const bare = await startBareBolt();
  const db = h.server.app.db.describe;
  console.log(`\nSlack surface (${db}; ${ROUNDS} commands per row, fake Slack Web API on loopback)\n`);
  try {
    const ivy = h.directory.person('ivy') as Person;
    const user = ivy.slackUser as string;
    // Warm both up.
    await ackLatency(`${h.server.url}`, user, 20, 5);
    await ackLatency(bare.url, user, 20, 5);
    const rows: { label: string; stepwise: ReturnType<typeof stats>; bare: ReturnType<typeof stats> }[] = [];
    for (const concurrency of [1, CONCURRENT]) {
      // Interleaved, so both see the same machine load.
      const s: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 4; i++) {
        s.push(...(await ackLatency(h.server.url, user, ROUNDS / 4, concurrency)));
        b.push(...(await ackLatency(bare.url, user, ROUNDS / 4, concurrency)));
      }
      rows.push({ label: `${concurrency} at a time`, stepwise: stats(s), bare: stats(b) });
    }
    console.log('a. /stepup acknowledgement (HTTP response), ms');
    console.log(
      '   concurrency     Stepwise p50  p99    bare Bolt p50  p99    p50 ratio (target <= 1.5)  p99 target < 500',
    );
    for (const r of rows) {
      const ratio = r.stepwise.p50 / r.bare.p50;
      console.log(
        `   ${r.label.padEnd(15)} ${f1(r.stepwise.p50).padStart(8)} ${f1(r.stepwise.p99).padStart(6)}    ${f1(r.bare.p50).padStart(9)} ${f1(r.bare.p99).padStart(6)}    ${ratio.toFixed(2).padStart(5)}x ${ratio <= 1.5 ? 'met' : 'MISSED'}              ${r.label.startsWith('50') ? (r.stepwise.p99 < 500 ? 'met' : 'MISSED') : ''}`,
      );
    }

    // b. Press -> chat.update: 50 submitted requests, then 50 Accept presses at once.
    const refs: string[] = [];
    const route = h.profile.routes.find((r) => r.id === 'interventions-to-sw');
    if (!route) throw new Error('no route');
    const view = await h.commandOpensModal(ivy, '/stepup', route.id);
    const answers = answersFor(view.blocks);
    for (let i = 0; i < CONCURRENT; i++) {
      const res = await h.submit(ivy, view, answers);
      refs.push(String(res?.view?.title?.text).replace('Sent: ', ''));
    }
    const channel = h.directory.team('sw-north')?.slackChannel as string;
    await h.fake.waitFor(
      'chat.postMessage',
      CONCURRENT,
      (c) => c.args.channel === channel && !c.args.thread_ts,
      60_000,
    );
    const cards = refs.map((ref) => h.card(channel, ref));
    const decider = h.directory.members('sw-north', ['team_manager']).find((p) => p.slackUser) as Person;
    const started = new Map<string, number>();
    const seen = new Map<string, number>();
    const watch = setInterval(() => {
      for (const c of h.fake.callsTo('chat.update')) {
        const ts = String(c.args.ts);
        if (started.has(ts) && !seen.has(ts)) seen.set(ts, c.at);
      }
    }, 1);
    const t0 = Date.now();
    await Promise.all(
      cards.map(async (card) => {
        started.set(card.ts, Date.now());
        const r = await h.press(decider, card, 'accept');
        if (r.status !== 200) throw new Error(`press answered ${r.status}`);
      }),
    );
    await h.fake.waitFor('chat.update', CONCURRENT, (c) => started.has(String(c.args.ts)), 60_000);
    clearInterval(watch);
    for (const c of h.fake.callsTo('chat.update')) {
      const ts = String(c.args.ts);
      if (started.has(ts) && !seen.has(ts)) seen.set(ts, c.at);
    }
    const pressToUpdate = cards.map((c) => (seen.get(c.ts) as number) - (started.get(c.ts) as number));
    const press = stats(pressToUpdate);
    console.log(
      `\nb. Accept pressed on ${CONCURRENT} cards at once -> chat.update seen by the fake Slack API, ms`,
    );
    console.log(
      `   p50 ${f1(press.p50)}   p99 ${f1(press.p99)}   (all ${CONCURRENT} updated within ${Date.now() - t0} ms)`,
    );
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(
      join(root, 'test-output', 'bench-slack.json'),
      JSON.stringify({ database: db, rounds: ROUNDS, ack: rows, pressToUpdate: press }, null, 2),
    );
  } finally {
    await bare.stop();
    await h.close();
  }
}

await main();
