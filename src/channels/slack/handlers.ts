/**
 * Slack payloads -> workflow commands. Every listener acknowledges first (Slack wants an answer within 3 s)
 * except a modal's submission, whose answer is the validation result; a decision is committed before anything
 * is said about it, and every message about it leaves through the outbox. Only views.open / views.update, which
 * must use a trigger or view that expires within seconds, call Slack directly.
 */
import { randomUUID } from 'node:crypto';
import type { App as BoltApp } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import type { App } from '../../app.ts';
import { type FormName, formNames, formVerb, parseActionValue, verbOfActionId } from '../../cards/actions.ts';
import { type SlackView, slackStateToInputs, toSlackMessage } from '../../cards/blockkit.ts';
import { formSubmission, requestFormInputId } from '../../cards/view.ts';
import type { Person } from '../../domain/directory.ts';
import type { FieldError } from '../../domain/form.ts';
import { actions as lifecycleActions, type TransferAction } from '../../domain/lifecycle.ts';
import type { Route } from '../../domain/profile.ts';
import { routesFor } from '../../domain/rules.ts';
import { linkPersonUser, linkTeamChannel } from '../../store/directory-store.ts';
import type { MessageRefStore } from '../../store/message-ref-store.ts';
import type { PrismaOutboxStore } from '../../store/outbox-store.ts';
import { EmergencyRoute, WorkflowError } from '../../workflow/errors.ts';
import {
  CommandUsageError,
  escalationLinkedText,
  helpText,
  linkedText,
  parseTransferCommand,
  requestCommands,
} from '../commands.ts';
import { listCard, statusCard } from '../compose.ts';
import { type Fields, runVerb, startRequest } from '../verbs.ts';
import { escalationChannelSetting } from './sender.ts';
import {
  blockIds,
  callbacks,
  chooserModal,
  emergencyModal,
  formModal,
  noticeModal,
  requestModal,
} from './views.ts';

export interface SlackDeps {
  app: App;
  outbox: PrismaOutboxStore;
  refs: MessageRefStore;
  /** Deliver what was just written, now. */
  kick: () => void;
  now: () => Date;
  log: Logger;
}

const notInDirectory = (council: string) =>
  `You are not in the Stepwise directory for the ${council}, so you cannot use Stepwise yet. Stepwise matches you by your Slack account or your e-mail address: ask your council's Stepwise administrator to add you.`;
const somethingWentWrong =
  'Something went wrong on our side and nothing has changed. Please try again in a minute; if it keeps happening, tell your Stepwise administrator.';

/** The lifecycle action a decision form's verb is, to refuse the form before it is filled in (meetings are not one). */
function formAction(form: FormName): TransferAction | null {
  const verb = formVerb[form];
  return verb in lifecycleActions ? (verb as TransferAction) : null;
}

/** An error's first line, for a log: a database error's later lines can quote the values it was given. */
const firstLine = (e: unknown) =>
  String((e as Error)?.message ?? e)
    .split('\n')[0]
    ?.slice(0, 200);

/** Resolves after the I/O already queued (acknowledgements being written) has had its turn. */
const afterPendingAcks = () => new Promise<void>((resolve) => setImmediate(resolve));

export function registerSlackHandlers(bolt: BoltApp, deps: SlackDeps): void {
  const { log } = deps;
  const app = () => deps.app;

  /** Tells one person something through the interaction's response_url (the outbox delivers it). */
  const reply = async (responseUrl: string | undefined, text: string, blocks?: unknown[]) => {
    if (!responseUrl) return;
    await deps.outbox.enqueue(
      [
        {
          idempotencyKey: `response:${randomUUID()}`,
          transferId: null,
          kind: 'response',
          target: { url: responseUrl },
          payload: { text, ...(blocks ? { blocks } : {}) },
        },
      ],
      deps.now(),
    );
    deps.kick();
  };

  /** The directory person behind a Slack user: by user id, else by the e-mail of their Slack profile. */
  const personOf = async (userId: string, client: WebClient): Promise<Person | null> => {
    const known = app().workflow.directory.bySlackUser(userId);
    if (known) return known;
    let email: string | undefined;
    try {
      const info = await client.users.info({ user: userId });
      email = info.user?.profile?.email;
    } catch (e) {
      // Slack does not know the user: not in the directory. Anything else (rate limited, Slack down, a missing
      // scope) is a failed lookup, and the person is told to try again rather than that they are unknown.
      if ((e as { data?: { error?: string } }).data?.error === 'user_not_found') return null;
      log.warn({ err: { message: firstLine(e) } }, 'slack: users.info failed');
      throw new WorkflowError(
        'unknown_person',
        'Stepwise could not check who you are with Slack just now, so nothing has changed. Please try again in a minute.',
      );
    }
    const person = email ? app().workflow.directory.byEmail(email) : undefined;
    if (!person) return null;
    if (!person.slackUser) {
      await linkPersonUser(app().db, person.id, 'slack', userId);
      await app().reloadDirectory();
      log.info({ person: person.id }, 'slack: matched a person by e-mail and remembered their Slack id');
    }
    return app().workflow.directory.person(person.id) ?? person;
  };

  /** A refusal in words for a person, or a generic apology (and an error log with ids only) for a fault. */
  const explain = (e: unknown, context: Record<string, unknown>): string => {
    if (e instanceof WorkflowError) return e.message;
    if (e instanceof ZodError) return e.issues.map((i) => i.message).join('; ');
    log.error(
      { ...context, err: { message: firstLine(e), name: (e as Error).name } },
      'slack handler failed',
    );
    return somethingWentWrong;
  };

  const openView = async (client: WebClient, triggerId: string, view: SlackView) => {
    await client.views.open({ trigger_id: triggerId, view: view as never });
  };

  // ---- /stepup, /stepdown, /stepin -------------------------------------------------------------------------

  for (const [command, kind] of Object.entries(requestCommands)) {
    bolt.command(command, async ({ command: body, ack, client }) => {
      await ack();
      // Let the acknowledgement (and those of other requests arriving together) leave before the form is
      // built: building it is CPU work on the same event loop, and Slack wants every ack within 3 s.
      await afterPendingAcks();
      try {
        const person = await personOf(body.user_id, client);
        if (!person) return reply(body.response_url, notInDirectory(app().profile.name));
        const team = app().workflow.directory.team(person.teamId);
        const routes = team ? routesFor(app().profile, team.service, kind) : [];
        if (!routes.length) {
          const others = team ? routesFor(app().profile, team.service) : [];
          const offer = [...new Set(others.map((r) => `/${r.command}`))].join(', ');
          return reply(
            body.response_url,
            `${team?.name ?? 'Your team'} has no ${command} route in the ${app().profile.name}.${offer ? ` From your team you can start: ${offer}.` : ''}`,
          );
        }
        const wanted = body.text.trim().toLowerCase();
        const chosen = wanted
          ? routes.find((r) => r.id === wanted)
          : routes.length === 1
            ? routes[0]
            : undefined;
        if (wanted && !chosen) {
          return reply(
            body.response_url,
            `There is no ${command} route "${wanted}" for your team. Routes: ${routes.map((r) => `\`${r.id}\` (${r.name})`).join(', ')}.`,
          );
        }
        await openView(
          client,
          body.trigger_id,
          chosen ? requestModal(app(), chosen) : chooserModal(routes, command),
        );
      } catch (e) {
        await reply(body.response_url, explain(e, { command }));
      }
    });
  }

  // ---- /transfer ---------------------------------------------------------------------------------------------

  bolt.command('/transfer', async ({ command: body, ack, client }) => {
    await ack();
    try {
      let parsed: ReturnType<typeof parseTransferCommand>;
      try {
        parsed = parseTransferCommand(body.text);
      } catch (e) {
        if (e instanceof CommandUsageError) return reply(body.response_url, e.message);
        throw e;
      }
      if (parsed.sub === 'help') return reply(body.response_url, helpText);
      const person = await personOf(body.user_id, client);
      if (!person) return reply(body.response_url, notInDirectory(app().profile.name));
      const a = app();
      const now = deps.now();
      switch (parsed.sub) {
        case 'status': {
          const message = toSlackMessage(await statusCard(a, await a.workflow.get(parsed.ref), person, now));
          return reply(body.response_url, message.text, message.blocks);
        }
        case 'list': {
          const message = toSlackMessage(await listCard(a, person, parsed.scope, now));
          return reply(body.response_url, message.text, message.blocks);
        }
        case 'dispute':
        case 'withdraw': {
          const t = await a.workflow.get(parsed.ref);
          const refusal = await a.workflow.refusal(t.id, person.id, parsed.sub);
          if (refusal) return reply(body.response_url, refusal);
          const view = await formModal(parsed.sub, { app: a, transfer: t, meetings: [] });
          if (view) await openView(client, body.trigger_id, view);
          return;
        }
        case 'link': {
          if (!person.roles.includes('admin'))
            return reply(
              body.response_url,
              'Only a Stepwise admin (role `admin` in the directory) can link channels.',
            );
          // A team's cards and threads belong in a channel, never in a direct or group message.
          if (
            body.channel_id.startsWith('D') ||
            body.channel_name === 'directmessage' ||
            body.channel_name?.startsWith('mpdm-')
          )
            return reply(body.response_url, 'Link from the channel itself: run /transfer link there.');
          if (parsed.target === 'escalation') {
            await deps.refs.setSetting(escalationChannelSetting, body.channel_id);
            const resent = await deps.outbox.requeueFailed('escalation', now);
            if (resent) deps.kick();
            return reply(body.response_url, escalationLinkedText(resent));
          }
          const team = a.workflow.directory.team(parsed.target);
          if (!team) {
            const ids = a.workflow.directory.teams.map((t) => `\`${t.id}\``).join(', ');
            return reply(
              body.response_url,
              `There is no team "${parsed.target}" in the directory. Teams: ${ids}.`,
            );
          }
          await linkTeamChannel(a.db, team.id, 'slack', body.channel_id);
          await a.reloadDirectory();
          log.info({ team: team.id }, 'slack: channel linked to a team');
          // What could not be posted for want of this channel goes out now.
          const resent = await deps.outbox.requeueFailed({ teamId: team.id }, now);
          if (resent) deps.kick();
          return reply(body.response_url, linkedText(team.name, resent));
        }
      }
    } catch (e) {
      await reply(body.response_url, explain(e, { command: '/transfer' }));
    }
  });

  // ---- buttons and menus -----------------------------------------------------------------------------------

  bolt.action({ type: 'block_actions' }, async ({ body, action, ack, client }) => {
    await ack();
    const responseUrl = 'response_url' in body ? (body.response_url as string | undefined) : undefined;
    const viewBody = body.view as { id: string; hash?: string; callback_id?: string } | undefined;
    const tellInView = async (title: string, text: string) => {
      if (viewBody)
        await client.views.update({ view_id: viewBody.id, view: noticeModal(title, text) as never });
    };
    try {
      const a = app();
      const actionId = 'action_id' in action ? action.action_id : '';
      // The route chooser and the request form's significant-harm question change the modal they sit in.
      if (viewBody?.callback_id === callbacks.chooser && actionId === 'choose_route') {
        const routeId =
          'selected_option' in action
            ? (action.selected_option as { value: string } | null)?.value
            : undefined;
        const route = a.profile.routes.find((r) => r.id === routeId);
        if (route)
          await client.views.update({
            view_id: viewBody.id,
            ...(viewBody.hash ? { hash: viewBody.hash } : {}),
            view: requestModal(a, route) as never,
          });
        return;
      }
      if (viewBody?.callback_id === callbacks.request) {
        const selected =
          'selected_option' in action
            ? (action.selected_option as { value: string } | null)?.value
            : undefined;
        if (selected === 'true')
          await client.views.update({ view_id: viewBody.id, view: emergencyModal(a) as never });
        return;
      }
      const verb = verbOfActionId(actionId);
      if (!verb || !('value' in action) || typeof action.value !== 'string') return;
      const payload = parseActionValue(action.value);
      const person = await personOf(body.user.id, client);
      if (!person) return reply(responseUrl, notInDirectory(a.profile.name));
      if (payload.action === 'start') return;
      if (payload.action === 'open_form') {
        const action = formAction(payload.form);
        const refusal = action
          ? await a.workflow.refusal(payload.transferId, person.id, action, payload.version)
          : null;
        if (refusal) return reply(responseUrl, refusal);
        const t = await a.workflow.get(payload.transferId);
        if (t.version !== payload.version) return reply(responseUrl, a.workflow.staleMessage(t));
        const view = await formModal(payload.form, {
          app: a,
          transfer: t,
          meetings: await a.store.meetings(t.id),
          meetingKey: payload.meeting,
        });
        if (!view) return reply(responseUrl, `That form is not available on ${t.ref} now.`);
        await openView(client, (body as { trigger_id: string }).trigger_id, view);
        return;
      }
      await runVerb(
        a,
        payload.action,
        {
          actor: { personId: person.id, surface: 'slack' },
          ref: payload.transferId,
          expectedVersion: payload.version,
        },
        payload as Fields,
        deps.now(),
      );
      deps.kick();
    } catch (e) {
      const text = explain(e, { action: 'block_actions' });
      if (responseUrl) await reply(responseUrl, text);
      else await tellInView('Not done', text).catch(() => undefined);
    }
  });

  // ---- modal submissions -------------------------------------------------------------------------------------

  bolt.view(
    { callback_id: callbacks.request, type: 'view_submission' },
    async ({ ack, body, view, client }) => {
      const a = app();
      try {
        const person = await personOf(body.user.id, client);
        if (!person)
          return ack({
            response_action: 'update',
            view: noticeModal('Not in the directory', notInDirectory(a.profile.name)) as never,
          });
        const meta = JSON.parse(view.private_metadata || '{}') as { routeId?: string };
        const route = a.profile.routes.find((r) => r.id === meta.routeId);
        if (!route)
          return ack({
            response_action: 'update',
            view: noticeModal(
              'Unknown route',
              'This form is out of date: start again with the slash command.',
            ) as never,
          });
        const inputs = slackStateToInputs(view.state as never);
        try {
          const t = await startRequest(
            a,
            { personId: person.id, surface: 'slack' },
            route,
            inputs,
            deps.now(),
          );
          await ack({
            response_action: 'update',
            view: noticeModal(
              `Sent: ${t.ref}`,
              `*${t.ref}* was sent to ${a.workflow.teamName(t.receivingTeamId)}. You will get a direct message with the reference, and every decision on it.`,
            ) as never,
          });
          deps.kick();
        } catch (e) {
          if (e instanceof EmergencyRoute)
            return ack({ response_action: 'update', view: emergencyModal(a) as never });
          if (!(e instanceof WorkflowError) || !e.fieldErrors.length) throw e;
          await ack(formErrors(a, route, view.blocks, inputs, e.fieldErrors) as never);
        }
      } catch (e) {
        await ack({
          response_action: 'update',
          view: noticeModal('Not sent', explain(e, { view: callbacks.request })) as never,
        });
      }
    },
  );

  bolt.view(
    { callback_id: new RegExp(`^${callbacks.formPrefix}`), type: 'view_submission' },
    async ({ ack, body, view, client }) => {
      const a = app();
      try {
        const name = view.callback_id.slice(callbacks.formPrefix.length) as FormName;
        if (!formNames.includes(name)) throw new WorkflowError('invalid', 'This form is out of date.');
        const payload = parseActionValue(view.private_metadata);
        if (payload.action === 'start' || payload.action === 'open_form')
          throw new WorkflowError('invalid', 'This form is out of date.');
        const person = await personOf(body.user.id, client);
        if (!person)
          return ack({
            response_action: 'update',
            view: noticeModal('Not in the directory', notInDirectory(a.profile.name)) as never,
          });
        const inputs = slackStateToInputs(view.state as never);
        const fields = { ...payload, ...formSubmission(payload.action, inputs, a.calendar) } as Fields;
        try {
          await runVerb(
            a,
            payload.action,
            {
              actor: { personId: person.id, surface: 'slack' },
              ref: payload.transferId,
              expectedVersion: payload.version,
            },
            fields,
            deps.now(),
          );
          await ack();
          deps.kick();
        } catch (e) {
          if (!(e instanceof WorkflowError) || !e.fieldErrors.length) throw e;
          const ids = blockIds(view.blocks);
          const firstInput = (view.blocks as { type?: string; block_id?: string }[]).find(
            (b) => b.type === 'input',
          )?.block_id;
          const errors: Record<string, string> = {};
          for (const fe of e.fieldErrors) {
            const candidates =
              fe.field === 'at'
                ? [`${payload.action}.date`, `${payload.action}.at`]
                : [`${payload.action}.${fe.field}`];
            const id = candidates.find((x) => ids.has(x)) ?? firstInput;
            if (id) errors[id] = [errors[id], fe.message].filter(Boolean).join(' ');
          }
          if (Object.keys(errors).length) return ack({ response_action: 'errors', errors });
          throw e;
        }
      } catch (e) {
        await ack({
          response_action: 'update',
          view: noticeModal('Not done', explain(e, { view: 'form' })) as never,
        });
      }
    },
  );

  // ---- the answer to "more information", typed in the card's thread -----------------------------------------

  bolt.event('message', async ({ event, client }) => {
    const m = event as {
      subtype?: string;
      bot_id?: string;
      thread_ts?: string;
      channel: string;
      user?: string;
      text?: string;
    };
    if (m.subtype || m.bot_id || !m.thread_ts || !m.user || !m.text?.trim()) return;
    try {
      const a = app();
      const transferId = await deps.refs.findTransfer('slack', 'card', m.channel, m.thread_ts);
      if (!transferId) return;
      const t = await a.store.find(transferId);
      if (t?.state !== 'more_info_requested') return;
      const person = await personOf(m.user, client);
      // Others talk in the thread too: only the sending side's messages are answers.
      if (!person || !a.workflow.isSender(t, person)) return;
      try {
        await a.workflow.resubmit(
          {
            actor: { personId: person.id, surface: 'slack' },
            ref: t.id,
            expectedVersion: t.version,
            answer: m.text,
          },
          deps.now(),
        );
      } catch (e) {
        // Said to them alone, in the thread: their answer did not count, and why.
        await client.chat
          .postEphemeral({
            channel: m.channel,
            user: m.user,
            thread_ts: m.thread_ts,
            text: `Your answer was not taken: ${explain(e, { event: 'message' })}`,
          })
          .catch(() => undefined);
        return;
      }
      deps.kick();
    } catch (e) {
      explain(e, { event: 'message' });
    }
  });
}

/**
 * Errors Slack can show beside their inputs go back as `errors`; anything else (a gate, a warning to confirm,
 * a problem with no input of its own) re-renders the form with everything typed so far and the messages on top.
 */
function formErrors(
  app: App,
  route: Route,
  blocks: readonly unknown[],
  inputs: Record<string, string>,
  fieldErrors: FieldError[],
) {
  const ids = blockIds(blocks);
  const errors: Record<string, string> = {};
  let placedAll = true;
  for (const fe of fieldErrors) {
    const id = requestFormInputId(route, fe.field);
    if (id && ids.has(id)) errors[id] = [errors[id], fe.message].filter(Boolean).join(' ');
    else placedAll = false;
  }
  if (placedAll) return { response_action: 'errors', errors };
  return {
    response_action: 'update',
    view: requestModal(app, route, { values: inputs, errors: fieldErrors }),
  };
}
