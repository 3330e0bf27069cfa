/**
 * `stepwise demo`: every council's demo caseload is a believable spread of states, made through the workflow
 * (so the audit chain holds), the same every time for the same "now", and never poured into a database that
 * already has transfers unless asked.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { readConfig } from '../../src/config.ts';
import { type SeedResult, seedDemo } from '../../src/demo/seed.ts';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { demoDirectoryPath } from '../../src/protocols/directories/index.ts';
import { builtInProfile, type ProfileName, profileNames } from '../../src/protocols/index.ts';
import { verifyStoredChain } from '../../src/store/audit-store.ts';
import { type Database, type DatabaseKind, openDatabase } from '../../src/store/database.ts';
import { loadDirectoryFile, readDirectory } from '../../src/store/directory-store.ts';
import { PrismaTransferStore } from '../../src/store/transfer-store.ts';
import { TransferWorkflow } from '../../src/workflow/transfers.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';

/** Monday 23 November 2026, noon in London. */
const now = new Date('2026-11-23T12:00:00Z');

const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
});

/** An app as openApp builds it, on a fresh database with the protocol's demo directory. */
async function demoApp(kind: DatabaseKind, name: ProfileName): Promise<App> {
  const db = await freshDatabase(kind);
  opened.push(db);
  const profile = builtInProfile(name);
  await loadDirectoryFile(db, demoDirectoryPath(name), profile);
  const calendar = new WorkingCalendar(profile.calendar);
  const store = new PrismaTransferStore(db.prisma);
  const workflow = new TransferWorkflow({ profile, calendar, directory: await readDirectory(db), store });
  return {
    config: readConfig({ STEPWISE_PROTOCOL: name }),
    db,
    profile,
    calendar,
    store,
    workflow,
    reloadDirectory: async () => {},
    close: () => db.close(),
  };
}

async function seeded(kind: DatabaseKind, name: ProfileName) {
  const app = await demoApp(kind, name);
  const lines: string[] = [];
  const result = await seedDemo(app, { now, log: (line) => lines.push(line) });
  return { app, lines, result };
}

const refsAndStates = (r: SeedResult) => r.requests.map((x) => `${x.ref} ${x.routeId} ${x.state}`);

describe('stepwise demo: the seeded caseload', () => {
  const firstRuns = new Map<ProfileName, SeedResult>();

  it.each(profileNames)(
    '%s: a spread of states over every route, audited, the same every time',
    async (name) => {
      const { app, lines, result } = await seeded('pglite', name);
      firstRuns.set(name, result);
      const states = new Set(result.requests.map((r) => r.state));
      expect(result.created).toBeGreaterThanOrEqual(12);
      expect(result.created).toBeLessThanOrEqual(20);
      expect(states.size).toBeGreaterThanOrEqual(7);
      for (const state of ['submitted', 'allocated', 'declined'] as const) expect(states).toContain(state);
      expect(states.has('disputed') || states.has('escalated')).toBe(true);
      expect(states.has('closed') || states.has('withdrawn')).toBe(true);
      expect(Object.values(result.byState).reduce((a, b) => a + b, 0)).toBe(result.created);
      // Every route of the protocol is used: every demo directory has a team sending on each.
      expect(new Set(result.requests.map((r) => r.routeId))).toEqual(
        new Set(app.profile.routes.map((r) => r.id)),
      );
      expect(result.requests.map((r) => r.childRef)).toEqual(
        result.requests.map((_, i) => `DEMO-${String(i + 1).padStart(4, '0')}`),
      );
      // Every change went through the workflow, and nothing was refused on the way.
      expect(await verifyStoredChain(app.db.prisma)).toMatchObject({ intact: true });
      expect(lines.filter((l) => /stopped at|skipped/.test(l))).toEqual([]);
      expect(lines.at(-1)?.startsWith(`seeded ${result.created} requests for ${app.profile.council}: `)).toBe(
        true,
      );

      // Everything happened before now, in office hours on working days.
      const events = await app.db.prisma.auditEvent.findMany({ where: { actorId: { not: 'stepwise' } } });
      for (const e of events) {
        expect(e.at.getTime()).toBeLessThanOrEqual(now.getTime());
        expect(app.calendar.isWorkingTime(e.at)).toBe(true);
      }
      // The overdue request is chased by the sweep as of now.
      const chases = await app.db.prisma.outbox.findMany({
        where: { idempotencyKey: { startsWith: 'timer:' } },
      });
      expect(
        chases.some((c) => /the decision is overdue/.test(String((c.payload as { text?: string }).text))),
      ).toBe(true);
      // The log names references and routes, never a child.
      const children = await app.db.prisma.transfer.findMany({ select: { form: true } });
      for (const { form } of children) {
        const childName = String((form as { child_name: string }).child_name);
        expect(lines.join('\n')).not.toContain(childName.split(' ')[1]);
      }

      const again = await seeded('pglite', name);
      expect(refsAndStates(again.result)).toEqual(refsAndStates(result));
    },
  );

  it.runIf(databaseKinds.includes('postgres'))('gives the same caseload on PostgreSQL', async () => {
    const { app, result } = await seeded('postgres', 'manchester');
    const pglite = firstRuns.get('manchester') ?? (await seeded('pglite', 'manchester')).result;
    expect(refsAndStates(result)).toEqual(refsAndStates(pglite));
    expect(await verifyStoredChain(app.db.prisma)).toMatchObject({ intact: true });
  });
});

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'stepwise.mjs');

async function stepwise(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: '', STEPWISE_DEBUG: '', STEPWISE_DIRECTORY: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('stepwise demo (the command)', () => {
  it('seeds the protocol it is given, then refuses a database with transfers unless --force', async () => {
    const env = {
      STEPWISE_DATA_DIR: mkdtempSync(join(tmpdir(), 'stepwise-demo-')),
      STEPWISE_PROTOCOL: 'hackney',
    };
    const at = ['--now', now.toISOString()];
    const first = await stepwise(['demo', '--protocol', 'halton', ...at], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('loaded the halton demo directory');
    expect(first.stdout).toContain(
      'seeding the halton protocol (--protocol); the server uses STEPWISE_PROTOCOL=hackney',
    );
    expect(first.stdout).toMatch(/^SW-000001 {2}DEMO-0001 {2}\S+ +\S+$/m);
    expect(first.stdout).toMatch(/^seeded 1\d requests for Halton Borough Council: \d+ submitted, /m);

    const second = await stepwise(['demo', '--protocol', 'halton', ...at], env);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/^stepwise: .* already holds 1\d transfer\(s\).*--force/);
    // Refused for another council: its demo directory is not swapped in either (a refusal changes nothing).
    const other = await stepwise(['demo', '--protocol', 'somerset', ...at], env);
    expect(other.code).toBe(1);
    expect(other.stdout).not.toContain('demo directory');

    const forced = await stepwise(['demo', '--protocol', 'halton', '--force', ...at], env);
    expect(forced.code).toBe(0);
    // The case-system ids carry on after the first demo's.
    expect(forced.stdout).toMatch(/^SW-0000\d\d {2}DEMO-00(1[89]|2\d) /m);
    const db = await openDatabase({ dataDir: env.STEPWISE_DATA_DIR });
    try {
      expect(await db.prisma.transfer.count()).toBeGreaterThanOrEqual(2 * 12);
      expect(await verifyStoredChain(db.prisma)).toMatchObject({ intact: true });
    } finally {
      await db.close();
    }
  });
});
