/**
 * `npm start`: the server and the timer sweep on one process. node-cron only ticks once a minute (never
 * overlapping); the due work itself lives in timer rows, so a restart catches up what fell due while down.
 */
import cron from 'node-cron';
import pino from 'pino';
import { openApp } from '../app.ts';
import type { Config } from '../config.ts';
import { sweepDueTimers } from '../workflow/sweep.ts';
import { createHttpServer, sendJson } from './http.ts';

export async function serve(config: Config): Promise<void> {
  const log = pino({ level: config.STEPWISE_LOG_LEVEL, base: { app: 'stepwise' } });
  const app = await openApp(config, { log: (line) => log.info(line), demoDirectory: true });
  const started = Date.now();
  const server = createHttpServer(
    {
      'GET /healthz': async (_req, res) => {
        await app.db.prisma.$queryRaw`SELECT 1`;
        sendJson(res, 200, {
          status: 'ok',
          protocol: app.profile.id,
          database: app.db.kind,
          uptimeSeconds: Math.round((Date.now() - started) / 1000),
        });
      },
    },
    log,
  );
  const sweep = async () => {
    try {
      const report = await sweepDueTimers(app.workflow, app.store, new Date());
      if (report.handled.length)
        log.info({ handled: report.handled.length, skipped: report.skipped }, 'timer sweep');
    } catch (e) {
      log.error(
        { err: { message: (e as Error).message } },
        'timer sweep failed; it will run again at the next tick',
      );
    }
  };
  const task = cron.schedule('* * * * *', sweep, { noOverlap: true, name: 'timer-sweep' });
  await sweep();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  log.info({ protocol: app.profile.id, database: app.db.describe, port }, 'Stepwise is running');
  console.log(
    `Stepwise (${app.profile.name}) is running at http://${config.HOST}:${port}/  (health: /healthz, data: ${app.db.describe})`,
  );
  const stop = async (signal: string) => {
    log.info({ signal }, 'stopping');
    await task.stop();
    server.close();
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
