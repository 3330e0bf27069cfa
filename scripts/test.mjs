#!/usr/bin/env node
// `npm test`: runs vitest (extra arguments are passed through: `npm test -- test/unit`).
//
// The integration suite runs on PGlite and on PostgreSQL. PostgreSQL comes from STEPWISE_TEST_PG_URL when
// it is set; otherwise this script starts a throwaway server from the PostgreSQL binaries installed on the
// machine (/usr/lib/postgresql/<version>/bin, the highest version), on a free loopback port with its data and
// socket in a temporary directory, and always stops it and deletes the directory afterwards.
// With no binaries: in CI (CI=true) that is an error; elsewhere a warning, and PostgreSQL is skipped.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = process.argv.slice(2);
const inCI = process.env.CI === 'true';
const say = (line) => console.log(`stepwise test: ${line}`);

function findPostgres() {
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
const hasRunuser = isRoot && spawnSync('sh', ['-c', 'command -v runuser'], { stdio: 'ignore' }).status === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (the server refuses to run as root). */
function runPg(cmd, cmdArgs) {
  let file = cmd;
  let argv = cmdArgs;
  if (isRoot && hasRunuser) {
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

let cluster; // { bin, dir, data }
let stopping = false;

function stopCluster() {
  if (!cluster || stopping) return;
  stopping = true;
  const { bin, dir, data } = cluster;
  if (existsSync(join(data, 'postmaster.pid'))) {
    const stop = runPg(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    if (!stop.ok) console.error(`stepwise test: pg_ctl stop failed: ${stop.output}`);
  }
  rmSync(dir, { recursive: true, force: true });
  cluster = undefined;
}

async function startCluster(found) {
  if (isRoot && !postgresIds()) {
    throw new Error('running as root and there is no `postgres` user to run the PostgreSQL server as');
  }
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-pg-'));
  const data = join(dir, 'data');
  cluster = { bin: found.bin, dir, data };
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

let child; // the running vitest process

function runVitest(env) {
  return new Promise((resolve) => {
    child = spawn(process.execPath, [vitestBin, 'run', ...args], { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      child = undefined;
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
    child.on('error', (error) => {
      child = undefined;
      console.error(`stepwise test: cannot run vitest: ${error.message}`);
      resolve(1);
    });
  });
}

// Ctrl-C / kill: pass the signal on to vitest and let it finish, then the normal path stops the server.
// If vitest is not running (yet), or does not stop within 10 s, stop the server and exit now.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    const exitNow = () => {
      stopCluster();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    if (!child) return exitNow();
    child.kill(signal);
    setTimeout(exitNow, 10_000).unref();
  });
}

async function main() {
  const env = { ...process.env };
  if (env.STEPWISE_TEST_PG_URL) {
    say('PostgreSQL suite on the server at STEPWISE_TEST_PG_URL');
    return runVitest(env);
  }
  const found = findPostgres();
  if (!found) {
    if (inCI) {
      console.error(
        'stepwise test: CI=true but no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb, pg_ctl) ' +
          'and no STEPWISE_TEST_PG_URL: the PostgreSQL suite cannot be skipped in CI. ' +
          'Install them (apt-get install -y postgresql) or set STEPWISE_TEST_PG_URL.',
      );
      return 1;
    }
    console.warn(
      'stepwise test: WARNING: no PostgreSQL server binaries found (/usr/lib/postgresql/*/bin) and ' +
        'STEPWISE_TEST_PG_URL is not set: the PostgreSQL suite is SKIPPED, integration tests run on PGlite only.',
    );
    return runVitest(env);
  }

  // Stop the server whatever happens: normal end, error, signals (above).
  process.on('exit', stopCluster);

  const started = Date.now();
  let port;
  try {
    port = await startCluster(found);
  } catch (error) {
    console.error(`stepwise test: could not start a PostgreSQL ${found.version} server: ${error.message}`);
    console.error('stepwise test: set STEPWISE_TEST_PG_URL to use an existing server instead.');
    stopCluster();
    return 1;
  }
  env.STEPWISE_TEST_PG_URL = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  say(
    `started PostgreSQL ${found.version} (${found.bin}) on 127.0.0.1:${port} in ${Date.now() - started} ms, ` +
      'for the PostgreSQL suite; it is removed afterwards',
  );
  try {
    return await runVitest(env);
  } finally {
    stopCluster();
  }
}

process.exitCode = await main();
