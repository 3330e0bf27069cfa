/** The environment, read once and validated: a bad value is one clear line, never a stack trace. */
import cron from 'node-cron';
import { z } from 'zod';
import { isValidLocalDate } from './domain/calendar.ts';

const closures = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean),
  )
  .pipe(
    z.array(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'dates as YYYY-MM-DD, separated by commas')
        .refine(isValidLocalDate, {
          error: (issue) => `"${String(issue.input)}" is not a real date (YYYY-MM-DD)`,
        }),
    ),
  );

const notAPort = 'a port number from 0 to 65535';

export const configSchema = z.object({
  PORT: z.coerce
    .number({ error: notAPort })
    .int({ error: notAPort })
    .min(0, { error: notAPort })
    .max(65535, { error: notAPort })
    .default(3978),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().min(1).optional(),
  STEPWISE_DATA_DIR: z.string().min(1).default('./.stepwise'),
  STEPWISE_PROTOCOL: z.string().min(1).default('manchester'),
  STEPWISE_DIRECTORY: z.string().min(1).optional(),
  /** Extra closure days (e.g. a Christmas shutdown) on top of bank holidays. */
  STEPWISE_CLOSURES: closures.optional(),
  /** Slack: the app's signing secret and bot token turn the Slack surface on (POST /slack/events). */
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_BOT_TOKEN: z.string().min(8).optional(),
  /** Socket Mode instead of the HTTP endpoint (an app-level token, xapp-...). */
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'an app-level token starting xapp-').optional(),
  /** The Web API base URL (tests point it at a local fake), e.g. http://127.0.0.1:4000/api/ */
  SLACK_API_URL: z.url().optional(),
  /** Microsoft Teams: the bot's Entra app (client) id, its secret and tenant turn the Teams surface on. */
  MICROSOFT_APP_ID: z.string().min(1).optional(),
  MICROSOFT_APP_PASSWORD: z.string().min(1).optional(),
  MICROSOFT_APP_TENANT_ID: z.string().min(1).optional(),
  /** The Entra authority, for a national cloud (e.g. https://login.microsoftonline.us); default the public cloud. */
  MICROSOFT_APP_AUTHORITY: z.url().optional(),
  /** `local`: the Teams bot with no app id (no JWT check), for the Agents Playground and tests only. */
  STEPWISE_TEAMS: z.enum(['local']).optional(),
  /** When the timer sweep runs (a node-cron expression; default once a minute; six fields allow seconds). */
  STEPWISE_SWEEP_CRON: z
    .string()
    .refine((e) => cron.validate(e), 'a cron expression such as "* * * * *" (every minute)')
    .default('* * * * *'),
  /** The local workspace's access token: required when HOST is not a loopback address. */
  STEPWISE_WORKSPACE_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** The Agents SDK refuses to run without an app id under NODE_ENV=production. */
  NODE_ENV: z.string().optional(),
  STEPWISE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type Config = z.infer<typeof configSchema>;

/** The Slack settings when Slack is configured; a half-configured Slack is a clear error, not a silent no. */
export function slackConfig(config: Config) {
  const { SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: botToken } = config;
  if (!signingSecret && !botToken) return null;
  if (!signingSecret || !botToken) {
    throw new ConfigError(
      `Slack is half configured: set both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (missing ${signingSecret ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET'})`,
    );
  }
  return {
    signingSecret,
    botToken,
    appToken: config.SLACK_APP_TOKEN,
    apiUrl: config.SLACK_API_URL,
  };
}
export type SlackConfig = NonNullable<ReturnType<typeof slackConfig>>;

/** The Teams settings when Teams is on: with an app id (and its secret), or in local mode. */
export function teamsConfig(config: Config) {
  const appId = config.MICROSOFT_APP_ID;
  if (!appId && config.STEPWISE_TEAMS !== 'local') return null;
  const refusal = appId ? null : teamsLocalModeRefusal(config);
  if (refusal) throw new ConfigError(`STEPWISE_TEAMS=local: ${refusal}`);
  if (appId && !config.MICROSOFT_APP_PASSWORD)
    throw new ConfigError(
      'Teams is half configured: MICROSOFT_APP_ID is set but MICROSOFT_APP_PASSWORD is not',
    );
  if (slackConfig(config))
    throw new ConfigError(
      'Both Slack and Teams are configured: Stepwise runs one chat platform per server; set one',
    );
  return {
    appId,
    password: config.MICROSOFT_APP_PASSWORD,
    tenantId: config.MICROSOFT_APP_TENANT_ID,
    authority: config.MICROSOFT_APP_AUTHORITY,
  };
}
export type TeamsConfig = NonNullable<ReturnType<typeof teamsConfig>>;

export class ConfigError extends Error {}

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The local workspace's token when it is needed: the workspace lets a person say who they are, so anywhere but
 * a loopback address it must be behind a token. Refusing to start is clearer than an open door.
 */
export function workspaceToken(config: Config): string | undefined {
  if (!loopback.test(config.HOST) && !config.STEPWISE_WORKSPACE_TOKEN)
    throw new ConfigError(
      `HOST is ${config.HOST}, not a loopback address: the local workspace then needs STEPWISE_WORKSPACE_TOKEN (at least 16 characters), or keep HOST=127.0.0.1`,
    );
  return config.STEPWISE_WORKSPACE_TOKEN;
}

/**
 * With no chat platform configured, Teams' endpoint runs beside the local workspace in local mode (no app id, no
 * token check: for the Agents Playground and tests), and only on a loopback address, where nothing but this
 * machine's own programs can reach it.
 */
export function teamsBesideWorkspace(config: Config): boolean {
  return !slackConfig(config) && !teamsConfig(config) && !teamsLocalModeRefusal(config);
}

/** Why Teams' local mode (no app id, no token check) cannot run with these settings, or null if it can. */
export function teamsLocalModeRefusal(config: Config): string | null {
  if (!loopback.test(config.HOST))
    return `local mode (no MICROSOFT_APP_ID) takes unauthenticated requests, so it is served only on a loopback HOST, not ${config.HOST}`;
  if (config.NODE_ENV === 'production')
    return 'local mode (no MICROSOFT_APP_ID) does not run with NODE_ENV=production; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD';
  return null;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blank = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = configSchema.safeParse(blank);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`invalid environment: ${lines.join('; ')}`);
}
