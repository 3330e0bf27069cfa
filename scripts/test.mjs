#!/usr/bin/env node
// `npm test`: runs vitest (extra arguments are passed through: `npm test -- test/unit`).
//
// The integration suite runs on PGlite and on PostgreSQL. PostgreSQL comes from STEPWISE_TEST_PG_URL when
// it is set; otherwise this script starts a throwaway server from the PostgreSQL binaries installed on the
// machine (/usr/lib/postgresql/<version>/bin, the highest version), on a free loopback port with its data and
// socket in a temporary directory, and always stops it and deletes the directory afterwards.
// With no binaries: in CI (CI=true) that is an error; elsewhere a warning, and PostgreSQL is skipped.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPostgres, forwardSignals, startThrowawayPostgres } from './throwaway-postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const args = process.argv.slice(2);
const inCI = process.env.CI === 'true';
const say = (line) => console.log(`stepwise test: ${line}`);

let child; // the running vitest process

// Besides vitest's own report, a JSON one, summed up at the end in the plain "N passed, N failed" line that
// CI reads (unless the caller chose reporters).
const summaryFile = join(root, 'test-output', 'vitest.json');
const reporters = args.some((a) => a.startsWith('--reporter'))
  ? []
  : ['--reporter=default', '--reporter=json', `--outputFile.json=${summaryFile}`];

function printSummary() {
  if (!reporters.length || !existsSync(summaryFile)) return;
  try {
    const r = JSON.parse(readFileSync(summaryFile, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  } catch {
    // vitest's own report above is the record; the summary line is a convenience
  }
}

function runVitest(env) {
  rmSync(summaryFile, { force: true });
  return new Promise((resolve) => {
    child = spawn(process.execPath, [vitestBin, 'run', ...reporters, ...args], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => {
      child = undefined;
      printSummary();
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
forwardSignals(() => child);

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

  // The server is stopped whatever happens: below, at process exit, and on signals (above).
  let server;
  try {
    server = await startThrowawayPostgres(found, {
      say,
      error: (line) => console.error(`stepwise test: ${line}`),
      purpose: 'for the PostgreSQL suite; it is removed afterwards',
    });
  } catch (error) {
    console.error(`stepwise test: could not start a PostgreSQL ${found.version} server: ${error.message}`);
    console.error('stepwise test: set STEPWISE_TEST_PG_URL to use an existing server instead.');
    return 1;
  }
  env.STEPWISE_TEST_PG_URL = server.url;
  try {
    return await runVitest(env);
  } finally {
    server.stop();
  }
}

process.exitCode = await main();
