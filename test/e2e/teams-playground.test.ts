// Teams end to end in the Microsoft 365 Agents Playground (the Teams-like web client with a mocked connector),
// driven with playwright-core in Debian's Chromium. Two Playground instances stand for two people: Eve
// (Targeted Early Help) in her personal chat with the bot, and Mo (MASH's team manager) in MASH's channel.
// Eve starts a step-up and fills the form in the card; the card arrives in Mo's channel; Mo shows his actions,
// accepts, and sees the card change; Eve hears the decision in her chat.
//
// What the Playground cannot do (found here, and said in its own log): open dialogs (task/fetch) or refresh a
// card per user (refresh.userIds). So the form is filled in the card ("Fill in here") and Mo presses "Show my
// actions", which the bot answers with his card. Dialogs and the refresh are tested against a fake connector
// in teams.test.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { startTestServer } from '../support/test-server.ts';
import { chromiumPath, launchChromium, screenshotsDir } from '../support/workspace-browser.ts';

const haveChromium = existsSync(chromiumPath);
if (!haveChromium && process.env.CI === 'true')
  throw new Error(`no browser at ${chromiumPath}: apt-get install chromium`);

const playgroundCli = join(
  import.meta.dirname,
  '..',
  '..',
  'node_modules',
  '@microsoft',
  'm365agentsplayground',
  'cli.js',
);
const mashChannel = '19:mash-hackney@thread.tacv2';

let server: RunningServer;
let browser: Browser;
let dir: string;
const playgrounds: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The Playground's mock tenant, with `person` as its user (the Teams user id the directory knows). */
function playgroundConfig(person: string): string {
  const others = ['mark', 'mia', 'hugo', 'ella', 'esme', 'eve', 'mo'].filter((p) => p !== person).slice(0, 5);
  const user = (id: string, n: number) =>
    [
      `  - id: "29:1${id}"`,
      `    name: ${id}`,
      `    userPrincipleName: ${id}@example.gov.uk`,
      `    aadObjectId: 00000000-0000-0000-0000-00000000004${n}`,
      `    givenName: ${id}`,
      '    surname: Demo',
      `    email: ${id}@example.gov.uk`,
    ].join('\n');
  return [
    'version: "0.1.1"',
    'tenantId: 00000000-0000-0000-0000-0000000000001',
    'bot:',
    '  id: 00000000-0000-0000-0000-00000000000011',
    '  name: Stepwise',
    'currentUser:',
    `  id: "29:1${person}"`,
    `  name: ${person}`,
    `  userPrincipleName: ${person}@example.gov.uk`,
    '  aadObjectId: 00000000-0000-0000-0000-0000000000020',
    `  givenName: ${person}`,
    '  surname: Demo',
    `  email: ${person}@example.gov.uk`,
    'users:',
    ...others.map(user),
    'personalChat:',
    `  id: a:personal-${person}`,
    'groupChat:',
    '  id: group-chat-id',
    '  name: Group Chat',
    'team:',
    `  id: "${mashChannel}"`,
    '  name: MASH',
    '  aadGroupId: 00000000-0000-0000-0000-000000000031',
    '  channels:',
    '    - id: channel-announcements-id',
    '      name: Announcements',
    '',
  ].join('\n');
}

/** Starts a Playground for `person` against the server; resolves with its URL once it listens. */
async function startPlayground(person: string): Promise<string> {
  const cwd = join(dir, `playground-${person}`);
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, '.m365agentsplayground.yml'), playgroundConfig(person));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [playgroundCli, '-e', `${server.url}/api/messages`, '-c', 'msteams', '-p', String(port), '--dt'],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  playgrounds.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`the Playground for ${person} did not start: ${out}`)),
      30_000,
    );
    const seen = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => reject(new Error(`the Playground for ${person} exited (${code}): ${out}`)));
  });
  return `http://127.0.0.1:${port}/`;
}

async function open(url: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  await page.goto(url);
  await page.getByText('Personal Chat').first().waitFor();
  return page;
}

const shot = (page: Page, name: string) => {
  mkdirSync(screenshotsDir, { recursive: true });
  return page.screenshot({ path: join(screenshotsDir, `${name}.png`) });
};

beforeAll(async () => {
  if (!haveChromium) return;
  dir = mkdtempSync(join(tmpdir(), 'stepwise-playground-'));
  server = await startTestServer(
    { STEPWISE_PROTOCOL: 'hackney', STEPWISE_TEAMS: 'local' },
    { outboxIntervalMs: 100 },
  );
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const p of playgrounds) p.kill('SIGTERM');
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)('Teams in the Microsoft 365 Agents Playground', () => {
  it('a practitioner starts a step-up in her chat; the MASH manager accepts it in the channel and sees the card change', async () => {
    const teamRef = async () =>
      String(
        (
          (await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.team:mash' } }))
            ?.value as {
            serviceUrl?: string;
          } | null
        )?.serviceUrl ?? '',
      );
    // Eve's Playground installs the app in her personal chat; Mo's, opened on MASH's channel, installs it there.
    const eve = await open(await startPlayground('eve'));
    const moUrl = await startPlayground('mo');
    const mo = await open(moUrl);
    await mo.getByText('General').first().click();
    await expect.poll(teamRef, { timeout: 15_000 }).toContain(`:${new URL(moUrl).port}/`);
    await expect.poll(() => server.app.store.list({ limit: 1 })).toEqual([]);

    await eve.getByText('Personal Chat').first().click();
    await eve
      .locator('textarea, [contenteditable=true], input[placeholder*="message"]')
      .first()
      .fill('stepup');
    await eve.keyboard.press('Enter');
    await eve.getByRole('button', { name: 'Fill in here' }).last().click();
    await eve.getByRole('button', { name: 'Send the request' }).last().waitFor();
    // The card holding the form (not whatever the bot posted last: a message can arrive while it is filled in).
    const form = eve
      .locator('.ac-adaptiveCard', { has: eve.getByRole('button', { name: 'Send the request' }) })
      .last();
    await form
      .getByRole('radiogroup', { name: /significant harm/ })
      .getByLabel('No')
      .check();
    await form.getByLabel("Child's full name").fill('Alexandra Whitfield-Example');
    const dob = form.getByLabel("Child's date of birth");
    await dob.fill('2016-05-10');
    await dob.press('Tab'); // not Enter: Enter in a card presses its action
    await form
      .getByLabel("The family's needs and your concerns")
      .fill('Attendance fell to 61 percent this term and two health appointments were missed.');
    await form
      .getByLabel('The support the family would benefit from')
      .fill('A child in need assessment and a joint plan with the school.');
    await form
      .getByRole('radiogroup', { name: /agreement to this request/ })
      .getByLabel(/^Given/)
      .check();
    await form.getByLabel(/who gave it/).fill('Mother');
    const given = form.getByLabel(/the date it was given/);
    await given.fill('2026-11-20');
    await given.press('Tab');
    await form.getByRole('combobox', { name: /Lawful basis/ }).click();
    await eve.getByRole('option', { name: 'Consent' }).click();
    await shot(eve, 'teams-01-playground-form');
    await form.getByRole('button', { name: 'Send the request' }).click();
    await expect
      .poll(() => eve.locator('body').textContent(), { timeout: 15_000 })
      .toMatch(/SW-\d{6} was sent to MASH/);
    const [t] = await server.app.store.list({ limit: 1 });
    if (!t) throw new Error('the request was not stored');

    // Mo's channel: the card, the status for everyone; "Show my actions" gives him Accept.
    await mo.getByText('General').first().click();
    const card = mo.locator('.ac-adaptiveCard', { hasText: `${t.ref} · Step-up request` }).last();
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => card.textContent()).toContain('waiting for a decision');
    await card.getByRole('button', { name: 'Show my actions' }).click();
    await card.getByRole('button', { name: 'Accept', exact: true }).waitFor({ timeout: 15_000 });
    await shot(mo, 'teams-02-playground-channel-card');
    await card.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect
      .poll(() => card.textContent(), { timeout: 15_000 })
      .toContain('accepted, waiting for allocation');
    await shot(mo, 'teams-03-playground-card-accepted');
    expect((await server.app.store.find(t.id))?.state).toBe('accepted');

    // Eve hears about it in her chat.
    await expect
      .poll(() => eve.locator('body').textContent(), { timeout: 15_000 })
      .toContain(`${t.ref} was accepted by Mo`);
    await shot(eve, 'teams-04-playground-practitioner-chat');
  }, 120_000);
});
