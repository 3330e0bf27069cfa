import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApp } from '../../src/app.ts';
import { listCard } from '../../src/channels/compose.ts';
import { readConfig } from '../../src/config.ts';
import { startServer } from '../../src/server/main.ts';
import { at, stepUpToMash } from '../support/hackney-fixture.ts';

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

describe('trying a second council on the same data', () => {
  it('swaps one demo directory for the other, and never replaces a directory of the council’s own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-two-'));
    const first = await openApp(readConfig({ STEPWISE_DATA_DIR: dir, STEPWISE_PROTOCOL: 'manchester' }), {
      demoDirectory: true,
    });
    await first.close();
    const lines: string[] = [];
    const second = await openApp(readConfig({ STEPWISE_DATA_DIR: dir, STEPWISE_PROTOCOL: 'halton' }), {
      demoDirectory: true,
      log: (l) => lines.push(l),
    });
    try {
      expect(lines).toContainEqual(
        expect.stringMatching(/^loaded the halton demo directory .* in place of the manchester one$/),
      );
      expect(second.workflow.directory.teams.map((t) => t.service)).toContain('icart');
      // The council's own directory (here: one team renamed by id) is left alone.
      await second.db.prisma.team.create({
        data: { id: 'our-own-team', service: 'icart', name: 'Our own team' },
      });
    } finally {
      await second.close();
    }
    const third = await openApp(readConfig({ STEPWISE_DATA_DIR: dir, STEPWISE_PROTOCOL: 'manchester' }), {
      demoDirectory: true,
    });
    try {
      expect(third.workflow.directory.team('our-own-team')).toBeDefined();
    } finally {
      await third.close();
    }
  }, 60_000);
});

describe('/transfer list', () => {
  it('shows the oldest open request even when a hundred newer ones are finished', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-list-'));
    const app = await openApp(readConfig({ STEPWISE_DATA_DIR: dir, STEPWISE_PROTOCOL: 'hackney' }), {
      demoDirectory: true,
    });
    try {
      const now = at('2026-11-23T10:00:00Z');
      const oldest = await app.workflow.start(stepUpToMash(), now);
      for (let i = 0; i < 100; i++) {
        const t = await app.workflow.start(stepUpToMash(), now);
        await app.workflow.withdraw(
          { actor: { personId: 'eve', surface: 'local' }, ref: t.id, reason: 'Sent twice by mistake.' },
          now,
        );
      }
      const eve = app.workflow.directory.person('eve');
      if (!eve) throw new Error('no Eve in the Hackney demo directory');
      const card = JSON.stringify(await listCard(app, eve, 'mine', now));
      expect(card).toContain(oldest.ref);
    } finally {
      await app.close();
    }
  }, 60_000);
});

describe('serve on a port already taken', () => {
  it('says so in one line and lets go of the embedded database', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = String((taken.address() as AddressInfo).port);
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-port-'));
    const env = { STEPWISE_DATA_DIR: dir, HOST: '127.0.0.1', STEPWISE_LOG_LEVEL: 'silent' };
    try {
      await expect(startServer(readConfig({ ...env, PORT: port }), { sweep: false })).rejects.toThrow(
        new RegExp(
          `^cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\): another program is using that port`,
        ),
      );
      // The database's lock was released: the same data directory opens at once on a free port.
      const again = await startServer(readConfig({ ...env, PORT: '0' }), { sweep: false });
      await again.close();
    } finally {
      taken.close();
    }
  }, 60_000);
});
