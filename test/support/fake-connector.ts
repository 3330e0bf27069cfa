// A fake Bot Connector on loopback: the `serviceUrl` of the Teams activities a test posts to Stepwise. It
// records every activity the bot sends (a post, a reply in a thread) and every update, answers with an id as
// Teams does, and can answer the next calls with 429 or a 5xx.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  /** `create`: a one-to-one chat opened (POST /v3/conversations); its id is `a:chat-<member id>`. */
  kind: 'send' | 'update' | 'create';
  /** The conversation id, decoded (a channel thread is "<channel>;messageid=<id>"). */
  conversation: string;
  /** For an update: the activity updated. */
  activityId?: string;
  activity: Record<string, unknown>;
  /** The id answered (send) or updated. */
  id: string;
  authorization?: string;
}

export interface FakeConnector {
  url: string;
  calls: ConnectorCall[];
  /** The next `count` calls are answered with `status` (and a Retry-After of 1 s for 429). */
  failNext(status: 403 | 404 | 412 | 429 | 500 | 502 | 503 | 504, count?: number): void;
  failed: number;
  /** The channels of a team (GET /v3/teams/{id}/conversations), by team id; none for a team not set. */
  channels: Map<string, { id: string; name?: string }[]>;
  /** Answer POST /v3/conversations with 403, as a tenant that does not let the bot open chats. */
  refuseChats: boolean;
  /** Posts into this conversation are accepted without an id in the answer (as seen for some replies). */
  noIdIn: string | null;
  /** Open chats (POST /v3/conversations) but answer posts into the chats it opened with 403. */
  refuseChatPosts: boolean;
  /**
   * The members Teams would describe (GET /v3/conversations/{id}/members/{user}), by Teams user id; one with a
   * `status` is answered with that HTTP status instead (Teams failing the lookup).
   */
  members: Map<string, { name: string; email?: string; userPrincipalName?: string; status?: number }>;
  waitFor(what: string, test: (c: ConnectorCall) => boolean, timeoutMs?: number): Promise<ConnectorCall>;
  /** The card attachment of the latest version of a sent activity (its updates applied). */
  latestCard(id: string): Record<string, unknown> | undefined;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const members = new Map<
    string,
    { name: string; email?: string; userPrincipalName?: string; status?: number }
  >();
  let failures: { status: number; left: number } | null = null;
  let next = 1;
  const state = { failed: 0 };
  const fake = { refuseChats: false, refuseChatPosts: false, noIdIn: null as string | null };
  const channels = new Map<string, { id: string; name?: string }[]>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(json));
    };
    const path = (req.url ?? '').split('?')[0] ?? '';
    const member = /^\/v3\/conversations\/[^/]+\/members\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && member) {
      const id = decodeURIComponent(member[1] ?? '');
      const known = members.get(id);
      if (known?.status) return send(known.status, { error: { code: 'ServiceError' } });
      return known
        ? send(200, { id, ...known })
        : send(404, { error: { code: 'MemberNotFoundInConversation' } });
    }
    const teamChannels = /^\/v3\/teams\/([^/]+)\/conversations$/.exec(path);
    if (req.method === 'GET' && teamChannels)
      return send(200, { conversations: channels.get(decodeURIComponent(teamChannels[1] ?? '')) ?? [] });
    if (req.method === 'POST' && path === '/v3/conversations') {
      const params = await body(req);
      if (fake.refuseChats) return send(403, { error: { code: 'BotNotInConversationRoster' } });
      const member = String((params.members as { id?: string }[] | undefined)?.[0]?.id ?? '');
      const id = `a:chat-${member}`;
      calls.push({ kind: 'create', conversation: id, activity: params, id });
      return send(201, { id });
    }
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(path);
    if (!match) return send(404, { error: { code: 'NotFound', message: req.url } });
    const activity = await body(req);
    if (failures && failures.left > 0) {
      failures.left--;
      state.failed++;
      return send(
        failures.status,
        { error: { code: 'Throttled' } },
        failures.status === 429 ? { 'retry-after': '1' } : {},
      );
    }
    const conversation = decodeURIComponent(match[1] ?? '');
    if (fake.refuseChatPosts && conversation.startsWith('a:chat-'))
      return send(403, { error: { code: 'ConversationBlockedByUser' } });
    const authorization = req.headers.authorization;
    if (req.method === 'PUT') {
      const id = decodeURIComponent(match[2] ?? '');
      calls.push({
        kind: 'update',
        conversation,
        activityId: id,
        activity,
        id,
        ...(authorization ? { authorization } : {}),
      });
      return send(200, { id });
    }
    const id = `act-${next++}`;
    calls.push({ kind: 'send', conversation, activity, id, ...(authorization ? { authorization } : {}) });
    return send(201, fake.noIdIn === conversation ? {} : { id });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    members,
    channels,
    get failed() {
      return state.failed;
    },
    get refuseChats() {
      return fake.refuseChats;
    },
    set refuseChats(refuse: boolean) {
      fake.refuseChats = refuse;
    },
    get noIdIn() {
      return fake.noIdIn;
    },
    set noIdIn(conversation: string | null) {
      fake.noIdIn = conversation;
    },
    get refuseChatPosts() {
      return fake.refuseChatPosts;
    },
    set refuseChatPosts(refuse: boolean) {
      fake.refuseChatPosts = refuse;
    },
    failNext(status, count = 1) {
      failures = { status, left: count };
    },
    async waitFor(what, test, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.find(test);
        if (found) return found;
        if (Date.now() > end)
          throw new Error(
            `timed out waiting for ${what}; the connector saw: ${JSON.stringify(calls.map((c) => [c.kind, c.conversation, String(c.activity.text ?? '').slice(0, 60)]))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    latestCard(id) {
      const versions = calls.filter((c) => c.id === id);
      const last = versions.at(-1)?.activity as
        | { attachments?: { content?: Record<string, unknown> }[] }
        | undefined;
      return last?.attachments?.[0]?.content;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The buttons of a sent card (its actions and those of its action sets), with their type and data. */
export function cardButtons(
  activity: Record<string, unknown>,
): { type: string; title: string; verb?: string; data: Record<string, unknown> }[] {
  const content =
    (activity.attachments as { content?: Record<string, unknown> }[] | undefined)?.[0]?.content ?? {};
  const sets = ((content.body as Record<string, unknown>[] | undefined) ?? []).filter(
    (e) => e.type === 'ActionSet',
  );
  return [...((content.actions as never[]) ?? []), ...sets.flatMap((s) => (s.actions as never[]) ?? [])];
}
