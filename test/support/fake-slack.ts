// A fake Slack Web API on loopback, for tests that run the app's Slack channel end to end.
//
//   const fake = await startFakeSlack();
//   const client = new WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
//   ...
//   const [post] = await fake.waitFor('chat.postMessage');
//   await fake.close();
//
// It answers `POST /api/<method>` (urlencoded, as the WebClient sends, or JSON) like Slack does for the
// methods the app uses, records every call, and can inject rate limits and outages. `POST /response/<id>`
// stands in for a slash command's or block action's response_url.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** Date.now() when received. */
  at: number;
  /** The bearer token of the Authorization header, when there was one. */
  token?: string;
  /** For calls in `failed`: the HTTP status answered. */
  status?: number;
  /** For calls in `failed` and `errors`: the `error` answered. */
  error?: string;
  /** For calls in `calls`: what the fake answered besides `ok: true` (e.g. the `ts` of a posted message). */
  result?: Record<string, unknown>;
}

export type SlackFailure = { status: 429; retryAfterSeconds?: number } | { status: 500 | 502 | 503 };

export interface FakeSlack {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  /** `${url}/api/`: the WebClient's slackApiUrl. */
  apiUrl: string;
  /** Every call answered `ok: true`, in order. */
  calls: SlackCall[];
  /** Calls answered with an injected failure (failNext / down). */
  failed: SlackCall[];
  /** Calls answered HTTP 200 `ok: false` (message_not_found, user_not_found, invalid_arguments...). */
  errors: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Resolves when at least `count` ok calls to `method` matching `where` (optional) have been recorded; rejects after timeoutMs (default 5000) with a message listing the methods called so far. */
  waitFor(
    method: string,
    count?: number,
    where?: (c: SlackCall) => boolean,
    timeoutMs?: number,
  ): Promise<SlackCall[]>;
  /** The next `times` (default 1) calls (to `method`, or any method when method is '*') answer with this failure. */
  failNext(method: string | '*', failure: SlackFailure, times?: number): void;
  /** Every call fails with this (default 503) until `restore()` (Slack down). */
  down(failure?: { status: 500 | 502 | 503 }): void;
  restore(): void;
  /** users.info answers for these ids: { id, profile: { email } }; unknown ids answer {ok:false, error:'user_not_found'}. */
  users: Map<string, { email?: string; name?: string }>;
  /** Files uploaded through files.getUploadURLExternal + the upload URL, by file id (content as UTF-8). */
  files: Map<string, { filename: string; content: string }>;
  /** What apps.connections.open answers (Socket Mode): the WebSocket URL a test's socket server listens on. */
  socketUrl: string | undefined;
  /** Responses posted to response_url paths. */
  responses: { path: string; body: Record<string, unknown> }[];
  /** `${url}/response/${id}`: a URL a slash command / block action payload can carry as response_url. */
  responseUrl(id: string): string;
  /** Clears calls, failed, errors, responses and injected failures (not users, not the messages posted). */
  reset(): void;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;

// Urlencoded fields that are free text: never JSON.parsed even when they look like JSON.
const textFields = new Set([
  'text',
  'markdown_text',
  'fallback',
  'alt_text',
  'initial_comment',
  'title',
  'username',
  'name',
  'ts',
  'thread_ts',
  'channel',
  'user',
  'users',
  'email',
  'trigger_id',
  'view_id',
  'external_id',
  'hash',
]);

type Json = Record<string, unknown>;

class BadBody extends Error {}

function parseBody(raw: string, contentType: string): Json {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.trim() === '') return {};
  if (type === 'application/json') return parseJsonObject(raw);
  if (type === 'application/x-www-form-urlencoded') return parseForm(raw);
  // No or another content type: JSON when it looks like it, else a form.
  return raw.trimStart().startsWith('{') ? parseJsonObject(raw) : parseForm(raw);
}

function parseJsonObject(raw: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BadBody('invalid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadBody('not an object');
  return value as Json;
}

function parseForm(raw: string): Json {
  const out: Json = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = textFields.has(key) ? value : maybeJson(value);
  }
  return out;
}

/** A form field holding JSON object/array text (blocks, view, attachments, metadata...) back as the value. */
function maybeJson(value: string): unknown {
  const t = value.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

interface Waiter {
  check(): boolean;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const failed: SlackCall[] = [];
  const errors: SlackCall[] = [];
  const responses: { path: string; body: Record<string, unknown> }[] = [];
  const users = new Map<string, { email?: string; name?: string }>();
  const injected: { method: string; failure: SlackFailure; remaining: number }[] = [];
  let outage: { status: 500 | 502 | 503 } | undefined;
  const waiters = new Set<Waiter>();

  const files = new Map<string, { filename: string; content: string }>();
  const socket: { url: string | undefined } = { url: undefined };
  let tsCounter = 0;
  let viewCounter = 0;
  let fileCounter = 0;
  let baseUrl = ''; // set once listening
  const postedTs = new Set<string>();

  const nextTs = (): string => {
    tsCounter += 1;
    const micros = tsCounter * 100;
    const sec = 1_700_000_000 + Math.floor(micros / 1_000_000);
    return `${sec}.${String(micros % 1_000_000).padStart(6, '0')}`;
  };

  const notify = (): void => {
    for (const w of [...waiters]) {
      if (w.check()) waiters.delete(w);
    }
  };

  const takeFailure = (method: string): SlackFailure | undefined => {
    if (outage) return outage;
    const i = injected.findIndex((f) => f.method === '*' || f.method === method);
    if (i < 0) return undefined;
    const entry = injected[i];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) injected.splice(i, 1);
    return entry.failure;
  };

  /** The answer to an API method: `ok: true` plus these fields, or an `error`. */
  const answer = (method: string, args: Json): Json | { error: string } => {
    switch (method) {
      case 'chat.postMessage': {
        const ts = nextTs();
        postedTs.add(ts);
        return { channel: args.channel, ts, message: { type: 'message', text: args.text, ts } };
      }
      case 'chat.update': {
        const ts = str(args.ts);
        if (!ts || !postedTs.has(ts)) return { error: 'message_not_found' };
        return { channel: args.channel, ts, text: args.text };
      }
      case 'chat.postEphemeral':
        return { message_ts: nextTs() };
      case 'views.open':
      case 'views.push': {
        if (!str(args.trigger_id)) return { error: 'invalid_arguments' };
        viewCounter += 1;
        const view = typeof args.view === 'object' && args.view !== null ? args.view : {};
        return { view: { ...view, id: `V${viewCounter}`, hash: `h${viewCounter}` } };
      }
      case 'views.update': {
        const view = typeof args.view === 'object' && args.view !== null ? args.view : {};
        return { view: { ...view, id: str(args.view_id) ?? 'V?' } };
      }
      case 'conversations.open': {
        const ids = (str(args.users) ?? '')
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
        if (ids.length === 0) {
          const channel = str(args.channel);
          return channel ? { channel: { id: channel } } : { error: 'users_list_not_supplied' };
        }
        return { channel: { id: `D${ids.map((u) => u.slice(1)).join('')}` } };
      }
      case 'users.info': {
        const id = str(args.user) ?? '';
        const user = users.get(id);
        if (!user) return { error: 'user_not_found' };
        return {
          user: {
            id,
            name: user.name ?? id.toLowerCase(),
            real_name: user.name,
            profile: { email: user.email, real_name: user.name, display_name: user.name },
          },
        };
      }
      case 'users.lookupByEmail': {
        const email = (str(args.email) ?? '').toLowerCase();
        for (const [id, user] of users) {
          if (email && user.email?.toLowerCase() === email) {
            return { user: { id, name: user.name ?? id.toLowerCase(), profile: { email: user.email } } };
          }
        }
        return { error: 'users_not_found' };
      }
      case 'files.getUploadURLExternal': {
        const filename = str(args.filename);
        if (!filename || !str(args.length)) return { error: 'invalid_arguments' };
        fileCounter += 1;
        const id = `F${fileCounter}`;
        files.set(id, { filename, content: '' });
        return { upload_url: `${baseUrl}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = Array.isArray(args.files) ? (args.files as Json[]) : [];
        if (!list.length || list.some((f) => !files.has(String(f.id)))) return { error: 'invalid_arguments' };
        return { files: list.map((f) => ({ id: f.id, title: f.title })) };
      }
      case 'apps.connections.open':
        return socket.url ? { url: socket.url } : { error: 'invalid_auth' };
      case 'auth.test':
        return {
          url: 'https://testteam.slack.com/',
          team: 'Test Team',
          user: 'stepwise',
          user_id: 'UBOT',
          team_id: 'T0TEAM',
          bot_id: 'B0BOT',
        };
      default:
        return {};
    }
  };

  const handleApi = (method: string, args: Json, req: IncomingMessage, res: ServerResponse): void => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : str(args.token);
    const call: SlackCall = { method, args, at: Date.now() };
    if (token !== undefined) call.token = token;

    const failure = takeFailure(method);
    if (failure) {
      if (failure.status === 429) {
        const retryAfter = failure.retryAfterSeconds ?? 1;
        failed.push({ ...call, status: 429, error: 'ratelimited' });
        sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      } else {
        failed.push({ ...call, status: failure.status, error: 'internal_error' });
        sendJson(res, failure.status, { ok: false, error: 'internal_error' });
      }
      return;
    }

    const result = answer(method, args);
    if ('error' in result && typeof result.error === 'string') {
      errors.push({ ...call, status: 200, error: result.error });
      sendJson(res, 200, { ok: false, error: result.error });
      return;
    }
    calls.push({ ...call, result });
    sendJson(res, 200, { ok: true, ...result });
    notify();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      try {
        if (tooLarge) {
          sendJson(res, 413, { ok: false, error: 'request_too_large' });
          return;
        }
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const path = url.pathname;
        let args: Json;
        try {
          args = parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'] ?? '');
        } catch {
          sendJson(res, 400, { ok: false, error: 'invalid_json' });
          return;
        }

        if (path.startsWith('/upload/') && req.method === 'POST') {
          const file = files.get(path.slice('/upload/'.length));
          if (!file) {
            sendJson(res, 404, { ok: false });
            return;
          }
          file.content = Buffer.concat(chunks).toString('utf8');
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`OK - ${size}`);
          return;
        }
        if (path.startsWith('/response/') && req.method === 'POST') {
          responses.push({ path, body: args });
          sendJson(res, 200, { ok: true });
          return;
        }
        const m = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path);
        if (m?.[1] && (req.method === 'POST' || req.method === 'GET')) {
          const query: Json = {};
          for (const [k, v] of url.searchParams) query[k] = textFields.has(k) ? v : maybeJson(v);
          handleApi(m[1], { ...query, ...args }, req, res);
          return;
        }
        sendJson(res, 404, { ok: false, error: 'unknown_method' });
      } catch (err) {
        if (!res.headersSent)
          sendJson(res, 500, { ok: false, error: 'fake_slack_error', detail: String(err) });
        else res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  baseUrl = url;

  const callsTo = (method: string): SlackCall[] => calls.filter((c) => c.method === method);

  const summary = (): string => {
    const counts = new Map<string, number>();
    for (const c of calls) counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
    const ok = [...counts].map(([m, n]) => `${m} x${n}`).join(', ') || 'none';
    const bad = [...failed, ...errors].map((c) => `${c.method} (${c.status} ${c.error})`).join(', ');
    return `ok calls so far: ${ok}${bad ? `; failed/errors: ${bad}` : ''}`;
  };

  const fake: FakeSlack = {
    url,
    apiUrl: `${url}/api/`,
    calls,
    failed,
    errors,
    users,
    files,
    get socketUrl() {
      return socket.url;
    },
    set socketUrl(url: string | undefined) {
      socket.url = url;
    },
    responses,
    callsTo,
    waitFor(method, count = 1, where, timeoutMs = 5000) {
      const matching = (): SlackCall[] => callsTo(method).filter((c) => !where || where(c));
      const now = matching();
      if (now.length >= count) return Promise.resolve(now);
      return new Promise<SlackCall[]>((resolve, reject) => {
        const waiter: Waiter = {
          check() {
            const found = matching();
            if (found.length < count) return false;
            clearTimeout(timer);
            resolve(found);
            return true;
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `fake Slack: timed out after ${timeoutMs} ms waiting for ${count} ${method} call(s)` +
                `${where ? ' matching the predicate' : ''} (got ${matching().length}); ${summary()}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    failNext(method, failure, times = 1) {
      if (times > 0) injected.push({ method, failure, remaining: times });
    },
    down(failure = { status: 503 }) {
      outage = failure;
    },
    restore() {
      outage = undefined;
    },
    responseUrl(id) {
      return `${url}/response/${encodeURIComponent(id)}`;
    },
    reset() {
      calls.length = 0;
      failed.length = 0;
      errors.length = 0;
      responses.length = 0;
      injected.length = 0;
      outage = undefined;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return fake;
}
