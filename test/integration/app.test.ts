import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { readConfig } from '../../src/config.ts';

describe('starting on the embedded defaults', () => {
  it('loads the protocol demo directory on a first run with no directory, and only then', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-app-'));
    const config = readConfig({ STEPWISE_DATA_DIR: dir, STEPWISE_PROTOCOL: 'lambeth' });
    const lines: string[] = [];
    const app = await openApp(config, { demoDirectory: true, log: (l) => lines.push(l) });
    try {
      expect(app.workflow.directory.teams.map((t) => t.service)).toEqual(
        expect.arrayContaining(['irh', 'cat', 'fscp']),
      );
      expect(lines.some((l) => l.startsWith('loaded the lambeth demo directory'))).toBe(true);
      await app.db.prisma.person.deleteMany({ where: { roles: { has: 'admin' } } });
    } finally {
      await app.close();
    }
    const again = await openApp(config, { demoDirectory: true, log: (l) => lines.push(l) });
    try {
      // The stored directory is kept as it is (the admin removed above stays removed).
      expect(again.workflow.directory.people.some((p) => p.roles.includes('admin'))).toBe(false);
    } finally {
      await again.close();
    }
  });
});
