// With nothing configured (no Slack, no MICROSOFT_APP_ID), the server is the local workspace and its
// POST /api/messages is Teams in local mode: unauthenticated, a warning logged at start, the Agents SDK loaded
// by the first activity. Every message goes to the workspace, and to Teams too once Teams knows where: Hackney's
// MASH card appears in both, Accept pressed in Teams updates both, a 429 from Teams doubles nothing in the
// workspace. Off a loopback address the endpoint stays off; a restart with Teams conversations saved loads it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { type RunningServer, startServer } from '../../src/server/main.ts';
import { type FakeConnector, startFakeConnector } from '../support/fake-connector.ts';
import { stepUpToMash } from '../support/hackney-fixture.ts';
import { executeAction, postActivity, teamsActivity, teamsBot } from '../support/teams-activities.ts';
import { outboxSettled, transferMessagesDone } from '../support/test-server.ts';

const mash = { id: '19:mash-hackney@thread.tacv2', conversationType: 'channel' as const };
const mo = { id: '29:1mo', name: 'Mo Haddad' };

let connector: FakeConnector;
let server: RunningServer;
const dataDir = mkdtempSync(join(tmpdir(), 'stepwise-beside-'));
const logged: { level: number; msg: string }[] = [];
const log = pino(
  { level: 'info' },
  { write: (line: string) => void logged.push(JSON.parse(line) as { level: number; msg: string }) },
);
const start = (env: Record<string, string> = {}) =>
  startServer(readConfig({ STEPWISE_DATA_DIR: dataDir, PORT: '0', STEPWISE_PROTOCOL: 'hackney', ...env }), {
    sweep: false,
    outboxIntervalMs: 50,
    log,
  });

const health = async (url: string) =>
  (await (await fetch(`${url}/healthz`)).json()) as { teams: string; outbox: { failed: number } };
const workspaceCard = async (transferId: string) =>
  server.app.db.prisma.localMessage.findUnique({ where: { id: `card:${transferId}` } });
beforeAll(async () => {
  connector = await startFakeConnector();
  server = await start();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Teams in local mode beside the local workspace (nothing configured)', () => {
  it('says at start that /api/messages takes unauthenticated traffic, and loads nothing of Teams yet', async () => {
    expect(server.local).not.toBeNull();
    expect(server.teams).toBeNull();
    const warning = logged.find((l) => l.msg.includes('POST /api/messages is in local mode'));
    expect(warning?.level).toBe(40); // pino's warn
    expect((await health(server.url)).teams).toBe('local mode');
  });

  it('before Teams is installed anywhere, every message goes to the workspace and none fails', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    await outboxSettled(server);
    expect(JSON.stringify((await workspaceCard(t.id))?.card)).toContain(t.ref);
    expect(connector.calls).toHaveLength(0);
    expect((await health(server.url)).outbox.failed).toBe(0);
  });

  it('installed in MASH, a request’s card goes to the channel in Teams and to the workspace; Accept in Teams updates both', async () => {
    const installed = await postActivity(
      server.url,
      teamsActivity(connector.url, mo, mash, {
        type: 'conversationUpdate',
        membersAdded: [teamsBot],
        channelData: { tenant: { id: 'tenant-1' }, team: { id: mash.id } },
      }),
    );
    expect(installed.status).toBe(200);
    expect(server.teams?.localMode).toBe(true);
    await connector.waitFor('the installation message', (c) =>
      String(c.activity.text).startsWith("Stepwise is installed. This channel is MASH's"),
    );

    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const card = await connector.waitFor(
      `${t.ref}'s card in MASH's channel`,
      (c) => c.kind === 'send' && c.conversation === mash.id && JSON.stringify(c.activity).includes(t.ref),
    );
    await outboxSettled(server);
    expect(JSON.stringify((await workspaceCard(t.id))?.card)).toContain(t.ref);

    const pressed = await postActivity(
      server.url,
      teamsActivity(
        connector.url,
        mo,
        mash,
        executeAction('accept', { action: 'accept', transferId: t.id, version: t.version }),
      ),
    );
    expect(pressed.status).toBe(200);
    expect(JSON.stringify(pressed.json)).toContain('accepted, waiting for allocation');
    await connector.waitFor(
      `${t.ref}'s card updated in Teams`,
      (c) =>
        c.kind === 'update' &&
        c.activityId === card.id &&
        JSON.stringify(c.activity).includes('accepted, waiting for allocation'),
    );
    await outboxSettled(server);
    expect(JSON.stringify((await workspaceCard(t.id))?.card)).toContain('accepted, waiting for allocation');
    expect((await health(server.url)).outbox.failed).toBe(0);
  });

  it('a 429 from Teams retries the message without showing it twice in the workspace', async () => {
    connector.failNext(429, 1);
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    await connector.waitFor(
      `${t.ref}'s card after the 429`,
      (c) => c.kind === 'send' && c.conversation === mash.id && JSON.stringify(c.activity).includes(t.ref),
      20_000,
    );
    const rows = await transferMessagesDone(server, t.id);
    expect(connector.failed).toBeGreaterThan(0);
    const shown = await server.app.db.prisma.localMessage.findMany({ where: { transferId: t.id } });
    const ids = shown.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`card:${t.id}`);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const posted = connector.calls.filter(
      (c) => c.kind === 'send' && c.conversation === mash.id && JSON.stringify(c.activity).includes(t.ref),
    );
    expect(posted).toHaveLength(1);
  }, 30_000);

  it('after a restart with Teams conversations saved, Teams is loaded at start and keeps updating its cards', async () => {
    await server.close();
    server = await start();
    expect(server.teams?.localMode).toBe(true);
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    await connector.waitFor(
      `${t.ref}'s card after the restart`,
      (c) => c.kind === 'send' && c.conversation === mash.id && JSON.stringify(c.activity).includes(t.ref),
    );
  });
});

describe('off a loopback address, with nothing configured', () => {
  it('keeps /api/messages closed and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-open-'));
    const open = await startServer(
      readConfig({
        STEPWISE_DATA_DIR: dir,
        PORT: '0',
        HOST: '0.0.0.0',
        STEPWISE_WORKSPACE_TOKEN: 'a-long-enough-workspace-token',
        STEPWISE_LOG_LEVEL: 'silent',
      }),
      { sweep: false },
    );
    try {
      const url = `http://127.0.0.1:${open.port}`;
      const res = await postActivity(
        url,
        teamsActivity(connector.url, mo, mash, { type: 'message', text: 'help' }),
      );
      expect(res.status).toBe(503);
      expect(String(res.json?.error)).toContain('only on a loopback HOST, not 0.0.0.0');
      expect((await health(url)).teams).toBe('not configured');
      expect(open.teams).toBeNull();
    } finally {
      await open.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
