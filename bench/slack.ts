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
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Directory, directoryFileSchema, directoryFromFile, type Person } from '../src/domain/directory.ts';
import { demoDirectoryPath } from '../src/protocols/directories/index.ts';
import { builtInProfile } from '../src/protocols/index.ts';
import { startFakeSlack } from '../test/support/fake-slack.ts';
import { createPostgresDatabase } from '../test/support/postgres-database.ts';
import { answersFor } from '../test/support/slack-forms.ts';
import { type SlackBlock, SlackHarness } from '../test/support/slack-harness.ts';
import {
  blockActionsBody,
  postToSlackEvents,
  signingSecret,
  slashCommandBody,
  stateFromAnswers,
  viewSubmissionBody,
} from '../test/support/slack-requests.ts';
import { root, startProcess } from './process.ts';
import { quantile } from './stats.ts';

const ROUNDS = Number.parseInt(process.env.STEPWISE_BENCH_SLACK_N ?? '', 10) || 200;
const CONCURRENT = 50;
const GAP_MS = 5;

const f1 = (n: number) => n.toFixed(1);
const stats = (xs: number[]) => ({ n: xs.length, p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) });

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
    // Let the work each command does after its acknowledgement (opening the modal) finish before the next
    // batch, as between two people's commands: the figure is the acknowledgement, not a queue behind it.
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  return ms;
}

async function main() {
  // Stepwise and the bare Bolt app each run as their own process, as in production; this process is the load
  // and the fake Slack Web API.
  const fake = await startFakeSlack();
  const profile = builtInProfile('manchester');
  const { teams, people } = directoryFromFile(
    directoryFileSchema.parse(parseYaml(readFileSync(demoDirectoryPath('manchester'), 'utf8'))),
  );
  const directory = new Directory(teams, people);
  const pg = process.env.STEPWISE_BENCH_PG_URL;
  const db = pg ? await createPostgresDatabase(pg, 'stepwise_bench_slack') : null;
  const dataDir = db ? null : mkdtempSync(join(tmpdir(), 'stepwise-bench-slack-'));
  const stepwise = await startProcess([join(root, 'bin', 'stepwise.mjs'), 'serve'], {
    PORT: '0',
    STEPWISE_PROTOCOL: 'manchester',
    ...(db ? { DATABASE_URL: db.url } : { STEPWISE_DATA_DIR: dataDir as string }),
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: fake.apiUrl,
    STEPWISE_LOG_LEVEL: 'silent',
  });
  const bare = await startProcess(['--import', 'tsx', join(root, 'bench', 'bare-bolt.ts')], {
    SLACK_SIGNING_SECRET: signingSecret,
  });
  const where = db ? 'PostgreSQL' : 'file-backed PGlite';
  console.log(
    `\nSlack surface (Stepwise on ${where}, in its own process; ${ROUNDS} commands per row; fake Slack Web API on loopback)\n`,
  );
  try {
    const ivy = directory.person('ivy') as Person;
    const user = ivy.slackUser as string;
    // Warm both up.
    await ackLatency(stepwise.url, user, 20, 5);
    await ackLatency(bare.url, user, 20, 5);
    const rows: { label: string; stepwise: ReturnType<typeof stats>; bare: ReturnType<typeof stats> }[] = [];
    for (const concurrency of [1, CONCURRENT]) {
      // Interleaved, so both see the same machine load.
      const s: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < 4; i++) {
        s.push(...(await ackLatency(stepwise.url, user, ROUNDS / 4, concurrency)));
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
    const route = profile.routes.find((r) => r.id === 'interventions-to-sw');
    if (!route) throw new Error('no route');
    const opens = fake.callsTo('views.open').length;
    await postToSlackEvents(
      stepwise.url,
      slashCommandBody({ command: '/stepup', text: route.id, userId: user }),
    );
    const [open] = (await fake.waitFor('views.open', opens + 1)).slice(opens);
    const view = open?.args.view as { callback_id: string; private_metadata: string; blocks: SlackBlock[] };
    const values = stateFromAnswers(view.blocks, answersFor(view.blocks));
    const refs: string[] = [];
    for (let i = 0; i < CONCURRENT; i++) {
      const res = await postToSlackEvents(
        stepwise.url,
        viewSubmissionBody({
          userId: user,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values,
          blocks: view.blocks,
        }),
      );
      refs.push(
        String((res.json as { view?: { title?: { text?: string } } }).view?.title?.text).replace(
          'Sent: ',
          '',
        ),
      );
    }
    const channel = directory.team('sw-north')?.slackChannel as string;
    const posts = await fake.waitFor(
      'chat.postMessage',
      CONCURRENT,
      // The request cards (the channel also gets meeting cards, e.g. a final CIN meeting the form dates).
      (c) =>
        c.args.channel === channel &&
        !c.args.thread_ts &&
        refs.some(
          (r) => String(c.args.text).startsWith(`${r}: `) && String(c.args.text).includes(' request for '),
        ),
      60_000,
    );
    const cards = refs.map((ref) => {
      const post = posts.find((c) => String(c.args.text).startsWith(`${ref}: `));
      const accept = SlackHarness.buttons((post?.args.blocks as SlackBlock[]) ?? []).find(
        (b) => b.action_id === 'accept',
      );
      if (!post || !accept) throw new Error(`no card with Accept for ${ref}`);
      return { ts: String(post.result?.ts), accept };
    });
    const decider = directory.members('sw-north', ['team_manager']).find((p) => p.slackUser) as Person;
    const started = new Map<string, number>();
    const seen = new Map<string, number>();
    const watch = setInterval(() => {
      for (const c of fake.callsTo('chat.update')) {
        const ts = String(c.args.ts);
        if (started.has(ts) && !seen.has(ts)) seen.set(ts, c.at);
      }
    }, 1);
    const t0 = Date.now();
    await Promise.all(
      cards.map(async (card) => {
        started.set(card.ts, Date.now());
        const r = await postToSlackEvents(
          stepwise.url,
          blockActionsBody({
            userId: decider.slackUser as string,
            actionId: 'accept',
            value: card.accept.value,
            blockId: card.accept.blockId,
            channelId: channel,
            messageTs: card.ts,
            responseUrl: fake.responseUrl('press'),
          }),
        );
        if (r.status !== 200) throw new Error(`press answered ${r.status}`);
      }),
    );
    await fake.waitFor('chat.update', CONCURRENT, (c) => started.has(String(c.args.ts)), 60_000);
    clearInterval(watch);
    for (const c of fake.callsTo('chat.update')) {
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
      JSON.stringify({ database: where, rounds: ROUNDS, ack: rows, pressToUpdate: press }, null, 2),
    );
  } finally {
    bare.stop();
    stepwise.stop();
    await new Promise((r) => setTimeout(r, 500));
    await fake.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
