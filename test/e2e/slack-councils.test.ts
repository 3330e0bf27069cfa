// End to end over HTTP, for each of the five councils: a practitioner starts a step-up and a step-down with the
// slash command, fills the route's form in the modal, and the receiving team decides on the card in its
// channel. Requests are signed exactly as Slack signs them; a fake Slack Web API on loopback records what
// Stepwise sends. The channel card never carries the child's name, date of birth or the narrative.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/directory.ts';
import type { Route } from '../../src/domain/profile.ts';
import { defaultDeciders } from '../../src/domain/roles.ts';
import { type ProfileName, profileNames } from '../../src/protocols/index.ts';
import { child, narrative, sendRequest } from '../support/slack-forms.ts';
import { blockText, SlackHarness } from '../support/slack-harness.ts';

/** The practitioner and the decider a route needs, with Slack accounts in the demo directory. */
function peopleFor(h: SlackHarness, route: Route): { requester: Person; decider: Person } | null {
  const d = h.directory;
  const requester = d.people.find(
    (p) =>
      p.slackUser &&
      p.roles.includes('practitioner') &&
      route.from.services.includes(d.team(p.teamId)?.service ?? ''),
  );
  if (!requester) return null;
  return { requester, decider: requester };
}

function deciderOf(h: SlackHarness, route: Route, teamId: string): Person {
  const p = h.directory.members(teamId, route.decision.deciders ?? defaultDeciders).find((x) => x.slackUser);
  if (!p) throw new Error(`${route.id}: no decider with a Slack account in ${teamId}`);
  return p;
}

function pickRoute(h: SlackHarness, command: 'stepup' | 'stepdown', kind: Route['kind']): Route {
  const route = h.profile.routes.find(
    (r) => r.command === command && r.kind === kind && r.decision.mode === 'decide' && peopleFor(h, r),
  );
  if (!route) throw new Error(`${h.profile.id}: no ${kind} route to test`);
  return route;
}

/** What must never appear in a channel message. */
function expectNoPersonalData(text: string) {
  expect(text).not.toContain(child.name);
  expect(text).not.toContain('Whitfield');
  expect(text).not.toContain(child.dob);
  expect(text).not.toContain('10 May 2016');
  expect(text).not.toContain(narrative);
  expect(text).not.toContain('CASE-12345');
}

async function fullFlow(h: SlackHarness, route: Route) {
  const people = peopleFor(h, route);
  if (!people) throw new Error(`${route.id}: no requester`);
  const { requester } = people;
  const extra = h.profile.evidence ? ` and the family is ${h.profile.evidence.vagueWords[0]}` : '';
  const { ref, warned } = await sendRequest(h, requester, route, extra);
  if (h.profile.evidence) expect(warned, 'the vague-word flag showed before the request was sent').toBe(true);
  const t = await h.server.app.store.find(ref);
  if (!t) throw new Error(`${ref} not stored`);
  expect(t.state).toBe('submitted');
  const team = h.directory.team(t.receivingTeamId);
  const channel = team?.slackChannel;
  if (!channel) throw new Error(`${t.receivingTeamId} has no channel`);

  // The card lands in the receiving team's channel, with the reference, initials and age band only.
  await h.fake.waitFor(
    'chat.postMessage',
    1,
    (c) => c.args.channel === channel && String(c.args.text).includes(ref),
  );
  let card = h.card(channel, ref);
  const text0 = blockText(card.blocks);
  expect(text0).toContain(ref);
  expect(text0).toContain('A.W.');
  expectNoPersonalData(`${card.text}\n${text0}`);

  // The requester gets a direct message with the reference.
  const dmChannel = `D${requester.slackUser?.slice(1)}`;
  await h.fake.waitFor(
    'chat.postMessage',
    1,
    (c) => c.args.channel === dmChannel && String(c.args.text).includes(`Your request ${ref}`),
  );
  // The thread keeps the history.
  await h.fake.waitFor(
    'chat.postMessage',
    1,
    (c) => c.args.thread_ts === card.ts && String(c.args.text).includes('was sent by'),
  );

  // A decider accepts on the card; the card is updated in place for everyone.
  const decider = deciderOf(h, route, t.receivingTeamId);
  expect((await h.press(decider, card, 'accept')).status).toBe(200);
  await h.waitForUpdate(channel, card.ts, 1);
  card = h.card(channel, ref);
  expect(blockText(card.blocks)).toMatch(/Accepted by/);
  expect(blockText(card.blocks)).toContain(decider.name);

  // Then allocates to a worker through the Allocate form.
  const form = await h.openForm(decider, card, 'allocate');
  const ack = await h.submit(decider, form, { 'allocate.workerId': decider.id });
  expect(ack?.response_action ?? 'closed').toBe('closed');
  await h.waitForUpdate(channel, card.ts, 2);
  card = h.card(channel, ref);
  const text2 = blockText(card.blocks);
  expect(text2).toMatch(/allocated/i);
  expectNoPersonalData(`${card.text}\n${text2}`);
  const after = await h.server.app.store.find(ref);
  expect(after?.state).toBe('allocated');
  expect(after?.allocation?.workerId).toBe(decider.id);

  // Every channel message Stepwise sent, cards and thread replies alike, is free of the child's details.
  for (const c of h.fake.callsTo('chat.postMessage').concat(h.fake.callsTo('chat.update'))) {
    if (String(c.args.channel).startsWith('D')) continue;
    expectNoPersonalData(`${String(c.args.text)}\n${blockText((c.args.blocks as unknown[]) ?? [])}`);
  }
  // And the audit trail says it came from Slack.
  const events = await h.server.app.db.prisma.auditEvent.findMany({ where: { transferId: t.id } });
  expect(events.map((e) => e.surface)).toEqual(events.map(() => 'slack'));
  expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['submit', 'accept', 'allocate']));
}

describe.each(profileNames as readonly ProfileName[])('Slack end to end for %s', (council) => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await SlackHarness.start(council);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a full step-up: /stepup, the form, the card in the receiving channel, accept and allocate', async () => {
    await fullFlow(h, pickRoute(h, 'stepup', 'step-up'));
  });

  it('a full step-down: /stepdown, the form, the card, accept and allocate', async () => {
    await fullFlow(h, pickRoute(h, 'stepdown', 'step-down'));
  });
});
