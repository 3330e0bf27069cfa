/**
 * `npm start`: the server and the timer sweep on one process. node-cron only ticks (STEPWISE_SWEEP_CRON, once a
 * minute by default; never overlapping); the due work itself lives in timer rows, so a restart catches up what
 * fell due while down.
 * The outbox pump delivers what commands and sweeps wrote, through each configured chat surface.
 */
import cron from 'node-cron';
import pino, { type Logger } from 'pino';
import { type App, openApp } from '../app.ts';
import type { LocalWorkspace } from '../channels/local/index.ts';
import type { SlackSurface } from '../channels/slack/index.ts';
import type { TeamsSurface } from '../channels/teams/index.ts';
import { teamsRefPrefix } from '../channels/teams/ref-keys.ts';
import { type Clock, systemClock } from '../clock.ts';
import {
  type Config,
  ConfigError,
  slackConfig,
  type TeamsConfig,
  teamsBesideWorkspace,
  teamsConfig,
  teamsLocalModeRefusal,
  workspaceToken,
} from '../config.ts';
import { MessageRefStore } from '../store/message-ref-store.ts';
import { PrismaOutboxStore } from '../store/outbox-store.ts';
import { profileScope } from '../workflow/ports.ts';
import { sweepDueTimers } from '../workflow/sweep.ts';
import { createHttpServer, type Handler, type Routes, sendJson } from './http.ts';
import { OutboxPump } from './outbox-pump.ts';
import { WorkspaceAndTeamsSender } from './workspace-and-teams-sender.ts';

const localModeWarning =
  'Teams: no MICROSOFT_APP_ID, so POST /api/messages is in local mode and accepts unauthenticated requests (for the Agents Playground and tests only)';

export interface RunningServer {
  app: App;
  port: number;
  url: string;
  slack: SlackSurface | null;
  /**
   * The Teams surface: configured, or beside the local workspace in local mode once its first activity has
   * loaded it (null before).
   */
  readonly teams: TeamsSurface | null;
  /** The local workspace, when no chat platform is configured. */
  local: LocalWorkspace | null;
  clock: Clock;
  pump: OutboxPump | null;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Run the minute sweep (default true). */
  sweep?: boolean;
  /** How often the outbox pump looks for due messages besides being kicked (default 1 s). */
  outboxIntervalMs?: number;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? pino({ level: config.STEPWISE_LOG_LEVEL, base: { app: 'stepwise' } });
  const slackSettings = slackConfig(config);
  // Checked before anything opens: a workspace on a public address without a token does not start.
  const teamsSettings = teamsConfig(config);
  const token = slackSettings || teamsSettings ? undefined : workspaceToken(config);
  const app = await openApp(config, { log: (line) => log.info(line), demoDirectory: true });
  // Requests made under another protocol (a second council tried on the same data) stay stored; this server
  // explains them when asked and leaves their timers alone, and says so once here.
  const foreign = await app.store.countOpenOutside(profileScope(app.profile));
  if (foreign)
    log.warn(
      { requests: foreign, protocol: app.profile.id },
      'open requests made under another protocol are stored here: they can be seen but not worked on under this one',
    );
  const started = Date.now();
  const outbox = new PrismaOutboxStore(app.db.prisma);
  let pump: OutboxPump | null = null;
  const kick = () => void pump?.kick();
  // Each surface's platform SDK is loaded only when that surface is configured: the ones not in use would only
  // take memory (about 30 MB each for Bolt and the Agents SDK).
  const slack = slackSettings
    ? (await import('../channels/slack/index.ts')).createSlackSurface(app, slackSettings, {
        outbox,
        kick,
        log,
      })
    : null;
  // Set when the Teams surface is loaded: at start when configured, else (beside the workspace) by its first use.
  const loaded: { teams: TeamsSurface | null } = { teams: null };
  const loadTeams = async (settings: TeamsConfig) => {
    loaded.teams = (await import('../channels/teams/index.ts')).createTeamsSurface(app, settings, {
      outbox,
      kick,
      log,
      now: () => clock.now(),
    });
    return loaded.teams;
  };
  const teams = teamsSettings ? await loadTeams(teamsSettings) : null;
  const beside = teamsBesideWorkspace(config);
  if (teamsSettings ? !teamsSettings.appId : beside) log.warn(localModeWarning);
  const local =
    slack || teams
      ? null
      : await import('../channels/local/index.ts')
          .then(({ createLocalWorkspace }) =>
            createLocalWorkspace(app, { kick: () => pump?.kick(), log, token }),
          )
          .catch(async (e) => {
            await app.close();
            throw e;
          });
  const clock: Clock = local?.clock ?? systemClock;
  // Beside the workspace, the Agents SDK is loaded by the first activity on /api/messages (it would only take
  // memory on a server nobody tries Teams on), or at once when Teams conversations were saved on an earlier run,
  // so their cards keep being updated.
  let loadingTeams: Promise<TeamsSurface> | undefined;
  const teamsBeside = () => {
    loadingTeams ??= loadTeams({
      appId: undefined,
      password: undefined,
      tenantId: undefined,
      authority: undefined,
    }).catch((e) => {
      loadingTeams = undefined;
      throw e;
    });
    return loadingTeams;
  };
  if (beside && local && (await new MessageRefStore(app.db.prisma).hasSettingUnder(teamsRefPrefix)))
    await teamsBeside();
  const sender =
    slack?.sender ??
    teams?.sender ??
    (local && beside
      ? new WorkspaceAndTeamsSender(local.sender, () => loaded.teams?.sender ?? null)
      : local?.sender);
  if (sender)
    pump = new OutboxPump(outbox, sender, log, {
      intervalMs: opts.outboxIntervalMs ?? 1000,
      // Eight transfers' messages at a time; Slack's per-channel rate limit answers 429, which waits and retries.
      concurrency: 8,
      now: () => clock.now(),
    });

  const routes: Routes = {
    'GET /healthz': async (_req, res) => {
      await app.db.prisma.$queryRaw`SELECT 1`;
      sendJson(res, 200, {
        status: 'ok',
        protocol: app.profile.id,
        database: app.db.kind,
        slack: slack ? (slackSettings?.appToken ? 'socket mode' : 'http') : 'not configured',
        teams: teamsSettings?.appId ? 'on' : teamsSettings || beside ? 'local mode' : 'not configured',
        workspace: local ? 'on' : 'off',
        // Failed messages are for the IT team: `stepwise outbox` lists them, `stepwise outbox retry` resends.
        outbox: await outbox.counts(),
        uptimeSeconds: Math.round((Date.now() - started) / 1000),
      });
    },
    'POST /slack/events':
      slack?.handler ??
      ((_req, res) =>
        sendJson(res, 503, {
          error: slackSettings
            ? 'Slack runs in Socket Mode (SLACK_APP_TOKEN is set): this endpoint is not used'
            : 'Slack is not configured: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN',
        })),
  };
  const teamsOff: Handler = (_req, res) =>
    sendJson(res, 503, {
      error: slackSettings
        ? 'Teams is not configured: this server runs Slack (one chat platform per server)'
        : `Teams is not configured: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (${teamsLocalModeRefusal(config) ?? 'or STEPWISE_TEAMS=local'})`,
    });
  routes['POST /api/messages'] = teams
    ? teams.handler
    : beside
      ? async (req, res) => (await teamsBeside()).handler(req, res)
      : teamsOff;
  if (local) Object.assign(routes, local.routes);
  const server = createHttpServer(routes, log);
  const sweep = async () => {
    try {
      const report = await sweepDueTimers(app.workflow, app.store, clock.now());
      if (report.handled.length) {
        log.info({ handled: report.handled.length, skipped: report.skipped }, 'timer sweep');
        kick();
      }
      // Ids, kinds and the reason only (a reason names a route or a team, never a child).
      for (const f of report.failed)
        log.error(f, 'a due timer could not be handled and was set aside; the others went on');
    } catch (e) {
      log.error(
        { err: { message: (e as Error).message } },
        'timer sweep failed; it will run again at the next tick',
      );
    }
  };
  // The port first: if it cannot be had, nothing else starts and the database is closed again (a schedule
  // started before would keep a server-less process alive, holding the embedded database's lock).
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => resolve());
    });
  } catch (e) {
    local?.close();
    await app.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `cannot listen on ${config.HOST}:${config.PORT} (${code ?? (e as Error).message})` +
        (code === 'EADDRINUSE' ? ': another program is using that port; set PORT to another one' : ''),
    );
  }
  // The catch-up sweep runs to the end before the schedule starts (node-cron starts a task as soon as it is
  // scheduled), so this process never sweeps twice at once.
  if (opts.sweep !== false) await sweep();
  const task =
    opts.sweep === false
      ? null
      : cron.schedule(config.STEPWISE_SWEEP_CRON, sweep, { noOverlap: true, name: 'timer-sweep' });
  await slack?.start();
  pump?.start();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    app,
    port,
    url: `http://${config.HOST}:${port}`,
    slack,
    get teams() {
      return loaded.teams;
    },
    local,
    clock,
    pump,
    close: async () => {
      local?.close();
      await task?.stop();
      await pump?.stop();
      await slack?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}

export async function serve(config: Config): Promise<void> {
  const log = pino({ level: config.STEPWISE_LOG_LEVEL, base: { app: 'stepwise' } });
  const running = await startServer(config, { log });
  const { app } = running;
  log.info(
    { protocol: app.profile.id, database: app.db.describe, port: running.port },
    'Stepwise is running',
  );
  const surface = running.slack
    ? 'Slack: on'
    : running.local
      ? `the local workspace (no Slack or Teams configured${teamsBesideWorkspace(config) ? '; /api/messages in Teams local mode' : ''})`
      : `Teams: on${running.teams?.localMode ? ' (local mode, no app id)' : ''} at /api/messages`;
  console.log(
    `Stepwise (${app.profile.name}) is running at ${running.url}/  (${surface}; health: /healthz; data: ${app.db.describe})`,
  );
  if (running.local)
    console.log(
      `Open ${running.url}/ in a browser, pick who you are, and type /stepup in your team's channel.`,
    );
  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
