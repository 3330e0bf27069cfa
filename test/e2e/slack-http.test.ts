// The Slack endpoint's edges, over HTTP on the running server (Manchester's demo directory): forged, stale,
// malformed and oversized requests; unknown people; presses by the wrong person and double presses; more
// information answered in the thread; the emergency route; /transfer; and Slack being down for an hour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/directory.ts';
import { PrismaOutboxStore } from '../../src/store/outbox-store.ts';
import { deliverOutbox } from '../../src/workflow/outbox.ts';
import { answersFor, sendRequest } from '../support/slack-forms.ts';
import { blockText, SlackHarness } from '../support/slack-harness.ts';
import { blockActionsBody, sign, signingSecret, slashCommandBody } from '../support/slack-requests.ts';

let h: SlackHarness;
const person = (id: string): Person => {
  const p = h.directory.person(id);
  if (!p) throw new Error(`no ${id} in the demo directory`);
  return p;
};

/** A step-up from Early Help interventions to the North Social Work team, sent through the modal. */
async function stepUp() {
  const requester = person('ivy');
  const route = h.profile.routes.find((r) => r.id === 'interventions-to-sw');
  if (!route) throw new Error('no interventions-to-sw route');
  const { ref } = await sendRequest(h, requester, route);
  const t = await h.server.app.store.find(ref);
  if (!t) throw new Error(`${ref} not stored`);
  const channel = h.directory.team(t.receivingTeamId)?.slackChannel ?? '';
  await h.fake.waitFor(
    'chat.postMessage',
    1,
    (c) => c.args.channel === channel && String(c.args.text).includes(ref),
  );
  return {
    ref,
    t,
    channel,
    card: h.card(channel, ref),
    requester,
    decider: h.directory.members(t.receivingTeamId, ['team_manager'])[0] as Person,
  };
}

beforeAll(async () => {
  h = await SlackHarness.start('manchester');
});
afterAll(async () => {
  await h?.close();
});

describe('requests Slack did not sign are refused before any listener runs', () => {
  it('a bad signature is answered 401 and opens nothing', async () => {
    const body = slashCommandBody({ command: '/stepup', userId: 'U0IVY0001' });
    const res = await h.post(body, { signature: 'v0=deadbeef' });
    expect(res.status).toBe(401);
    const wrongSecret = await h.post(body, { secret: 'not-the-signing-secret' });
    expect(wrongSecret.status).toBe(401);
    expect(h.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('a correctly signed request older than 5 minutes is answered 401 (no replays)', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const body = slashCommandBody({ command: '/transfer', text: 'help', userId: 'U0IVY0001' });
    const res = await h.post(body, { timestampSec: old, signature: sign(body, old, signingSecret) });
    expect(res.status).toBe(401);
    const ahead = Math.floor(Date.now() / 1000) + 6 * 60;
    expect((await h.post(body, { timestampSec: ahead, signature: sign(body, ahead) })).status).toBe(401);
  });

  it('malformed and oversized payloads are answered 400, and the server carries on', async () => {
    expect((await h.post('payload=%7Bnot%20json')).status).toBe(400);
    expect((await h.post('payload=%7B%22type%22%3A%22block_actions%22%7D')).status).toBe(400);
    expect((await h.post('command=%2Fstepup&user_id=U0IVY0001')).status).toBe(400);
    expect((await h.post('{"type":"event_callback"}', { contentType: 'application/json' })).status).toBe(400);
    expect((await h.post('x'.repeat(2 * 1024 * 1024))).status).toBe(400);
    const health = await fetch(`${h.server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { slack: string }).slack).toBe('http');
  });
});

describe('people', () => {
  it('an unknown Slack user is told clearly, and nothing opens', async () => {
    const before = h.fake.callsTo('views.open').length;
    const res = await h.post(
      slashCommandBody({
        command: '/stepup',
        userId: 'U0STRANGER',
        responseUrl: h.fake.responseUrl('stranger'),
      }),
    );
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const answer = await h.responseFor('stranger');
    expect(answer.text).toMatch(/not in the Stepwise directory/);
    expect(answer.response_type).toBe('ephemeral');
    expect(h.fake.callsTo('views.open')).toHaveLength(before);
    // Slack failing the lookup is not the same as not knowing the person: they are asked to try again.
    h.fake.failNext('users.info', { status: 503 });
    await h.post(
      slashCommandBody({
        command: '/stepup',
        userId: 'U0STRANGER',
        responseUrl: h.fake.responseUrl('lookup-failed'),
      }),
    );
    expect((await h.responseFor('lookup-failed')).text).toMatch(
      /^Stepwise could not check who you are with Slack/,
    );
  });

  it('a Slack user with no id in the directory is matched by their profile e-mail and remembered', async () => {
    const ivy = person('ivy');
    h.fake.users.set('U0IVYNEW1', { email: ivy.email ?? '' });
    const nora = person('nora');
    // Nora has a Slack id in the file; take it away to see the e-mail match fill it in.
    await h.server.app.db.prisma.person.update({ where: { id: nora.id }, data: { slackUser: null } });
    await h.server.app.reloadDirectory();
    h.fake.users.set('U0NORANEW', { email: nora.email ?? '' });
    const res = await h.post(
      slashCommandBody({
        command: '/transfer',
        text: 'list team',
        userId: 'U0NORANEW',
        responseUrl: h.fake.responseUrl('nora-list'),
      }),
    );
    expect(res.status).toBe(200);
    const answer = await h.responseFor('nora-list');
    expect(String(answer.text)).toMatch(/open requests/);
    expect(h.directory.person('nora')?.slackUser).toBe('U0NORANEW');
  });

  it('the routes offered depend on the person’s team: a practitioner with no step-down route is told which commands they have', async () => {
    const res = await h.command(person('ivy'), '/stepdown', '', 'C0ANYWHERE', 'ivy-stepdown');
    expect(res.status).toBe(200);
    const answer = await h.responseFor('ivy-stepdown');
    expect(String(answer.text)).toMatch(/no \/stepdown route/);
    expect(String(answer.text)).toMatch(/\/stepup/);
  });
});

describe('the request form', () => {
  it('answering yes to significant harm replaces the form with the emergency phone route', async () => {
    const view = await h.commandOpensModal(person('ivy'), '/stepup', 'interventions-to-sw');
    const res = await h.post(
      blockActionsBody({
        userId: 'U0IVY0001',
        actionId: 'request.significant_harm',
        blockId: 'request.significant_harm',
        actionType: 'radio_buttons',
        selectedOption: { value: 'true' },
        view: { id: 'V-harm', callback_id: view.callback_id, hash: 'h1' },
      }),
    );
    expect(res.status).toBe(200);
    const [update] = await h.fake.waitFor('views.update', 1, (c) => c.args.view_id === 'V-harm');
    const text = blockText((update?.args.view as { blocks?: unknown[] } | undefined)?.blocks ?? []);
    expect(text).toContain('0161 219 2843');
    expect(text).toContain('999');
  });

  it('a submission saying significant harm shows the emergency route and sends nothing', async () => {
    const view = await h.commandOpensModal(person('ivy'), '/stepup', 'interventions-to-sw');
    const answers = { ...answersFor(view.blocks), 'request.significant_harm': 'true' };
    const before = await h.server.app.db.prisma.transfer.count();
    const res = await h.submit(person('ivy'), view, answers);
    expect(res?.response_action).toBe('update');
    expect(blockText(res?.view?.blocks ?? [])).toContain('0161 219 2843');
    expect(await h.server.app.db.prisma.transfer.count()).toBe(before);
  });

  it('a missing answer comes back inline next to its input', async () => {
    const view = await h.commandOpensModal(person('ivy'), '/stepup', 'interventions-to-sw');
    const answers = answersFor(view.blocks);
    answers.child_name = '';
    const res = await h.submit(person('ivy'), view, answers);
    expect(res?.response_action).toBe('errors');
    expect(Object.keys(res?.errors ?? {})).toContain('child_name');
  });
});

describe('deciding on the card', () => {
  it('only a decider may press: anyone else is refused privately and nothing changes', async () => {
    const { card, requester, ref } = await stepUp();
    const updates = h.fake.callsTo('chat.update').length;
    const res = await h.press(requester, card, 'accept', 'refused-accept');
    expect(res.status).toBe(200);
    const answer = await h.responseFor('refused-accept');
    expect(String(answer.text)).toMatch(/^Only .* can do that on SW-/);
    expect(answer.response_type).toBe('ephemeral');
    expect((await h.server.app.store.find(ref))?.state).toBe('submitted');
    expect(h.fake.callsTo('chat.update')).toHaveLength(updates);
  });

  it('a double press gives one decision; the second is told who decided', async () => {
    const { card, decider, ref, t } = await stepUp();
    const other = h.directory.members(t.receivingTeamId, ['senior']).find((p) => p.slackUser) as Person;
    const [a, b] = await Promise.all([
      h.press(decider, card, 'accept', 'press-a'),
      h.press(other, card, 'accept', 'press-b'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    // Both were acknowledged at once; the decision and the refusal follow.
    await h.waitForUpdate(card.channel, card.ts, 1);
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) => c.args.thread_ts === card.ts && String(c.args.text).includes('accepted'),
    );
    const accepts = await h.server.app.db.prisma.auditEvent.findMany({
      where: { transferId: t.id, action: 'accept' },
    });
    expect(accepts).toHaveLength(1);
    const loser = accepts[0]?.actorId === decider.id ? 'press-b' : 'press-a';
    expect(String((await h.responseFor(loser)).text)).toMatch(/This request has changed: .* was accepted by/);
    expect((await h.server.app.store.find(ref))?.version).toBe(t.version + 1);
  });

  it('more information: the question pauses the clock, the answer in the card’s thread resubmits it', async () => {
    const { card, decider, requester, ref, channel } = await stepUp();
    const form = await h.openForm(decider, card, 'request-info');
    const ack = await h.submit(decider, form, {
      'request_info.question': 'Which school does the child attend now?',
    });
    expect(ack?.response_action ?? 'closed').toBe('closed');
    expect((await h.server.app.store.find(ref))?.state).toBe('more_info_requested');
    // The requester is told in a DM that carries the card with their own Resubmit button.
    const [dm] = await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) =>
        String(c.args.channel).startsWith('D') && String(c.args.text).includes('asked for more information'),
    );
    const dmButtons = SlackHarness.buttons((dm?.args.blocks as never) ?? []).map((x) => x.action_id);
    expect(dmButtons).toContain('open_form:resubmit');
    // A message from the requester in the card's thread, as Slack's Events API delivers it.
    const inThread = (eventId: string, ts: string, text: string) =>
      JSON.stringify({
        type: 'event_callback',
        team_id: 'T0TEAM',
        api_app_id: 'A0TESTAPP',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'message', channel, user: requester.slackUser, text, ts, thread_ts: card.ts },
      });
    // An answer too long to take is refused to the requester alone, in the thread.
    const tooLong = inThread('Ev00', '1700000998.000100', 'x'.repeat(5000));
    expect((await h.post(tooLong, { contentType: 'application/json' })).status).toBe(200);
    const [refused] = await h.fake.waitFor('chat.postEphemeral', 1, (c) => c.args.thread_ts === card.ts);
    expect(refused?.args.user).toBe(requester.slackUser);
    expect(String(refused?.args.text)).toMatch(/^Your answer was not taken: /);
    expect((await h.server.app.store.find(ref))?.state).toBe('more_info_requested');
    // The answer typed in the card's thread.
    const event = inThread('Ev01', '1700000999.000100', 'Oakfield Primary since September.');
    expect((await h.post(event, { contentType: 'application/json' })).status).toBe(200);
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) => c.args.thread_ts === card.ts && String(c.args.text).includes('resubmitted'),
    );
    const t = await h.server.app.store.find(ref);
    expect(t?.state).toBe('resubmitted');
    expect(t?.pausedAt).toBeNull();
  });

  it('decline with a reason, then the sender disputes it with /transfer dispute', async () => {
    const { card, decider, requester, ref } = await stepUp();
    const form = await h.openForm(decider, card, 'decline');
    const ack = await h.submit(decider, form, {
      'decline.reason': h.profile.declineReasons[0]?.id ?? '',
      'decline.text': 'The threshold for a statutory assessment is not met on this information.',
    });
    expect(ack?.response_action ?? 'closed').toBe('closed');
    expect((await h.server.app.store.find(ref))?.state).toBe('declined');
    const view = await h.commandOpensModal(requester, '/transfer', `dispute ${ref}`);
    expect(view.callback_id).toBe('stepwise:form:dispute');
    const res = await h.submit(requester, view, {
      'dispute.reason': 'Two missed health appointments since the referral.',
    });
    expect(res?.response_action ?? 'closed').toBe('closed');
    expect((await h.server.app.store.find(ref))?.state).toBe('disputed');
  });
});

describe('/transfer', () => {
  it('help, status, list, withdraw, and usage mistakes', async () => {
    const ivy = person('ivy');
    await h.command(ivy, '/transfer', 'help', 'C0X', 'help');
    expect(String((await h.responseFor('help')).text)).toContain('/transfer status');
    await h.command(ivy, '/transfer', 'status nonsense', 'C0X', 'bad');
    expect(String((await h.responseFor('bad')).text)).toContain('needs a transfer reference');
    await h.command(ivy, '/transfer', 'frobnicate', 'C0X', 'unknown');
    expect(String((await h.responseFor('unknown')).text)).toContain('is not a Stepwise command');
    const { ref } = await stepUp();
    await h.command(ivy, '/transfer', `status ${ref}`, 'C0X', 'status');
    const status = await h.responseFor('status');
    expect(blockText((status.blocks as unknown[]) ?? [])).toContain(ref);
    await h.command(ivy, '/transfer', 'status SW-999999', 'C0X', 'missing');
    expect(String((await h.responseFor('missing')).text)).toContain('No transfer SW-999999');
    await h.command(ivy, '/transfer', 'list', 'C0X', 'list');
    expect(blockText(((await h.responseFor('list')).blocks as unknown[]) ?? [])).toContain(ref);
    const view = await h.commandOpensModal(ivy, '/transfer', `withdraw ${ref}`);
    await h.submit(ivy, view, { 'withdraw.reason': 'The family moved out of the area.' });
    expect((await h.server.app.store.find(ref))?.state).toBe('withdrawn');
  });

  it('link: an admin links a channel to a team; anyone else is refused', async () => {
    const admin = h.directory.people.find((p) => p.roles.includes('admin') && p.slackUser) as Person;
    await h.command(person('ivy'), '/transfer', 'link hub-north', 'C0NEWCHAN', 'link-refused');
    expect(String((await h.responseFor('link-refused')).text)).toMatch(/Only a Stepwise admin/);
    await h.command(admin, '/transfer', 'link hub-north', 'C0NEWCHAN', 'link');
    expect(String((await h.responseFor('link')).text)).toMatch(/now linked to North Early Help Hub/);
    expect(h.directory.team('hub-north')?.slackChannel).toBe('C0NEWCHAN');
    await h.command(admin, '/transfer', 'link nowhere', 'C0NEWCHAN', 'link-bad');
    expect(String((await h.responseFor('link-bad')).text)).toMatch(/no team "nowhere"/);
    // Never a direct message: the team's cards would go to one person's chat.
    await h.command(admin, '/transfer', 'link hub-central', 'D0ADMINDM', 'link-dm');
    expect(String((await h.responseFor('link-dm')).text)).toMatch(/^Link from the channel itself/);
    expect(h.directory.team('hub-central')?.slackChannel).not.toBe('D0ADMINDM');
  });

  it('link escalation: the channel gets the ladder’s posts, including those that failed for want of it', async () => {
    const admin = h.directory.people.find((p) => p.roles.includes('admin') && p.slackUser) as Person;
    await h.server.app.db.prisma.outbox.create({
      data: {
        id: 'kept-escalation',
        idempotencyKey: 'test:kept-escalation',
        kind: 'escalation',
        target: { escalation: true },
        payload: { text: 'An escalation kept for want of a channel.' },
        status: 'failed',
        attempts: 1,
        lastError: 'no Slack escalation channel is linked',
        nextAttemptAt: new Date(),
        createdAt: new Date(),
      },
    });
    await h.command(admin, '/transfer', 'link escalation', 'C0ESCALATE', 'link-escalation');
    // With the escalation this test kept, those of the dispute above, which had nowhere to go either.
    expect(String((await h.responseFor('link-escalation')).text)).toMatch(
      /^This channel is now the escalation channel: disagreements climbing the ladder are posted here\. \d+ message\(s\) that could not be delivered before are being sent now\.$/,
    );
    await h.fake.waitFor(
      'chat.postMessage',
      1,
      (c) => c.args.channel === 'C0ESCALATE' && c.args.text === 'An escalation kept for want of a channel.',
    );
  });
});

describe('a team whose channel is not linked yet', () => {
  it('gets the cards that could not be posted once an admin links its channel', async () => {
    const ivy = person('ivy');
    const route = h.profile.routes.find((r) => r.id === 'interventions-to-sw');
    if (!route) throw new Error('no interventions-to-sw route');
    // The receiving service's teams lose their channels: a request to them cannot be posted, and is kept.
    const prisma = h.server.app.db.prisma;
    const unlinked = h.directory.teams.filter((t) => t.service === route.to.service && t.slackChannel);
    await prisma.team.updateMany({
      where: { id: { in: unlinked.map((t) => t.id) } },
      data: { slackChannel: null },
    });
    await h.server.app.reloadDirectory();
    try {
      const { ref } = await sendRequest(h, ivy, route);
      const t = await h.server.app.store.find(ref);
      if (!t) throw new Error(`${ref} not stored`);
      const failed = () =>
        prisma.outbox.count({
          where: { status: 'failed', target: { path: ['teamId'], equals: t.receivingTeamId } },
        });
      await expect.poll(failed, { timeout: 10_000 }).toBeGreaterThan(0);
      const health = (await (await fetch(`${h.server.url}/healthz`)).json()) as {
        outbox: { failed: number };
      };
      expect(health.outbox.failed).toBeGreaterThan(0);
      const admin = h.directory.people.find((p) => p.roles.includes('admin') && p.slackUser) as Person;
      await h.command(admin, '/transfer', `link ${t.receivingTeamId}`, 'C0RELINKED', 'relink');
      expect(String((await h.responseFor('relink')).text)).toMatch(
        /now linked to .*\. \d+ message\(s\) that could not be delivered before are being sent now\.$/,
      );
      await h.fake.waitFor(
        'chat.postMessage',
        1,
        (c) => c.args.channel === 'C0RELINKED' && String(c.args.text).includes(ref),
      );
      await expect.poll(failed, { timeout: 10_000 }).toBe(0);
    } finally {
      for (const team of unlinked)
        await prisma.team.updateMany({
          where: { id: team.id, slackChannel: null },
          data: { slackChannel: team.slackChannel },
        });
      await h.server.app.reloadDirectory();
    }
  });
});

describe('Slack down for an hour: nothing lost, nothing sent twice', () => {
  it('every message waits with backoff while Slack answers 503, then each is delivered exactly once', async () => {
    await h.server.pump?.stop(); // this test drives delivery itself, with its own clock
    const store = new PrismaOutboxStore(h.server.app.db.prisma);
    const sender = h.server.slack?.sender;
    if (!sender) throw new Error('no Slack sender');
    // Leave nothing from earlier tests in the way.
    await deliverOutbox(store, sender, new Date(Date.now() + 86_400_000), { batch: 500 });
    const view = await h.commandOpensModal(person('ivy'), '/stepup', 'interventions-to-sw');
    h.fake.down({ status: 503 });
    const res = await h.submit(person('ivy'), view, answersFor(view.blocks));
    const ref = String(res?.view?.title?.text).replace('Sent: ', '');
    const posted = h.fake.callsTo('chat.postMessage').length;
    const start = Date.now();
    let attempts = 0;
    for (let minute = 0; minute <= 60; minute += 1) {
      const report = await deliverOutbox(store, sender, new Date(start + minute * 60_000));
      attempts += report.retried;
      expect(report.sent).toBe(0);
      expect(report.failed).toBe(0);
    }
    expect(attempts).toBeGreaterThan(3);
    expect(h.fake.callsTo('chat.postMessage')).toHaveLength(posted);
    h.fake.restore();
    for (let i = 0; i < 10; i++) await deliverOutbox(store, sender, new Date(start + 80 * 60_000));
    const t = await h.server.app.store.find(ref);
    const rows = await h.server.app.db.prisma.outbox.findMany({ where: { transferId: t?.id } });
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
    const labels = (await h.server.app.store.meetings(t?.id ?? '')).map((m) => m.label);
    const channelPosts = h.fake
      .callsTo('chat.postMessage')
      .filter(
        (c) =>
          String(c.args.text).includes(ref) && !c.args.thread_ts && !String(c.args.channel).startsWith('D'),
      );
    const isMeeting = (c: { args: Record<string, unknown> }) =>
      labels.some((l) => String(c.args.text).includes(l));
    expect(channelPosts.filter((c) => !isMeeting(c))).toHaveLength(1);
    // Each meeting card once per channel it goes to, however many retries it took.
    const meetingCards = channelPosts.filter(isMeeting).map((c) => `${c.args.channel} ${c.args.text}`);
    expect(new Set(meetingCards).size).toBe(meetingCards.length);
    const threads = h.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.thread_ts && String(c.args.text).includes(ref));
    expect(threads).toHaveLength(1);
    const receipts = h.fake
      .callsTo('chat.postMessage')
      .filter((c) => String(c.args.text).includes(`Your request ${ref}`));
    expect(receipts).toHaveLength(1);
  });

  it('a 429 is retried no sooner than Slack’s Retry-After', async () => {
    const store = new PrismaOutboxStore(h.server.app.db.prisma);
    const sender = h.server.slack?.sender;
    if (!sender) throw new Error('no Slack sender');
    const view = await h.commandOpensModal(person('ivy'), '/stepup', 'interventions-to-sw');
    h.fake.failNext('*', { status: 429, retryAfterSeconds: 30 });
    await h.submit(person('ivy'), view, answersFor(view.blocks));
    const now = new Date(Date.now() + 2 * 3_600_000);
    const report = await deliverOutbox(store, sender, now, { batch: 1 });
    expect(report.retried).toBe(1);
    const waiting = await h.server.app.db.prisma.outbox.findMany({
      where: { status: 'pending', attempts: 1 },
    });
    expect(waiting.some((r) => r.nextAttemptAt.getTime() >= now.getTime() + 30_000)).toBe(true);
  });
});
