// Applies prisma/migrations/<name>/migration.sql in name order and keeps Prisma's own `_prisma_migrations`
// table, so that `prisma migrate deploy` / `migrate status` on a machine that has Prisma's schema engine agree
// with what we applied. (The engine cannot be downloaded here: see ../../../shared/DESIGN.md.)
//
// Differences from `prisma migrate deploy`, all on the safe side:
//  - each migration runs in one transaction together with its `_prisma_migrations` row, so a failing
//    migration leaves nothing behind (no half-applied schema, no "failed" row to resolve);
//  - a migration recorded as failed (by Prisma itself, or by hand) stops us, as it stops Prisma.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../paths.ts';
import type { Database, SqlSession } from './database.ts';

export interface MigrateOptions {
  /** Default: prisma/migrations at the project root. */
  migrationsDir?: string;
  log?: (line: string) => void;
}

export interface MigrateResult {
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Local migrations that were already in the database. */
  alreadyApplied: string[];
}

/** A migration cannot be applied, or the database's migration history disagrees with the files. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export const defaultMigrationsDir = fromRoot('prisma', 'migrations');

/** The key `prisma migrate` itself locks, so our migrator and Prisma's never run at the same time. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// Exactly the table Prisma's schema engine creates on PostgreSQL.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface LocalMigration {
  name: string;
  path: string;
  sql: string;
  /** sha256 (hex) of the file's bytes, as Prisma records it. */
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  rolled_back_at: Date | null;
  started_at: Date;
}

/** The migrations on disk, in the order they apply (by directory name, as Prisma orders them). */
export function readMigrations(migrationsDir: string = defaultMigrationsDir): LocalMigration[] {
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(`no migrations directory at ${migrationsDir}`);
  }
  const lockFile = join(migrationsDir, 'migration_lock.toml');
  if (existsSync(lockFile)) {
    const provider = /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(lockFile, 'utf8'))?.[1];
    if (provider !== undefined && provider !== 'postgresql') {
      throw new MigrationError(
        `${lockFile} is for provider "${provider}"; Stepwise's migrations are for postgresql`,
      );
    }
  }
  const names = readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => {
    const path = join(migrationsDir, name, 'migration.sql');
    const bytes = readFileSync(path);
    return { name, path, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
  });
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Prisma accepts a recorded checksum computed with either line ending (git may convert them on checkout);
 * so do we.
 */
function checksumMatches(migration: LocalMigration, recorded: string): boolean {
  if (migration.checksum === recorded) return true;
  const lf = migration.sql.replace(/\r\n/g, '\n');
  return sha256(lf) === recorded || sha256(lf.replace(/\n/g, '\r\n')) === recorded;
}

export async function migrate(db: Database, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const migrations = readMigrations(opts.migrationsDir ?? defaultMigrationsDir);

  return db.session(async (session) => {
    // PGlite is one connection in one process: nothing else can migrate it concurrently.
    const locked = db.kind === 'postgres';
    if (locked) await session.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    try {
      return await migrateLocked(session, db.describe, migrations, log);
    } finally {
      if (locked) await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
    }
  });
}

async function migrateLocked(
  session: SqlSession,
  describe: string,
  migrations: LocalMigration[],
  log: (line: string) => void,
): Promise<MigrateResult> {
  await session.exec(CREATE_MIGRATIONS_TABLE);
  const rows = await session.query<MigrationRow>(
    `SELECT "id", "checksum", "finished_at", "migration_name", "rolled_back_at", "started_at"
       FROM "_prisma_migrations" ORDER BY "started_at", "migration_name"`,
  );

  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const names = failed.map((row) => row.migration_name).join(', ');
    throw new MigrationError(
      `${describe} has a failed migration (${names}) that was never finished or rolled back: repair the ` +
        `database, then mark it with \`prisma migrate resolve --rolled-back <name>\` (or --applied) before migrating again`,
    );
  }

  const appliedRows = new Map<string, MigrationRow>();
  for (const row of rows) {
    if (row.finished_at !== null && row.rolled_back_at === null) appliedRows.set(row.migration_name, row);
  }

  const local = new Set(migrations.map((m) => m.name));
  for (const name of appliedRows.keys()) {
    if (!local.has(name)) {
      log(`warning: ${describe} has migration ${name}, which is not in this version's prisma/migrations`);
    }
  }

  const alreadyApplied: string[] = [];
  const pending: LocalMigration[] = [];
  for (const migration of migrations) {
    const row = appliedRows.get(migration.name);
    if (row === undefined) {
      pending.push(migration);
      continue;
    }
    if (!checksumMatches(migration, row.checksum)) {
      throw new MigrationError(
        `migration ${migration.name} was changed after it was applied to ${describe} ` +
          `(recorded checksum ${row.checksum.slice(0, 12)}..., file ${migration.checksum.slice(0, 12)}...): ` +
          'restore the file and add a new migration instead',
      );
    }
    alreadyApplied.push(migration.name);
  }

  const applied: string[] = [];
  for (const migration of pending) {
    const started = Date.now();
    try {
      await session.transaction(async (tx) => {
        const [{ now }] = (await tx.query<{ now: Date }>('SELECT clock_timestamp() AS now')) as [
          { now: Date },
        ];
        await tx.exec(migration.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations"
             ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count")
           VALUES ($1, $2, clock_timestamp(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, now],
        );
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(
        `migration ${migration.name} failed on ${describe} and was rolled back, nothing applied: ${reason.replace(/\s+/g, ' ')}`,
        { cause: error },
      );
    }
    applied.push(migration.name);
    log(`applied migration ${migration.name} (${Date.now() - started} ms)`);
  }

  if (applied.length === 0) log(`${describe} is up to date (${alreadyApplied.length} migrations applied)`);
  return { applied, alreadyApplied };
}
