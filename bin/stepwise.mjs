#!/usr/bin/env node
// Entry point of the `stepwise` command. There is no build step between a checkout and a running server: the
// TypeScript sources are bundled here, by esbuild, into plain ES modules under node_modules/.cache/stepwise
// (a directory per distinct output, so a changed source gives a new one and processes starting at once share it),
// and Node runs those. Running the sources through tsx's loader instead keeps the loader's thread and a copy of
// every module's text resident for the life of the server: about 100 MB of an idle server's memory (README).
// If the bundle cannot be made (no esbuild, a read-only install), the sources run through tsx as before.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// WebAssembly (the embedded PostgreSQL, Prisma's query compiler) runs on V8's baseline compiler only. Left to
// tier up, V8 also compiles the hot functions again with its optimising compiler, which holds about 60 MB more
// for the life of the process; the baseline code starts faster and makes the embedded database's statements
// about a quarter slower, still well within the command targets (README, Benchmarks). Set before any module
// compiles WebAssembly.
setFlagsFromString('--liftoff-only');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, 'node_modules', '.cache', 'stepwise');
const debug = Boolean(process.env.STEPWISE_DEBUG);

async function bundle() {
  const esbuild = await import('esbuild');
  const staging = join(cacheDir, 'staging');
  let result;
  try {
    result = await esbuild.build({
      entryPoints: { stepwise: join(root, 'src', 'cli', 'entry.ts') },
      bundle: true,
      // Each lazily imported part (a chat platform, a command) stays its own chunk, loaded only when used.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      write: false,
      sourcemap: debug ? 'inline' : false,
      logLevel: 'silent',
    });
  } finally {
    await esbuild.stop();
  }
  const hash = createHash('sha256');
  for (const f of result.outputFiles) hash.update(relative(staging, f.path)).update(f.contents);
  const dir = join(cacheDir, hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) {
    const tmp = `${dir}.${process.pid}.tmp`;
    for (const f of result.outputFiles) {
      const to = join(tmp, relative(staging, f.path));
      mkdirSync(dirname(to), { recursive: true });
      writeFileSync(to, f.contents);
    }
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process wrote the same bundle first
    }
    forgetOld(dir);
  }
  return join(dir, 'stepwise.mjs');
}

/** Bundles of older sources, a day after they were written (a process may still be starting from one). */
function forgetOld(keep) {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (path !== keep && statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
  }
}

let entry;
try {
  entry = pathToFileURL(await bundle()).href;
  if (debug) process.setSourceMapsEnabled(true);
} catch (error) {
  if (debug) console.error(`stepwise: running the sources through tsx (no bundle: ${error.message})`);
  const { register } = await import('tsx/esm/api');
  register();
  entry = pathToFileURL(join(root, 'src', 'cli', 'entry.ts')).href;
}
const { main } = await import(entry);
await main(process.argv.slice(2));
