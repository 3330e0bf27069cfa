/**
 * Teams activities -> workflow commands, on plain JSON (agent.ts is the SDK boundary). Commands arrive as
 * messages (typed in a personal chat, or @Stepwise in a channel); a request's form opens in a dialog
 * (task/fetch, task/submit) from the same template as Slack's modal; card buttons are Universal Actions
 * (adaptiveCard/action), answered with the card as it now is for the person who pressed.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { actionPayloadSchema, type FormName, formNames, formVerb } from '../../cards/actions.ts';
import type { AdaptiveCardJson } from '../../cards/render.ts';
import { renderCard } from '../../cards/render.ts';
import { formSubmission, routeKindLabels } from '../../cards/view.ts';
import type { Person } from '../../domain/directory.ts';
import { actions as lifecycleActions, stateLabels, type TransferAction } from '../../domain/lifecycle.ts';
import type { Route } from '../../domain/profile.ts';
import { routesFor } from '../../domain/rules.ts';
import { linkPersonUser, linkTeamChannel } from '../../store/directory-store.ts';
import type { MessageRefStore } from '../../store/message-ref-store.ts';
import type { FailedSelection, PrismaOutboxStore } from '../../store/outbox-store.ts';
import { EmergencyRoute, WorkflowError } from '../../workflow/errors.ts';
import type { TransferRow } from '../../workflow/ports.ts';
import {
  CommandUsageError,
  escalationLinkedText,
  helpText,
  linkedText,
  parseTransferCommand,
  requestCommands,
  resentText,
} from '../commands.ts';
import { emergencyCard, formData, listCard, requestCard, requestFormCard, statusCard } from '../compose.ts';
import { type Fields, runVerb, startRequest, stringInputs } from '../verbs.ts';
import { type ActivityJson, ConnectorError, type TeamsLogic, type TurnHelpers } from './agent.ts';
import { attachment, cardContentType, forTeamsMessage, refilled } from './cards.ts';
import { bareConversationId, inConversation, refKeys } from './ref-keys.ts';

export interface TeamsBotDeps {
  app: App;
  settings: MessageRefStore;
  outbox: PrismaOutboxStore;
  kick: () => void;
  now: () => Date;
  log: Logger;
}

const somethingWentWrong =
  'Something went wrong on our side and nothing has changed. Please try again in a minute; if it keeps happening, tell your Stepwise administrator.';

const text = (t: string): ActivityJson => ({ type: 'message', text: t, textFormat: 'markdown' });
const cardMessage = (card: AdaptiveCardJson, summary?: string): ActivityJson => ({
  type: 'message',
  ...(summary ? { summary } : {}),
  attachments: [attachment(forTeamsMessage(card))],
});
const dialog = (title: string, card: AdaptiveCardJson) => ({
  status: 200,
  body: { task: { type: 'continue', value: { title, width: 'large', card: attachment(card) } } },
});
const dialogMessage = (message: string) => ({
  status: 200,
  body: { task: { type: 'message', value: message } },
});
const cardAnswer = (card: AdaptiveCardJson) => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: forTeamsMessage(card) },
});
const messageAnswer = (message: string) => ({
  status: 200,
  body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: message },
});

/** A Teams user id (29:...) or Entra object id from an activity's `from`. */
function userIds(activity: ActivityJson): string[] {
  const from = (activity.from ?? {}) as { id?: string; aadObjectId?: string };
  return [from.id, from.aadObjectId].filter((x): x is string => typeof x === 'string' && x.length > 0);
}

/** The commands as typed in Teams: no slashes, and linking is by @mention in the channel itself. */
const teamsHelp = helpText
  .replaceAll('/', '')
  .replace(
    /• `transfer link[^\n]*/,
    "• `@Stepwise link <team id>` (admins, in the team's channel): post that team's requests there; `@Stepwise link escalation` for escalations",
  );

/** The kind of conversation an activity comes from: 'channel', 'groupChat' or 'personal'. */
function conversationType(activity: ActivityJson): string | undefined {
  return (activity.conversation as { conversationType?: string } | undefined)?.conversationType;
}

/** A one-to-one chat with the bot: what is said there is seen by that person alone (a channel's answer is public). */
const isPersonal = (activity: ActivityJson) => conversationType(activity) === 'personal';

/**
 * The data of a card's Action.Submit (a message with a value that names an action, as an older client sends a
 * Universal Action's fallback), or null for a typed message. Dialog buttons are invokes, never this.
 */
function submittedData(activity: ActivityJson): Record<string, unknown> | null {
  const value = activity.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const data = value as Record<string, unknown>;
  return typeof data.action === 'string' && data.msteams === undefined ? data : null;
}

/** The words of a message without the bot's @mention. */
function commandText(activity: ActivityJson): string {
  return String(activity.text ?? '')
    .replace(/<at>[^<]*<\/at>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

export function teamsLogic(deps: TeamsBotDeps): TeamsLogic {
  const { app, settings, log } = deps;
  /** A turn wrote outbox messages: delivery starts once the turn's answer has gone (afterTurn). */
  let wrote = false;

  /**
   * The messages that failed for want of a conversation this turn has just made known (a channel linked or
   * installed in, a person's chat) go out again; how many.
   */
  const resend = async (which: FailedSelection[]): Promise<number> => {
    let n = 0;
    for (const w of which) n += await deps.outbox.requeueFailed(w, deps.now());
    if (n) wrote = true;
    return n;
  };

  /**
   * The directory person behind an activity: by Teams user id (or Entra object id), else by the e-mail Teams
   * gives for the member, remembered so that the next match needs no lookup.
   */
  const personOf = async (activity: ActivityJson, helpers: TurnHelpers): Promise<Person | null> => {
    const ids = userIds(activity);
    for (const id of ids) {
      const p = app.workflow.directory.byTeamsUser(id);
      if (!p) continue;
      // Matched by the Entra object id: the Teams user id (29:…) is what a card's refresh list and a new chat
      // need, so it is remembered in its place.
      const mri = ids[0];
      if (id !== mri && mri?.startsWith('29:'))
        return remember(p, mri, 'teams: remembered the Teams user id of a person matched by object id');
      return p;
    }
    const email = await helpers.memberEmail();
    const found = email ? app.workflow.directory.byEmail(email) : undefined;
    const teamsId = ids[0];
    if (!found || !teamsId) return null;
    if (found.teamsUser) return found;
    return remember(found, teamsId, 'teams: matched a person by e-mail and remembered their Teams id');
  };
  /** Saves a person's Teams id in the directory and returns them as the directory now has them. */
  const remember = async (p: Person, teamsId: string, why: string): Promise<Person> => {
    await linkPersonUser(app.db, p.id, 'teams', teamsId);
    await app.reloadDirectory();
    log.info({ person: p.id }, why);
    return app.workflow.directory.person(p.id) ?? p;
  };
  const notInDirectory = () =>
    `You are not in the Stepwise directory for the ${app.profile.name}, so you cannot use Stepwise yet. Ask your council's Stepwise administrator to add your Teams account.`;

  const explain = (e: unknown, context: string): string => {
    if (e instanceof WorkflowError) return e.message;
    if (e instanceof CommandUsageError) return e.message;
    if (e instanceof z.ZodError) {
      const fields = [...new Set(e.issues.map((i) => i.path.map(String).join('.')).filter(Boolean))];
      return `That button or form sent something Stepwise did not expect${fields.length ? ` (${fields.join(', ')})` : ''}, so nothing has changed. Start again from the card or the command.`;
    }
    if (e instanceof ConnectorError) {
      log.warn({ context, err: { message: e.message } }, 'teams: the connector did not answer a lookup');
      return 'Stepwise could not check who you are with Teams just now, so nothing has changed. Please try again in a minute.';
    }
    log.error(
      {
        context,
        err: {
          message: String((e as Error)?.message ?? e)
            .split('\n')[0]
            ?.slice(0, 200),
        },
      },
      'teams handler failed',
    );
    return somethingWentWrong;
  };

  /** A button that opens a dialog (Teams' task module) with the given data. */
  const dialogButton = (title: string, data: Record<string, unknown>) => ({
    type: 'Action.Submit',
    title,
    data: { ...data, msteams: { type: 'task/fetch' } },
  });
  const buttonsCard = (heading: string, buttons: ReturnType<typeof dialogButton>[]): AdaptiveCardJson => ({
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text: heading, wrap: true, weight: 'Bolder' }],
    actions: buttons,
  });

  /**
   * The routes a command may start, each with "Open the form" (a dialog) and "Fill in here" (the form in
   * this card, through Universal Actions: for clients without dialogs, such as the Agents Playground).
   */
  const routeChooser = (heading: string, routes: readonly Route[]): AdaptiveCardJson => ({
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: heading, wrap: true, weight: 'Bolder' },
      ...routes.flatMap((r) => [
        { type: 'TextBlock', text: r.name, wrap: true, separator: true },
        {
          type: 'ActionSet',
          actions: [
            dialogButton('Open the form', { action: 'open_request', routeId: r.id }),
            {
              type: 'Action.Execute',
              title: 'Fill in here',
              verb: 'open_request',
              data: { action: 'open_request', routeId: r.id },
            },
          ],
        },
      ]),
    ],
  });

  // ---- messages: the commands ------------------------------------------------------------------------------

  const onMessage: TeamsLogic['onMessage'] = async (activity, reference, helpers) => {
    const pressed = submittedData(activity);
    if (pressed) return submitFallback(activity, pressed, helpers);
    const words = commandText(activity);
    const [first = 'help', ...rest] = words.split(/\s+/).filter(Boolean);
    const word = first.toLowerCase().replace(/^\//, '');
    const arg = rest.join(' ');
    if (word === 'help') return [text(teamsHelp)];
    const person = await personOf(activity, helpers);
    try {
      if (word === 'link') {
        if (!person?.roles.includes('admin'))
          return [text('Only a Stepwise admin (role `admin` in the directory) can link channels.')];
        // A team's cards and threads belong in its channel, never in one person's or a group's chat.
        if (conversationType(activity) !== 'channel')
          return [text('Link from the team channel itself: @Stepwise link <team id> in that channel.')];
        return [await link(arg.trim(), reference)];
      }
      if (!person) return [text(notInDirectory())];
      // Their chat with the bot, remembered on every message too: someone added to the directory after
      // installing the app (or whose e-mail was not found then) gets their direct messages from now on.
      if (isPersonal(activity)) await settings.setSetting(refKeys.person(person.id), reference);
      const kind = requestCommands[`/${word}` as keyof typeof requestCommands];
      if (kind) {
        const team = app.workflow.directory.team(person.teamId);
        const routes = team ? routesFor(app.profile, team.service, kind) : [];
        if (!routes.length)
          return [text(`${team?.name ?? 'Your team'} has no ${word} route in the ${app.profile.name}.`)];
        return [
          cardMessage(
            routeChooser(
              `Start a ${routeKindLabels[routes[0]?.kind ?? 'step-up'].toLowerCase()} request: which one?`,
              routes,
            ),
          ),
        ];
      }
      if (word !== 'transfer')
        return [text(`"${first}" is not a Stepwise command. Try stepup, stepdown, stepin or transfer help.`)];
      const parsed = parseTransferCommand(arg);
      const now = deps.now();
      switch (parsed.sub) {
        case 'help':
          return [text(teamsHelp)];
        case 'status':
          return [
            cardMessage(
              await statusCard(app, await app.workflow.get(parsed.ref), person, now, !isPersonal(activity)),
            ),
          ];
        case 'list':
          return [cardMessage(await listCard(app, person, parsed.scope, now))];
        case 'dispute':
        case 'withdraw': {
          const t = await app.workflow.get(parsed.ref);
          const refusal = await app.workflow.refusal(t.id, person.id, parsed.sub);
          if (refusal) return [text(refusal)];
          return [
            cardMessage(
              buttonsCard(
                `${t.ref}: ${parsed.sub === 'dispute' ? 'take it up the escalation ladder' : 'withdraw it'}`,
                [
                  dialogButton(parsed.sub === 'dispute' ? 'Open the form' : 'Withdraw…', {
                    action: 'open_form',
                    form: parsed.sub,
                    transferId: t.id,
                    version: t.version,
                  }),
                ],
              ),
            ),
          ];
        }
        case 'link':
          return [text('In Teams, link a channel with @Stepwise link <team id>.')];
      }
    } catch (e) {
      return [text(explain(e, 'message'))];
    }
  };

  const link = async (target: string, reference: Record<string, unknown>): Promise<ActivityJson> => {
    if (target === 'escalation') {
      await settings.setSetting(refKeys.escalation, reference);
      return text(escalationLinkedText(await resend(['escalation'])));
    }
    const team = app.workflow.directory.team(target);
    if (!team) {
      const ids = app.workflow.directory.teams.map((t) => t.id).join(', ');
      return text(`There is no team "${target}" in the directory. Teams: ${ids}.`);
    }
    const conversationId = String((reference.conversation as { id?: string } | undefined)?.id ?? '');
    await settings.setSetting(refKeys.team(team.id), reference);
    await linkTeamChannel(app.db, team.id, 'teams', bareConversationId(conversationId));
    await app.reloadDirectory();
    return text(linkedText(team.name, await resend([{ teamId: team.id }])));
  };

  // ---- installation ---------------------------------------------------------------------------------------

  /**
   * Teams tells of one install twice (a conversationUpdate adding the bot and an installationUpdate), and of
   * every upgrade of the app again (`add-upgrade`): the references are saved each time, the welcome said once.
   * A repeat says only what it sent, if anything.
   */
  const onInstall: TeamsLogic['onInstall'] = async (activity, reference, helpers) => {
    const conversation = (activity.conversation ?? {}) as { id?: string };
    const id = bareConversationId(String(conversation.id ?? ''));
    const repeat =
      activity.action === 'add-upgrade' || (await settings.setting(refKeys.conversation(id))) !== null;
    const said = (welcome: string, resent: number) =>
      repeat ? (resent ? [text(resentText(resent).trim())] : []) : [text(welcome + resentText(resent))];
    await settings.setSetting(refKeys.conversation(id), reference);
    if (isPersonal(activity)) {
      const person = await personOf(activity, helpers);
      if (!person) return repeat ? [] : [text(notInDirectory())];
      await settings.setSetting(refKeys.person(person.id), reference);
      const resent = await resend([{ personId: person.id }]);
      return said(
        `Hello ${person.name}. Stepwise will send you your requests' decisions and the escalations that need you here. Type help to see the commands.`,
        resent,
      );
    }
    if (conversationType(activity) === 'groupChat')
      return said(
        'Stepwise is added to this chat. Type help to see the commands. Requests are posted in the teams’ own channels, and direct messages go to each person’s chat with Stepwise.',
        0,
      );
    // Every channel of the team is remembered, not only the one the install arrived in: a directory team whose
    // channel is another of them (now, or once the directory names it) is posted to there.
    const others = (await helpers.teamChannels()).filter((c) => c !== id);
    for (const channel of others)
      await settings.setSetting(refKeys.conversation(channel), inConversation(reference, channel));
    const linked = app.workflow.directory.teams.filter(
      (t) => t.teamsChannel === id || (typeof t.teamsChannel === 'string' && others.includes(t.teamsChannel)),
    );
    const here = linked.find((t) => t.teamsChannel === id);
    if (here) await settings.setSetting(refKeys.team(here.id), reference);
    if (linked.length) {
      const elsewhere = linked.filter((t) => t !== here).map((t) => t.name);
      const resent = await resend(linked.map((t) => ({ teamId: t.id })));
      return said(
        [
          'Stepwise is installed.',
          here ? `This channel is ${here.name}'s: requests to ${here.name} are posted here.` : '',
          elsewhere.length
            ? `Requests to ${elsewhere.join(', ')} are posted in their own channels of this team.`
            : '',
        ]
          .filter(Boolean)
          .join(' '),
        resent,
      );
    }
    return said(
      'Stepwise is installed. An admin links this channel to a directory team with @Stepwise link <team id>.',
      0,
    );
  };

  /**
   * A channel created after the app was installed in its team: remembered like the team's others, so a directory
   * team whose channel it is (now, or once the directory names it) is posted to there without a link.
   */
  const onChannelCreated: TeamsLogic['onChannelCreated'] = async (activity, reference) => {
    const channel = (activity.channelData as { channel?: { id?: unknown } } | undefined)?.channel?.id;
    if (typeof channel !== 'string' || !channel) return;
    // Not a reply to the event (which Teams sent in another channel): its id goes.
    const { activityId: _event, ...rest } = reference;
    const saved = inConversation(rest, channel);
    await settings.setSetting(refKeys.conversation(channel), saved);
    const team = app.workflow.directory.teams.find((t) => t.teamsChannel === channel);
    if (team) {
      await settings.setSetting(refKeys.team(team.id), saved);
      await resend([{ teamId: team.id }]);
    }
  };

  /** The app was removed from a team, chat or person: that conversation is forgotten, so a new install is welcomed. */
  const onUninstall: TeamsLogic['onUninstall'] = async (activity, helpers) => {
    const id = bareConversationId(String((activity.conversation as { id?: string } | undefined)?.id ?? ''));
    await settings.deleteSetting(refKeys.conversation(id));
    if (isPersonal(activity)) {
      const person = await personOf(activity, helpers).catch(() => null);
      if (person) await settings.deleteSetting(refKeys.person(person.id));
    }
  };

  // ---- invokes --------------------------------------------------------------------------------------------

  const formAction = (form: FormName): TransferAction | null => {
    const verb = formVerb[form];
    return verb in lifecycleActions ? (verb as TransferAction) : null;
  };

  const taskFetch = async (person: Person, data: Record<string, unknown>) => {
    if (data.action === 'open_request') {
      const route = app.profile.routes.find((r) => r.id === data.routeId);
      if (!route) return dialogMessage('This button is out of date: start again with the command.');
      return dialog(`${routeKindLabels[route.kind]} request`, requestFormCard(app, route));
    }
    const payload = actionPayloadSchema.parse(data);
    if (payload.action !== 'open_form' || !formNames.includes(payload.form))
      return dialogMessage('That button does not open a form.');
    const action = formAction(payload.form);
    const refusal = action
      ? await app.workflow.refusal(payload.transferId, person.id, action, payload.version)
      : null;
    if (refusal) return dialogMessage(refusal);
    const t = await app.workflow.get(payload.transferId);
    const formCardData = await formData(payload.form, {
      app,
      transfer: t,
      meetings: await app.store.meetings(t.id),
      meetingKey: payload.meeting,
    });
    if (!formCardData) return dialogMessage(`That form is not available on ${t.ref} now.`);
    return dialog(t.ref, renderCard(`forms/${payload.form}`, formCardData));
  };

  const taskSubmit = async (person: Person, data: Record<string, unknown>) => {
    const payload = actionPayloadSchema.parse(data);
    if (payload.action === 'start') {
      const route = app.profile.routes.find((r) => r.id === payload.routeId);
      if (!route) return dialogMessage('This form is out of date: start again with the command.');
      const inputs = stringInputs(data);
      try {
        const t = await startRequest(
          app,
          { personId: person.id, surface: 'teams' },
          route,
          inputs,
          deps.now(),
        );
        wrote = true;
        return dialogMessage(
          `${t.ref} was sent to ${app.workflow.teamName(t.receivingTeamId)}. You will get a message with every decision on it.`,
        );
      } catch (e) {
        if (e instanceof EmergencyRoute) return dialog('Phone now', emergencyCard(app));
        if (e instanceof WorkflowError && e.fieldErrors.length)
          return dialog(
            `${routeKindLabels[route.kind]} request`,
            requestFormCard(app, route, { values: inputs, errors: e.fieldErrors }),
          );
        throw e;
      }
    }
    if (payload.action === 'open_form')
      return dialogMessage('That button opens a form; it does not submit one.');
    try {
      const t = await run(
        person,
        payload as Fields & { action: string; transferId: string; version: number },
        data,
      );
      return dialogMessage(`Done: ${t.ref} is updated.`);
    } catch (e) {
      // A problem with what was typed: the same form again, filled in, with the problems on top.
      const form =
        formNames.find((f) => formVerb[f] === payload.action) ??
        (payload.action === 'schedule_meeting' ? 'meeting-time' : undefined);
      if (!(e instanceof WorkflowError && e.fieldErrors.length && form)) throw e;
      const t = await app.workflow.get(payload.transferId);
      const again = await formData(form, {
        app,
        transfer: t,
        meetings: await app.store.meetings(t.id),
        meetingKey: typeof data.meeting === 'string' ? data.meeting : undefined,
      });
      if (!again) throw e;
      return dialog(
        t.ref,
        refilled(
          renderCard(`forms/${form}`, again),
          stringInputs(data),
          e.fieldErrors.map((f) => f.message),
        ),
      );
    }
  };

  const run = async (
    person: Person,
    payload: { action: string; transferId: string; version: number },
    data: Record<string, unknown>,
  ) => {
    const verb = payload.action as Parameters<typeof runVerb>[1];
    const fields = { ...data, ...formSubmission(verb, stringInputs(data), app.calendar) } as Fields;
    const t = await runVerb(
      app,
      verb,
      {
        actor: { personId: person.id, surface: 'teams' },
        ref: payload.transferId,
        expectedVersion: payload.version,
      },
      fields,
      deps.now(),
    );
    wrote = true;
    return t;
  };

  /**
   * The request card for one person: the buttons the workflow's rules give them (a decider's, the sender's, a
   * task's for anyone in the two teams), else the status only.
   */
  const cardFor = (t: TransferRow, person: Person) => requestCard(app, t, deps.now(), person);

  /** The request form inside the chat's card: opened, then sent (the card becomes the answer). */
  const inlineRequest = async (person: Person, verb: string, data: Record<string, unknown>) => {
    const route = app.profile.routes.find((r) => r.id === data.routeId);
    if (!route) return messageAnswer('This button is out of date: start again with the command.');
    if (verb === 'open_request') return cardAnswer(requestFormCard(app, route));
    const inputs = stringInputs(data);
    try {
      const t = await startRequest(app, { personId: person.id, surface: 'teams' }, route, inputs, deps.now());
      wrote = true;
      return cardAnswer({
        type: 'AdaptiveCard',
        version: '1.5',
        body: [
          {
            type: 'TextBlock',
            text: `${t.ref} was sent to ${app.workflow.teamName(t.receivingTeamId)}. You will get a message with every decision on it.`,
            wrap: true,
          },
        ],
      });
    } catch (e) {
      if (e instanceof EmergencyRoute) return cardAnswer(emergencyCard(app));
      if (e instanceof WorkflowError && e.fieldErrors.length)
        return cardAnswer(requestFormCard(app, route, { values: inputs, errors: e.fieldErrors }));
      throw e;
    }
  };

  const cardAction = async (person: Person, value: Record<string, unknown>) => {
    const action = (value.action ?? {}) as { verb?: string; data?: Record<string, unknown> };
    const data = { ...(action.data ?? {}) };
    if (action.verb === 'refresh') {
      const t = await app.store.find(String(data.transferId ?? ''));
      if (!t) return messageAnswer('This request no longer exists.');
      return cardAnswer(await cardFor(t, person));
    }
    if (action.verb === 'open_request' || action.verb === 'start')
      return inlineRequest(person, action.verb, data);
    const payload = actionPayloadSchema.parse({ ...data, action: data.action ?? action.verb });
    if (payload.action === 'start' || payload.action === 'open_form')
      return messageAnswer('That button opens a form: use it from the card in Teams.');
    try {
      const t = await run(person, payload, data);
      return cardAnswer(await cardFor(t, person));
    } catch (e) {
      return messageAnswer(explain(e, 'adaptiveCard/action'));
    }
  };

  /**
   * A card button pressed in a client without Universal Actions: its Action.Submit fallback arrives as a message
   * whose value is the button's data with the card's inputs. It does what the Action.Execute would. The answer is
   * a reply: the card itself, in a personal chat; elsewhere a line saying where the request now is (a card drawn
   * for one person is not for a whole channel), while the outbox updates the channel's card for everyone.
   */
  const submitFallback = async (
    activity: ActivityJson,
    data: Record<string, unknown>,
    helpers: TurnHelpers,
  ): Promise<ActivityJson[]> => {
    try {
      const person = await personOf(activity, helpers);
      if (!person) return [text(notInDirectory())];
      const verb = String(data.action);
      const answer = await cardAction(person, { action: { verb, data } });
      const { type, value } = answer.body;
      if (type !== cardContentType) return [text(String(value))];
      if (isPersonal(activity)) return [cardMessage(value as AdaptiveCardJson)];
      const t = typeof data.transferId === 'string' ? await app.store.find(data.transferId) : null;
      return [text(t ? `${t.ref} is now ${stateLabels[t.state]}.` : 'Done.')];
    } catch (e) {
      return [text(explain(e, 'card submit'))];
    }
  };

  const onInvoke: TeamsLogic['onInvoke'] = async (activity, _reference, helpers) => {
    const name = String(activity.name ?? '');
    const value = (activity.value ?? {}) as Record<string, unknown>;
    try {
      const person = await personOf(activity, helpers);
      if (name === 'adaptiveCard/action') {
        if (!person) return messageAnswer(notInDirectory());
        return await cardAction(person, value);
      }
      if (name === 'task/fetch' || name === 'task/submit') {
        if (!person) return dialogMessage(notInDirectory());
        const data = { ...((value.data ?? {}) as Record<string, unknown>) };
        delete data.msteams;
        return name === 'task/fetch' ? await taskFetch(person, data) : await taskSubmit(person, data);
      }
      return { status: 501 };
    } catch (e) {
      const message = explain(e, name);
      return name.startsWith('task/') ? dialogMessage(message) : messageAnswer(message);
    }
  };

  const afterTurn = () => {
    if (!wrote) return;
    wrote = false;
    deps.kick();
  };

  const onTurnError = (error: unknown) => text(explain(error, 'turn'));

  return { onMessage, onInstall, onChannelCreated, onUninstall, onInvoke, afterTurn, onTurnError };
}
