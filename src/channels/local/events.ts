/**
 * Server-sent events for the local workspace: every open window holds one stream and is told which
 * conversation changed (or that the demo clock moved), then reloads just that. Server-sent events rather than a
 * WebSocket: the browser only listens, and EventSource reconnects by itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type WorkspaceEvent =
  | { type: 'changed'; conversation: string }
  | { type: 'clock'; now: string; offsetMs: number };

export class EventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 25_000) {
    // A comment line now and then keeps proxies from closing an idle stream.
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': still here\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Holds the request open as an event stream until the browser goes away. */
  subscribe(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
  }

  publish(event: WorkspaceEvent): void {
    const frame = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of this.clients) res.write(frame);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
