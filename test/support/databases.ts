// Run the same integration suite on both databases:
//
//   describe.each(databaseKinds)('repository on %s', (kind) => {
//     let db: Database;
//     beforeEach(async () => { db = await freshDatabase(kind); });
//     afterEach(async () => { await db.close(); });
//     ...
//   });
//
// PostgreSQL runs when STEPWISE_TEST_PG_URL is set (`npm test` starts a throwaway server and sets it).
// In CI (CI=true) a missing STEPWISE_TEST_PG_URL fails the suite: the PostgreSQL suite never skips silently.
import { randomBytes } from 'node:crypto';
import { type Database, type DatabaseKind, openMigratedDatabase } from '../../src/store/database.ts';
import { createPostgresDatabase } from './postgres-database.ts';

export const testPgUrl: string | undefined = process.env.STEPWISE_TEST_PG_URL || undefined;

function kinds(): DatabaseKind[] {
  if (testPgUrl) return ['pglite', 'postgres'];
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but STEPWISE_TEST_PG_URL is not set: the PostgreSQL suite must run in CI. ' +
        'Run the tests with `npm test` (it starts a throwaway PostgreSQL server) or set STEPWISE_TEST_PG_URL.',
    );
  }
  return ['pglite'];
}

export const databaseKinds: DatabaseKind[] = kinds();

// A migrated, empty in-memory PGlite, dumped once per test worker: a fresh PGlite cluster costs 4-5 s,
// loading this copy well under 1 s.
let pgliteTemplate: Promise<Blob> | undefined;

function migratedPgliteTemplate(): Promise<Blob> {
  pgliteTemplate ??= (async () => {
    const db = await openMigratedDatabase({ inMemory: true });
    try {
      if (!db.pglite) throw new Error('openDatabase({ inMemory: true }) did not give a PGlite database');
      return await db.pglite.dumpDataDir('none');
    } finally {
      await db.close();
    }
  })();
  return pgliteTemplate;
}

/** A migrated, empty database of that kind. PostgreSQL: a new database on the test server, dropped by close(). */
export async function freshDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') {
    // migrate() on the copy checks it and applies nothing (or any migration newer than the template).
    return openMigratedDatabase({ inMemory: true, loadDataDir: await migratedPgliteTemplate() });
  }
  const serverUrl = testPgUrl;
  if (!serverUrl) throw new Error('freshDatabase("postgres") needs STEPWISE_TEST_PG_URL');
  const created = await createPostgresDatabase(serverUrl);
  let db: Database;
  try {
    db = await openMigratedDatabase({ databaseUrl: created.url });
  } catch (error) {
    await created.drop().catch(() => {});
    throw error;
  }
  const close = db.close.bind(db);
  let closed = false;
  db.close = async () => {
    if (closed) return;
    closed = true;
    try {
      await close();
    } finally {
      await created.drop();
    }
  };
  return db;
}

/** A database name on the test server that does not exist (for error tests). */
export function missingDatabaseUrl(): string | undefined {
  if (!testPgUrl) return undefined;
  const url = new URL(testPgUrl);
  url.pathname = `/stepwise_missing_${randomBytes(6).toString('hex')}`;
  return url.toString();
}
