import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { callbacks } from '../../src/channels/slack/views.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.ts';
import { signingSecret } from '../support/slack-requests.ts';
import { startTestServer } from '../support/test-server.ts';

let fake: FakeSlack;
let sockets: WebSocketServer;
let server: RunningServer;
let connection: WebSocket | null = null;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  sockets = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => sockets.once('listening', () => resolve()));
  fake.socketUrl = `ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/link`;
  sockets.on('connection', (ws) => {
    connection = ws;
    ws.on('message', (data) => received.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TESTAPP' } }));
  });
  server = await startTestServer(
    {
      STEPWISE_PROTOCOL: 'hackney',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-1-test-app-token',
      SLACK_API_URL: fake.apiUrl,
    },
    { outboxIntervalMs: 50 },
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  for (const c of sockets?.clients ?? []) c.terminate();
  await new Promise<void>((resolve) => (sockets ? sockets.close(() => resolve()) : resolve()));
  await fake?.close();
});

/** Sends a slash command envelope as Slack does over Socket Mode; resolves when Stepwise acknowledges it. */
async function slash(envelopeId: string, command: string, text: string, userId: string, responseId: string) {
  const ws = connection;
  if (!ws) throw new Error('Stepwise did not connect to the socket');
  ws.send(
    JSON.stringify({
      envelope_id: envelopeId,
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'unused',
        team_id: 'T0TEAM',
        team_domain: 'testteam',
        channel_id: 'C0GENERAL',
        channel_name: 'general',
        user_id: userId,
        user_name: 'someone',
        command,
        text,
        api_app_id: 'A0TESTAPP',
        is_enterprise_install: 'false',
        response_url: fake.responseUrl(responseId),
        trigger_id: `trigger-${envelopeId}`,
      },
    }),
  );
  const end = Date.now() + 5000;
  while (!received.some((m) => m.envelope_id === envelopeId)) {
    if (Date.now() > end)
      throw new Error(`no acknowledgement for ${envelopeId}; received ${JSON.stringify(received)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Slack over Socket Mode', () => {
  it('connects with the app token through apps.connections.open at SLACK_API_URL', async () => {
    const open = await fake.waitFor('apps.connections.open');
    expect(open[0]?.token).toBe('xapp-1-test-app-token');
    expect(connection).not.toBeNull();
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { slack: string };
    expect(health.slack).toBe('socket mode');
    // The HTTP endpoint is not used in Socket Mode, and says so.
    const http = await fetch(`${server.url}/slack/events`, { method: 'POST', body: '{}' });
    expect(http.status).toBe(503);
  });

  it('acknowledges a command on the socket and answers through the response URL', async () => {
    await slash('env-1', '/transfer', 'help', 'U0EVE0001', 'socket-help');
    const end = Date.now() + 5000;
    while (!fake.responses.some((r) => r.path.endsWith('socket-help'))) {
      if (Date.now() > end) throw new Error('no answer at the response URL');
      await new Promise((r) => setTimeout(r, 20));
    }
    const answer = fake.responses.find((r) => r.path.endsWith('socket-help'));
    expect(String(answer?.body.text)).toContain('/transfer status SW-000012');
  });

  it('opens the request form for /stepup with the trigger from the envelope', async () => {
    await slash('env-2', '/stepup', '', 'U0EVE0001', 'socket-stepup');
    const [open] = await fake.waitFor('views.open', 1, (c) => c.args.trigger_id === 'trigger-env-2');
    // Eve's team (Targeted Early Help) has Hackney's step-up to MASH: its form, or the chooser when there are several.
    const view = open?.args.view as { callback_id?: string } | undefined;
    expect([callbacks.request, callbacks.chooser]).toContain(view?.callback_id);
  });
});
