// The one database client factory: embedded PGlite (file-backed or in memory) or PostgreSQL (DATABASE_URL).
// Both speak the PostgreSQL dialect and run the same migrations (see migrator.ts).
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite, type Transaction as PGliteTransaction } from '@electric-sql/pglite';
import type pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { lockDataDir } from './data-dir-lock.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { type MigrateOptions, migrate } from './migrator.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * Raw SQL on one connection, outside Prisma: for the migrator and admin tasks, not for application code.
 * `exec` runs SQL text that may hold many statements and takes no parameters; `query` runs one statement
 * with `$1`-style parameters. `transaction` runs `fn` between BEGIN and COMMIT (ROLLBACK if it throws).
 */
export interface SqlSession {
  exec(sql: string): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
}

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Where the data lives, for logs and messages: 'PGlite at ./.stepwise/db', 'PostgreSQL at host:5432/db'. Never a password. */
  describe: string;
  /**
   * Statements sent to the database since open: every statement Prisma sends (inside interactive and batch
   * transactions too), every BEGIN / COMMIT / ROLLBACK, and every `session` call (an `exec` of a
   * multi-statement script counts once). For the benchmark.
   */
  statements: { count: number };
  /** The embedded database itself when kind is 'pglite' (for dumps and tools); undefined on PostgreSQL. */
  pglite?: PGlite;
  /** Runs `fn` on one dedicated connection (PGlite has only one). Used by the migrator. */
  session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// URL. Absent: embedded PGlite. */
  databaseUrl?: string;
  /** PGlite's data directory (default './.stepwise'); the database lives in `<dataDir>/db`. */
  dataDir?: string;
  /** PGlite in memory (tests). Ignored when databaseUrl is set. */
  inMemory?: boolean;
  /**
   * In-memory PGlite only: start from this copy of a data directory (PGlite's `dumpDataDir()`) instead of an
   * empty cluster. Much faster than a new cluster (about 0.6 s against 4-5 s here): the tests' template.
   */
  loadDataDir?: Blob;
  /** How long to wait for PostgreSQL at open, in ms (default 5000). */
  connectTimeoutMs?: number;
}

/** The database cannot be used. The message is one line meant for a person; it never holds a password. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  if (opts.databaseUrl !== undefined && opts.databaseUrl !== '') {
    return openPostgres(opts.databaseUrl, opts.connectTimeoutMs ?? 5000);
  }
  return openPGlite(opts);
}

/** Opens the database and brings its schema up to date. */
export async function openMigratedDatabase(
  opts: OpenDatabaseOptions & MigrateOptions = {},
): Promise<Database> {
  const db = await openDatabase(opts);
  try {
    await migrate(db, { migrationsDir: opts.migrationsDir, log: opts.log });
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return db;
}

// ---------------------------------------------------------------------------------------------------------
// PGlite

async function openPGlite(opts: OpenDatabaseOptions): Promise<Database> {
  let client: PGlite;
  let describe: string;
  let release = () => {};
  if (opts.inMemory) {
    describe = 'PGlite in memory';
    client = await startPGlite({ loadDataDir: opts.loadDataDir }, describe);
  } else {
    const dataDir = opts.dataDir ?? './.stepwise';
    const dbDir = join(dataDir, 'db');
    try {
      mkdirSync(dbDir, { recursive: true });
      accessSync(dbDir, constants.R_OK | constants.W_OK | constants.X_OK);
    } catch (error) {
      throw new DatabaseUnavailableError(`cannot use the data directory ${dataDir}: ${fsReason(error)}`, {
        cause: error,
      });
    }
    describe = `PGlite at ${dataDir.replace(/\/+$/, '')}/db`;
    const lock = lockDataDir(dataDir);
    if ('heldBy' in lock) {
      throw new DatabaseUnavailableError(
        `the embedded database in ${dataDir} is in use by another Stepwise process (pid ${lock.heldBy}); stop it first, or use DATABASE_URL (PostgreSQL) to run several processes`,
      );
    }
    release = lock.release;
    try {
      client = await startPGlite({ dataDir: resolve(dbDir) }, describe);
    } catch (e) {
      release();
      throw e;
    }
  }

  const statements = { count: 0 };
  const prisma = new PrismaClient({ adapter: countStatements(new PrismaPGlite(client), statements) });

  const sessionOn = (target: PGlite | PGliteTransaction, inTransaction: boolean): SqlSession => ({
    async exec(sql) {
      statements.count++;
      await target.exec(sql);
    },
    async query<R>(sql: string, params?: unknown[]) {
      statements.count++;
      return (await target.query<R>(sql, params)).rows;
    },
    async transaction(fn) {
      if (inTransaction || !(target instanceof PGlite))
        throw new Error('nested transactions are not supported');
      statements.count++; // BEGIN, sent by PGlite.transaction()
      try {
        return await target.transaction((tx) => fn(sessionOn(tx, true)));
      } finally {
        statements.count++; // COMMIT or ROLLBACK, sent by PGlite.transaction()
      }
    },
  });

  let sessionQueue: Promise<void> = Promise.resolve();
  let closed = false;
  return {
    prisma,
    kind: 'pglite',
    describe,
    statements,
    pglite: client,
    // PGlite is one connection: sessions take turns (so two migrators in one process cannot interleave);
    // Prisma's own queries are serialised by PGlite itself.
    session<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
      const run = sessionQueue.then(() => fn(sessionOn(client, false)));
      sessionQueue = run.then(
        () => {},
        () => {},
      );
      return run;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await prisma.$disconnect();
        await client.close();
      } finally {
        release();
      }
    },
  };
}

async function startPGlite(
  options: { dataDir?: string; loadDataDir?: Blob },
  describe: string,
): Promise<PGlite> {
  try {
    // PostgreSQL's default 128 MB of shared buffers is most of an idle server's memory under PGlite; 16 MB
    // holds a council's working set (measured: idle RSS down by about 90 MB, see README).
    const startParams = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
    const client = new PGlite({ ...options, startParams });
    await client.waitReady;
    return client;
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot open ${describe}: ${oneLine(errorMessage(error))}`, {
      cause: error,
    });
  }
}

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOTDIR':
      return 'part of the path is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EEXIST':
      return 'a file with that name is in the way';
    default:
      return oneLine(errorMessage(error));
  }
}

// ---------------------------------------------------------------------------------------------------------
// PostgreSQL

interface PgTarget {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
}

function parsePostgresUrl(databaseUrl: string): PgTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase();
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new DatabaseUnavailableError(
      `DATABASE_URL must be a postgres:// or postgresql:// URL (got ${scheme ? `${scheme}://...` : 'no scheme'})`,
    );
  }
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DatabaseUnavailableError(
      'DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)',
    );
  }
  const user = decodeURIComponent(url.username) || process.env.PGUSER || 'postgres';
  return {
    host: url.hostname || url.searchParams.get('host') || 'localhost',
    port: url.port || url.searchParams.get('port') || '5432',
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || user,
    user,
    password: decodeURIComponent(url.password),
  };
}

async function openPostgres(databaseUrl: string, connectTimeoutMs: number): Promise<Database> {
  const target = parsePostgresUrl(databaseUrl);
  const where = `${target.host}:${target.port}/${target.database}`;
  const describe = `PostgreSQL at ${where}`;

  // The PostgreSQL driver is loaded only for a PostgreSQL database: an embedded server has no use for it.
  const [{ default: pgDriver }, { PrismaPg }] = await Promise.all([
    import('pg'),
    import('@prisma/adapter-pg'),
  ]);
  const pool = new pgDriver.Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  // An idle connection that dies (server restart) emits 'error' on the pool; without a listener that would
  // crash the process. The next query gets a fresh connection and reports any real failure.
  pool.on('error', () => {});

  try {
    const client = await withTimeout(pool.connect(), connectTimeoutMs + 1000);
    try {
      await client.query('SELECT 1');
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(
      `cannot connect to PostgreSQL at ${where}: ${scrub(pgReason(error, target, connectTimeoutMs), target)}`,
      { cause: error },
    );
  }

  const statements = { count: 0 };
  const prisma = new PrismaClient({ adapter: countStatements(new PrismaPg(pool), statements) });

  const sessionOn = (client: pg.PoolClient): SqlSession => {
    const session: SqlSession = {
      async exec(sql) {
        statements.count++;
        await client.query(sql); // no parameters: simple query protocol, many statements allowed
      },
      async query<R>(sql: string, params?: unknown[]) {
        statements.count++;
        return (await client.query(sql, params)).rows as R[];
      },
      async transaction(fn) {
        await session.exec('BEGIN');
        try {
          const result = await fn(session);
          await session.exec('COMMIT');
          return result;
        } catch (error) {
          await session.exec('ROLLBACK').catch(() => {});
          throw error;
        }
      },
    };
    return session;
  };

  let closed = false;
  return {
    prisma,
    kind: 'postgres',
    describe,
    statements,
    async session(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await fn(sessionOn(client));
      } catch (error) {
        // A connection left in an unknown state (e.g. an aborted transaction) is discarded, not reused.
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

function pgReason(error: unknown, target: PgTarget, timeoutMs: number): string {
  const e = error as { code?: string; message?: string } | undefined;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and listening on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `unknown host ${target.host}`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached';
    case 'ECONNRESET':
      return 'the server closed the connection';
    case '28P01':
      return `password authentication failed for user ${target.user}`;
    case '28000':
      return `the server refused user ${target.user} (check pg_hba.conf and the user name)`;
    case '3D000':
      return `database ${target.database} does not exist`;
    case '57P03':
      return 'the server is starting up or shutting down';
    case '53300':
      return 'too many connections';
  }
  const message = e?.message ?? String(error);
  if (/timeout|timed out/i.test(message)) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (/SASL|password must be a string|client password/i.test(message)) {
    return `the server asks for a password for user ${target.user} and the URL gives none`;
  }
  return oneLine(message);
}

/**
 * The password out of a message: where a URL carries it (`:secret@`), and anywhere else only when it is long
 * enough not to be a fragment of ordinary words (blanking every "s" of a one-letter password garbles the
 * message and shows which letters the password has).
 */
function scrub(text: string, target: PgTarget): string {
  if (!target.password) return text;
  let out = text;
  for (const form of new Set([target.password, encodeURIComponent(target.password)])) {
    out = out.split(`:${form}@`).join(':***@');
    if (form.length >= 8) out = out.split(form).join('***');
  }
  return out;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statement counting.
//
// Hooked at the driver adapter, the one place every statement of Prisma passes through, for both drivers.
// The factory's connect() is wrapped so that the adapter it returns has counting queryRaw / executeRaw /
// executeScript / startTransaction, and each transaction it starts has counting queryRaw / executeRaw /
// commit / rollback. Methods are replaced on the instances (not proxied) so that the adapters' own internal
// calls (`this.executeRaw('SAVEPOINT ...')`) are counted too.
//  - BEGIN is sent by the adapter inside startTransaction (PrismaPg through its unwrapped transaction,
//    PGlite inside PGlite.transaction()), so startTransaction counts it; a SET TRANSACTION ISOLATION LEVEL
//    counts one more.
//  - COMMIT / ROLLBACK: when the transaction reports `usePhantomQuery: false` (PrismaPg), Prisma sends them
//    itself through tx.executeRaw (already counted) and commit() / rollback() only release the connection;
//    with `usePhantomQuery: true` (PGlite) commit() / rollback() send them, so they count.

interface Counter {
  count: number;
}

interface CountableQueryable {
  queryRaw(query: unknown): Promise<unknown>;
  executeRaw(query: unknown): Promise<number>;
}

interface CountableTransaction extends CountableQueryable {
  readonly options: { usePhantomQuery: boolean };
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

interface CountableAdapter extends CountableQueryable {
  executeScript(script: string): Promise<void>;
  startTransaction(isolationLevel?: string): Promise<CountableTransaction>;
}

interface CountableFactory {
  connect(): Promise<CountableAdapter>;
}

function countStatements<F extends CountableFactory>(factory: F, counter: Counter): F {
  const target: CountableFactory = factory;
  const connect = target.connect.bind(factory);
  target.connect = async () => countAdapter(await connect(), counter);
  return factory;
}

function countQueries(q: CountableQueryable, counter: Counter): void {
  const queryRaw = q.queryRaw.bind(q);
  const executeRaw = q.executeRaw.bind(q);
  q.queryRaw = (query) => {
    counter.count++;
    return queryRaw(query);
  };
  q.executeRaw = (query) => {
    counter.count++;
    return executeRaw(query);
  };
}

function countAdapter(adapter: CountableAdapter, counter: Counter): CountableAdapter {
  countQueries(adapter, counter);
  const executeScript = adapter.executeScript.bind(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.executeScript = (script) => {
    counter.count++;
    return executeScript(script);
  };
  adapter.startTransaction = async (isolationLevel) => {
    counter.count += isolationLevel ? 2 : 1;
    const tx = await startTransaction(isolationLevel);
    countQueries(tx, counter);
    if (tx.options.usePhantomQuery) {
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = () => {
        counter.count++;
        return commit();
      };
      tx.rollback = () => {
        counter.count++;
        return rollback();
      };
    }
    return tx;
  };
  return adapter;
}

// ---------------------------------------------------------------------------------------------------------

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
