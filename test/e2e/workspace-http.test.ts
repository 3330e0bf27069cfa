import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { stepUpToMash } from '../support/hackney-fixture.ts';
import { startTestServer } from '../support/test-server.ts';

const token = 'a-long-workspace-token-0123';
let server: RunningServer;

beforeAll(async () => {
  // Loopback with a token set: the token is still required (a council may set one for training rooms).
  server = await startTestServer({ STEPWISE_PROTOCOL: 'hackney', STEPWISE_WORKSPACE_TOKEN: token });
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const call = (path: string, init: RequestInit & { person?: string; noToken?: boolean } = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.noToken ? {} : { 'x-stepwise-token': token }),
      ...(init.person ? { 'x-stepwise-person': init.person } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
const post = (path: string, person: string, body: unknown) =>
  call(path, { method: 'POST', person, body: JSON.stringify(body) });

describe('the local workspace over HTTP', () => {
  it('refuses to start on a public address without a token, in one sentence', async () => {
    await expect(startTestServer({ HOST: '0.0.0.0' })).rejects.toThrow(
      new ConfigError(
        'HOST is 0.0.0.0, not a loopback address: the local workspace then needs STEPWISE_WORKSPACE_TOKEN (at least 16 characters), or keep HOST=127.0.0.1',
      ),
    );
  });

  it('asks for the token; the ?token= link sets a cookie for the page', async () => {
    const page = await call('/', { noToken: true });
    expect(page.status).toBe(401);
    expect(await page.text()).toMatch(/needs its access token/);
    expect((await call('/local/api/session', { noToken: true })).status).toBe(401);
    const wrong = await call('/local/api/session', {
      noToken: true,
      headers: { 'x-stepwise-token': 'x'.repeat(27) },
    });
    expect(wrong.status).toBe(401);
    const link = await call(`/?token=${token}`, { noToken: true });
    expect(link.status).toBe(200);
    expect(link.headers.get('set-cookie')).toMatch(/^stepwise_token=.*HttpOnly/);
    const session = (await (await call('/local/api/session')).json()) as {
      protocol: string;
      people: unknown[];
    };
    expect(session.protocol).toBe('hackney');
    expect(session.people.length).toBeGreaterThan(5);
  });

  it('answers mistakes with a sentence: no person, someone else’s messages, bad JSON, a bad reference', async () => {
    const none = await call('/local/api/conversations');
    expect([none.status, ((await none.json()) as { error: string }).error]).toEqual([
      400,
      'Choose who you are first (the person picker at the top left).',
    ]);
    const others = await call('/local/api/messages?conversation=dm:mo', { person: 'eve' });
    expect([others.status, ((await others.json()) as { error: string }).error]).toEqual([
      400,
      'You cannot see that conversation.',
    ]);
    const broken = await call('/local/api/command', { method: 'POST', person: 'eve', body: '{not json' });
    expect([broken.status, ((await broken.json()) as { error: string }).error]).toEqual([
      400,
      'That request is not JSON.',
    ]);
    const usage = await post('/local/api/command', 'eve', { text: '/transfer status twelve' });
    expect(usage.status).toBe(400);
    expect(((await usage.json()) as { error: string }).error).toMatch(/needs a transfer reference/);
    const unknown = await post('/local/api/command', 'eve', { text: '/coffee' });
    expect(((await unknown.json()) as { reply: { text: string } }).reply.text).toMatch(
      /is not a Stepwise command/,
    );
    const stale = await post('/local/api/submit', 'mo', {
      data: { action: 'accept', transferId: 'nope', version: 1 },
    });
    expect(((await stale.json()) as { error: string }).error).toMatch(/nope/);
    // Malformed addresses and cookies are the caller's mistake, never a server error.
    expect((await call('/local/files/%E0%A4%A', { person: 'eve' })).status).toBe(400);
    const cookie = await call('/local/api/conversations', {
      person: 'eve',
      headers: { cookie: 'other=%E0%A4%A' },
    });
    expect(cookie.status).toBe(200);
  });

  it('a request made under another council’s protocol is explained, and the channel it sits in still shows', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    await server.app.db.prisma.transfer.update({ where: { id: t.id }, data: { routeId: 'triage-to-sw' } });
    const status = await post('/local/api/command', 'eve', { text: `/transfer status ${t.ref}` });
    const body = JSON.stringify(await status.json());
    expect(status.status).toBeLessThan(500);
    expect(body).toContain('There is no route \\"triage-to-sw\\" in the');
    expect(body).toContain('Start Stepwise with the protocol it was made under');
    const channel = await call('/local/api/messages?conversation=team:mash', { person: 'mo' });
    expect(channel.status).toBe(200);
    await server.app.db.prisma.transfer.update({ where: { id: t.id }, data: { routeId: t.routeId } });
  });

  it('streams a change to the conversation it touched; a stale press changes nothing and says why', async () => {
    const events = await call('/local/api/events', { person: 'mo' });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body?.getReader();
    if (!reader) throw new Error('no event stream');
    const t = await server.app.workflow.start(stepUpToMash(), server.clock.now());
    await server.pump?.kick();
    let seen = '';
    const decoder = new TextDecoder();
    while (!seen.includes('"conversation":"team:mash"')) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    await reader.cancel();
    expect(seen).toContain('event: changed');
    const accepted = await post('/local/api/submit', 'mo', {
      data: { action: 'accept', transferId: t.id, version: 1 },
    });
    expect(await accepted.json()).toEqual({ done: `${t.ref} is now accepted, waiting for allocation.` });
    const again = await post('/local/api/submit', 'hugo', {
      data: { action: 'accept', transferId: t.id, version: 1 },
    });
    expect(((await again.json()) as { error: string }).error).toMatch(
      /^This request has changed: .* was accepted by Mo/,
    );
    const messages = (await (
      await call('/local/api/messages?conversation=team:mash', { person: 'mo' })
    ).json()) as {
      id: string;
      replies: { text: string }[];
    }[];
    const card = messages.find((m) => m.id === `card:${t.id}`);
    expect(card?.replies.map((r) => r.text).join(' ')).toContain(`${t.ref} was accepted by Mo`);
  });

  it('with ?since=, a channel sends again only the cards that changed', async () => {
    const w = server.app.workflow;
    const second = await w.start(stepUpToMash(), server.clock.now());
    await server.pump?.kick();
    // The demo clock a minute on, so that everything after is stamped later than the first card.
    server.local?.clock.moveTo(new Date(server.clock.now().getTime() + 60_000));
    const first = await w.start(stepUpToMash(), server.clock.now());
    await server.pump?.kick();
    type Item = { id: string; stamp: string; unchanged?: boolean; card?: unknown };
    const read = async (since?: string) =>
      (await (
        await call(
          `/local/api/messages?conversation=team:mash${since ? `&since=${encodeURIComponent(since)}` : ''}`,
          {
            person: 'mo',
          },
        )
      ).json()) as Item[];
    const all = await read();
    const newest = all
      .map((m) => m.stamp)
      .sort()
      .at(-1) as string;
    await w.accept({ actor: { personId: 'mo', surface: 'local' }, ref: first.ref }, server.clock.now());
    await server.pump?.kick();
    const changed = await read(newest);
    expect(changed.map((m) => m.id)).toEqual(all.map((m) => m.id));
    expect(changed.find((m) => m.id === `card:${first.id}`)?.card).toBeDefined();
    expect(changed.find((m) => m.id === `card:${second.id}`)).toEqual({
      id: `card:${second.id}`,
      stamp: expect.any(String),
      unchanged: true,
    });
    expect(
      (await call('/local/api/messages?conversation=team:mash&since=yesterday', { person: 'mo' })).status,
    ).toBe(400);
  });

  it('a confirmed meeting’s invite is a calendar file in each participant’s direct messages, for them only', async () => {
    const now = () => server.clock.now();
    const w = server.app.workflow;
    const t = await w.start(stepUpToMash(), now());
    await w.accept({ actor: { personId: 'mo', surface: 'local' }, ref: t.ref }, now());
    await w.allocate(
      { actor: { personId: 'mo', surface: 'local' }, ref: t.ref, workerId: 'mia', level: 'tier-3' },
      now(),
    );
    const cal = server.app.calendar;
    const day = cal.localDate(cal.due(now(), { amount: 2, unit: 'working_days' }));
    const at = cal.at(day, '10:00');
    await w.scheduleMeeting(
      {
        actor: { personId: 'eve', surface: 'local' },
        ref: t.ref,
        meeting: 'joint-visit',
        at: at.toISOString(),
      },
      now(),
    );
    await server.pump?.kick();
    const dms = (await (await call('/local/api/messages?conversation=dm:mia', { person: 'mia' })).json()) as {
      file: { url: string; filename: string } | null;
    }[];
    const invite = dms.find((m) => m.file)?.file;
    if (!invite) throw new Error('no invite in Mia’s direct messages');
    expect(invite.filename).toMatch(new RegExp(`^${t.ref}-.*\\.ics$`));
    const ics = await call(invite.url, { person: 'mia' });
    expect(ics.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const body = await ics.text();
    expect(body).toContain('BEGIN:VCALENDAR');
    expect(body).toContain(t.ref);
    // An invite names its organizer (RFC 5546): the person who confirmed the time.
    expect(body).toMatch(/^ORGANIZER;CN=.*:mailto:\S+@example\.gov\.uk/im);
    expect((await call(invite.url, { person: 'eve' })).status).toBe(404);
  });

  it('the demo clock only moves forward, and each move runs the sweep', async () => {
    const before = server.clock.now();
    const back = await post('/local/api/clock', 'eve', {
      to: new Date(before.getTime() - 60_000).toISOString(),
    });
    expect([back.status, ((await back.json()) as { error: string }).error]).toEqual([
      400,
      'The demo clock only moves forward.',
    ]);
    const bad = await post('/local/api/clock', 'eve', { advance: 'century' });
    expect(bad.status).toBe(400);
    const answer = await post('/local/api/clock', 'eve', { advance: 'hour' });
    const moved = (await answer.json()) as {
      now: string;
      offsetMs: number;
      handled: number;
    };
    expect([answer.status, moved]).toMatchObject([200, { now: expect.any(String) }]);
    expect(new Date(moved.now).getTime() - before.getTime()).toBeGreaterThanOrEqual(3_600_000);
    expect(moved.offsetMs).toBeGreaterThanOrEqual(3_600_000);
    expect(typeof moved.handled).toBe('number');
  });
});
