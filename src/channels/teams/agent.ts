/**
 * The one place Stepwise touches the Microsoft 365 Agents SDK (the successor of the end-of-support
 * `botbuilder`): the CloudAdapter that checks Bot Framework JWTs and talks to the Bot Connector, and an
 * ActivityHandler that hands each activity to Stepwise's Teams logic as plain JSON. Everything else in the
 * Teams surface works on plain objects, so the SDK could be swapped here alone.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Activity, ActivityEventNames, type ConversationReference } from '@microsoft/agents-activity';
import {
  ActivityHandler,
  type AuthConfiguration,
  CloudAdapter,
  type ConnectorClient,
  type InvokeResponse,
  type Request,
  type TurnContext,
  type WebResponse,
} from '@microsoft/agents-hosting';
import { TeamsInfo } from '@microsoft/agents-hosting-extensions-teams';
import { postableReference } from './ref-keys.ts';

/** An activity as JSON: what Teams sends and what Stepwise answers with. */
export type ActivityJson = Record<string, unknown> & { type?: string; id?: string; text?: string };

/** What a turn can ask Teams besides the activity itself. */
export interface TurnHelpers {
  /**
   * The sender's e-mail (or user principal name) from the team's or chat's member list, if Teams gives one.
   * Throws a ConnectorError when Teams could not be asked (not for a member it does not know).
   */
  memberEmail(): Promise<string | undefined>;
  /** The ids of the channels of the team the activity comes from ([] outside a team, or if Teams cannot say). */
  teamChannels(): Promise<string[]>;
}

/** What Stepwise does with activities; the agent calls it and sends what it returns. */
export interface TeamsLogic {
  /** A message (a command typed or @mentioned): the replies to send in the same conversation. */
  onMessage(
    activity: ActivityJson,
    reference: Record<string, unknown>,
    helpers: TurnHelpers,
  ): Promise<ActivityJson[]>;
  /** The app was added to a team, a chat or a person (conversationUpdate / installationUpdate). */
  onInstall(
    activity: ActivityJson,
    reference: Record<string, unknown>,
    helpers: TurnHelpers,
  ): Promise<ActivityJson[]>;
  /** A channel was created in a team the app is in (conversationUpdate, eventType channelCreated). */
  onChannelCreated(activity: ActivityJson, reference: Record<string, unknown>): Promise<void>;
  /** The app was removed there (installationUpdate remove). */
  onUninstall(activity: ActivityJson, helpers: TurnHelpers): Promise<void>;
  /** An invoke (adaptiveCard/action, task/fetch, task/submit): its HTTP answer. */
  onInvoke(
    activity: ActivityJson,
    reference: Partial<ConversationReference>,
    helpers: TurnHelpers,
  ): Promise<{ status: number; body?: unknown }>;
  /** After the HTTP answer has gone: start delivering what the turn wrote, so it never delays the answer. */
  afterTurn(): void;
  /** A turn failed outside the logic's own handling (a reply Teams refused, say): logs it, gives the apology. */
  onTurnError(error: unknown): ActivityJson;
}

export interface TeamsAgentOptions {
  /** MICROSOFT_APP_ID etc.; no app id: local mode (no JWT check; only for the Playground and tests). */
  appId?: string | undefined;
  password?: string | undefined;
  tenantId?: string | undefined;
  /** The Entra authority (a national cloud's); the SDK's default, Microsoft's public cloud, when absent. */
  authority?: string | undefined;
}

/** The connector's answers worth trying again: busy (429), a conflict (412), or down (5xx). */
const retryableStatuses = new Set([412, 429, 500, 502, 503, 504]);

/** Thrown out of a proactive call with the connector's HTTP status, so the outbox can decide to retry. */
export class ConnectorError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Busy or down (or no answer at all), rather than a refusal. */
  get worthRetrying(): boolean {
    return this.status === undefined || retryableStatuses.has(this.status);
  }
}

/**
 * A reply within a person's turn, tried up to three times while the connector is busy or down, waiting what it
 * asks (at most 2 s, so the answer still comes within the turn). A reply is not in the outbox: it answers what
 * the person just did, and a retry minutes later would arrive out of place; whatever the turn stored is
 * committed already, and what it tells others goes through the outbox.
 */
async function replyWithRetries(send: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (e) {
      const failed = toConnectorError(e) as ConnectorError;
      if (attempt >= 3 || !failed.worthRetrying) throw e;
      const wait = Math.min(failed.retryAfterMs ?? 250 * 2 ** attempt, 2000);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

class StepwiseHandler extends ActivityHandler {
  constructor(private readonly logic: TeamsLogic) {
    super();
    this.onMessage(async (context, next) => {
      await this.sendAll(
        context,
        await this.logic.onMessage(json(context), reference(context), helpers(context)),
      );
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      const event = context.activity.channelData as { eventType?: string } | undefined;
      if (event?.eventType === 'channelCreated')
        await this.logic.onChannelCreated(json(context), reference(context));
      const added = context.activity.membersAdded ?? [];
      if (added.some((m) => m.id === context.activity.recipient?.id))
        await this.sendAll(
          context,
          await this.logic.onInstall(json(context), reference(context), helpers(context)),
        );
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.sendAll(
        context,
        await this.logic.onInstall(json(context), reference(context), helpers(context)),
      );
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.logic.onUninstall(json(context), helpers(context));
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const answer = await this.logic.onInvoke(json(context), reference(context), helpers(context));
    return { status: answer.status, body: answer.body };
  }

  private async sendAll(context: TurnContext, replies: ActivityJson[]) {
    for (const r of replies)
      await replyWithRetries(() => context.sendActivity(Activity.fromObject({ type: 'message', ...r })));
  }
}

const helpers = (context: TurnContext): TurnHelpers => ({
  memberEmail: async () => {
    const from = context.activity.from?.id;
    if (!from) return undefined;
    try {
      const member = await TeamsInfo.getMember(context, from);
      return member.email ?? member.userPrincipalName ?? undefined;
    } catch (e) {
      const failed = toConnectorError(e) as ConnectorError;
      if (failed.status === 404) return undefined; // not a member Teams can describe
      throw failed; // Teams busy or refusing: not the same as "not in the directory"
    }
  },
  teamChannels: async () => {
    const team = (context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id;
    if (!team) return [];
    try {
      const channels = await TeamsInfo.getTeamChannels(context, team);
      return channels.map((c) => c.id).filter((id): id is string => typeof id === 'string' && id.length > 0);
    } catch {
      return []; // the install still saves the channel it arrived in; linking by hand still works
    }
  },
});

const json = (context: TurnContext) => JSON.parse(JSON.stringify(context.activity)) as ActivityJson;
/** The conversation reference as plain JSON, as it is stored and posted to later (a new post, not a reply). */
const reference = (context: TurnContext) =>
  postableReference(
    JSON.parse(JSON.stringify(context.activity.getConversationReference())) as Record<string, unknown>,
  );

/** Reads a JSON body from a plain Node request (the SDK expects one already parsed, as Express would). */
async function readBody(
  req: IncomingMessage,
  limit: number,
): Promise<Record<string, unknown> | 'too large' | 'bad'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return 'too large';
    chunks.push(chunk as Buffer);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : 'bad';
  } catch {
    return 'bad';
  }
}

/** The SDK's Express-shaped response over a plain Node one. */
export function webResponse(res: ServerResponse): WebResponse {
  const web: WebResponse = {
    status(code) {
      res.statusCode = code;
      return web;
    },
    setHeader(name, value) {
      res.setHeader(name, value);
      return web;
    },
    send(body) {
      if (body === undefined) return web;
      if (typeof body === 'string' || Buffer.isBuffer(body)) res.write(body);
      else {
        if (!res.headersSent) res.setHeader('content-type', 'application/json; charset=utf-8');
        res.write(JSON.stringify(body));
      }
      return web;
    },
    end() {
      res.end();
      return web;
    },
    get headersSent() {
      return res.headersSent;
    },
    get writableEnded() {
      return res.writableEnded;
    },
  };
  return web;
}

export class TeamsAgent {
  private readonly adapter: CloudAdapter;
  private readonly handler: StepwiseHandler;
  private readonly authConfig: AuthConfiguration;
  readonly localMode: boolean;

  constructor(
    private readonly logic: TeamsLogic,
    opts: TeamsAgentOptions,
  ) {
    this.localMode = !opts.appId;
    this.authConfig = {
      ...(opts.appId ? { clientId: opts.appId } : {}),
      ...(opts.password ? { clientSecret: opts.password } : {}),
      ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
      ...(opts.authority ? { authorityEndpoint: opts.authority } : {}),
    } as AuthConfiguration;
    this.adapter = new CloudAdapter(this.authConfig);
    // The SDK's own handler would show people a message meant for the bot's developer, and would swallow a
    // failed proactive send (after posting that message into the channel).
    this.adapter.onTurnError = async (context, error) => {
      // A proactive turn (Stepwise posting, not a person asking): the failure goes back to the outbox, which
      // retries or gives up, and nothing is said in the conversation.
      if (
        context.activity.type === 'event' &&
        context.activity.name === ActivityEventNames.ContinueConversation
      )
        throw error;
      const apology = logic.onTurnError(error);
      if (context.activity.type === 'invoke') return; // answered with an error status; Teams says it failed
      await context.sendActivity(Activity.fromObject({ type: 'message', ...apology })).catch(() => {}); // Teams itself may be what failed: the log has it
    };
    this.handler = new StepwiseHandler(logic);
  }

  /**
   * `POST /api/messages`: the JWT check first (unless local: nothing is read for a caller without a valid token),
   * then the body and the turn; malformed bodies are a 400, never a crash.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const web = webResponse(res);
    const request: Request = {
      headers: req.headers as Request['headers'],
      method: req.method ?? 'POST',
    };
    let authorised = false;
    // The adapter's own check, with the configuration it completed (the audiences it accepts). In local mode
    // the SDK lets a request without an Authorization header through as anonymous (outside
    // NODE_ENV=production); with an app id it answers 401 itself.
    await this.adapter.authorizeRequest(request, web, (err?: unknown) => {
      authorised = !err;
    });
    if (!authorised) {
      if (!res.writableEnded) {
        res.statusCode = res.statusCode >= 400 ? res.statusCode : 401;
        res.end();
      }
      return;
    }
    const body = await readBody(req, 1024 * 1024);
    if (body === 'too large' || body === 'bad') {
      res.writeHead(body === 'too large' ? 413 : 400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(
        JSON.stringify({
          error: body === 'too large' ? 'activity too large' : 'the body is not an activity (JSON object)',
        }),
      );
      return;
    }
    if (typeof body.type !== 'string' || !body.type) {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: 'the activity has no type' }));
      return;
    }
    request.body = body;
    try {
      await this.adapter.process(request, web, (context) => this.handler.run(context));
    } catch (e) {
      // The SDK parses the activity with its own schema before the turn starts: a field of the wrong shape
      // (text a number, from a string) is the sender's mistake, answered 400 with the field, not a 500.
      const issues = (e as { name?: string; issues?: { path?: PropertyKey[]; message?: string }[] }).issues;
      if ((e as Error)?.name !== 'ZodError' || !Array.isArray(issues) || res.headersSent) throw e;
      const what = issues
        .slice(0, 3)
        .map((i) => `${(i.path ?? []).map(String).join('.') || 'the activity'}: ${i.message ?? 'invalid'}`)
        .join('; ');
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: `the activity is not valid: ${what}` }));
    } finally {
      this.logic.afterTurn();
    }
  }

  /**
   * Opens the one-to-one chat between the bot and a member of a team the app is installed in (Teams lets a bot
   * start one with anyone in such a team; asked again, it gives the same chat) and returns that chat's
   * reference. Connector failures come out as ConnectorError (403: Teams does not allow it for this person).
   */
  async openPersonalChat(teamRef: Record<string, unknown>, userId: string): Promise<Record<string, unknown>> {
    const identity = this.localMode ? {} : (this.authConfig.clientId as string);
    const tenantId = (teamRef.conversation as { tenantId?: string } | undefined)?.tenantId;
    let id: string | undefined;
    try {
      await this.adapter.continueConversation(
        identity,
        teamRef as unknown as ConversationReference,
        async (context) => {
          const client = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
          // On the wire the bot is `bot` (the SDK's own types call it `agent` and do not rename it here).
          const created = await client.createConversation({
            isGroup: false,
            bot: teamRef.agent,
            members: [{ id: userId }],
            ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
          } as never);
          id = created.id;
        },
      );
    } catch (e) {
      throw toConnectorError(e);
    }
    if (!id) throw new ConnectorError('the connector opened no chat', undefined);
    const { activityId: _thread, ...rest } = teamRef;
    return {
      ...rest,
      conversation: { id, conversationType: 'personal', ...(tenantId ? { tenantId } : {}) },
    };
  }

  /**
   * Runs `send` in a conversation Stepwise was told about earlier (a channel, a chat, a person): posts or
   * updates a message there. Connector failures come out as ConnectorError with the HTTP status.
   */
  async proactive<T>(
    ref: Record<string, unknown>,
    send: (ops: {
      post(activity: ActivityJson): Promise<string | undefined>;
      update(id: string, activity: ActivityJson): Promise<void>;
    }) => Promise<T>,
  ): Promise<T> {
    let result: T | undefined;
    // Local mode has no app id: an identity without an audience makes the SDK call the connector anonymously.
    const identity = this.localMode ? {} : (this.authConfig.clientId as string);
    try {
      await this.adapter.continueConversation(
        identity,
        ref as unknown as ConversationReference,
        async (context) => {
          result = await send({
            post: async (activity) => {
              // A post the connector accepted without giving its id back (seen for replies) is still posted; only
              // a card that must be updated later needs the id, and its sender checks for it.
              const r = await context.sendActivity(Activity.fromObject({ type: 'message', ...activity }));
              return r?.id || undefined;
            },
            update: async (id, activity) => {
              await context.updateActivity(
                Activity.fromObject({
                  type: 'message',
                  ...activity,
                  id,
                  conversation: ref.conversation as never,
                }),
              );
            },
          });
        },
      );
    } catch (e) {
      throw toConnectorError(e);
    }
    return result as T;
  }
}

/** The connector's HTTP status (and Retry-After) out of whatever the SDK's HTTP client threw. */
function toConnectorError(e: unknown): Error {
  if (e instanceof ConnectorError) return e;
  const err = e as {
    response?: { status?: number; headers?: Record<string, unknown> };
    status?: number;
    message?: string;
  };
  const status = err.response?.status ?? err.status;
  const headers = err.response?.headers as
    | { get?: (name: string) => string | null }
    | Record<string, unknown>
    | undefined;
  const after = Number(
    typeof headers?.get === 'function'
      ? headers.get('retry-after')
      : (headers as Record<string, unknown> | undefined)?.['retry-after'],
  );
  return new ConnectorError(
    `Teams connector: ${status ? `HTTP ${status}` : (err.message ?? 'failed')}`,
    status,
    Number.isFinite(after) ? after * 1000 : undefined,
  );
}
