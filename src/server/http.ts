/**
 * The one HTTP server. Routes are added by each surface (Slack, Teams, the local workspace) as they arrive;
 * the core serves /healthz. A request that throws gets a 500 with a short message, never a stack trace.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface Routes {
  [pathAndMethod: string]: Handler;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A route ending in `*` serves every path under it (e.g. `GET /local/files/*`). */
function prefixed(routes: Routes, method: string, path: string): Handler | undefined {
  for (const [key, handler] of Object.entries(routes)) {
    if (!key.endsWith('*')) continue;
    const [m, prefix = ''] = key.split(' ');
    if (m === method && path.startsWith(prefix.slice(0, -1))) return handler;
  }
  return undefined;
}

export function createHttpServer(routes: Routes, log: Logger): Server {
  return createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = routes[`${req.method} ${path}`] ?? prefixed(routes, req.method ?? '', path ?? '/');
    if (!handler) {
      const known = Object.keys(routes).some((k) => k.endsWith(` ${path}`));
      sendJson(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'not found' });
      return;
    }
    try {
      await handler(req, res);
    } catch (e) {
      log.error({ err: { message: (e as Error).message }, path }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    }
  });
}
