// The Microsoft 365 Agents SDK is imported in one module of the product only (README, "Microsoft Teams"), so that
// it could be swapped there alone; the rest of the Teams surface works on plain JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the Agents SDK boundary', () => {
  it('only src/channels/teams/agent.ts imports @microsoft/agents-*', () => {
    const importing = sources(join(root, 'src'))
      .filter((f) =>
        /from\s+['"]@microsoft\/agents-|import\(\s*['"]@microsoft\/agents-/.test(readFileSync(f, 'utf8')),
      )
      .map((f) => relative(root, f));
    expect(importing).toEqual(['src/channels/teams/agent.ts']);
  });
});
