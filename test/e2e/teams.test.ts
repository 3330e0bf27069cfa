// The Teams bot end to end: activities shaped as Teams sends them are posted to the running server's
// POST /api/messages, with a fake Bot Connector on loopback as their serviceUrl, which records what the bot
// posts and updates (and can answer 429). Hackney's step-up: installation in MASH's and Targeted Early Help's
// channels and in the practitioner's personal chat, the command, the form in a dialog, the card posted to
// MASH's channel with its refresh, Accept pressed as a Universal Action, the card updated in place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { RetryableSendError } from '../../src/workflow/outbox.ts';
import type { MeetingRow } from '../../src/workflow/ports.ts';
import { cardButtons, type FakeConnector, startFakeConnector } from '../support/fake-connector.ts';
import { type FakeEntra, startFakeEntra } from '../support/fake-entra.ts';
import { stepUpToMash } from '../support/hackney-fixture.ts';
import {
  executeAction,
  postActivity,
  type TeamsConversation,
  teamsActivity,
  teamsBot,
} from '../support/teams-activities.ts';
import { outboxSettled, startTestServer, transferMessagesDone } from '../support/test-server.ts';
import { answersForCard } from '../support/workspace-browser.ts';

let server: RunningServer;
let connector: FakeConnector;

const channels = { mash: '19:mash-hackney@thread.tacv2', tehs: '19:tehs-hackney@thread.tacv2' };
const bot = teamsBot;

beforeAll(async () => {
  connector = await startFakeConnector();
  server = await startTestServer(
    { STEPWISE_PROTOCOL: 'hackney', STEPWISE_TEAMS: 'local' },
    { outboxIntervalMs: 50 },
  );
}, 60_000);

afterAll(async () => {
  await server?.close();
  await connector?.close();
});

/** An activity as Teams sends it, from a person in a conversation. */
const activity = (from: string, conversation: TeamsConversation, extra: Record<string, unknown>) =>
  teamsActivity(
    connector.url,
    { id: `29:1${from}`, name: from, aadObjectId: `aad-${from}` },
    conversation,
    extra,
  );
const inChannel = (id: string) => ({ id, conversationType: 'channel' as const });
/** A person added to the directory while the server runs (as `stepwise directory load` would). */
const addPerson = async (data: {
  id: string;
  name: string;
  teamId: string;
  roles: string[];
  email: string;
  teamsUser?: string;
}) => {
  await server.app.db.prisma.person.create({ data });
  await server.app.reloadDirectory();
};
const personal = (who: string) => ({ id: `a:personal-${who}`, conversationType: 'personal' as const });

const post = (body: unknown, headers: Record<string, string> = {}) => postActivity(server.url, body, headers);

/** A direct message to Mo handed straight to the Teams sender, as the outbox would (one attempt). */
const directMessageToMo = async (id: string, transferId: string, text: string) => {
  if (!server.teams) throw new Error('Teams is not configured');
  await server.teams.sender.send({
    id,
    idempotencyKey: `test:${id}`,
    transferId,
    kind: 'dm',
    target: { personId: 'mo' },
    payload: { text },
    attempts: 1,
  });
};

const invoke = (from: string, conversation: Parameters<typeof activity>[1], name: string, value: unknown) =>
  post(activity(from, conversation, { type: 'invoke', name, value }));

/** An outbox message the Teams sender gave up on (as it does when nobody and nothing can be reached). */
const failedMessage = (id: string, target: Record<string, string | boolean>, kind: string) => ({
  id,
  idempotencyKey: `test:${id}`,
  kind,
  target,
  payload: { text: `Kept ${id}.` },
  status: 'failed',
  attempts: 1,
  lastError: 'no Teams conversation',
  nextAttemptAt: new Date(),
  createdAt: new Date(),
});

describe('Teams: the bot on POST /api/messages', () => {
  it('is installed in two channels and a personal chat, and says so in each', async () => {
    for (const [channel, member] of [
      [channels.mash, 'mo'],
      [channels.tehs, 'eve'],
    ] as const) {
      const res = await post(
        activity(member, inChannel(channel), {
          type: 'conversationUpdate',
          membersAdded: [bot],
          channelData: { tenant: { id: 'tenant-1' }, team: { id: channel }, eventType: 'teamMemberAdded' },
        }),
      );
      expect(res.status).toBe(200);
    }
    expect(
      (await post(activity('eve', personal('eve'), { type: 'conversationUpdate', membersAdded: [bot] })))
        .status,
    ).toBe(200);
    const said = await connector.waitFor('the installation message in MASH', (c) =>
      String(c.activity.text).startsWith("Stepwise is installed. This channel is MASH's"),
    );
    expect(said.conversation).toBe(channels.mash);
    await connector.waitFor(
      'the welcome in Eve’s chat',
      (c) => c.conversation === personal('eve').id && String(c.activity.text).startsWith('Hello Eve'),
    );
  });

  it('a practitioner starts a step-up with the command and sends it from the dialog; the card reaches MASH', async () => {
    await post(activity('eve', personal('eve'), { type: 'message', text: 'stepup' }));
    const reply = await connector.waitFor(
      'the route chooser',
      (c) => c.conversation === personal('eve').id && Boolean(c.activity.attachments),
    );
    const buttons = cardButtons(reply.activity);
    const button = buttons.find((b) => b.data.routeId === 'to-statutory' && b.data.msteams);
    // The dialog's button stays an Action.Submit; "Fill in here" is a Universal Action.
    expect(button?.type).toBe('Action.Submit');
    expect(buttons.find((b) => b.data.routeId === 'to-statutory' && b.verb === 'open_request')?.type).toBe(
      'Action.Execute',
    );
    expect(button?.data.msteams).toEqual({ type: 'task/fetch' });

    const fetched = await invoke('eve', personal('eve'), 'task/fetch', { data: button?.data });
    expect(fetched.status).toBe(200);
    const task = (fetched.json as { task: { type: string; value: { card: { content: unknown } } } }).task;
    expect(task.type).toBe('continue');
    const form = task.value.card.content;
    const answers = Object.fromEntries(
      Object.entries({ ...answersForCard(form), 'request.confirm_warnings': 'true' }).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.join(',') : v,
      ]),
    );
    const submitted = await invoke('eve', personal('eve'), 'task/submit', {
      data: { action: 'start', routeId: 'to-statutory', ...answers },
    });
    const done = (submitted.json as { task: { type: string; value: string } }).task;
    expect(done.type).toBe('message');
    expect(done.value).toMatch(/^SW-\d{6} was sent to MASH\./);
    const ref = /SW-\d{6}/.exec(done.value)?.[0] as string;

    const card = await connector.waitFor(
      'the request card in MASH',
      (c) =>
        c.kind === 'send' &&
        c.conversation === channels.mash &&
        JSON.stringify(c.activity).includes(`${ref} · Step-up request`),
    );
    const content = (card.activity.attachments as { content: Record<string, unknown> }[])[0]
      ?.content as Record<string, unknown>;
    // Everyone sees the status; the refresh lists the two teams' people (deciders and the sending side first),
    // each of whom gets the card as they may act on it.
    expect(JSON.stringify(content)).not.toContain('Action.Execute","title":"Accept"');
    const refresh = content.refresh as { userIds: string[]; action: { verb: string } };
    expect(refresh.action.verb).toBe('refresh');
    expect(refresh.userIds).toEqual(expect.arrayContaining(['29:1mo', '29:1eve']));
    expect(refresh.userIds).toContain('29:1mia');
    expect(refresh.userIds).not.toContain('29:1tess'); // a school, neither side
    expect(Buffer.byteLength(JSON.stringify(content))).toBeLessThan(28 * 1024);
    // Eve hears about it in her personal chat.
    await connector.waitFor(
      'Eve’s message',
      (c) =>
        c.conversation === personal('eve').id && String(c.activity.text).includes(`${ref} was sent to MASH`),
    );

    // Mo's client refreshes the card: he sees Accept as a Universal Action with its Submit fallback.
    const t = await server.app.store.find(ref);
    const refreshed = await invoke('mo', inChannel(channels.mash), 'adaptiveCard/action', {
      action: { type: 'Action.Execute', verb: 'refresh', data: { action: 'refresh', transferId: t?.id } },
    });
    const mine = (refreshed.json as { value: { actions: Record<string, unknown>[] } }).value;
    const accept = mine.actions.find((a) => a.title === 'Accept');
    expect(accept).toMatchObject({
      type: 'Action.Execute',
      verb: 'accept',
      fallback: { type: 'Action.Submit' },
    });
    // Mia (a practitioner, not a decider) gets the status only.
    const hers = await invoke('mia', inChannel(channels.mash), 'adaptiveCard/action', {
      action: { type: 'Action.Execute', verb: 'refresh', data: { action: 'refresh', transferId: t?.id } },
    });
    expect((hers.json as { value: { actions?: unknown[] } }).value.actions ?? []).toEqual([]);

    // Mo presses Accept: the answer is his card as it now is, and the channel's card is updated in place.
    const pressed = await invoke('mo', inChannel(channels.mash), 'adaptiveCard/action', {
      action: { type: 'Action.Execute', verb: 'accept', data: accept?.data },
    });
    expect(JSON.stringify(pressed.json)).toContain('accepted, waiting for allocation');
    const update = await connector.waitFor(
      'the card updated in place',
      (c) => c.kind === 'update' && c.activityId === card.id,
    );
    expect(JSON.stringify(update.activity)).toContain('accepted, waiting for allocation');
    expect((await server.app.store.find(ref))?.state).toBe('accepted');

    // A second press on the old card changes nothing and says why.
    const again = await invoke('mark', inChannel(channels.mash), 'adaptiveCard/action', {
      action: { type: 'Action.Execute', verb: 'accept', data: accept?.data },
    });
    expect(again.json).toMatchObject({ type: 'application/vnd.microsoft.activity.message' });
    expect(String((again.json as { value: string }).value)).toMatch(/^This request has changed|^Only /);
  });

  it('where dialogs are not available, “Fill in here” turns the card into the form and sends it', async () => {
    const opened = await invoke('eve', personal('eve'), 'adaptiveCard/action', {
      action: {
        type: 'Action.Execute',
        verb: 'open_request',
        data: { action: 'open_request', routeId: 'to-statutory' },
      },
    });
    const form = (opened.json as { value: { actions: { type: string; verb?: string }[] } }).value;
    expect(form.actions.at(-1)).toMatchObject({ type: 'Action.Execute', verb: 'start' });
    const answers = Object.fromEntries(
      Object.entries({ ...answersForCard(form), 'request.confirm_warnings': 'true' }).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.join(',') : v,
      ]),
    );
    const sent = await invoke('eve', personal('eve'), 'adaptiveCard/action', {
      action: {
        type: 'Action.Execute',
        verb: 'start',
        data: { action: 'start', routeId: 'to-statutory', ...answers },
      },
    });
    expect(JSON.stringify(sent.json)).toMatch(/SW-\d{6} was sent to MASH\./);
    // A form with a mistake comes back with it, still in the card.
    const bad = await invoke('eve', personal('eve'), 'adaptiveCard/action', {
      action: {
        type: 'Action.Execute',
        verb: 'start',
        data: { action: 'start', routeId: 'to-statutory', child_name: 'A' },
      },
    });
    expect((bad.json as { type: string }).type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(bad.json)).toContain('child_dob');
  });

  it('a meeting invite reaches a participant’s chat with the meeting’s card (Teams bots cannot hand over an .ics file)', async () => {
    const w = server.app.workflow;
    const started = await w.start(stepUpToMash(), new Date());
    await w.accept({ actor: { personId: 'mo', surface: 'teams' }, ref: started.ref }, new Date());
    const t = await w.allocate(
      { actor: { personId: 'mo', surface: 'teams' }, ref: started.ref, workerId: 'mia', level: 'tier-3' },
      new Date(),
    );
    const meeting: MeetingRow | undefined = (await server.app.store.meetings(t.id))[0];
    if (!meeting) throw new Error('the allocation made no meeting');
    await server.teams?.sender.send({
      id: 'invite-1',
      idempotencyKey: 'test:invite-eve',
      transferId: t.id,
      kind: 'invite',
      target: { personId: 'eve' },
      payload: {
        meetingId: meeting.id,
        meetingKey: meeting.meetingKey,
        label: meeting.label,
        at: '2026-12-01T10:00:00.000Z',
        minutes: 60,
        sequence: 0,
        attendees: [{ name: 'Eve Castillo', email: 'eve.castillo@example.gov.uk' }],
        text: `${t.ref}: an invite for the ${meeting.label}, 2026-12-01 10:00.`,
      },
      attempts: 1,
    });
    const sent = await connector.waitFor('the invite', (c) =>
      String(c.activity.text).includes(`an invite for the ${meeting.label}`),
    );
    expect(sent.conversation).toBe(personal('eve').id);
    const attachments = sent.activity.attachments as { contentType: string; content?: unknown }[];
    expect(attachments.map((a) => a.contentType)).toEqual(['application/vnd.microsoft.card.adaptive']);
    expect(JSON.stringify(attachments[0]?.content)).toContain(meeting.label);
    expect(JSON.stringify(attachments[0]?.content)).toContain(t.ref);
  });

  it('installed in a team, every channel is remembered: a directory team whose channel is not the one installed in gets its posts', async () => {
    // Children's Social Care's channel (the directory's teams_channel) is not the team's General channel.
    const general = '19:csc-general@thread.tacv2';
    const csc = '19:csc-hackney@thread.tacv2';
    connector.channels.set(general, [
      { id: general, name: 'General' },
      { id: csc, name: 'Step-up requests' },
    ]);
    await post(
      activity('mo', inChannel(general), {
        type: 'conversationUpdate',
        membersAdded: [bot],
        channelData: { tenant: { id: 'tenant-1' }, team: { id: general }, eventType: 'teamMemberAdded' },
      }),
    );
    const said = await connector.waitFor('the installation message', (c) => c.conversation === general);
    const cscName = server.app.workflow.directory.team('csc')?.name as string;
    expect(String(said.activity.text)).toContain(`Requests to ${cscName} are posted in their own channels`);
    await server.teams?.sender.send({
      id: 'to-csc',
      idempotencyKey: 'test:to-csc',
      transferId: null,
      kind: 'team',
      target: { teamId: 'csc' },
      payload: { text: 'A message for the CSC channel.' },
      attempts: 1,
    });
    const posted = await connector.waitFor('the post in CSC’s channel', (c) =>
      String(c.activity.text).startsWith('A message for the CSC channel.'),
    );
    expect(posted.conversation).toBe(csc);
  });

  it('an admin links a channel the directory does not name; anyone else is refused', async () => {
    // Typed as a new post in the channel: Teams gives its conversation the post's own thread.
    const room = '19:school-duty-room@thread.tacv2';
    const other = inChannel(`${room};messageid=1700000000001`);
    // A message for the school that failed for want of a channel: the link sends it.
    await server.app.db.prisma.outbox.create({
      data: failedMessage('for-school', { teamId: 'school' }, 'team'),
    });
    await post(activity('mo', other, { type: 'message', text: '<at>Stepwise</at> link school' }));
    await connector.waitFor(
      'the refusal',
      (c) => c.conversation === other.id && String(c.activity.text).startsWith('Only a Stepwise admin'),
    );
    await post(activity('ada', other, { type: 'message', text: '<at>Stepwise</at> link school' }));
    const linked = await connector.waitFor(
      'the link',
      (c) =>
        c.conversation === other.id && String(c.activity.text).startsWith('This channel is now linked to'),
    );
    expect(String(linked.activity.text)).toMatch(
      /\. 1 message\(s\) that could not be delivered before are being sent now\.$/,
    );
    // What is posted for the school later is a new post in the channel, not a reply under the link command.
    const kept = await connector.waitFor(
      'the message kept for the school',
      (c) => c.kind === 'send' && String(c.activity.text) === 'Kept for-school.',
    );
    expect(kept.conversation).toBe(room);
    const saved = await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.team:school' } });
    expect((saved?.value as { conversation?: { id?: string } } | undefined)?.conversation?.id).toBe(room);
    expect(server.app.workflow.directory.team('school')?.teamsChannel).toBe(room);
  });

  it('an admin links the escalation channel, which gets the ladder’s posts that had nowhere to go', async () => {
    const room = inChannel('19:escalations-hackney@thread.tacv2;messageid=1700000000002');
    await server.app.db.prisma.outbox.create({
      data: failedMessage('for-escalation', { escalation: true }, 'escalation'),
    });
    await post(activity('ada', room, { type: 'message', text: '<at>Stepwise</at> link escalation' }));
    const linked = await connector.waitFor('the escalation link', (c) => c.conversation === room.id);
    expect(String(linked.activity.text)).toMatch(
      /^This channel is now the escalation channel: .*\. \d+ message\(s\) that could not be delivered before are being sent now\.$/,
    );
    const kept = await connector.waitFor(
      'the escalation kept',
      (c) => c.kind === 'send' && String(c.activity.text) === 'Kept for-escalation.',
    );
    expect(kept.conversation).toBe('19:escalations-hackney@thread.tacv2');
  });

  it('a channel created after the install is remembered, and a directory team whose channel it is gets its posts', async () => {
    const room = '19:created-later@thread.tacv2';
    await server.app.db.prisma.team.create({
      data: { id: 'later', service: 'universal', name: 'A later team', teamsChannel: room },
    });
    await server.app.reloadDirectory();
    await server.app.db.prisma.outbox.create({
      data: failedMessage('for-later', { teamId: 'later' }, 'team'),
    });
    await post(
      activity('ada', inChannel(channels.mash), {
        type: 'conversationUpdate',
        channelData: {
          eventType: 'channelCreated',
          channel: { id: room, name: 'Later' },
          team: { id: channels.mash },
        },
      }),
    );
    const kept = await connector.waitFor(
      'the message kept for the later team',
      (c) => String(c.activity.text) === 'Kept for-later.',
    );
    expect(kept.conversation).toBe(room);
    const saved = await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.team:later' } });
    expect((saved?.value as { conversation?: { id?: string } } | undefined)?.conversation?.id).toBe(room);
  });

  it('added to a group chat, it says what it does there (no channel to link)', async () => {
    const chat = { id: '19:group-chat-1@thread.v2', conversationType: 'groupChat' as const };
    await post(activity('mo', chat, { type: 'installationUpdate', action: 'add' }));
    const said = await connector.waitFor('the group chat welcome', (c) => c.conversation === chat.id);
    expect(String(said.activity.text)).toBe(
      'Stepwise is added to this chat. Type help to see the commands. Requests are posted in the teams’ own channels, and direct messages go to each person’s chat with Stepwise.',
    );
  });

  it('one install told twice, and every upgrade, welcome once; removed and added again, welcome again', async () => {
    const chat = personal('nina');
    const welcomes = () =>
      connector.calls.filter(
        (c) => c.conversation === chat.id && String(c.activity.text).startsWith('Hello '),
      );
    await post(activity('mo', chat, { type: 'conversationUpdate', membersAdded: [bot] }));
    await post(activity('mo', chat, { type: 'installationUpdate', action: 'add' }));
    await connector.waitFor('the welcome', (c) => c.conversation === chat.id);
    await post(activity('mo', chat, { type: 'installationUpdate', action: 'add-upgrade' }));
    await outboxSettled(server);
    expect(welcomes()).toHaveLength(1);
    expect(
      await server.app.db.prisma.setting.findUnique({ where: { key: `teams.ref.conversation:${chat.id}` } }),
    ).not.toBeNull();
    await post(activity('mo', chat, { type: 'installationUpdate', action: 'remove' }));
    expect(
      await server.app.db.prisma.setting.findUnique({ where: { key: `teams.ref.conversation:${chat.id}` } }),
    ).toBeNull();
    await post(activity('mo', chat, { type: 'installationUpdate', action: 'add' }));
    await outboxSettled(server);
    expect(welcomes()).toHaveLength(2);
    // Removed again: Mo's direct messages no longer go to this chat.
    await post(activity('mo', chat, { type: 'installationUpdate', action: 'remove' }));
    expect(
      await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.person:mo' } }),
    ).toBeNull();
  });

  it('a person who installs the app gets the direct messages that could not reach them before', async () => {
    await server.app.db.prisma.outbox.create({ data: failedMessage('for-dan', { personId: 'dan' }, 'dm') });
    await post(activity('dan', personal('dan'), { type: 'conversationUpdate', membersAdded: [bot] }));
    const welcome = await connector.waitFor(
      'the welcome in Dan’s chat',
      (c) => c.conversation === personal('dan').id,
    );
    expect(String(welcome.activity.text)).toMatch(
      /^Hello .*\. 1 message\(s\) that could not be delivered before are being sent now\.$/,
    );
    await connector.waitFor(
      'the message kept for Dan',
      (c) => c.conversation === personal('dan').id && String(c.activity.text) === 'Kept for-dan.',
    );
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health.outbox).toEqual({ waiting: expect.any(Number), sent: expect.any(Number), failed: 0 });
  });

  it('someone the directory knows by Entra object id is remembered by their Teams user id, which cards refresh for', async () => {
    await addPerson({
      id: 'olu',
      name: 'Olu Object',
      teamId: 'mash',
      roles: ['team_manager'],
      email: 'olu@example.gov.uk',
      teamsUser: '6f1c2a0e-0000-4000-8000-00000000abcd',
    });
    await post({
      ...activity('x', personal('olu'), { type: 'message', text: 'transfer list' }),
      from: { id: '29:1olu', name: 'Olu', aadObjectId: '6f1c2a0e-0000-4000-8000-00000000abcd' },
    });
    const reply = await connector.waitFor('Olu’s list', (c) => c.conversation === personal('olu').id);
    expect(String(reply.activity.text ?? '')).not.toContain('not in the Stepwise directory');
    expect(server.app.workflow.directory.person('olu')?.teamsUser).toBe('29:1olu');
    // A new request's channel card now refreshes for Olu, a MASH decider.
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const card = await connector.waitFor(
      'the card for MASH',
      (c) => c.conversation === channels.mash && JSON.stringify(c.activity).includes(t.ref),
    );
    const refresh = (card.activity.attachments as { content: { refresh?: { userIds?: string[] } } }[])[0]
      ?.content.refresh;
    expect(refresh?.userIds).toContain('29:1olu');
    expect(refresh?.userIds?.every((id) => id.startsWith('29:'))).toBe(true);
  });

  it('someone whose Teams id the directory lacks is matched by the e-mail Teams gives, and remembered', async () => {
    // A person added to the directory with an e-mail address and no Teams id.
    await addPerson({
      id: 'nell',
      name: 'Nell New',
      teamId: 'hub',
      roles: ['practitioner'],
      email: 'nell.new@example.gov.uk',
    });
    connector.members.set('29:hana-new-device', { name: 'Nell', email: 'NELL.NEW@example.gov.uk' });
    await post({
      ...activity('x', personal('hana-new'), { type: 'message', text: 'transfer list' }),
      from: { id: '29:hana-new-device', name: 'Hana' },
    });
    const reply = await connector.waitFor('Nell’s list', (c) => c.conversation === personal('hana-new').id);
    expect(String(reply.activity.text ?? '')).not.toContain('not in the Stepwise directory');
    expect(server.app.workflow.directory.person('nell')?.teamsUser).toBe('29:hana-new-device');
    // Someone Teams cannot describe is told they are not in the directory.
    await post({
      ...activity('x', personal('stranger'), { type: 'message', text: 'transfer list' }),
      from: { id: '29:stranger', name: 'Stranger' },
    });
    const refused = await connector.waitFor(
      'the stranger’s answer',
      (c) => c.conversation === personal('stranger').id,
    );
    expect(String(refused.activity.text)).toMatch(/^You are not in the Stepwise directory/);
    // When Teams cannot answer the lookup, they are told to try again, not that they are unknown.
    connector.members.set('29:busy', { name: 'Busy', status: 503 });
    await post({
      ...activity('x', personal('busy'), { type: 'message', text: 'transfer list' }),
      from: { id: '29:busy', name: 'Busy' },
    });
    const later = await connector.waitFor(
      'the busy lookup’s answer',
      (c) => c.conversation === personal('busy').id,
    );
    expect(String(later.activity.text)).toMatch(/^Stepwise could not check who you are with Teams just now/);
  });

  it('a manager without a personal install is @mentioned in their team’s channel, without the message’s words, where Teams will not open a chat', async () => {
    const [t] = await server.app.store.list({ limit: 1 });
    if (!t) throw new Error('no request yet');
    connector.refuseChats = true;
    const rationale = 'Rationale: the mother told us about the new partner on Tuesday.';
    await directMessageToMo('ping-1', t.id, `${t.ref}: the disagreement was resolved. ${rationale}`);
    const ping = await connector.waitFor('the @mention', (c) =>
      String(c.activity.text).startsWith('<at>Mo Haddad</at>'),
    );
    expect(ping.conversation).toBe(channels.mash);
    expect(ping.activity.text).toBe(
      `<at>Mo Haddad</at> ${t.ref}: Stepwise has a direct message for you. Add the Stepwise app to your own chats to read it there.`,
    );
    expect(JSON.stringify(ping.activity)).not.toContain('new partner');
    expect(JSON.stringify(ping.activity)).toContain(`${t.ref} · Step-up request`);
    expect(ping.activity.entities).toEqual([
      { type: 'mention', text: '<at>Mo Haddad</at>', mentioned: { id: '29:1mo', name: 'Mo Haddad' } },
    ]);
  });

  it('where Teams allows it, the bot opens a chat with someone who never installed the app and sends the words there', async () => {
    const [t] = await server.app.store.list({ limit: 1 });
    if (!t) throw new Error('no request yet');
    connector.refuseChats = false;
    const rationale = 'Rationale: the school confirmed the attendance figures on Monday.';
    await directMessageToMo('ping-2', t.id, `${t.ref}: the disagreement was resolved. ${rationale}`);
    const opened = await connector.waitFor('the chat opened', (c) => c.kind === 'create');
    expect(opened.activity).toMatchObject({
      isGroup: false,
      members: [{ id: '29:1mo' }],
      tenantId: 'tenant-1',
      bot: { id: bot.id },
    });
    const dm = await connector.waitFor(
      'the message in the new chat',
      (c) => c.kind === 'send' && c.conversation === opened.id,
    );
    expect(String(dm.activity.text)).toContain(rationale);
    // The chat is remembered: the next message goes straight there.
    const saved = await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.person:mo' } });
    expect((saved?.value as { conversation?: { id?: string } } | undefined)?.conversation?.id).toBe(
      opened.id,
    );
    // A send Teams fails goes back to the outbox to be retried: it is neither lost nor answered in the chat.
    connector.failNext(500, 1);
    const before = connector.calls.length;
    await expect(directMessageToMo('ping-3', t.id, `${t.ref}: a reminder.`)).rejects.toBeInstanceOf(
      RetryableSendError,
    );
    expect(connector.calls.slice(before)).toEqual([]);
    expect(connector.calls.some((c) => String(c.activity.text).includes('The agent encountered'))).toBe(
      false,
    );
  });

  it('transfer status in a channel leaves out the decision’s words; in a personal chat they are shown', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const question = 'Has the school shared the attendance record since September?';
    await server.app.workflow.requestInfo(
      { actor: { personId: 'mo', surface: 'teams' }, ref: t.id, expectedVersion: t.version, question },
      new Date(),
    );
    const ask = async (conversation: { id: string; conversationType: 'channel' | 'personal' }) => {
      const before = connector.calls.length;
      await post(
        activity('mo', conversation, { type: 'message', text: `<at>Stepwise</at> transfer status ${t.ref}` }),
      );
      return connector.waitFor(
        `the status in ${conversation.id}`,
        (c) =>
          connector.calls.indexOf(c) >= before &&
          c.conversation === conversation.id &&
          Boolean(c.activity.attachments),
      );
    };
    const inMash = await ask(inChannel(channels.mash));
    expect(JSON.stringify(inMash.activity)).toContain(t.ref);
    expect(JSON.stringify(inMash.activity)).not.toContain('attendance record');
    const inChat = await ask(personal('mo'));
    expect(JSON.stringify(inChat.activity)).toContain('attendance record');
    // Mo had never installed the app for himself: writing to it is enough for his direct messages to find him.
    const saved = await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.person:mo' } });
    expect((saved?.value as { conversation?: { id?: string } } | undefined)?.conversation?.id).toBe(
      personal('mo').id,
    );
  });

  it('a decision form sent with a problem comes back in the dialog, filled in, with the problem on top', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const open = { action: 'open_form', form: 'request-info', transferId: t.id, version: t.version };
    const fetched = await invoke('mo', inChannel(channels.mash), 'task/fetch', { data: open });
    expect((fetched.json as { task: { type: string } }).task.type).toBe('continue');
    const question = `Which school? ${'x'.repeat(3000)}`;
    const sent = await invoke('mo', inChannel(channels.mash), 'task/submit', {
      data: {
        action: 'request_info',
        transferId: t.id,
        version: t.version,
        'request_info.question': question,
      },
    });
    const task = (
      sent.json as { task: { type: string; value: { card: { content: Record<string, unknown> } } } }
    ).task;
    expect(task.type).toBe('continue');
    const card = task.value.card.content as { body: Record<string, unknown>[] };
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: expect.stringMatching(/too long/) });
    const input = JSON.stringify(card).includes(JSON.stringify(question));
    expect(input).toBe(true);
    expect((await server.app.store.find(t.id))?.state).toBe('submitted');
  });

  it('link works only in a channel, and help says how to link in Teams', async () => {
    const before = connector.calls.length;
    await post(activity('ada', personal('ada'), { type: 'message', text: 'link school' }));
    const refused = await connector.waitFor(
      'the refusal',
      (c) => connector.calls.indexOf(c) >= before && c.conversation === personal('ada').id,
    );
    expect(String(refused.activity.text)).toMatch(/^Link from the team channel itself/);
    expect(server.app.workflow.directory.team('school')?.teamsChannel).not.toBe(personal('ada').id);
    await post(activity('ada', personal('ada'), { type: 'message', text: 'help' }));
    const help = await connector.waitFor(
      'the help',
      (c) => c.conversation === personal('ada').id && String(c.activity.text).includes('Stepwise commands'),
    );
    expect(String(help.activity.text)).toContain('`@Stepwise link <team id>`');
    expect(String(help.activity.text)).not.toContain('/');
  });

  it('a chat that is gone (404) is forgotten, and the person is reached as if they had never installed the app', async () => {
    const [t] = await server.app.store.list({ limit: 1 });
    if (!t) throw new Error('no request yet');
    connector.refuseChats = false;
    await outboxSettled(server);
    const before = connector.calls.length;
    connector.failNext(404, 1);
    await directMessageToMo('gone-1', t.id, `${t.ref}: after the chat went.`);
    const later = connector.calls.slice(before);
    expect(later.map((c) => c.kind)).toEqual(['create', 'send']);
    expect(later[1]?.activity.text).toBe(`${t.ref}: after the chat went.`);
  });

  it('a request form sent from the dialog with problems comes back in the dialog, filled in, with the problems', async () => {
    const submitted = await invoke('eve', personal('eve'), 'task/submit', {
      data: { action: 'start', routeId: 'to-statutory', child_name: 'Zoe Dialog' },
    });
    const task = (submitted.json as { task: { type: string; value: { card: { content: unknown } } } }).task;
    expect(task.type).toBe('continue');
    const form = JSON.stringify(task.value.card.content);
    expect(form).toContain('Zoe Dialog');
    expect(form).toContain('child_dob');
    expect(
      await server.app.db.prisma.transfer.count({
        where: { form: { path: ['child_name'], equals: 'Zoe Dialog' } },
      }),
    ).toBe(0);
  });

  /** A transfer command typed in Eve's chat, its dialog opened and sent with `inputs`: the dialog's last answer. */
  const throughDialog = async (command: string, inputs: Record<string, string>) => {
    const seen = connector.calls.length;
    await post(activity('eve', personal('eve'), { type: 'message', text: command }));
    // The reply with the form's button (the outbox may be sending Eve other cards meanwhile: a decision's DM).
    const form = command.split(' ')[1] as string;
    const offer = await connector.waitFor(
      `the button for ${command}`,
      (c) =>
        connector.calls.indexOf(c) >= seen &&
        c.conversation === personal('eve').id &&
        cardButtons(c.activity).some((b) => b.data.msteams && b.data.form === form),
    );
    const button = cardButtons(offer.activity).find((b) => b.data.msteams && b.data.form === form);
    const fetched = await invoke('eve', personal('eve'), 'task/fetch', { data: button?.data });
    expect((fetched.json as { task: { type: string } }).task.type).toBe('continue');
    const { msteams: _dialog, ...data } = button?.data ?? {};
    const sent = await invoke('eve', personal('eve'), 'task/submit', {
      data: { ...data, action: data.form, ...inputs },
    });
    return (sent.json as { task: { type: string; value: unknown } }).task;
  };

  it('transfer withdraw, typed in a personal chat, opens its form in a dialog and withdraws the request', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const done = await throughDialog(`transfer withdraw ${t.ref}`, {
      'withdraw.reason': 'The family moved out of the borough.',
    });
    expect(done).toEqual({ type: 'message', value: `Done: ${t.ref} is updated.` });
    expect((await server.app.store.find(t.id))?.state).toBe('withdrawn');
  });

  it('a disputed decline climbs the ladder: a manager with the app gets a direct message, one without an @mention in the channel', async () => {
    await post(activity('ella', personal('ella'), { type: 'installationUpdate', action: 'add' }));
    // Mo has no chat with the bot (any he had is forgotten), and Teams will not open one.
    await server.app.db.prisma.setting.deleteMany({ where: { key: 'teams.ref.person:mo' } });
    connector.refuseChats = true;
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const declined = await server.app.workflow.decline(
      {
        actor: { personId: 'mo', surface: 'teams' },
        ref: t.id,
        expectedVersion: t.version,
        reason: 'threshold-not-met',
      },
      new Date(),
    );
    const reason = 'The school has new evidence of neglect at home since the decision.';
    const done = await throughDialog(`transfer dispute ${t.ref}`, { 'dispute.reason': reason });
    expect(done).toEqual({ type: 'message', value: `Done: ${t.ref} is updated.` });
    try {
      expect((await server.app.store.find(t.id))?.version).toBeGreaterThan(declined.version);
      // The ladder's first stage: the team managers of both sides are pinged.
      const dm = await connector.waitFor(
        'Ella’s direct message',
        (c) =>
          c.conversation === personal('ella').id &&
          String(c.activity.text).startsWith(`${t.ref} disagreement, stage 1 of`),
      );
      expect(dm.kind).toBe('send');
      const mention = await connector.waitFor(
        'Mo’s @mention in MASH',
        (c) =>
          c.conversation === channels.mash &&
          String(c.activity.text).startsWith(`<at>Mo Haddad</at> ${t.ref}: Stepwise has a direct message`),
      );
      expect(JSON.stringify(mention.activity)).not.toContain(reason);
    } finally {
      connector.refuseChats = false;
    }
  });

  it('a chat Teams opens but then refuses to post into: the person gets the @mention, and the chat is not kept', async () => {
    await server.app.db.prisma.setting.deleteMany({ where: { key: 'teams.ref.person:mo' } });
    connector.refuseChatPosts = true;
    try {
      const t = await server.app.workflow.start(stepUpToMash(), new Date());
      await server.app.workflow.decline(
        {
          actor: { personId: 'mo', surface: 'teams' },
          ref: t.id,
          expectedVersion: t.version,
          reason: 'threshold-not-met',
        },
        new Date(),
      );
      await server.app.workflow.dispute(
        {
          actor: { personId: 'eve', surface: 'teams' },
          ref: t.ref,
          reason: 'New evidence of neglect at home since then.',
        },
        new Date(),
      );
      await connector.waitFor(
        'a chat opened for Mo',
        (c) => c.kind === 'create' && c.conversation === 'a:chat-29:1mo',
      );
      await connector.waitFor(
        'Mo’s @mention in MASH',
        (c) =>
          c.conversation === channels.mash &&
          String(c.activity.text).startsWith(`<at>Mo Haddad</at> ${t.ref}: Stepwise has a direct message`),
      );
      expect(
        await server.app.db.prisma.setting.findUnique({ where: { key: 'teams.ref.person:mo' } }),
      ).toBeNull();
    } finally {
      connector.refuseChatPosts = false;
    }
  });

  it('a card Teams posts without giving its id back is not retried, and the request’s other messages go', async () => {
    connector.noIdIn = channels.mash;
    try {
      const t = await server.app.workflow.start(stepUpToMash(), new Date());
      await transferMessagesDone(server, t.id);
      const cards = connector.calls.filter(
        (c) =>
          c.conversation === channels.mash &&
          c.kind === 'send' &&
          JSON.stringify(c.activity).includes(`${t.ref} ·`),
      );
      // Once for the card, and once more for the thread reply that hangs off it; never again on a retry.
      expect(cards.length).toBeGreaterThan(0);
      expect(cards.length).toBeLessThanOrEqual(2);
      const rows = await server.app.db.prisma.outbox.findMany({ where: { transferId: t.id } });
      expect(rows.find((r) => r.kind === 'card')).toMatchObject({
        status: 'failed',
        lastError: 'Teams posted the card but returned no activity id, so it cannot be updated in place',
      });
      expect(rows.filter((r) => r.kind === 'dm').every((r) => r.status === 'sent')).toBe(true);
    } finally {
      connector.noIdIn = null;
    }
  });

  it('malformed activities are a 400 and nothing breaks', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ text: 'no type' })).status).toBe(400);
    expect((await post([1, 2])).status).toBe(400);
    // Well-formed JSON with a field of the wrong shape: the activity is refused, saying which field.
    const base = activity('mo', inChannel(channels.mash), { type: 'message', text: 'help' });
    for (const wrong of [{ text: 12 }, { from: 'eve' }, { entities: 5 }, { membersAdded: 'x' }]) {
      const answer = await post({ ...base, ...wrong });
      expect(answer.status, JSON.stringify(wrong)).toBe(400);
      expect(String(answer.json?.error), JSON.stringify(wrong)).toMatch(
        new RegExp(`^the activity is not valid: ${Object.keys(wrong)[0]}\\b`),
      );
    }
    const unknown = await invoke('mo', inChannel(channels.mash), 'composeExtension/query', {});
    expect(unknown.status).toBe(501);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('a 429 from the connector is waited out and the message still arrives once', async () => {
    await outboxSettled(server);
    const before = connector.calls.length;
    const failedAtFirst = connector.failed;
    connector.failNext(429, 1);
    // The direct reply to a command is part of the turn: it waits out the 429 (Retry-After: 1 s) within the turn.
    const answered = await post(activity('eve', personal('eve'), { type: 'message', text: 'transfer list' }));
    expect(answered.status).toBe(200);
    expect(connector.failed).toBe(failedAtFirst + 1);
    const lists = connector.calls
      .slice(before)
      .filter((c) => c.conversation === personal('eve').id && Boolean(c.activity.attachments));
    expect(lists).toHaveLength(1);
    // A proactive message waits in the outbox instead.
    const t = await server.app.workflow.start(
      {
        actor: { personId: 'eve', surface: 'teams' },
        routeId: 'to-statutory',
        form: {
          child_name: 'Amy Jane Smith',
          child_dob: '2016-03-14',
          needs_and_concerns: 'Needs have risen because the support plan has not reduced the risks at home.',
          support_requested: 'A child in need assessment.',
        },
        consent: { status: 'given', givenBy: 'Mother', givenOn: '2026-11-20', lawfulBasis: 'consent' },
      },
      new Date(),
    );
    const failedBefore = connector.failed;
    connector.failNext(429, 1);
    await server.pump?.kick();
    await connector.waitFor(
      'the card after the 429',
      (c) => c.kind === 'send' && JSON.stringify(c.activity).includes(`${t.ref} · Step-up request`),
      15_000,
    );
    // The card's own message waits out its backoff (the thread's delivery posted the card meanwhile), then
    // finds the card already there: it is not posted twice.
    const written = await transferMessagesDone(server, t.id);
    const cards = connector.calls
      .slice(before)
      .filter(
        (c) =>
          c.kind === 'send' &&
          c.conversation === channels.mash &&
          JSON.stringify(c.activity).includes(`${t.ref} · Step-up request`),
      );
    expect(cards).toHaveLength(1);
    expect(connector.failed).toBe(failedBefore + 1);
    expect(written.every((r) => r.status === 'sent')).toBe(true);
    expect(written.find((r) => r.kind === 'card')?.attempts).toBe(2);
  }, 30_000);

  it('412, 502 and 504 from the connector are worth retrying, as 429 is; the retry is delivered once', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    for (const status of [412, 502, 504] as const) {
      const id = `retry-${status}`;
      await outboxSettled(server);
      connector.failNext(status, 1);
      await expect(directMessageToMo(id, t.id, `Try ${status}.`)).rejects.toBeInstanceOf(RetryableSendError);
      await directMessageToMo(id, t.id, `Try ${status}.`);
      expect(connector.calls.filter((c) => c.activity.text === `Try ${status}.`)).toHaveLength(1);
    }
  });

  it('a message over Teams’ 28 KB is refused for good and never sent', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const before = connector.calls.length;
    const huge = `${t.ref}: ${'a long message. '.repeat(2000)}`;
    await expect(directMessageToMo('too-big', t.id, huge)).rejects.toThrow(/bytes, over Teams' 28 KB limit/);
    await expect(directMessageToMo('too-big', t.id, huge)).rejects.not.toBeInstanceOf(RetryableSendError);
    expect(connector.calls.slice(before).filter((c) => c.activity.text === huge)).toEqual([]);
  });

  it('a client without Universal Actions presses the Submit fallback: it decides, the card changes, the channel gets one line', async () => {
    const t = await server.app.workflow.start(stepUpToMash(), new Date());
    const card = await connector.waitFor(
      `${t.ref}'s card in MASH`,
      (c) =>
        c.kind === 'send' && c.conversation === channels.mash && JSON.stringify(c.activity).includes(t.ref),
    );
    const refreshed = await invoke('mo', inChannel(channels.mash), 'adaptiveCard/action', {
      action: { type: 'Action.Execute', verb: 'refresh', data: { action: 'refresh', transferId: t.id } },
    });
    const accept = (
      refreshed.json as {
        value: { actions: { title: string; fallback: { data: Record<string, unknown> } }[] };
      }
    ).value.actions.find((a) => a.title === 'Accept');
    // What an older client sends for an Action.Submit: a message whose value is the button's data.
    const press = () =>
      post(
        activity('mo', inChannel(channels.mash), {
          type: 'message',
          replyToId: card.id,
          value: accept?.fallback.data,
        }),
      );
    expect((await press()).status).toBe(200);
    await connector.waitFor(
      'the line in the channel',
      (c) =>
        c.conversation.startsWith(channels.mash) &&
        c.activity.text === `${t.ref} is now accepted, waiting for allocation.`,
    );
    await connector.waitFor(
      'the card updated for everyone',
      (c) =>
        c.kind === 'update' &&
        c.activityId === card.id &&
        JSON.stringify(c.activity).includes('accepted, waiting'),
    );
    expect((await server.app.store.find(t.id))?.state).toBe('accepted');
    // The same old card pressed again: nothing changes, and it says why.
    await press();
    await connector.waitFor('the stale press answered', (c) =>
      String(c.activity.text).startsWith(`This request has changed: ${t.ref} was accepted by Mo`),
    );
    expect((await server.app.store.find(t.id))?.version).toBe(t.version + 1);
  });
});

describe('Teams: with an app id, only Bot Framework tokens get in', () => {
  const appId = '00000000-0000-4000-8000-000000000001';
  let secured: RunningServer;
  let entra: FakeEntra;
  beforeAll(async () => {
    entra = await startFakeEntra();
    secured = await startTestServer({
      STEPWISE_PROTOCOL: 'hackney',
      MICROSOFT_APP_ID: appId,
      MICROSOFT_APP_PASSWORD: 'not-a-real-secret',
      MICROSOFT_APP_AUTHORITY: entra.authority,
    });
  }, 60_000);
  afterAll(async () => {
    await secured?.close();
    await entra?.close();
  });

  /**
   * An activity whose replies come back in the HTTP answer (expectReplies, no serviceUrl), so the turn needs no
   * connector and no outbound token from Entra, which is not reachable here.
   */
  const expectingReplies = (from: string, extra: Record<string, unknown>) => {
    const { serviceUrl: _none, ...rest } = activity(from, personal(from), extra);
    return JSON.stringify({ ...rest, deliveryMode: 'expectReplies' });
  };
  const postSecured = (body: string, token?: string) =>
    fetch(`${secured.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });

  it('lets a validly signed token for this app id in: a command is answered, a press decides', async () => {
    const help = await postSecured(
      expectingReplies('eve', { type: 'message', text: 'help' }),
      entra.token({ aud: appId }),
    );
    expect(help.status).toBe(200);
    const replies = (await help.json()) as { activities: { text?: string }[] };
    expect(replies.activities.map((a) => a.text).join('\n')).toContain('*Stepwise commands*');

    const t = await secured.app.workflow.start(stepUpToMash(), new Date());
    const press = await postSecured(
      expectingReplies(
        'mo',
        executeAction('accept', { action: 'accept', transferId: t.id, version: t.version }),
      ),
      entra.token({ aud: appId }),
    );
    expect(press.status).toBe(200);
    expect(JSON.stringify(await press.json())).toContain('accepted, waiting for allocation');
    expect((await secured.app.store.find(t.id))?.state).toBe('accepted');
  });

  it('answers 401 to a token for another app, an expired one, and one signed with a key Entra did not publish', async () => {
    const body = expectingReplies('eve', { type: 'message', text: 'help' });
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      entra.token({ aud: '00000000-0000-4000-8000-00000000beef' }),
      entra.token({ aud: appId, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
      entra.token({ aud: appId }, { with: entra.strangerKey }),
    ])
      expect((await postSecured(body, token)).status).toBe(401);
  });

  it('checks the token before it reads the body: junk without a token is 401, not 400', async () => {
    expect((await postSecured('{not json')).status).toBe(401);
  });

  it('answers 401 without a token and with a forged one', async () => {
    const body = JSON.stringify(activity('eve', personal('eve'), { type: 'message', text: 'help' }));
    const none = await fetch(`${secured.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(none.status).toBe(401);
    const forged = await fetch(`${secured.url}/api/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.',
      },
      body,
    });
    expect(forged.status).toBe(401);
    expect(
      connector.calls.filter(
        (c) => c.conversation === personal('eve').id && String(c.activity.text).startsWith('*Stepwise'),
      ),
    ).toHaveLength(0);
  });
});
