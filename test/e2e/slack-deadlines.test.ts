// The protocols' clocks over Slack (Hackney): after allocation the meeting cards appear in both teams' channels;
// picking a slot confirms the meeting, updates the card in place and uploads a calendar invite (.ics) into each
// participant's DM; the sweep's reminders, chases and the managers' overdue list arrive as cards. The sweep runs
// with injected times; delivery goes through the server's own outbox pump and the fake Slack Web API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/directory.ts';
import { PrismaOutboxStore } from '../../src/store/outbox-store.ts';
import { deliverOutbox } from '../../src/workflow/outbox.ts';
import { sweepDueTimers } from '../../src/workflow/sweep.ts';
import { child, narrative, sendRequest } from '../support/slack-forms.ts';
import { blockText, type SlackBlock, SlackHarness } from '../support/slack-harness.ts';

let h: SlackHarness;
beforeAll(async () => {
  h = await SlackHarness.start('hackney');
});
afterAll(async () => {
  await h?.close();
});

const person = (id: string): Person => {
  const p = h.directory.person(id);
  if (!p) throw new Error(`no ${id} in the demo directory`);
  return p;
};
const route = () => h.server.app.workflow.route('to-statutory');
const mash = 'C0MASH001';
const tehs = 'C0TEHS001';

/** A top-level message in a channel whose text includes all of `parts`, as Slack shows it now (updates applied). */
function message(channel: string, ...parts: string[]) {
  const post = h.fake
    .callsTo('chat.postMessage')
    .find(
      (c) =>
        c.args.channel === channel &&
        !c.args.thread_ts &&
        parts.every((p) => String(c.args.text).includes(p)),
    );
  if (!post) return null;
  const ts = String(post.result?.ts);
  const last =
    h.fake
      .callsTo('chat.update')
      .filter((c) => c.args.channel === channel && c.args.ts === ts)
      .at(-1) ?? post;
  return { channel, ts, blocks: last.args.blocks as SlackBlock[], text: String(last.args.text ?? '') };
}

async function until<T>(
  what: string,
  probe: () => T | null | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A sweep as of `now`, then delivery as of `now` (what the sweep writes is due at its own time). */
async function sweepAt(now: Date) {
  // First let the server's own pump finish what it is sending at real time: a delivery "as of" a later time
  // would see the pump's leases as expired and send the same message again (a clash only a test can make).
  await h.server.pump?.kick();
  const report = await sweepDueTimers(h.server.app.workflow, h.server.app.store, now);
  const sender = h.server.slack?.sender;
  if (!sender) throw new Error('no Slack sender');
  const outbox = new PrismaOutboxStore(h.server.app.db.prisma);
  for (let i = 0; i < 10; i++) {
    const r = await deliverOutbox(outbox, sender, now, { batch: 100 });
    if (r.sent + r.retried + r.failed === 0) break;
  }
  return report;
}

describe('Slack: handover meetings, reminders and chases', () => {
  let ref = '';

  it('after allocation the meeting cards appear in both channels; a picked slot confirms it and invites go out', async () => {
    const eve = person('eve');
    const mo = person('mo');
    ({ ref } = await sendRequest(h, eve, route()));
    await until('the request card', () => message(mash, ref));
    const card = message(mash, ref);
    if (!card) throw new Error('no card');
    expect((await h.press(mo, card, 'accept')).status).toBe(200);
    await h.waitForUpdate(mash, card.ts, 1);
    const form = await h.openForm(mo, h.card(mash, ref), 'allocate');
    // MASH decides the level of need as it allocates: without it the modal says so next to the choice.
    const missing = await h.submit(mo, form, { 'allocate.workerId': 'mia' });
    expect(missing?.response_action).toBe('errors');
    expect(Object.keys(missing?.errors ?? {})).toEqual(['allocate.level']);
    await h.submit(mo, form, { 'allocate.level': 'tier-3', 'allocate.workerId': 'mia' });
    const label = route().meetings.find((m) => m.id === 'joint-visit')?.label as string;

    // The joint visit's card, in MASH's channel and in targeted Early Help's.
    const meeting = await until('the joint visit card', () => message(mash, ref, label));
    await until('the same card in the sending team’s channel', () => message(tehs, ref, label));
    const text = blockText(meeting.blocks);
    expect(text).toContain('Not yet scheduled');
    expect(text).toContain(`the sending worker (${eve.name})`);
    expect(text).toContain(`the allocated worker (${person('mia').name})`);
    expect(text).toContain('the family (invited; not messaged)');
    const slots = SlackHarness.buttons(meeting.blocks).filter((b) =>
      b.action_id.startsWith('schedule_meeting'),
    );
    expect(slots.length).toBeGreaterThan(0);

    // Eve picks the last slot (a day or more ahead, so there is a day before): the card says so in place, and each participant gets the .ics in a DM.
    const uploadsBefore = h.fake.callsTo('files.completeUploadExternal').length;
    expect((await h.press(eve, meeting, slots.at(-1)?.action_id ?? '')).status).toBe(200);
    await until('the card to show the confirmed time', () =>
      blockText(message(mash, ref, label)?.blocks ?? []).includes('Confirmed for'),
    );
    const uploads = (await h.fake.waitFor('files.completeUploadExternal', uploadsBefore + 2)).slice(
      uploadsBefore,
    );
    expect(uploads.map((c) => c.args.channel_id).sort()).toEqual(['D0EVE0001', 'D0MIA0001'].sort());
    const ics = [...h.fake.files.values()].filter((f) => f.filename.startsWith(ref));
    expect(ics).toHaveLength(2);
    for (const f of ics) {
      expect(f.content).toContain('BEGIN:VCALENDAR');
      expect(f.content).toContain(`SUMMARY:${label}: ${ref}`.slice(0, 60));
      expect(f.content).toContain('SEQUENCE:0');
      expect(f.content).not.toContain(child.name);
      expect(f.content).not.toContain(narrative.slice(0, 30));
    }
    // The thread says who confirmed it and who is invited.
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) => String(c.args.text).includes(`is confirmed for`) && String(c.args.text).includes(ref),
    );
  });

  it('the day before, each participant is reminded; an unrecorded meeting is chased in the thread', async () => {
    const t = await h.server.app.store.find(ref);
    const timers = await h.server.app.db.prisma.timer.findMany({
      where: { transferId: t?.id, status: 'pending' },
    });
    const notice = timers.find((x) => x.kind === 'meeting_notice');
    const unrecorded = timers.find((x) => x.kind === 'meeting_unrecorded');
    if (!notice || !unrecorded) {
      const all = await h.server.app.db.prisma.timer.findMany({ where: { transferId: t?.id } });
      throw new Error(
        `no meeting timers: ${JSON.stringify(all.map((x) => [x.kind, x.key, x.status, x.dueAt]))}`,
      );
    }
    await sweepAt(notice.dueAt);
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) =>
        c.args.channel === 'D0MIA0001' &&
        String(c.args.text).startsWith('Reminder: the ') &&
        String(c.args.text).includes(ref),
    );
    await sweepAt(unrecorded.dueAt);
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) =>
        Boolean(c.args.thread_ts) &&
        String(c.args.text).includes('is not recorded') &&
        String(c.args.text).includes(ref),
    );
  });

  it('a decision nobody makes: a reminder card in the channel, then the team manager is chased and gets the overdue list', async () => {
    const { ref: ref2 } = await sendRequest(h, person('eve'), route());
    const t = await h.server.app.store.find(ref2);
    const timers = await h.server.app.db.prisma.timer.findMany({ where: { transferId: t?.id } });
    const reminder = timers.find((x) => x.kind === 'decision_reminder');
    const due = timers.find((x) => x.kind === 'decision_due');
    if (!reminder || !due) throw new Error('no decision timers');

    await sweepAt(reminder.dueAt);
    const card = await until('the reminder card', () => message(mash, `Reminder: the decision on ${ref2}`));
    expect(blockText(card.blocks)).toMatch(/Due soon|Overdue/);
    expect(blockText(card.blocks)).not.toContain(child.name);

    await sweepAt(new Date(due.dueAt.getTime() + 60_000));
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) =>
        c.args.channel === `D${person('mo').slackUser?.slice(1)}` &&
        String(c.args.text).includes(`${ref2}: the decision is overdue`),
    );
    // The next morning's list for MASH's team manager, as a card.
    const digest = await h.server.app.db.prisma.timer.findFirst({ where: { key: 'digest:overdue' } });
    if (!digest) throw new Error('no overdue digest timer');
    await sweepAt(digest.dueAt);
    const dm = `D${person('mo').slackUser?.slice(1)}`;
    const [list] = await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) => c.args.channel === dm && String(c.args.text).includes('overdue item'),
    );
    expect(blockText((list?.args.blocks as unknown[]) ?? [])).toContain('Overdue for MASH');
    expect(blockText((list?.args.blocks as unknown[]) ?? [])).toContain(ref2);

    // MASH cannot decide either: its manager escalates the delay from the card; the ladder's people are told.
    const mo = person('mo');
    const form = await h.openForm(mo, h.card(mash, ref2), 'dispute');
    expect(blockText(form.blocks)).toContain(`Escalate the delay on ${ref2}`);
    expect(await h.submit(mo, form, { 'dispute.reason': 'We need the strategy meeting first.' })).toBeNull();
    const stored = await h.server.app.store.find(ref2);
    expect(stored?.state).toBe('disputed');
    // Delivered as of the press (the server's clock), before the ladder's first stage runs out.
    await sweepAt(new Date());
    const pings = await h.fake.waitFor('chat.postMessage', 1, (c) =>
      String(c.args.text).startsWith(`${ref2} decision delayed, stage 1 of`),
    );
    expect(pings.every((c) => !String(c.args.text).includes(child.name))).toBe(true);
    await until('the card showing the dispute', () =>
      blockText(h.card(mash, ref2).blocks).includes('disputed') ? true : null,
    ).catch(async (e) => {
      const rows = await h.server.app.db.prisma.outbox.findMany({
        where: { transferId: stored?.id },
        orderBy: { createdAt: 'asc' },
      });
      const ups = h.fake
        .callsTo('chat.update')
        .map((c) => [c.args.channel, c.args.ts, String(c.args.text).slice(0, 80), c.error ?? c.result?.ok]);
      const posts = h.fake
        .callsTo('chat.postMessage')
        .filter((c) => c.args.channel === mash)
        .map((c) => [c.result?.ts, String(c.args.text).slice(0, 60)]);
      throw new Error(
        `${e}: ${JSON.stringify(rows.map((r) => [r.kind, r.status]))} UPDATES ${JSON.stringify(ups)} POSTS ${JSON.stringify(posts)}`,
      );
    });
  });
});
