// A throwaway PostgreSQL server for `npm test` and `npm run bench`.
//
// It is started from the PostgreSQL binaries installed on the machine (/usr/lib/postgresql/<version>/bin, the
// highest version), on a free loopback port with its data and socket in a temporary directory, as the
// `postgres` user when we are root (the server refuses to run as root). It is always stopped and its directory
// deleted: by stop(), at process exit, and on SIGINT / SIGTERM / SIGHUP (see forwardSignals).
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The highest installed PostgreSQL with initdb and pg_ctl: `{ version, bin }`, or undefined. */
export function findPostgres() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  const version = versions[0];
  return version === undefined ? undefined : { version, bin: join(base, version, 'bin') };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let hasRunuserCache;
const hasRunuser = () => {
  hasRunuserCache ??=
    isRoot && spawnSync('sh', ['-c', 'command -v runuser'], { stdio: 'ignore' }).status === 0;
  return hasRunuserCache;
};

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (the server refuses to run as root). */
function runPg(cmd, cmdArgs) {
  let file = cmd;
  let argv = cmdArgs;
  if (isRoot && hasRunuser()) {
    file = 'runuser';
    argv = ['-u', 'postgres', '--', cmd, ...cmdArgs];
  } else if (isRoot) {
    const quoted = [cmd, ...cmdArgs].map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(' ');
    file = 'su';
    argv = ['postgres', '-s', '/bin/sh', '-c', quoted];
  }
  const result = spawnSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim(),
  };
}

function postgresIds() {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The servers this process started and has not stopped yet. */
const running = new Set();

/** Stops every throwaway server this process started (synchronous: safe in an 'exit' handler). */
export function stopThrowawayPostgres() {
  for (const server of [...running]) server.stop();
}

let exitHookInstalled = false;

/**
 * Starts a throwaway server from `found` (see findPostgres) and resolves to
 * `{ url, port, version, bin, stop }` once it accepts connections. `stop()` is synchronous and idempotent; it
 * also runs at process exit. `say(line)` reports the start; `error(line)` reports a failed stop.
 * Rejects (after removing whatever it created) when the server cannot be started.
 */
export async function startThrowawayPostgres(
  found,
  { say = () => {}, error = (line) => console.error(line), purpose = 'it is removed afterwards' } = {},
) {
  if (isRoot && !postgresIds()) {
    throw new Error('running as root and there is no `postgres` user to run the PostgreSQL server as');
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', stopThrowawayPostgres);
  }
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pg-'));
  const data = join(dir, 'data');
  let stopped = false;
  const server = {
    url: '',
    port: 0,
    version: found.version,
    bin: found.bin,
    stop() {
      if (stopped) return;
      stopped = true;
      running.delete(server);
      if (existsSync(join(data, 'postmaster.pid'))) {
        const stop = runPg(join(found.bin, 'pg_ctl'), [
          '-D',
          data,
          '-m',
          'immediate',
          '-w',
          '-t',
          '30',
          'stop',
        ]);
        if (!stop.ok) error(`pg_ctl stop failed: ${stop.output}`);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  running.add(server);
  try {
    server.port = await startCluster(found, dir, data);
  } catch (e) {
    server.stop();
    throw e;
  }
  server.url = `postgresql://postgres@127.0.0.1:${server.port}/postgres`;
  say(
    `started PostgreSQL ${found.version} (${found.bin}) on 127.0.0.1:${server.port} in ${Date.now() - started} ms, ${purpose}`,
  );
  return server;
}

async function startCluster(found, dir, data) {
  if (isRoot) {
    const ids = postgresIds();
    chownSync(dir, ids.uid, ids.gid);
  } else {
    mkdirSync(data, { mode: 0o700 });
  }
  const init = runPg(join(found.bin, 'initdb'), [
    '-D',
    data,
    '-A',
    'trust',
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  if (!init.ok) throw new Error(`initdb failed:\n${init.output}`);

  const logFile = join(dir, 'server.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = [
      '-c listen_addresses=127.0.0.1',
      `-p ${port}`,
      `-c unix_socket_directories=${dir}`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
    // -w: wait until the server accepts connections.
    const start = runPg(join(found.bin, 'pg_ctl'), [
      '-D',
      data,
      '-l',
      logFile,
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    if (start.ok) return port;
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    // Someone took the port between our check and the server's bind: try another.
    if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue;
    throw new Error(`pg_ctl start failed:\n${start.output}\n${log.split('\n').slice(-15).join('\n')}`);
  }
}

/**
 * Ctrl-C / kill: passes the signal on to the running child (`getChild()`, e.g. vitest) and lets it finish, so the
 * caller's normal path stops the server. If no child is running, or it does not stop within 10 s, stops the
 * servers and exits now (130 for SIGINT, 143 otherwise).
 */
export function forwardSignals(getChild) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      const exitNow = () => {
        stopThrowawayPostgres();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      const child = getChild();
      if (!child) return exitNow();
      child.kill(signal);
      setTimeout(exitNow, 10_000).unref();
    });
  }
}
