import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openDatabase } from '../../src/store/database.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', '..', 'bin', 'stepwise.mjs');

async function stepwise(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, DATABASE_URL: '', STEPWISE_DEBUG: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);
const tmp = () => mkdtempSync(join(tmpdir(), 'stepwise-cli-'));

describe('stepwise CLI', () => {
  it('protocol show prints routes, deadlines and the ladder as a table', async () => {
    const r = await stepwise(['protocol', 'show', 'hackney']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('to-statutory');
    expect(r.stdout).toContain('MASH (Tier 3 - Complex, Tier 4 - Acute risk of harm; decided at allocation)');
    expect(r.stdout).toMatch(/joint visit.*within 5 working days of allocated/i);
    expect(r.stdout).toContain('Escalation ladder');
  });

  it('protocol show --json gives the validated profile with its ids', async () => {
    const r = await stepwise(['protocol', 'show', 'manchester', '--json']);
    const profile = JSON.parse(r.stdout);
    expect(profile.id).toBe('manchester');
    expect(profile.ladders.map((l: { id: string }) => l.id)).toContain('manchester-48-hours');
  });

  it('protocol check names the file, the path and the expectation, with a non-zero exit', async () => {
    const dir = tmp();
    const good = (await stepwise(['protocol', 'show', 'halton', '--json'])).stdout;
    const ok = join(dir, 'ours.json');
    writeFileSync(ok, good);
    expect((await stepwise(['protocol', 'check', ok])).stdout).toContain('valid');
    const profile = JSON.parse(good);
    profile.routes[0].to.service = 'nowhere';
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, stringify(profile));
    const r = await stepwise(['protocol', 'check', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}: routes.0.to.service: unknown service "nowhere"`);
    noStack(r.stderr);
  });

  it('an unknown council, an unreachable PostgreSQL and an unusable data dir are one clear line each', async () => {
    const unknown = await stepwise(['tick'], { STEPWISE_PROTOCOL: 'leeds', STEPWISE_DATA_DIR: tmp() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'stepwise: unknown protocol "leeds": expected one of hackney, lambeth, somerset, halton, manchester, or a path to a profile file',
    );
    const pg = await stepwise(['migrate'], {
      DATABASE_URL: 'postgresql://someone:secret@127.0.0.1:1/stepwise',
    });
    expect(pg.code).toBe(1);
    expect(pg.stderr.trim().split('\n')).toHaveLength(1);
    expect(pg.stderr).toContain('127.0.0.1:1');
    expect(pg.stderr).not.toContain('secret');
    // A one-letter password is not blanked out of every word of the message.
    const short = await stepwise(['migrate'], {
      DATABASE_URL: 'postgresql://someone:s@127.0.0.1:1/stepwise',
    });
    expect(short.stderr).toContain('connection refused (is the server running and listening on that port?)');
    expect(short.stderr).not.toContain(':s@');
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    const dir = await stepwise(['migrate'], { STEPWISE_DATA_DIR: join(file, 'data') });
    expect(dir.code).toBe(1);
    expect(dir.stderr.trim().split('\n')).toHaveLength(1);
    expect(dir.stderr).toContain('data directory');
  });

  it('migrate, directory load, tick and audit verify work on the embedded database', async () => {
    const data = tmp();
    const env = { STEPWISE_DATA_DIR: data, STEPWISE_PROTOCOL: 'hackney' };
    const shipped = readdirSync(join(import.meta.dirname, '..', '..', 'prisma', 'migrations'), {
      withFileTypes: true,
    }).filter((d) => d.isDirectory()).length;
    expect((await stepwise(['migrate'], env)).stdout).toContain(`applied ${shipped} migration(s)`);
    const migratedAgain = (await stepwise(['migrate'], env)).stdout;
    expect(migratedAgain.match(/up to date/g)).toHaveLength(1);

    const dirFile = join(data, 'directory.yaml');
    writeFileSync(
      dirFile,
      stringify({
        teams: [{ id: 'mash', service: 'mash', name: 'MASH' }],
        people: [{ id: 'mo', name: 'Mo Manager', team: 'mash', roles: ['team_manager'] }],
      }),
    );
    expect((await stepwise(['directory', 'load', dirFile], env)).stdout).toContain(
      'loaded 1 team(s) and 1 person(s)',
    );
    const badDir = join(data, 'bad.yaml');
    writeFileSync(badDir, stringify({ teams: [{ id: 'x', service: 'nope', name: 'X' }], people: [] }));
    const bad = await stepwise(['directory', 'load', badDir], env);
    expect(bad.code).toBe(1);
    // Every problem, as written for a person (not an "unexpected error").
    expect(bad.stderr).toBe(
      `stepwise: ${badDir}: teams.0.service: unknown service "nope" for the hackney protocol (expected one of: universal, early-help-hub, targeted-early-help, mash, csc)\n`,
    );
    // Mo moves to a new team and his old one goes, in one load.
    writeFileSync(
      dirFile,
      stringify({
        teams: [{ id: 'front-door', service: 'mash', name: 'Front Door' }],
        people: [{ id: 'mo', name: 'Mo Manager', team: 'front-door', roles: ['team_manager'] }],
      }),
    );
    expect((await stepwise(['directory', 'load', dirFile], env)).stdout).toContain(
      'loaded 1 team(s) and 1 person(s)',
    );
    const usage = await stepwise(['tick', '--bogus'], env);
    expect([usage.code, usage.stderr]).toEqual([
      2,
      expect.stringMatching(/^stepwise: Unknown option '--bogus'/),
    ]);

    const tick = await stepwise(['tick', '--now', '2026-11-23T09:00:00Z'], env);
    expect(tick.stdout).toContain('nothing due as of 2026-11-23T09:00:00.000Z');
    // A time ahead moves the workspace's demo clock there too; once there, it does not move again.
    const ahead = await stepwise(['tick', '--now', '2030-01-07T09:00:00Z'], env);
    expect(ahead.stdout).toContain("the local workspace's demo clock is now 2030-01-07T09:00:00.000Z");
    const again = await stepwise(['tick', '--now', '2030-01-07T09:00:00Z'], env);
    expect(again.stdout).not.toContain('demo clock');
    const badNow = await stepwise(['tick', '--now', 'tomorrow'], env);
    expect(badNow.code).toBe(2);
    // A time without its offset would be read in the process's own zone: refused, saying what to write.
    const zoneless = await stepwise(['tick', '--now', '2030-06-01T09:00'], env);
    expect(zoneless.code).toBe(2);
    expect(zoneless.stderr).toContain('with its offset (e.g. 2026-11-23T09:00:00Z');
    expect((await stepwise(['tick', '--now', '2030-06-01T10:00:00+01:00'], env)).code).toBe(0);

    const db = await openDatabase({ dataDir: data });
    try {
      // Nothing of the bad directory was written.
      expect(await db.prisma.team.count()).toBe(1);
      const head = await db.prisma.auditHead.findUnique({ where: { id: 1 } });
      expect(head).not.toBeNull();
    } finally {
      await db.close();
    }
    const verify = await stepwise(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^intact: 0 event\(s\)/);
  });

  it('the README’s directory example loads as it is', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const yaml = /to save as `my-directory\.yaml`:\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    if (!yaml) throw new Error('the README has no directory example');
    const file = join(tmp(), 'my-directory.yaml');
    writeFileSync(file, yaml);
    const loaded = await stepwise(['directory', 'load', file], { STEPWISE_DATA_DIR: tmp() });
    expect([loaded.code, loaded.stderr]).toEqual([0, '']);
    expect(loaded.stdout).toContain('loaded 2 team(s) and 1 person(s)');
  });

  it('outbox counts and lists the failed messages, and retry queues them again', async () => {
    const data = tmp();
    const env = { STEPWISE_DATA_DIR: data, STEPWISE_PROTOCOL: 'hackney' };
    expect((await stepwise(['migrate'], env)).code).toBe(0);
    const db = await openDatabase({ dataDir: data });
    const row = (id: string, status: string, target: object, lastError: string | null, minute: number) => ({
      id,
      idempotencyKey: `key-${id}`,
      kind: id === 'm-email' ? 'email' : 'card',
      target,
      payload: {},
      status,
      attempts: 1,
      lastError,
      nextAttemptAt: new Date('2026-11-23T10:00:00Z'),
      createdAt: new Date(`2026-11-23T10:0${minute}:00Z`),
    });
    try {
      await db.prisma.outbox.createMany({
        data: [
          row('m-sent', 'sent', { teamId: 'hub' }, null, 0),
          row('m-mash', 'failed', { teamId: 'mash' }, 'team "mash" has no Slack channel', 1),
          row('m-email', 'failed', { email: 'someone@example.gov.uk' }, 'e-mail is not delivered', 2),
        ],
      });
    } finally {
      await db.close();
    }
    const list = await stepwise(['outbox'], env);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toEqual([
      expect.stringMatching(/^PGlite at .*: 0 waiting, 1 sent, 2 failed$/),
      'failed, most recent first:',
      '  m-email  2026-11-23 10:02Z  -  email  email  e-mail is not delivered',
      '  m-mash  2026-11-23 10:01Z  -  card  team mash  team "mash" has no Slack channel',
      'once the cause is mended: stepwise outbox retry --all (or retry <id>...)',
      '',
    ]);
    // Who a message was for is said by directory id, never by e-mail address.
    expect(list.stdout).not.toContain('someone@');
    for (const args of [
      ['outbox', 'retry'],
      ['outbox', 'retry', '--all', 'm-mash'],
      ['outbox', 'resend'],
    ]) {
      const usage = await stepwise(args, env);
      expect([usage.code, usage.stderr]).toEqual([
        2,
        expect.stringMatching(/^stepwise: usage: stepwise outbox/),
      ]);
    }
    const none = await stepwise(['outbox', 'retry', 'm-sent', 'nope'], env);
    expect([none.code, none.stdout]).toEqual([1, 'none of those ids is a failed message\n']);
    expect((await stepwise(['outbox', 'retry', 'm-mash'], env)).stdout).toBe(
      '1 failed message(s) queued again: a running server sends them within a second\n',
    );
    expect((await stepwise(['outbox', 'retry', '--all'], env)).stdout).toContain(
      '1 failed message(s) queued again',
    );
    const nothing = await stepwise(['outbox', 'retry', '--all'], env);
    expect([nothing.code, nothing.stdout]).toEqual([0, 'no failed messages to send again\n']);
    expect((await stepwise(['outbox'], env)).stdout).toMatch(/: 2 waiting, 1 sent, 0 failed\n$/);
  });

  it('refuses a second process on the same embedded database instead of corrupting it', async () => {
    const data = tmp();
    const db = await openDatabase({ dataDir: data });
    try {
      const r = await stepwise(['migrate'], { STEPWISE_DATA_DIR: data });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `stepwise: the embedded database in ${data} is in use by another Stepwise process (pid ${process.pid}); stop it first, or use DATABASE_URL (PostgreSQL) to run several processes`,
      );
    } finally {
      await db.close();
    }
    expect((await stepwise(['migrate'], { STEPWISE_DATA_DIR: data })).code).toBe(0);
  });

  it('serve runs from the bundle, and a first start creates the embedded database in a process of its own', async () => {
    const data = tmp();
    const serve = spawn(process.execPath, [bin, 'serve'], {
      env: { ...process.env, DATABASE_URL: '', STEPWISE_DEBUG: '1', STEPWISE_DATA_DIR: data, PORT: '0' },
    });
    let stdout = '';
    let stderr = '';
    serve.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        serve.stdout.on('data', (chunk) => {
          stdout += chunk;
          const m = /is running at (http:\/\/\S+?)\/?\s/.exec(stdout);
          if (m?.[1]) resolve(m[1]);
        });
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`)));
      });
      expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({
        status: 'ok',
        database: 'pglite',
      });
      // The migrations were applied by `stepwise migrate`, which printed its summary before the server started.
      expect(stdout).toMatch(new RegExp(`^applied \\d+ migration\\(s\\) to PGlite at ${data}/db$`, 'm'));
      expect(stdout.indexOf('applied')).toBeLessThan(stdout.indexOf('is running at'));
      // The bundle ran: the sources were not run through tsx (STEPWISE_DEBUG says so when they are).
      expect(stderr).not.toMatch(/through tsx/);
      expect(readdirSync(join(bin, '..', '..', 'node_modules', '.cache', 'stepwise')).length).toBeGreaterThan(
        0,
      );
    } finally {
      serve.kill();
    }
  });
});
