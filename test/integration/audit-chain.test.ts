import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyStoredChain } from '../../src/store/audit-store.ts';
import type { Database } from '../../src/store/database.ts';
import type { TransferWorkflow } from '../../src/workflow/transfers.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';
import { at, hackneyWorkflow, monday, stepUpToMash } from '../support/hackney-fixture.ts';

describe.each(databaseKinds)('audit chain on %s', (kind) => {
  let db: Database;
  let w: TransferWorkflow;

  beforeEach(async () => {
    db = await freshDatabase(kind);
    ({ workflow: w } = await hackneyWorkflow(db));
    const t = await w.start(stepUpToMash(), monday);
    await w.accept({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref }, at('2026-11-23T11:00:00Z'));
    await w.allocate(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-23T12:00:00Z'),
    );
  });
  afterEach(async () => {
    await db.close();
  });

  it('is intact after real commands, including ones racing each other', async () => {
    const starts = await Promise.all([1, 2, 3, 4].map(() => w.start(stepUpToMash(), monday)));
    await Promise.all(
      starts.map((t) => w.accept({ actor: { personId: 'max', surface: 'teams' }, ref: t.ref }, monday)),
    );
    expect(await verifyStoredChain(db.prisma, 5)).toEqual({
      intact: true,
      count: 11,
      lastHash: expect.any(String),
    });
  });

  it('names the first edited event', async () => {
    await db.prisma.$executeRawUnsafe(`UPDATE audit_event SET data = '{"to":"declined"}' WHERE seq = 2`);
    expect(await verifyStoredChain(db.prisma)).toMatchObject({ intact: false, seq: 2n, count: 1 });
  });

  it('catches an event deleted from the middle', async () => {
    await db.prisma.$executeRawUnsafe('DELETE FROM audit_event WHERE seq = 2');
    expect(await verifyStoredChain(db.prisma)).toMatchObject({
      intact: false,
      seq: 3n,
      reason: expect.stringContaining('previous-hash'),
    });
  });

  it('catches the last event deleted (the head still records it)', async () => {
    await db.prisma.$executeRawUnsafe(
      'DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)',
    );
    expect(await verifyStoredChain(db.prisma)).toMatchObject({
      intact: false,
      reason: expect.stringContaining('deleted from the end'),
    });
  });
});
