// The local workspace in Debian's Chromium (playwright-core): two people in two browser contexts on one
// running server with no Slack or Teams configured. A practitioner sends a step-up; the MASH manager accepts
// and allocates it on the card; each sees the other's change arrive without reloading. A declined request is
// disputed, and moving the demo clock on escalates it up the ladder. Screenshots go to test-output/screenshots.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { startTestServer } from '../support/test-server.ts';
import {
  chromiumPath,
  launchChromium,
  screenshotsDir,
  WorkspaceWindow,
} from '../support/workspace-browser.ts';

// CI installs Debian's Chromium (.ci/run); elsewhere, without it, these tests say so and are skipped.
const haveChromium = existsSync(chromiumPath);
if (!haveChromium && process.env.CI === 'true')
  throw new Error(`no browser at ${chromiumPath}: apt-get install chromium`);
if (!haveChromium)
  console.warn(`workspace browser tests skipped: no browser at ${chromiumPath} (apt-get install chromium)`);

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  server = await startTestServer({ STEPWISE_PROTOCOL: 'hackney' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Eve (Targeted Early Help) sends Hackney's step-up to MASH from her window; resolves with its id and ref. */
async function sendStepUp(eve: WorkspaceWindow) {
  const answer = await eve.command('/stepup');
  let card = (answer.form as { card?: unknown } | undefined)?.card;
  if (!card) card = await eve.chooseRoute('to-statutory');
  await eve.screenshot('00-request-form');
  const ref = await eve.sendRequest(card);
  const t = await server.app.store.find(ref);
  if (!t) throw new Error(`${ref} is not stored`);
  return { ref, id: t.id };
}

describe.skipIf(!haveChromium)('the local workspace in a browser', () => {
  it('a practitioner sends a step-up; the MASH manager accepts and allocates it; both see each change live', async () => {
    const eve = await WorkspaceWindow.open(browser, server.url, 'eve');
    const mo = await WorkspaceWindow.open(browser, server.url, 'mo');
    try {
      await eve.openConversation('dm:eve');
      await mo.openConversation('team:mash');
      const { ref, id } = await sendStepUp(eve);
      await eve.screenshot('01-sent-dm');

      // The card appears in MASH's channel without Mo reloading.
      await expect.poll(() => mo.card(id).count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => mo.card(id).textContent()).toContain('waiting for a decision');
      await mo.screenshot('02-mash-channel-card');

      const accepted = await mo.press(mo.card(id), 'Accept');
      expect(accepted.done).toBe(`${ref} is now accepted, waiting for allocation.`);
      await expect
        .poll(() => mo.card(id).textContent(), { timeout: 10_000 })
        .toContain('accepted, waiting for allocation');
      // Eve's direct messages show the decision arrive.
      await expect
        .poll(() => eve.page.locator('#messages').textContent(), { timeout: 10_000 })
        .toMatch(new RegExp(`${ref} was accepted by Mo`));

      // Allocate: the form opens inside the card; Mo decides the level of need, picks the worker and presses
      // the form's button.
      expect(await mo.card(id).textContent()).toContain('(decided at allocation)');
      await mo.card(id).getByRole('button', { name: 'Allocate', exact: true }).first().click();
      await mo.fill(mo.card(id), { 'allocate.level': 'tier-4', 'allocate.workerId': 'mia' });
      await mo.screenshot('03-allocate-form-on-card');
      const allocated = await mo.press(
        mo.card(id).locator('.ac-showCard, .ac-adaptiveCard').last(),
        'Allocate',
      );
      expect(allocated.done).toBe(`${ref} is now allocated.`);
      await expect.poll(() => mo.card(id).textContent(), { timeout: 10_000 }).toContain('allocated');
      await expect
        .poll(() => eve.page.locator('#messages').textContent(), { timeout: 10_000 })
        .toMatch(new RegExp(`${ref} was allocated`));
      await eve.screenshot('04-practitioner-dm-after-allocation');
      await mo.screenshot('05-mash-card-allocated');
      expect(await server.app.store.find(id)).toMatchObject({ state: 'allocated', toLevel: 'tier-4' });
      await expect.poll(() => mo.card(id).textContent()).toContain('→ Tier 4 - Acute risk of harm');
    } finally {
      await eve.close();
      await mo.close();
    }
  }, 120_000);

  it('answering yes to the significant-harm question shows the phone route at once, and no request is made', async () => {
    const eve = await WorkspaceWindow.open(browser, server.url, 'eve');
    try {
      const before = await server.app.db.prisma.transfer.count();
      const answer = await eve.command('/stepup');
      if (!answer.form) await eve.chooseRoute('to-statutory');
      await eve.page
        .locator('dialog[open] [data-input-id="request.significant_harm"] input[value="true"]')
        .click(); // not check(): the answer replaces the form, so the radio is gone once it is pressed
      await expect
        .poll(() => eve.page.locator('#dialog-title').textContent(), { timeout: 10_000 })
        .toBe('Phone now');
      expect(await eve.page.locator('#dialog-body').textContent()).toContain(
        server.app.profile.emergency.phones[0]?.number ?? '?',
      );
      await eve.screenshot('00-significant-harm-phone-route');
      expect(await server.app.db.prisma.transfer.count()).toBe(before);
    } finally {
      await eve.close();
    }
  }, 60_000);

  it('a declined request is disputed; moving the demo clock on escalates it up the ladder', async () => {
    const eve = await WorkspaceWindow.open(browser, server.url, 'eve');
    const mo = await WorkspaceWindow.open(browser, server.url, 'mo');
    try {
      await mo.openConversation('team:mash');
      const { ref, id } = await sendStepUp(eve);
      await expect.poll(() => mo.card(id).count(), { timeout: 10_000 }).toBe(1);

      await mo.card(id).getByRole('button', { name: 'Decline', exact: true }).first().click();
      const reasons = await mo
        .card(id)
        .locator('[data-input-id="decline.reason"] option, [data-input-id="decline.reason"] input')
        .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value).filter(Boolean));
      await mo.fill(mo.card(id), {
        'decline.reason': reasons[0] ?? '',
        'decline.text': 'The needs described are met by the early help plan already in place.',
      });
      const declined = await mo.press(mo.card(id).locator('.ac-adaptiveCard').last(), 'Decline');
      expect(declined.done).toBe(`${ref} is now declined.`);

      // Eve disputes it from the card in her direct messages.
      await eve.openConversation('dm:eve');
      const dm = eve.page.locator('article.message', { hasText: `${ref} was declined` }).last();
      await expect.poll(() => dm.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await dm.getByRole('button', { name: 'Dispute the decision', exact: true }).first().click();
      await eve.fill(dm, { 'dispute.reason': 'The risks at home have risen since the plan was agreed.' });
      const disputed = await eve.press(dm.locator('.ac-adaptiveCard').last(), 'Dispute the decision');
      expect(disputed.done).toBe(`${ref} is now disputed.`);

      await eve.openConversation('escalation');
      await expect
        .poll(() => eve.page.locator('#messages').textContent(), { timeout: 10_000 })
        .toContain('stage 1 of');
      // The first stage has two working days: a week on, the sweep climbs the ladder by itself.
      const before = server.clock.now();
      const clock = eve.page.waitForResponse((r) => r.url().endsWith('/local/api/clock'));
      await eve.page.click('button[data-advance="week"]');
      const moved = (await (await clock).json()) as { now: string; handled: number };
      expect(new Date(moved.now).getTime() - before.getTime()).toBeGreaterThanOrEqual(
        7 * 86_400_000 - 60_000,
      );
      expect(moved.handled).toBeGreaterThan(0);
      await expect
        .poll(() => eve.page.locator('#messages').textContent(), { timeout: 10_000 })
        .toContain('stage 2 of');
      await eve.screenshot('06-escalation-channel-after-clock');
      expect((await server.app.store.find(id))?.state).toBe('escalated');
      // Mo's window heard the clock move too.
      await expect.poll(() => mo.page.locator('#clock-now').getAttribute('datetime')).toBe(moved.now);
    } finally {
      await eve.close();
      await mo.close();
    }
  }, 120_000);

  it('the dashboard renders the requests above as charts, and a table downloads as CSV', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 1000 },
      acceptDownloads: true,
    });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/dashboard`);
      await expect.poll(() => page.locator('h1').textContent()).toMatch(/^Stepwise dashboard/);
      expect(await page.locator('svg').count()).toBeGreaterThan(3);
      // Both requests of the tests above are counted (one allocated, one escalated), by name of state.
      const text = await page.locator('body').textContent();
      expect(text).toContain('allocated');
      expect(text).toContain('escalated');
      await page.screenshot({ path: join(screenshotsDir, '07-dashboard.png'), fullPage: false });
      const link = page.locator('a[href*="/dashboard/csv?table="]').first();
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(
        /^stepwise-[a-z-]+-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
      );
      const csv = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
      const [header, ...rows] = csv.trim().split(/\r?\n/);
      expect(header?.split(',').length).toBeGreaterThan(1);
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
