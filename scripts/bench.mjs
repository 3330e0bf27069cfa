#!/usr/bin/env node
// `npm run bench`: runs bench/run.ts (through tsx) on PGlite and on PostgreSQL, and prints the figures.
//
// PostgreSQL comes from STEPWISE_BENCH_PG_URL when it is set; otherwise this script starts a throwaway server
// (see throwaway-postgres.mjs) and always stops it afterwards. With no server binaries, PGlite only.
// Benchmarks report, they do not judge: the exit code is 0 unless something crashed.
// STEPWISE_BENCH_NODE_FLAGS adds Node/V8 flags to each benchmark's process (e.g. --liftoff-only, as the server runs).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPostgres, forwardSignals, startThrowawayPostgres } from './throwaway-postgres.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`stepwise bench: ${line}`);

let child; // the running benchmark

/** The core figures (bench/run.ts), the Slack surface's (bench/slack.ts), the Teams surface's (bench/teams.ts), the local workspace's (bench/workspace.ts); `STEPWISE_BENCH_ONLY=slack` runs one. */
async function runBench(env) {
  const only = env.STEPWISE_BENCH_ONLY;
  let code = 0;
  for (const file of ['run.ts', 'slack.ts', 'teams.ts', 'workspace.ts']) {
    if (only && !file.startsWith(only)) continue;
    code = (await runFile(file, env)) || code;
  }
  return code;
}

function runFile(file, env) {
  return new Promise((resolve) => {
    child = spawn(
      process.execPath,
      [
        ...(process.env.STEPWISE_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean),
        '--import',
        'tsx',
        join(root, 'bench', file),
      ],
      {
        cwd: root,
        env,
        stdio: 'inherit',
      },
    );
    child.on('exit', (code, signal) => {
      child = undefined;
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
    child.on('error', (error) => {
      child = undefined;
      console.error(`stepwise bench: cannot run bench/${file}: ${error.message}`);
      resolve(1);
    });
  });
}

forwardSignals(() => child);

async function main() {
  const env = { ...process.env };
  if (env.STEPWISE_BENCH_PG_URL) {
    say('PostgreSQL: the server at STEPWISE_BENCH_PG_URL');
    env.STEPWISE_BENCH_PG_NOTE ??= 'the server at STEPWISE_BENCH_PG_URL';
    return runBench(env);
  }
  const found = findPostgres();
  if (!found) {
    const why =
      'no PostgreSQL server binaries found (/usr/lib/postgresql/*/bin) and STEPWISE_BENCH_PG_URL is not set';
    say(`${why}: benchmarking PGlite only`);
    env.STEPWISE_BENCH_PG_NOTE = why;
    return runBench(env);
  }
  let server;
  try {
    server = await startThrowawayPostgres(found, {
      say,
      error: (line) => console.error(`stepwise bench: ${line}`),
      purpose: 'for the benchmark; it is removed afterwards',
    });
  } catch (error) {
    console.error(`stepwise bench: could not start a PostgreSQL ${found.version} server: ${error.message}`);
    console.error('stepwise bench: set STEPWISE_BENCH_PG_URL to use an existing server instead.');
    return 1;
  }
  env.STEPWISE_BENCH_PG_URL = server.url;
  env.STEPWISE_BENCH_PG_NOTE = `throwaway PostgreSQL ${found.version} on 127.0.0.1:${server.port}, fsync off`;
  try {
    return await runBench(env);
  } finally {
    server.stop();
  }
}

process.exitCode = await main();
