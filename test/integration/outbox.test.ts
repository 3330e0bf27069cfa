import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.ts';
import { PrismaOutboxStore } from '../../src/store/outbox-store.ts';
import {
  deliverOutbox,
  type OutboxMessage,
  RetryableSendError,
  retryDelayMs,
  type Sender,
} from '../../src/workflow/outbox.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';
import { at, hackneyWorkflow, monday, stepUpToMash } from '../support/hackney-fixture.ts';

/** A platform that records what it accepted and fails as scripted. */
class FakePlatform implements Sender {
  accepted: OutboxMessage[] = [];
  constructor(private readonly script: (m: OutboxMessage) => Error | null = () => null) {}
  async send(m: OutboxMessage) {
    const failure = this.script(m);
    if (failure) throw failure;
    this.accepted.push(m);
  }
}

describe('backoff', () => {
  it('doubles from 5 seconds up to 15 minutes, and waits at least as long as the platform asks', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(30)).toBe(15 * 60_000);
    expect(retryDelayMs(1, 30_000)).toBe(30_000);
  });
});

describe.each(databaseKinds)('outbox delivery on %s', (kind) => {
  let db: Database;
  let store: PrismaOutboxStore;
  let keys: string[];

  beforeEach(async () => {
    db = await freshDatabase(kind);
    const { workflow } = await hackneyWorkflow(db);
    await workflow.start(stepUpToMash(), monday);
    keys = (await db.prisma.outbox.findMany()).map((r) => r.idempotencyKey).sort();
    store = new PrismaOutboxStore(db.prisma);
  });
  afterEach(async () => {
    await db.close();
  });

  const statuses = async () => (await db.prisma.outbox.findMany()).map((r) => [r.status, r.attempts]);

  it('sends each message once and marks it sent', async () => {
    const platform = new FakePlatform();
    expect(await deliverOutbox(store, platform, at('2026-11-23T10:00:01Z'))).toEqual({
      sent: keys.length,
      retried: 0,
      failed: 0,
    });
    expect(platform.accepted.map((m) => m.idempotencyKey).sort()).toEqual(keys);
    expect(await deliverOutbox(store, platform, at('2026-11-23T10:10:00Z'))).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });
    expect(await statuses()).toEqual(keys.map(() => ['sent', 1]));
  });

  it('keeps everything while the platform is down for an hour, then sends each message once', async () => {
    let down = true;
    const platform = new FakePlatform(() => (down ? new RetryableSendError('HTTP 503') : null));
    let now = at('2026-11-23T10:00:01Z').getTime();
    for (let minute = 0; minute < 60; minute++, now += 60_000)
      await deliverOutbox(store, platform, new Date(now));
    expect(platform.accepted).toHaveLength(0);
    // Each transfer's first message was tried; the rest wait behind it, untried.
    const rows = await db.prisma.outbox.findMany();
    expect(rows.every((r) => r.status === 'pending')).toBe(true);
    expect(rows.some((r) => r.lastError === 'HTTP 503')).toBe(true);
    down = false;
    for (let minute = 0; minute < 20; minute++, now += 60_000)
      await deliverOutbox(store, platform, new Date(now));
    expect(platform.accepted.map((m) => m.idempotencyKey).sort()).toEqual(keys);
  });

  it('a message to be tried again holds back what its transfer wrote after it, without counting their attempts', async () => {
    let failures = 1;
    const platform = new FakePlatform((m) =>
      m.kind === 'card' && failures-- > 0 ? new RetryableSendError('HTTP 429', 5_000) : null,
    );
    expect(await deliverOutbox(store, platform, at('2026-11-23T10:00:01Z'))).toEqual({
      sent: 0,
      retried: 1,
      failed: 0,
    });
    const waiting = await db.prisma.outbox.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
    expect(waiting.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['card', 'pending', 1],
      ...waiting.slice(1).map((r) => [r.kind, 'pending', 0]),
    ]);
    expect(new Set(waiting.map((r) => r.nextAttemptAt.toISOString()))).toEqual(
      new Set(['2026-11-23T10:00:06.000Z']),
    );
    await deliverOutbox(store, platform, at('2026-11-23T10:00:06Z'));
    expect(platform.accepted.map((m) => m.kind)).toEqual(waiting.map((r) => r.kind));
  });

  it('keeps a message through about a day of the platform being down, then marks it failed', async () => {
    const platform = new FakePlatform(() => new RetryableSendError('HTTP 503'));
    const start = at('2026-11-23T10:00:01Z');
    let now = start;
    // An outbox pump that runs whenever something is due.
    for (;;) {
      if ((await deliverOutbox(store, platform, now)).failed) break;
      const next = await db.prisma.outbox.findFirst({
        where: { status: 'pending' },
        orderBy: { nextAttemptAt: 'asc' },
      });
      if (!next) break;
      now = next.nextAttemptAt;
    }
    const hours = (now.getTime() - start.getTime()) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThan(25);
    expect(platform.accepted).toEqual([]);
    // The first of each transfer's messages; the ones behind it are then tried for as long in their turn.
    const rows = await db.prisma.outbox.findMany();
    expect(rows.filter((r) => r.status === 'failed').map((r) => r.attempts)).toEqual([104]);
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(rows.length - 1);
  });

  it('a worker whose claim ran out and was taken over sends nothing more of it', async () => {
    const t0 = at('2026-11-23T10:00:01Z');
    const sends: string[] = [];
    let hung = false;
    const other: Sender = {
      send: async (m) => {
        sends.push(m.idempotencyKey);
      },
    };
    const slow: Sender = {
      send: async (m) => {
        sends.push(m.idempotencyKey);
        if (hung) return;
        hung = true;
        // This send hangs past the 2-minute claim; meanwhile another worker takes the messages over and
        // delivers them, one pass per message (each is its transfer's next in turn).
        const later = new Date(t0.getTime() + 180_000);
        for (let i = 0; i < keys.length; i++) await deliverOutbox(store, other, later);
      },
    };
    await deliverOutbox(store, slow, t0);
    const times = (key: string) => sends.filter((k) => k === key).length;
    // The message in flight when the claim ran out went twice (delivery is at least once); every other once.
    const [first, ...rest] = (
      await db.prisma.outbox.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
    ).map((r) => r.idempotencyKey);
    expect(times(first as string)).toBe(2);
    expect(rest.map(times)).toEqual(rest.map(() => 1));
    expect((await db.prisma.outbox.findMany()).every((r) => r.status === 'sent')).toBe(true);
  });

  it('honours Retry-After on a 429', async () => {
    let calls = 0;
    const platform = new FakePlatform(() =>
      calls++ === 0 ? new RetryableSendError('HTTP 429', 30_000) : null,
    );
    await deliverOutbox(store, platform, at('2026-11-23T10:00:01Z'), { batch: 1 });
    const retried = (await db.prisma.outbox.findMany()).find((r) => r.lastError === 'HTTP 429');
    expect(retried?.nextAttemptAt.toISOString()).toBe('2026-11-23T10:00:31.000Z');
  });

  it('records a permanent error and stops trying that message only', async () => {
    const platform = new FakePlatform((m) => (m.kind === 'thread' ? new Error('channel_not_found') : null));
    expect(await deliverOutbox(store, platform, at('2026-11-23T10:00:01Z'))).toEqual({
      sent: keys.length - 1,
      retried: 0,
      failed: 1,
    });
    const failed = await db.prisma.outbox.findFirst({ where: { status: 'failed' } });
    expect(failed).toMatchObject({ kind: 'thread', lastError: 'channel_not_found' });
  });

  it('failed messages go back in the queue for their team or their person once it can be reached, and are sent in the order written', async () => {
    let linked = false;
    const platform = new FakePlatform((m) =>
      m.target.teamId === 'mash' && !linked ? new Error('team "mash" has no Slack channel') : null,
    );
    await deliverOutbox(store, platform, at('2026-11-23T10:00:01Z'));
    const failed = await store.failed(10);
    expect(failed.map((m) => [m.ref, m.kind, m.target, m.lastError])).toEqual([
      ['SW-000001', 'thread', { teamId: 'mash' }, 'team "mash" has no Slack channel'],
      ['SW-000001', 'card', { teamId: 'mash' }, 'team "mash" has no Slack channel'],
    ]);
    expect(await store.counts()).toEqual({ waiting: 0, sent: keys.length - 2, failed: 2 });
    // Another team's or a person's failures are theirs: nothing of MASH's moves.
    expect(await store.requeueFailed({ teamId: 'hub' }, at('2026-11-23T10:05:00Z'))).toBe(0);
    expect(await store.requeueFailed({ personId: 'eve' }, at('2026-11-23T10:05:00Z'))).toBe(0);
    linked = true;
    expect(await store.requeueFailed({ teamId: 'mash' }, at('2026-11-23T10:05:00Z'))).toBe(2);
    expect(await store.counts()).toEqual({ waiting: 2, sent: keys.length - 2, failed: 0 });
    const before = platform.accepted.length;
    await deliverOutbox(store, platform, at('2026-11-23T10:05:00Z'));
    expect(platform.accepted.slice(before).map((m) => [m.kind, m.attempts])).toEqual([
      ['card', 1],
      ['thread', 1],
    ]);
    expect(await store.counts()).toEqual({ waiting: 0, sent: keys.length, failed: 0 });
  });

  it('failed messages go back in the queue by id, or all of them', async () => {
    const platform = new FakePlatform(() => new Error('invalid_auth'));
    await deliverOutbox(store, platform, at('2026-11-23T10:00:01Z'));
    const [first, ...rest] = await store.failed(10);
    if (!first) throw new Error('nothing failed');
    expect(rest).toHaveLength(keys.length - 1);
    expect(await store.failed(1)).toEqual([first]);
    expect(await store.requeueFailed({ ids: [first.id, 'no-such-id'] }, at('2026-11-23T10:05:00Z'))).toBe(1);
    expect(await store.requeueFailed({ ids: [first.id] }, at('2026-11-23T10:05:00Z'))).toBe(0);
    // Only messages for the escalation channel go back when it is linked: none of these.
    expect(await store.requeueFailed('escalation', at('2026-11-23T10:05:00Z'))).toBe(0);
    await db.prisma.outbox.update({ where: { id: rest[0]?.id }, data: { target: { escalation: true } } });
    expect(await store.requeueFailed('escalation', at('2026-11-23T10:05:00Z'))).toBe(1);
    expect(await store.requeueFailed('all', at('2026-11-23T10:05:00Z'))).toBe(keys.length - 2);
    expect(await store.counts()).toEqual({ waiting: keys.length, sent: 0, failed: 0 });
  });

  it('two workers at once never send the same message; a crashed worker’s lease runs out and the message is sent', async () => {
    const a = new FakePlatform();
    const b = new FakePlatform();
    const when = at('2026-11-23T10:00:01Z');
    await Promise.all([
      deliverOutbox(store, a, when, { batch: 1 }),
      deliverOutbox(store, b, when, { batch: 1 }),
    ]);
    const first = [...a.accepted, ...b.accepted].map((m) => m.idempotencyKey);
    expect(new Set(first).size).toBe(first.length);
    // A worker claims the rest and dies before sending: nothing is sent until its lease expires.
    await store.claimOutbox(when, 50, at('2026-11-23T10:02:01Z'));
    const c = new FakePlatform();
    expect((await deliverOutbox(store, c, at('2026-11-23T10:01:00Z'))).sent).toBe(0);
    await deliverOutbox(store, c, at('2026-11-23T10:02:01Z'));
    expect([...first, ...c.accepted.map((m) => m.idempotencyKey)].sort()).toEqual(keys);
  });
});
