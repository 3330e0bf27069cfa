/**
 * The Slack surface: a Bolt app on the one server's `POST /slack/events` (or Socket Mode when an app-level token
 * is set), its listeners, and the outbox sender that talks to the Web API. Bolt's own receiver does the Slack
 * protocol (acknowledgements, response bodies); the guard in front of it checks size, signature and shape.
 */
import {
  App as BoltApp,
  type Logger as BoltLogger,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
} from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import type { App } from '../../app.ts';
import type { SlackConfig } from '../../config.ts';
import type { Handler } from '../../server/http.ts';
import { MessageRefStore } from '../../store/message-ref-store.ts';
import type { PrismaOutboxStore } from '../../store/outbox-store.ts';
import { registerSlackHandlers } from './handlers.ts';
import { guardSlackRequest, sendGuardError } from './request-guard.ts';
import { allowedResponseOrigins, SlackSender } from './sender.ts';

export interface SlackSurface {
  /** `POST /slack/events`; null in Socket Mode. */
  handler: Handler | null;
  sender: SlackSender;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Bolt's logger interface over pino. Bolt's lines carry no payloads at info level and above; its debug lines
 * print whole request bodies (a form's child name and date of birth), so they are dropped even when Stepwise
 * itself logs at debug.
 */
function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  let level = LogLevel.INFO;
  return {
    debug: () => {},
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) =>
      child.error(m.map((x) => (x instanceof Error ? x.message : String(x))).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

export function createSlackSurface(
  app: App,
  config: SlackConfig,
  deps: { outbox: PrismaOutboxStore; kick: () => void; log: Logger; now?: () => Date },
): SlackSurface {
  const now = deps.now ?? (() => new Date());
  const logger = boltLogger(deps.log);
  // Interactive calls (views.open must use its trigger within 3 s) and outbox sends alike: no hidden retries;
  // the outbox retries with backoff, an expired trigger cannot be retried anyway.
  const clientOptions: WebClientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger,
  };
  const client = new WebClient(config.botToken, clientOptions);
  const refs = new MessageRefStore(app.db.prisma);
  // The bot token is fixed; asking Slack who we are (auth.test) on every request is not needed.
  const authorize = async () => ({ botToken: config.botToken });
  // Socket Mode: the receiver is made here so that its own Web API client (apps.connections.open) also uses
  // SLACK_API_URL; Bolt would otherwise give it the default Slack URL.
  const socketReceiver = config.appToken
    ? new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions } })
    : undefined;
  const receiver = config.appToken
    ? undefined
    : new HTTPReceiver({
        signingSecret: config.signingSecret,
        endpoints: '/slack/events',
        logger,
        processBeforeResponse: false,
        unhandledRequestTimeoutMillis: 2500,
      });
  const bolt = new BoltApp({
    receiver: receiver ?? socketReceiver,
    authorize,
    clientOptions,
    logger,
    ignoreSelf: false,
  });
  bolt.error(async (e) => {
    deps.log.error(
      { err: { message: e.message, code: (e as { code?: string }).code } },
      'slack: unhandled error',
    );
  });
  registerSlackHandlers(bolt, { app, outbox: deps.outbox, refs, kick: deps.kick, now, log: deps.log });
  const sender = new SlackSender({
    app,
    client,
    refs,
    now,
    responseOrigins: allowedResponseOrigins(config.apiUrl),
  });
  const handler: Handler | null = receiver
    ? async (req, res) => {
        const checked = await guardSlackRequest(req, config.signingSecret, now().getTime());
        if (!checked.ok) {
          deps.log.warn({ status: checked.status, reason: checked.error }, 'slack: request refused');
          sendGuardError(res, checked.status, checked.error);
          return;
        }
        (req as typeof req & { rawBody: Buffer }).rawBody = checked.body;
        receiver.requestListener(req, res);
      }
    : null;
  return {
    handler,
    sender,
    start: async () => {
      if (config.appToken) await bolt.start();
    },
    stop: async () => {
      if (config.appToken) await bolt.stop();
    },
  };
}
