// A running Stepwise for end-to-end tests and benchmarks: a fresh embedded database in a temporary folder, a
// free loopback port, no log output and no minute sweep (tests move time themselves). Closing it removes the
// folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../src/config.ts';
import { type RunningServer, type StartOptions, startServer } from '../../src/server/main.ts';

export type TestServer = RunningServer & { dataDir: string };

/** Starts the server with these environment settings on top of the test defaults. */
export async function startTestServer(
  env: Record<string, string>,
  opts: StartOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stepwise-test-'));
  const remove = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    const server = await startServer(
      readConfig({ STEPWISE_DATA_DIR: dataDir, PORT: '0', STEPWISE_LOG_LEVEL: 'silent', ...env }),
      { sweep: false, ...opts },
    );
    return {
      ...server,
      dataDir,
      close: async () => {
        await server.close();
        remove();
      },
    };
  } catch (e) {
    remove();
    throw e;
  }
}

/**
 * Resolves once the server's outbox has nothing it could send now (no message sending, none pending and due):
 * what a test waits for before it makes the connector fail the next call, so that call is the one it means.
 */
export async function outboxSettled(server: RunningServer, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const busy = await server.app.db.prisma.outbox.count({
      where: {
        OR: [{ status: 'sending' }, { status: 'pending', nextAttemptAt: { lte: new Date() } }],
      },
    });
    if (!busy) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the outbox did not settle in ${timeoutMs} ms`);
}

/** Resolves with a transfer's outbox rows once none is left to send (retries waited out); fails after the timeout. */
export async function transferMessagesDone(server: RunningServer, transferId: string, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rows = await server.app.db.prisma.outbox.findMany({ where: { transferId } });
    if (rows.every((r) => r.status === 'sent' || r.status === 'failed')) return rows;
    if (Date.now() > until)
      throw new Error(`${transferId}'s messages were still being sent after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
