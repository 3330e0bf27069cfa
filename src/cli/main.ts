/**
 * The `stepwise` command. Every failure a person can cause (bad config, unreachable database, malformed
 * file) is one clear line and a non-zero exit code; set STEPWISE_DEBUG=1 to see stack traces.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ensureDemoDirectory, openApp } from '../app.ts';
import { clockOffsetSetting, DemoClock } from '../clock.ts';
import { type Config, readConfig } from '../config.ts';
import { seedDemo } from '../demo/seed.ts';
import { loadProfile } from '../protocols/index.ts';
import { verifyStoredChain } from '../store/audit-store.ts';
import { openDatabase } from '../store/database.ts';
import { loadDirectoryFile } from '../store/directory-store.ts';
import { MessageRefStore } from '../store/message-ref-store.ts';
import { migrate } from '../store/migrator.ts';
import { WorkflowError } from '../workflow/errors.ts';
import { sweepDueTimers } from '../workflow/sweep.ts';
import { listOutbox, retryOutbox } from './outbox.ts';
import { showProfile } from './protocol-show.ts';

const usage = `stepwise: step-up / step-down transfers for children's services

Usage:
  stepwise serve                     start the server (what \`npm start\` runs)
  stepwise migrate                   apply database migrations
  stepwise tick [--now <ISO time>]   run one sweep of due timers as of that time and exit
  stepwise directory load <file>     replace the directory with a YAML file's teams and people
  stepwise audit verify              check the audit trail's hash chain
  stepwise outbox                    count the messages waiting, sent and failed, and list the failed
  stepwise outbox retry --all | <id>...
                                     send failed messages again, once their cause is mended
  stepwise protocol check <file>     validate a protocol profile file
  stepwise protocol show <name> [--json]
                                     show a protocol's routes, deadlines and ladder
  stepwise demo --protocol <name> [--force] [--now <ISO time>]
                                     seed an empty database with fictional requests in every state,
                                     for training and trying the local workspace

Environment: DATABASE_URL (absent: embedded PGlite in STEPWISE_DATA_DIR, default ./.stepwise),
STEPWISE_PROTOCOL (hackney, lambeth, somerset, halton, manchester or a file; default manchester),
STEPWISE_DIRECTORY, STEPWISE_CLOSURES, PORT (default 3978).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * On a first start with the embedded database, creates and migrates it in a short-lived `stepwise migrate`
 * process: creating a PostgreSQL cluster (initdb) grows memory that the server would otherwise hold for as long
 * as it runs (measured: an idle server after a first start, 308 MB with the creation in process, about the
 * restart's 218 MB without). If that process fails, the server goes on and reports the problem itself.
 */
function createEmbeddedDatabaseApart(config: Config): void {
  // The command's own file (through `npx`, argv[1] is the .bin link to it): a server started any other way
  // (tests) creates the database in its own process.
  const invoked = process.argv[1];
  const bin = invoked && existsSync(invoked) ? realpathSync(invoked) : undefined;
  if (config.DATABASE_URL || !bin?.endsWith('stepwise.mjs')) return;
  if (existsSync(join(config.STEPWISE_DATA_DIR, 'db', 'PG_VERSION'))) return;
  const created = spawnSync(process.execPath, [bin, 'migrate'], { encoding: 'utf8', env: process.env });
  if (created.status === 0) process.stdout.write(created.stdout);
}

function dbOptions(config: Config) {
  return {
    ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
    dataDir: config.STEPWISE_DATA_DIR,
  };
}

/**
 * The time a command acts at: --now if given (a fixed time for tests and replays), else the wall clock. `--now`
 * is an ISO 8601 date and time with its offset (`Z` or `+01:00`): a time without one would be read in the
 * process's own time zone, which Stepwise never relies on, so it is refused rather than guessed.
 */
function nowOption(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const iso = z.iso.datetime({ offset: true }).safeParse(value);
  const now = new Date(value);
  if (!iso.success || Number.isNaN(now.getTime()))
    throw new UsageError(
      `--now: "${value}" is not an ISO 8601 date and time with its offset (e.g. 2026-11-23T09:00:00Z or 2026-06-01T10:00:00+01:00)`,
    );
  return now;
}

/**
 * `stepwise demo`: seeds the chosen protocol's demo caseload. --protocol wins over STEPWISE_PROTOCOL (and says
 * so, since the server reads STEPWISE_PROTOCOL); a database that already holds transfers is left alone unless
 * --force, so a real caseload never gets fictional children mixed into it by accident.
 */
async function demo(
  config: Config,
  values: { protocol?: string | undefined; force?: boolean | undefined; now?: string | undefined },
  out: (line: string) => void,
): Promise<number> {
  const now = nowOption(values.now);
  const protocol = values.protocol ?? config.STEPWISE_PROTOCOL;
  // The demo directory is loaded only once the database is known to be one the demo may seed: a refusal
  // changes nothing.
  const app = await openApp({ ...config, STEPWISE_PROTOCOL: protocol }, { log: out });
  try {
    const existing = await app.db.prisma.transfer.count();
    if (existing > 0 && !values.force)
      throw new WorkflowError(
        'refused',
        `${app.db.describe} already holds ${existing} transfer(s): the demo seeds an empty database (add --force to seed it anyway)`,
      );
    if (!config.STEPWISE_DIRECTORY && (await ensureDemoDirectory(app.db, app.profile, out)))
      await app.reloadDirectory();
    if (protocol !== config.STEPWISE_PROTOCOL)
      out(
        `seeding the ${protocol} protocol (--protocol); the server uses STEPWISE_PROTOCOL=${config.STEPWISE_PROTOCOL}: start it with STEPWISE_PROTOCOL=${protocol} to see these requests`,
      );
    const result = await seedDemo(app, { now, log: out });
    if (result.created === 0)
      throw new WorkflowError(
        'refused',
        `nothing was seeded: the directory in ${app.db.describe} has no teams on the routes of the ${app.profile.name}; load one for it first (stepwise directory load <file>)`,
      );
    return 0;
  } finally {
    await app.close();
  }
}

const cliOptions = {
  now: { type: 'string' },
  json: { type: 'boolean', default: false },
  protocol: { type: 'string' },
  force: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The command line as parseArgs reads it; a mistake in it (an unknown option, a missing value) is a usage error. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: cliOptions });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))
      throw new UsageError(`${(e as Error).message} (stepwise help lists the commands)`);
    throw e;
  }
}

export async function run(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, sub, arg] = positionals;
  if (values.help || !command || command === 'help') {
    out(usage);
    return command || values.help ? 0 : 2;
  }
  const config = readConfig();
  switch (command) {
    case 'serve': {
      createEmbeddedDatabaseApart(config);
      const { serve } = await import('../server/main.ts');
      await serve(config);
      return 0;
    }
    case 'migrate': {
      const db = await openDatabase(dbOptions(config));
      try {
        // The migrator says each migration it applies, or that the database is up to date.
        const result = await migrate(db, { log: out });
        if (result.applied.length) out(`applied ${result.applied.length} migration(s) to ${db.describe}`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'tick': {
      const now = nowOption(values.now);
      const app = await openApp(config);
      try {
        const report = await sweepDueTimers(app.workflow, app.store, now);
        // The local workspace's demo clock moves forward to that time too (never back), so what the sweep
        // sent is shown there when the server starts again.
        // Only on the embedded database, the workspace's own: a council's PostgreSQL has no demo clock.
        const refs = new MessageRefStore(app.db.prisma);
        const clock = new DemoClock(Number((await refs.setting(clockOffsetSetting)) ?? 0));
        if (!config.DATABASE_URL && now > clock.now()) {
          await refs.setSetting(clockOffsetSetting, clock.moveTo(now));
          out(`the local workspace's demo clock is now ${now.toISOString()}`);
        }
        for (const h of report.handled) out(`${h.kind.padEnd(13)} ${h.summary}`);
        out(
          report.handled.length
            ? `handled ${report.handled.length} due timer(s) as of ${now.toISOString()}`
            : `nothing due as of ${now.toISOString()}`,
        );
        if (report.skipped)
          out(`${report.skipped} timer(s) left for the next sweep: their transfer changed meanwhile`);
        for (const f of report.failed)
          out(
            `failed        ${f.ref ?? f.kind} (${f.kind} timer ${f.timerId}): ${f.reason}; set aside, the others went on`,
          );
      } finally {
        await app.close();
      }
      return 0;
    }
    case 'demo':
      if (sub) throw new UsageError('usage: stepwise demo --protocol <name> [--force] [--now <ISO time>]');
      return demo(config, values, out);
    case 'directory': {
      if (sub !== 'load' || !arg) throw new UsageError('usage: stepwise directory load <file>');
      const profile = await loadProfile(config.STEPWISE_PROTOCOL);
      const db = await openDatabase(dbOptions(config));
      try {
        await migrate(db);
        const n = await loadDirectoryFile(db, arg, profile);
        out(`loaded ${n.teams} team(s) and ${n.people} person(s) from ${arg} into ${db.describe}`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'audit': {
      if (sub !== 'verify') throw new UsageError('usage: stepwise audit verify');
      const db = await openDatabase(dbOptions(config));
      try {
        await migrate(db);
        const check = await verifyStoredChain(db.prisma);
        if (check.intact) {
          out(`intact: ${check.count} event(s), the chain ends at ${check.lastHash.slice(0, 16)}`);
          return 0;
        }
        out(`broken at event #${check.seq}: ${check.reason} (${check.count} event(s) before it are intact)`);
        return 1;
      } finally {
        await db.close();
      }
    }
    case 'outbox': {
      const ids = positionals.slice(2);
      const retryUsage = 'usage: stepwise outbox retry --all | stepwise outbox retry <id>...';
      if (sub === 'retry' && (values.all ? ids.length > 0 : ids.length === 0))
        throw new UsageError(retryUsage);
      if (sub !== undefined && sub !== 'retry')
        throw new UsageError(`usage: stepwise outbox | ${retryUsage.slice(7)}`);
      const db = await openDatabase(dbOptions(config));
      try {
        await migrate(db);
        if (!sub) return await listOutbox(db, out);
        return await retryOutbox(db, values.all ? 'all' : { ids }, out, nowOption(values.now));
      } finally {
        await db.close();
      }
    }
    case 'protocol': {
      if (sub === 'check' && arg) {
        const p = await loadProfile(arg);
        out(
          `${arg}: valid ${p.name} profile: ${p.levels.length} levels, ${p.services.length} services, ${p.routes.length} routes, ${p.ladders.length} ladder(s)`,
        );
        return 0;
      }
      if (sub === 'show' && arg) {
        const p = await loadProfile(arg);
        out(values.json ? JSON.stringify(p, null, 2) : showProfile(p));
        return 0;
      }
      throw new UsageError('usage: stepwise protocol check <file> | stepwise protocol show <name> [--json]');
    }
    default:
      throw new UsageError(`unknown command "${command}"; run \`stepwise help\``);
  }
}
