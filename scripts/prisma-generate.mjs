#!/usr/bin/env node
// Generates the Prisma client (src/store/generated/prisma) offline.
// `prisma generate` never runs the schema engine, but the CLI insists on finding one and would try to
// download it from Prisma's host, which these machines cannot reach. Pointing PRISMA_SCHEMA_ENGINE_BINARY
// at any existing file satisfies that check (see ../shared/DESIGN.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const prismaBin = join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(prismaBin)) {
  console.error('stepwise: the prisma package is not installed; run `npm install` first.');
  process.exit(1);
}
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync(process.execPath, [prismaBin, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
