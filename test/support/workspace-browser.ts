// Driving the local workspace in Debian's Chromium with playwright-core (never a downloaded browser), as a
// person would: pick who you are, type a command, fill the form the page shows, press the card's buttons.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { answerFor, type InputKind } from './slack-forms.ts';

export const chromiumPath = process.env.STEPWISE_CHROMIUM ?? '/usr/bin/chromium';
export const screenshotsDir = join(import.meta.dirname, '..', '..', 'test-output', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

interface CardInput {
  id: string;
  type: string;
  style?: string;
  maxLength?: number;
  isMultiSelect?: boolean;
  choices?: { value: string }[];
  valueOn?: string;
  valueOff?: string;
}

/** Every input of an Adaptive Card (in containers, column sets and the like; not in its ShowCard forms). */
export function cardInputs(node: unknown): CardInput[] {
  if (Array.isArray(node)) return node.flatMap(cardInputs);
  if (!node || typeof node !== 'object') return [];
  const el = node as Record<string, unknown>;
  const own = typeof el.type === 'string' && el.type.startsWith('Input.') ? [el as unknown as CardInput] : [];
  return [
    ...own,
    ...cardInputs(el.body),
    ...cardInputs(el.items),
    ...cardInputs(el.columns),
    ...cardInputs(el.card),
  ];
}

function kindOf(input: CardInput): InputKind {
  switch (input.type) {
    case 'Input.Text':
      return input.style === 'email' ? 'email' : 'text';
    case 'Input.Number':
      return 'number';
    case 'Input.Date':
      return 'date';
    case 'Input.Time':
      return 'time';
    case 'Input.Toggle':
      return 'choice';
    default:
      return input.isMultiSelect ? 'multichoice' : 'choice';
  }
}

/** Answers for every input of a request form card, as a careful practitioner would give them. */
export function answersForCard(card: unknown): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const input of cardInputs((card as { body?: unknown }).body)) {
    const options =
      input.type === 'Input.Toggle'
        ? [input.valueOn ?? 'true', input.valueOff ?? 'false']
        : (input.choices ?? []).map((c) => c.value);
    const answer = answerFor(input.id, kindOf(input), options, input.maxLength);
    if (answer !== undefined) out[input.id] = answer;
  }
  out['consent.status'] = 'given';
  return out;
}

/** One person's window on the workspace. */
export class WorkspaceWindow {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  static async open(browser: Browser, baseUrl: string, personId: string): Promise<WorkspaceWindow> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${baseUrl}/`);
    // Expressions run in the page (strings: this project's TypeScript has no DOM types).
    await page.waitForFunction("document.querySelectorAll('#person option').length > 1");
    await page.selectOption('#person', personId);
    await page.waitForSelector('#conversations a[aria-current="true"]');
    await page.waitForFunction("document.body.dataset.live === 'true'");
    if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
    return new WorkspaceWindow(context, page, baseUrl);
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  async openConversation(id: string): Promise<void> {
    await this.page.click(`#conversations a[data-conversation="${id}"]`);
    await this.page.waitForSelector(`#conversations a[data-conversation="${id}"][aria-current="true"]`);
  }

  /** Types a command; resolves with the server's answer (a form, a route chooser, a reply). */
  async command(text: string): Promise<Record<string, unknown>> {
    const answer = this.page.waitForResponse((r) => r.url().endsWith('/local/api/command'));
    await this.page.fill('#composer', text);
    await this.page.press('#composer', 'Enter');
    return (await (await answer).json()) as Record<string, unknown>;
  }

  /** Picks a route in the chooser; resolves with the form card the dialog shows. */
  async chooseRoute(routeId: string): Promise<unknown> {
    const answer = this.page.waitForResponse((r) => r.url().endsWith('/local/api/route'));
    await this.page.click(`dialog[open] .routes button[data-route="${routeId}"]`);
    const json = (await (await answer).json()) as { form?: { card: unknown } };
    return json.form?.card;
  }

  /** Fills inputs by their card ids inside `scope` (the dialog, or a form opened on a card). */
  async fill(scope: Locator, answers: Record<string, string | string[]>): Promise<void> {
    for (const [id, value] of Object.entries(answers)) {
      const box = scope.locator(`[data-input-id="${id}"]`);
      if (!(await box.count())) continue;
      const values = Array.isArray(value) ? value : [value];
      if (await box.locator('input[type=radio]').count()) {
        if (values[0]) await box.locator(`input[type=radio][value="${values[0]}"]`).check();
      } else if (await box.locator('select').count()) {
        if (values[0]) await box.locator('select').selectOption(values[0]);
      } else if (await box.locator('input[type=checkbox]').count()) {
        const boxes = box.locator('input[type=checkbox]');
        if ((await boxes.count()) === 1 && !(await boxes.first().getAttribute('value'))) {
          // A toggle: on for "true".
          if (values[0] === 'true') await boxes.first().check();
        } else for (const v of values) await box.locator(`input[type=checkbox][value="${v}"]`).check();
      } else {
        await box
          .locator('input, textarea')
          .first()
          .fill(values[0] ?? '');
      }
    }
  }

  /**
   * Sends a request through the dialog: fills the form, presses its submit button, confirms warnings if the
   * form comes back with them. Resolves with the reference.
   */
  async sendRequest(card: unknown): Promise<string> {
    const dialog = this.page.locator('dialog[open]');
    await this.fill(dialog, answersForCard(card));
    for (let round = 0; round < 3; round++) {
      const answer = this.page.waitForResponse((r) => r.url().endsWith('/local/api/submit'));
      await dialog.locator('.ac-actionSet button').last().click();
      const json = (await (await answer).json()) as {
        done?: string;
        form?: { card: unknown };
        error?: string;
      };
      if (json.done) return /SW-\d{6}/.exec(json.done)?.[0] ?? '';
      if (json.form && JSON.stringify(json.form.card).includes('request.confirm_warnings')) {
        await this.page.waitForSelector('dialog[open] [data-input-id="request.confirm_warnings"]');
        await this.fill(dialog, { ...answersForCard(card), 'request.confirm_warnings': ['true'] });
        continue;
      }
      throw new Error(`the request was not sent: ${json.error ?? JSON.stringify(json).slice(0, 500)}`);
    }
    throw new Error('the request was not sent after confirming the warnings');
  }

  /** The message holding a transfer's request card, in the open conversation. */
  card(transferId: string): Locator {
    return this.page.locator(`article.message[data-id="card:${transferId}"]`);
  }

  /** Presses a card button (or a form's button inside it) by its title; resolves with the server's answer. */
  async press(scope: Locator, title: string): Promise<Record<string, unknown>> {
    const answer = this.page.waitForResponse((r) => r.url().endsWith('/local/api/submit'));
    await scope.getByRole('button', { name: title, exact: true }).first().click();
    return (await (await answer).json()) as Record<string, unknown>;
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(screenshotsDir, { recursive: true });
    const path = join(screenshotsDir, `${name}.png`);
    await this.page.screenshot({ path, fullPage: false });
    return path;
  }
}
