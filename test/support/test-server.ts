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
