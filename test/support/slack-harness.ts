// Drives the running Stepwise server as Slack would: signed slash commands, button presses and modal
// submissions over HTTP, with a fake Slack Web API on loopback recording what Stepwise sends back.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { configSchema } from '../../src/config.ts';
import type { Person } from '../../src/domain/directory.ts';
import type { ProfileName } from '../../src/protocols/index.ts';
import { type RunningServer, startServer } from '../../src/server/main.ts';
import { type FakeSlack, type SlackCall, startFakeSlack } from './fake-slack.ts';
import { createPostgresDatabase } from './postgres-database.ts';
import {
  blockActionsBody,
  postToSlackEvents,
  type SlackPost,
  signingSecret,
  slashCommandBody,
  stateFromAnswers,
  viewSubmissionBody,
} from './slack-requests.ts';

export interface SlackBlock {
  type: string;
  block_id?: string;
  element?: Record<string, unknown> & { type: string; action_id?: string };
  elements?: (Record<string, unknown> & { type: string; action_id?: string; value?: string })[];
  label?: { text: string };
  [key: string]: unknown;
}

export class SlackHarness {
  private constructor(
    readonly server: RunningServer,
    readonly fake: FakeSlack,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /** Stepwise on the council's demo directory, on PostgreSQL when the test server is there, else PGlite. */
  static async start(council: ProfileName, opts: { outboxIntervalMs?: number } = {}): Promise<SlackHarness> {
    const fake = await startFakeSlack();
    const pgUrl = process.env.STEPWISE_TEST_PG_URL;
    const db = pgUrl ? await createPostgresDatabase(pgUrl, 'stepwise_e2e') : null;
    const dataDir = db ? null : mkdtempSync(join(tmpdir(), 'stepwise-e2e-'));
    const config = configSchema.parse({
      PORT: '0',
      STEPWISE_PROTOCOL: council,
      ...(db ? { DATABASE_URL: db.url } : { STEPWISE_DATA_DIR: dataDir }),
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: 'xoxb-stepwise-test',
      SLACK_API_URL: fake.apiUrl,
      STEPWISE_LOG_LEVEL: 'silent',
    });
    const server = await startServer(config, {
      log: pino({ level: 'silent' }),
      sweep: false,
      outboxIntervalMs: opts.outboxIntervalMs ?? 200,
    });
    return new SlackHarness(server, fake, async () => {
      await server.close();
      await fake.close();
      await db?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });
  }

  close(): Promise<void> {
    return this.cleanup();
  }

  get directory() {
    return this.server.app.workflow.directory;
  }
  get profile() {
    return this.server.app.profile;
  }

  post(body: string, opts?: Parameters<typeof postToSlackEvents>[2]): Promise<SlackPost> {
    return postToSlackEvents(this.server.url, body, opts);
  }

  slackId(p: Person): string {
    if (!p.slackUser) throw new Error(`${p.id} has no Slack user in the demo directory`);
    return p.slackUser;
  }

  /** A slash command; answers the HTTP status (Stepwise acknowledges at once). */
  command(p: Person, command: string, text = '', channelId = 'C0ANYWHERE', responseId?: string) {
    return this.post(
      slashCommandBody({
        command,
        text,
        userId: this.slackId(p),
        channelId,
        responseUrl: this.fake.responseUrl(responseId ?? randomBytes(4).toString('hex')),
      }),
    );
  }

  /** The answer posted to a response_url (ephemeral reply). */
  async responseFor(id: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const found = this.fake.responses.find((r) => r.path.endsWith(`/${id}`));
      if (found) return found.body;
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no response on ${id}; responses: ${this.fake.responses.map((r) => r.path).join(', ')}`);
  }

  /** Runs a slash command and waits for the modal it opens. */
  async commandOpensModal(p: Person, command: string, text = '') {
    const before = this.fake.callsTo('views.open').length;
    const res = await this.command(p, command, text);
    if (res.status !== 200) throw new Error(`${command}: HTTP ${res.status} ${res.text}`);
    const [call] = (await this.fake.waitFor('views.open', before + 1)).slice(before);
    return (call as SlackCall).args.view as {
      callback_id: string;
      private_metadata?: string;
      blocks: SlackBlock[];
    };
  }

  /** Submits a modal with answers keyed by block id; answers the JSON Stepwise acknowledged with. */
  async submit(
    p: Person,
    view: { callback_id: string; private_metadata?: string; blocks: SlackBlock[] },
    answers: Record<string, string | string[]>,
  ) {
    const res = await this.post(
      viewSubmissionBody({
        userId: this.slackId(p),
        callbackId: view.callback_id,
        ...(view.private_metadata !== undefined ? { privateMetadata: view.private_metadata } : {}),
        values: stateFromAnswers(view.blocks, answers),
        blocks: view.blocks,
      }),
    );
    if (res.status !== 200) throw new Error(`view_submission: HTTP ${res.status} ${res.text}`);
    return res.json as {
      response_action?: string;
      errors?: Record<string, string>;
      view?: { title?: { text: string }; blocks: SlackBlock[] };
    } | null;
  }

  /** The buttons of a message or modal: action_id and value. */
  static buttons(blocks: readonly SlackBlock[]) {
    return blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => (b.elements ?? []).map((e) => ({ blockId: b.block_id ?? '', ...e })))
      .filter((e) => e.type === 'button') as unknown as {
      blockId: string;
      action_id: string;
      value: string;
      text: { text: string };
    }[];
  }

  /** Presses the button whose action_id starts with `actionId` on a channel message. */
  press(
    p: Person,
    message: { channel: string; ts: string; blocks: SlackBlock[] },
    actionId: string,
    responseId?: string,
  ) {
    const button = SlackHarness.buttons(message.blocks).find(
      (b) => b.action_id === actionId || b.action_id.startsWith(`${actionId}:`),
    );
    if (!button) {
      const have = SlackHarness.buttons(message.blocks).map((b) => b.action_id);
      throw new Error(`no button ${actionId} on the message; buttons: ${have.join(', ') || 'none'}`);
    }
    return this.post(
      blockActionsBody({
        userId: this.slackId(p),
        actionId: button.action_id,
        value: button.value,
        blockId: button.blockId,
        channelId: message.channel,
        messageTs: message.ts,
        responseUrl: this.fake.responseUrl(responseId ?? randomBytes(4).toString('hex')),
      }),
    );
  }

  /** Presses a card's form button and waits for the form's modal. */
  async openForm(p: Person, message: { channel: string; ts: string; blocks: SlackBlock[] }, form: string) {
    const before = this.fake.callsTo('views.open').length;
    const res = await this.press(p, message, `open_form:${form}`);
    if (res.status !== 200) throw new Error(`open_form: HTTP ${res.status}`);
    const [call] = (await this.fake.waitFor('views.open', before + 1)).slice(before);
    return (call as SlackCall).args.view as {
      callback_id: string;
      private_metadata?: string;
      blocks: SlackBlock[];
    };
  }

  /** The card in a channel as Slack shows it now: its first post, with every later update applied. */
  card(channel: string, ref: string): { channel: string; ts: string; blocks: SlackBlock[]; text: string } {
    const post = this.fake
      .callsTo('chat.postMessage')
      .find(
        (c) =>
          c.args.channel === channel &&
          !c.args.thread_ts &&
          Array.isArray(c.args.blocks) &&
          String(c.args.text).includes(ref),
      );
    if (!post) throw new Error(`no card for ${ref} in ${channel}`);
    const ts = String(post.result?.ts);
    const updates = this.fake
      .callsTo('chat.update')
      .filter((c) => c.args.channel === channel && c.args.ts === ts);
    const last = updates.at(-1) ?? post;
    return { channel, ts, blocks: last.args.blocks as SlackBlock[], text: String(last.args.text ?? '') };
  }

  /** Waits until the card in the channel has been updated `count` times in all. */
  async waitForUpdate(channel: string, ts: string, count: number) {
    return this.fake.waitFor('chat.update', count, (c) => c.args.channel === channel && c.args.ts === ts);
  }
}

/** All the text of some blocks, for asserting what a card says. */
export function blockText(blocks: readonly unknown[]): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else if (k !== 'value') walk(x);
      }
    }
  };
  walk(blocks);
  return out.join('\n');
}
