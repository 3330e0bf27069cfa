// Teams end to end for three councils: in Hackney and Manchester a practitioner sends a step-up and a step-down
// from the dialog, in Somerset a step-in (stepin); for each request the receiving team's decider accepts and
// allocates on the card in the channel, which is updated in place. Activities are shaped as Teams sends them; a
// fake Bot Connector on loopback records what the bot posts and updates. The channel card never carries the child's details.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../src/domain/directory.ts';
import type { Route } from '../../src/domain/profile.ts';
import { defaultDeciders } from '../../src/domain/roles.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { cardButtons, type FakeConnector, startFakeConnector } from '../support/fake-connector.ts';
import { child, narrative } from '../support/slack-forms.ts';
import {
  executeAction,
  postActivity,
  type TeamsConversation,
  teamsActivity,
  teamsBot,
} from '../support/teams-activities.ts';
import { startTestServer } from '../support/test-server.ts';
import { answersForCard } from '../support/workspace-browser.ts';

const bot = teamsBot;

describe.each(['hackney', 'manchester', 'somerset'] as const)(
  'Teams, %s: its requests end to end',
  (council) => {
    let server: RunningServer;
    let connector: FakeConnector;

    const directory = () => server.app.workflow.directory;
    const personalId = (p: Person) => `a:personal-${p.id}`;

    const activity = (from: Person, conversation: TeamsConversation, extra: Record<string, unknown>) =>
      teamsActivity(connector.url, { id: from.teamsUser ?? '', name: from.name }, conversation, extra);
    const post = (body: unknown) => postActivity(server.url, body);

    /** A Universal Action (a card's button) pressed by `who` in a conversation. */
    const execute = (
      who: Person,
      conversation: TeamsConversation,
      verb: string,
      data: Record<string, unknown> | undefined,
    ) => post(activity(who, conversation, executeAction(verb, data)));

    const channelOf = (teamId: string) => {
      const id = directory().team(teamId)?.teamsChannel;
      if (!id) throw new Error(`${teamId} has no Teams channel in the demo directory`);
      return { id, conversationType: 'channel' as const };
    };

    beforeAll(async () => {
      connector = await startFakeConnector();
      server = await startTestServer(
        { STEPWISE_PROTOCOL: council, STEPWISE_TEAMS: 'local' },
        { outboxIntervalMs: 50 },
      );
      // The app is added to every team's channel (the directory names each channel, so each links at once).
      for (const team of directory().teams) {
        const member = directory().members(team.id)[0];
        if (!member) continue;
        const res = await post(
          activity(member, channelOf(team.id), { type: 'conversationUpdate', membersAdded: [bot] }),
        );
        expect(res.status).toBe(200);
      }
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await connector?.close();
    });

    function pick(kind: Route['kind'], routeId?: string): { route: Route; requester: Person } {
      for (const route of server.app.profile.routes) {
        if (route.kind !== kind || route.decision.mode !== 'decide') continue;
        if (routeId && route.id !== routeId) continue;
        const requester = directory().people.find(
          (p) =>
            p.teamsUser &&
            p.roles.includes('practitioner') &&
            route.from.services.includes(directory().team(p.teamId)?.service ?? ''),
        );
        if (requester) return { route, requester };
      }
      throw new Error(`${council}: no ${kind} route to test`);
    }

    async function fullFlow(kind: Route['kind'], routeId?: string) {
      const { route, requester } = pick(kind, routeId);
      const chat = { id: personalId(requester), conversationType: 'personal' as const };
      await post(activity(requester, chat, { type: 'installationUpdate', action: 'add' }));

      // The command offers the routes; the route's button opens the form in a dialog.
      const seen = connector.calls.length;
      await post(activity(requester, chat, { type: 'message', text: route.command }));
      const chooser = await connector.waitFor(
        'the route chooser',
        (c) =>
          connector.calls.indexOf(c) >= seen && c.conversation === chat.id && Boolean(c.activity.attachments),
      );
      const button = cardButtons(chooser.activity).find((b) => b.data.routeId === route.id && b.data.msteams);
      expect(button?.data.msteams).toEqual({ type: 'task/fetch' });
      const fetched = await post(
        activity(requester, chat, { type: 'invoke', name: 'task/fetch', value: { data: button?.data } }),
      );
      const form = (fetched.json as { task: { value: { card: { content: unknown } } } }).task.value.card
        .content;
      const answers = Object.fromEntries(
        Object.entries({ ...answersForCard(form), 'request.confirm_warnings': 'true' }).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(',') : v,
        ]),
      );
      const submitted = await post(
        activity(requester, chat, {
          type: 'invoke',
          name: 'task/submit',
          value: { data: { action: 'start', routeId: route.id, ...answers } },
        }),
      );
      const task = (submitted.json as { task: { type: string; value: unknown } }).task;
      if (task.type !== 'message')
        throw new Error(`${route.id}: the dialog came back: ${JSON.stringify(task.value).slice(0, 600)}`);
      const ref = /SW-\d{6}/.exec(String(task.value))?.[0] as string;
      const t = await server.app.store.find(ref);
      if (!t) throw new Error(`${ref} not stored`);

      // The card in the receiving team's channel: initials and age band, no name, date of birth or narrative.
      const channel = channelOf(t.receivingTeamId);
      const card = await connector.waitFor(
        `${ref}'s card`,
        (c) =>
          c.kind === 'send' &&
          c.conversation === channel.id &&
          JSON.stringify(c.activity).includes(`${ref} · `),
      );
      const posted = JSON.stringify(card.activity);
      expect(posted).toContain('A.W.');
      for (const secret of [child.name, child.dob, narrative]) expect(posted).not.toContain(secret);
      await connector.waitFor(
        `${ref}: the requester's message`,
        (c) => c.conversation === chat.id && String(c.activity.text).includes(ref),
      );

      // The decider's refresh shows Accept; the press updates the channel's card in place.
      const decider = directory()
        .members(t.receivingTeamId, route.decision.deciders ?? defaultDeciders)
        .find((p) => p.teamsUser) as Person;
      const refresh = await execute(decider, channel, 'refresh', { action: 'refresh', transferId: t.id });
      const accept = (
        refresh.json as { value: { actions: { title: string; data: Record<string, unknown> }[] } }
      ).value.actions.find((a) => a.title === 'Accept');
      expect(accept, `${decider.name} sees Accept`).toBeDefined();
      await execute(decider, channel, 'accept', accept?.data);
      await connector.waitFor(
        `${ref} updated to accepted`,
        (c) =>
          c.kind === 'update' &&
          c.activityId === card.id &&
          JSON.stringify(c.activity).includes('accepted, waiting for allocation'),
      );

      // Allocate from the form inside the card: Teams sends the form's inputs with the action's data.
      const worker =
        directory()
          .members(t.receivingTeamId)
          .find((p) => p.roles.includes('practitioner')) ?? decider;
      const accepted = await server.app.store.find(t.id);
      const allocation = {
        action: 'allocate',
        transferId: t.id,
        version: accepted?.version,
        'allocate.workerId': worker.id,
      };
      const level = route.to.levelAtAllocation ? route.to.levels.at(-1) : undefined;
      if (level) {
        // The receiving team decides the level as it allocates: without it the answer says so, and nothing changes.
        const refused = await execute(decider, channel, 'allocate', allocation);
        expect(JSON.stringify(refused.json)).toContain('Choose the level of need');
        expect((await server.app.store.find(t.id))?.state).toBe('accepted');
      }
      const allocated = await execute(decider, channel, 'allocate', {
        ...allocation,
        ...(level ? { 'allocate.level': level } : {}),
      });
      expect(JSON.stringify(allocated.json)).toContain('allocated');
      await connector.waitFor(
        `${ref} updated to allocated`,
        (c) =>
          c.kind === 'update' &&
          c.activityId === card.id &&
          JSON.stringify(c.activity).includes('"allocated"'),
      );
      const stored = await server.app.store.find(t.id);
      expect(stored?.allocation?.workerId).toBe(worker.id);
      if (level) expect(stored?.toLevel).toBe(level);
    }

    // Somerset's step-in (stepin): a service asked to join the Team Around the Family.
    const kinds: Route['kind'][] = council === 'somerset' ? ['step-in'] : ['step-up', 'step-down'];
    for (const kind of kinds)
      it(`a ${kind}`, async () => {
        await fullFlow(kind);
      }, 60_000);

    if (council === 'hackney')
      it('a step-up to MASH, which decides the level of need as it allocates', async () => {
        await fullFlow('step-up', 'to-statutory');
      }, 60_000);
  },
);
