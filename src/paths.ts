/**
 * Where the project's own files are (templates, migrations, demo directories, the workspace's page), found from
 * the project root rather than from the module asking: the same code runs from src/ through tsx (tests) and from
 * one bundled file (bin/stepwise.mjs), and only the root is the same for both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'stepwise'
    )
      return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the Stepwise project root above ${from}`);
  }
}

/** The directory holding Stepwise's package.json. */
export const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. `fromRoot('prisma', 'migrations')`. */
export const fromRoot = (...parts: string[]) => join(projectRoot, ...parts);
