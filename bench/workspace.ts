/**
 * `npm run bench` (after the core and Slack figures), or `STEPWISE_BENCH_ONLY=workspace npm run bench`: the local
 * workspace. Two browser windows (Debian's Chromium, playwright-core) on MASH's channel as two people; one
 * presses Accept on a card, and the time is taken until the other window shows that card accepted: the whole
 * path (the press's HTTP call, the workflow, the outbox, the server-sent event, the other window's reload and
 * render). 100 presses, one after another, each on its own request, on the embedded database (PGlite), which is
 * what the workspace runs on.
 *
 * Both times are read from the same machine's clock in the two pages (Date.now()). Figures only: nothing here
 * fails on timing. Results go to test-output/bench-workspace.json.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stepUpToMash } from '../test/support/hackney-fixture.ts';
import { startTestServer } from '../test/support/test-server.ts';
import { chromiumPath, launchChromium, WorkspaceWindow } from '../test/support/workspace-browser.ts';
import { quantile } from './stats.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PRESSES = Number.parseInt(process.env.STEPWISE_BENCH_WORKSPACE_N ?? '', 10) || 100;

async function main() {
  console.log('\nd. Local workspace: a press in one browser window to the change in another\n');
  if (!existsSync(chromiumPath)) {
    console.log(`   not measured: no browser at ${chromiumPath} (apt-get install chromium)`);
    return;
  }
  const server = await startTestServer({ STEPWISE_PROTOCOL: 'hackney' });
  const browser = await launchChromium();
  try {
    const ids: string[] = [];
    for (let i = 0; i < PRESSES; i++)
      ids.push((await server.app.workflow.start(stepUpToMash(), server.clock.now())).id);
    await server.pump?.kick();
    const presser = await WorkspaceWindow.open(browser, server.url, 'mo');
    const watcher = await WorkspaceWindow.open(browser, server.url, 'mark');
    await presser.openConversation('team:mash');
    await watcher.openConversation('team:mash');
    for (const w of [presser, watcher])
      await w.page.waitForFunction(
        `document.querySelectorAll('article.message[data-id^="card:"]').length >= ${PRESSES}`,
      );
    // The watching window notes when each card first shows "accepted".
    await watcher.page.evaluate(`(() => {
      window.__seen = {};
      const box = document.getElementById('messages');
      new MutationObserver(() => {
        for (const el of box.querySelectorAll('article.message[data-id^="card:"]')) {
          const id = el.dataset.id.slice(5);
          if (!window.__seen[id] && el.innerText.includes('accepted, waiting for allocation')) window.__seen[id] = Date.now();
        }
      }).observe(box, { childList: true, subtree: true, characterData: true });
    })()`);
    // Where the time goes: the press's own HTTP answer, and the watcher's reload of the channel.
    const timeFetches = `(() => {
      const original = window.fetch;
      window.__ms = { submit: [], messages: [] };
      window.fetch = async (...args) => {
        const t = performance.now();
        const res = await original(...args);
        await res.clone().text();
        const path = String(args[0]);
        if (path.includes('/local/api/submit')) window.__ms.submit.push(performance.now() - t);
        if (path.includes('/local/api/messages')) window.__ms.messages.push(performance.now() - t);
        return res;
      };
    })()`;
    await presser.page.evaluate(timeFetches);
    await watcher.page.evaluate(timeFetches);
    const latencies: number[] = [];
    for (const id of ids) {
      const pressedAt = (await presser.page.evaluate(`(() => {
        const card = document.querySelector('article.message[data-id="card:${id}"]');
        const button = [...card.querySelectorAll('button')].find((b) => b.innerText.trim() === 'Accept');
        const t = Date.now();
        button.click();
        return t;
      })()`)) as number;
      await watcher.page.waitForFunction(`window.__seen && window.__seen['${id}']`, undefined, {
        timeout: 30_000,
      });
      const seenAt = (await watcher.page.evaluate(`window.__seen['${id}']`)) as number;
      latencies.push(seenAt - pressedAt);
    }
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    console.log(
      `   ${PRESSES} presses (Accept, one at a time, a channel of ${PRESSES} cards): p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms` +
        ` (min ${Math.min(...latencies).toFixed(0)}, max ${Math.max(...latencies).toFixed(0)})`,
    );
    const submitMs = (await presser.page.evaluate('window.__ms.submit')) as number[];
    const reloadMs = (await watcher.page.evaluate('window.__ms.messages')) as number[];
    console.log(
      `   of which: the press's HTTP answer (the workflow and the outbox delivery it waits for) p50 ${quantile(submitMs, 0.5).toFixed(0)} ms;` +
        ` the other window's reload of the channel (${PRESSES} cards) p50 ${quantile(reloadMs, 0.5).toFixed(0)} ms`,
    );
    const accepted = await server.app.db.prisma.transfer.count({ where: { state: 'accepted' } });
    console.log(`   check: ${accepted} of ${PRESSES} requests accepted in the database`);
    mkdirSync(join(root, 'test-output'), { recursive: true });
    writeFileSync(
      join(root, 'test-output', 'bench-workspace.json'),
      `${JSON.stringify({ presses: PRESSES, p50, p99, latencies }, null, 2)}\n`,
    );
    await presser.close();
    await watcher.close();
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(`workspace bench failed: ${(e as Error).message}`);
  process.exitCode = 1;
});
