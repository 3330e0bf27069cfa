import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebAPIHTTPError, type WebAPIRateLimitedError, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import {
  blockActionsBody,
  postToSlackEvents,
  sign,
  signingSecret,
  slashCommandBody,
  stateFromAnswers,
  viewSubmissionBody,
} from '../support/slack-requests.ts';

describe('slack-requests signing', () => {
  it('signs with v0 HMAC-SHA256 over v0:timestamp:body', () => {
    const body = 'token=abc&command=%2Fstepwise&text=hello+world';
    const ts = 1_531_420_618;
    const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
    expect(sign(body, ts)).toBe(expected);
    expect(sign(body, ts, 'other')).not.toBe(expected);
  });

  it("matches Slack's documented example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(sign(body, 1531420618, '8f742231b10e8888abcd99yyyzzz85a5')).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('posts signed form bodies to /slack/events', async () => {
    const seen: { headers: Record<string, unknown>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"response_action":"clear"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const body = slashCommandBody({ command: '/stepwise', text: 'new case', userId: 'U123' });
      const res = await postToSlackEvents(base, body);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ response_action: 'clear' });
      expect(res.ms).toBeGreaterThanOrEqual(0);
      const got = seen[0];
      expect(got?.body).toBe(body);
      const ts = Number(got?.headers['x-slack-request-timestamp']);
      expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
      expect(got?.headers['x-slack-signature']).toBe(sign(body, ts));
      expect(got?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const form = new URLSearchParams(body);
      expect(form.get('command')).toBe('/stepwise');
      expect(form.get('text')).toBe('new case');
      expect(form.get('is_enterprise_install')).toBe('false');
      expect(form.get('trigger_id')).toMatch(/^T\d+\.trigger$/);

      const bad = await postToSlackEvents(base, 'x=1', { timestampSec: 1, signature: 'v0=nope' });
      expect(seen[1]?.headers['x-slack-signature']).toBe('v0=nope');
      expect(seen[1]?.headers['x-slack-request-timestamp']).toBe('1');
      expect(bad.status).toBe(200);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('builds block_actions and view_submission payloads', () => {
    const actions = JSON.parse(
      new URLSearchParams(
        blockActionsBody({
          userId: 'U1',
          actionId: 'accept',
          value: 't1',
          channelId: 'D1',
          messageTs: '1.2',
        }),
      ).get('payload') ?? '',
    );
    expect(actions).toMatchObject({
      type: 'block_actions',
      user: { id: 'U1' },
      container: { type: 'message', message_ts: '1.2', channel_id: 'D1', is_ephemeral: false },
      channel: { id: 'D1' },
      message: { ts: '1.2', type: 'message', text: '' },
      actions: [{ type: 'button', action_id: 'accept', value: 't1', text: { type: 'plain_text' } }],
    });
    expect(typeof actions.response_url).toBe('string');

    const inView = JSON.parse(
      new URLSearchParams(blockActionsBody({ userId: 'U1', actionId: 'a', view: { id: 'V9' } })).get(
        'payload',
      ) ?? '',
    );
    expect(inView.container).toEqual({ type: 'view', view_id: 'V9' });
    expect(inView.view).toEqual({ id: 'V9' });
    expect(inView.response_url).toBeUndefined();

    const submission = JSON.parse(
      new URLSearchParams(
        viewSubmissionBody({
          userId: 'U1',
          callbackId: 'new_transfer',
          privateMetadata: '{"x":1}',
          values: {},
        }),
      ).get('payload') ?? '',
    );
    expect(submission).toMatchObject({
      type: 'view_submission',
      view: {
        type: 'modal',
        callback_id: 'new_transfer',
        private_metadata: '{"x":1}',
        state: { values: {} },
      },
      response_urls: [],
    });
  });
});

describe('fake Slack', () => {
  let fake: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack();
    client = new WebClient('xoxb-test', {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('answers chat.postMessage, then chat.update for that ts; rejects unknown ts', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }];
    const posted = await client.chat.postMessage({ channel: 'D123', text: 'hello', blocks });
    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe('D123');
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    const second = await client.chat.postMessage({ channel: 'D123', text: 'again' });
    expect(Number(second.ts)).toBeGreaterThan(Number(posted.ts));

    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args.blocks).toEqual(blocks); // urlencoded JSON parsed back
    expect(call?.args.text).toBe('hello');
    expect(call?.token).toBe('xoxb-test');

    const updated = await client.chat.update({ channel: 'D123', ts: posted.ts ?? '', text: 'changed' });
    expect(updated).toMatchObject({ ok: true, channel: 'D123', ts: posted.ts, text: 'changed' });

    await expect(client.chat.update({ channel: 'D123', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { ok: false, error: 'message_not_found' },
    });
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(fake.errors.map((c) => c.error)).toEqual(['message_not_found']);
  });

  it('answers views, conversations.open, users and auth.test', async () => {
    fake.users.set('U0ALICE', { email: 'alice@example.org', name: 'Alice' });
    const view = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'T' }, blocks: [] };
    const opened = await client.views.open({ trigger_id: 'T1.trigger', view });
    expect(opened.view).toMatchObject({ type: 'modal', id: expect.stringMatching(/^V\d+$/) });
    await expect(client.apiCall('views.open', { view })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    const dm = await client.conversations.open({ users: 'U0ALICE' });
    expect(dm.channel?.id).toBe('D0ALICE');
    const info = await client.users.info({ user: 'U0ALICE' });
    expect(info.user?.profile?.email).toBe('alice@example.org');
    await expect(client.users.info({ user: 'UNOBODY' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
    const byEmail = await client.users.lookupByEmail({ email: 'alice@example.org' });
    expect(byEmail.user?.id).toBe('U0ALICE');
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ user_id: 'UBOT', team_id: 'T0TEAM', bot_id: 'B0BOT' });
  });

  it('failNext 429 answers 429 with retry-after and records the call in failed', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 7 });
    const raw = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test' },
      body: JSON.stringify({ channel: 'C1', text: 'hi' }),
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });

    fake.failNext('*', { status: 429 });
    const err = (await client.chat
      .postMessage({ channel: 'C1', text: 'hi' })
      .catch((e) => e)) as WebAPIRateLimitedError;
    expect(err.code).toBe('slack_webapi_rate_limited_error');
    expect(err.retryAfter).toBe(1);

    expect(fake.failed).toHaveLength(2);
    expect(fake.failed[0]).toMatchObject({
      method: 'chat.postMessage',
      status: 429,
      args: { channel: 'C1' },
    });
    expect(fake.calls).toHaveLength(0);

    const ok = await client.chat.postMessage({ channel: 'C1', text: 'hi' });
    expect(ok.ok).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });

  it('down() fails every call with 5xx until restore()', async () => {
    fake.down({ status: 502 });
    const err = (await client.auth.test().catch((e) => e)) as WebAPIHTTPError;
    expect(err.code).toBe('slack_webapi_http_error');
    expect(err.statusCode).toBe(502);
    fake.restore();
    expect((await client.auth.test()).ok).toBe(true);
    expect(fake.failed.map((c) => c.status)).toEqual([502]);
  });

  it('waitFor resolves on the matching call, rejects with a listing on timeout', async () => {
    const waiting = fake.waitFor('chat.postMessage', 2, (c) => c.args.channel === 'D9');
    await client.chat.postMessage({ channel: 'D9', text: 'one' });
    await client.chat.postMessage({ channel: 'C1', text: 'other' });
    setTimeout(() => void client.chat.postMessage({ channel: 'D9', text: 'two' }), 20);
    const got = await waiting;
    expect(got.map((c) => c.args.text)).toEqual(['one', 'two']);
    await expect(fake.waitFor('views.open', 1, undefined, 50)).rejects.toThrow(/chat\.postMessage x3/);
  });

  it('records response_url posts, and answers 400 on bad JSON and 413 on big bodies', async () => {
    const res = await fetch(fake.responseUrl('cmd1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'done', replace_original: true }),
    });
    expect(res.status).toBe(200);
    expect(fake.responses).toEqual([
      { path: '/response/cmd1', body: { text: 'done', replace_original: true } },
    ]);

    const bad = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ ok: false, error: 'invalid_json' });

    const big = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `text=${'x'.repeat(1024 * 1024 + 10)}`,
    });
    expect(big.status).toBe(413);
    expect(fake.calls).toHaveLength(0);
  });
});

describe('stateFromAnswers', () => {
  const option = (value: string, text: string) => ({ text: { type: 'plain_text', text }, value });
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: 'New transfer' } },
    { type: 'input', block_id: 'name', element: { type: 'plain_text_input', action_id: 'name_input' } },
    { type: 'input', block_id: 'email', element: { type: 'email_text_input', action_id: 'v' } },
    {
      type: 'input',
      block_id: 'age',
      element: { type: 'number_input', action_id: 'v', is_decimal_allowed: false },
    },
    { type: 'input', block_id: 'date', element: { type: 'datepicker', action_id: 'v' } },
    { type: 'input', block_id: 'time', element: { type: 'timepicker', action_id: 'v' } },
    {
      type: 'input',
      block_id: 'level',
      element: {
        type: 'static_select',
        action_id: 'v',
        options: [option('up', 'Step up'), option('down', 'Step down')],
      },
    },
    {
      type: 'input',
      block_id: 'urgent',
      element: { type: 'radio_buttons', action_id: 'v', options: [option('yes', 'Yes'), option('no', 'No')] },
    },
    {
      type: 'input',
      block_id: 'needs',
      element: {
        type: 'multi_static_select',
        action_id: 'v',
        options: [option('a', 'A'), option('b', 'B'), option('c', 'C')],
      },
    },
    {
      type: 'input',
      block_id: 'checks',
      element: { type: 'checkboxes', action_id: 'v', options: [option('x', 'X'), option('y', 'Y')] },
    },
    {
      type: 'input',
      block_id: 'notes',
      optional: true,
      element: { type: 'plain_text_input', action_id: 'v' },
    },
    {
      type: 'input',
      block_id: 'pick',
      optional: true,
      element: { type: 'static_select', action_id: 'v', options: [] },
    },
    {
      type: 'input',
      block_id: 'many',
      optional: true,
      element: { type: 'checkboxes', action_id: 'v', options: [] },
    },
    { type: 'input', block_id: 'when', optional: true, element: { type: 'datepicker', action_id: 'v' } },
  ];

  it('maps each element type, and leaves unanswered inputs empty', () => {
    const values = stateFromAnswers(blocks, {
      name: 'Jo Bloggs',
      email: 'jo@example.org',
      age: '12',
      date: '2025-03-01',
      time: '09:30',
      level: 'down',
      urgent: 'yes',
      needs: ['a', 'c'],
      checks: 'x, y',
    });
    expect(values).toEqual({
      name: { name_input: { type: 'plain_text_input', value: 'Jo Bloggs' } },
      email: { v: { type: 'email_text_input', value: 'jo@example.org' } },
      age: { v: { type: 'number_input', value: '12' } },
      date: { v: { type: 'datepicker', selected_date: '2025-03-01' } },
      time: { v: { type: 'timepicker', selected_time: '09:30' } },
      level: { v: { type: 'static_select', selected_option: option('down', 'Step down') } },
      urgent: { v: { type: 'radio_buttons', selected_option: option('yes', 'Yes') } },
      needs: { v: { type: 'multi_static_select', selected_options: [option('a', 'A'), option('c', 'C')] } },
      checks: { v: { type: 'checkboxes', selected_options: [option('x', 'X'), option('y', 'Y')] } },
      notes: { v: { type: 'plain_text_input', value: null } },
      pick: { v: { type: 'static_select', selected_option: null } },
      many: { v: { type: 'checkboxes', selected_options: [] } },
      when: { v: { type: 'datepicker', selected_date: null } },
    });
  });

  it('throws on a value not among the options, naming the block and the allowed values', () => {
    expect(() => stateFromAnswers(blocks, { level: 'sideways' })).toThrow(/'level'.*'up', 'down'/);
    expect(() => stateFromAnswers(blocks, { needs: ['a', 'z'] })).toThrow(/'needs'.*'a', 'b', 'c'/);
    expect(() => stateFromAnswers(blocks, { nmae: 'typo' })).toThrow(/'nmae'/);
  });
});
