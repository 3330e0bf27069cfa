/**
 * Wiring: the database, the council's profile, its calendar and directory, and the workflow over them.
 * Used by the server and every CLI command, so they all see the same setup.
 */

import type { Config } from './config.ts';
import { WorkingCalendar } from './domain/calendar.ts';
import { Directory } from './domain/directory.ts';
import type { ProtocolProfile } from './domain/profile.ts';
import { demoDirectoryPath, demoDirectoryWithTeams } from './protocols/directories/index.ts';
import { isProfileName, loadProfile } from './protocols/index.ts';
import { type Database, openDatabase } from './store/database.ts';
import { loadDirectoryFile, readDirectory } from './store/directory-store.ts';
import { migrate } from './store/migrator.ts';
import { PrismaTransferStore } from './store/transfer-store.ts';
import { TransferWorkflow } from './workflow/transfers.ts';

export interface App {
  config: Config;
  db: Database;
  profile: ProtocolProfile;
  calendar: WorkingCalendar;
  store: PrismaTransferStore;
  workflow: TransferWorkflow;
  /** Re-reads the directory after it changes (e.g. `stepwise directory load`). */
  reloadDirectory(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  migrate?: boolean;
  log?: (line: string) => void;
  /** Load the built-in protocol's demo directory when none is configured and the stored one is empty. */
  demoDirectory?: boolean;
}

/**
 * A first run with no directory: the protocol's fictional demo teams and people, so it can be tried. Another
 * protocol's demo directory (trying a second council on the same data) is swapped the same way; a directory of
 * any other kind is the council's own and is never replaced. Returns whether it loaded one.
 */
export async function ensureDemoDirectory(
  db: Database,
  profile: ProtocolProfile,
  log?: (line: string) => void,
): Promise<boolean> {
  if (!isProfileName(profile.id)) return false;
  const teams = await db.prisma.team.findMany({ select: { id: true } });
  const demoOf = teams.length ? demoDirectoryWithTeams(teams.map((t) => t.id)) : undefined;
  if (teams.length && (!demoOf || demoOf === profile.id)) return false;
  const loaded = await loadDirectoryFile(db, demoDirectoryPath(profile.id), profile);
  log?.(
    `loaded the ${profile.id} demo directory (${loaded.teams} teams, ${loaded.people} people)` +
      (demoOf ? `, in place of the ${demoOf} one` : ''),
  );
  return true;
}

export async function openApp(config: Config, opts: OpenAppOptions = {}): Promise<App> {
  const profile = await loadProfile(config.STEPWISE_PROTOCOL);
  const calendar = new WorkingCalendar(profile.calendar, { extraClosures: config.STEPWISE_CLOSURES ?? [] });
  const db = await openDatabase({
    ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
    dataDir: config.STEPWISE_DATA_DIR,
  });
  try {
    if (opts.migrate !== false) await migrate(db, { ...(opts.log ? { log: opts.log } : {}) });
    if (config.STEPWISE_DIRECTORY) await loadDirectoryFile(db, config.STEPWISE_DIRECTORY, profile);
    else if (opts.demoDirectory) await ensureDemoDirectory(db, profile, opts.log);
    const store = new PrismaTransferStore(db.prisma);
    const app: App = {
      config,
      db,
      profile,
      calendar,
      store,
      workflow: new TransferWorkflow({ profile, calendar, directory: await readDirectory(db), store }),
      async reloadDirectory() {
        app.workflow = new TransferWorkflow({ profile, calendar, directory: await readDirectory(db), store });
      },
      close: () => db.close(),
    };
    return app;
  } catch (e) {
    await db.close();
    throw e;
  }
}

export { Directory };
