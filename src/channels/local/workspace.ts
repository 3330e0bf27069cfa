/**
 * The local workspace: Stepwise's whole job in a browser, with no Slack or Teams account. A person picks who
 * they are from the directory, sees their team's channel, the escalation channel, their direct messages and
 * what would have been e-mailed, types the same slash commands as in Slack, and presses the same cards'
 * buttons, rendered in the browser by the `adaptivecards` package from the same templates. Every change goes
 * through the same workflow and outbox; the local sender writes messages and the page is told to reload.
 *
 * The person is chosen, not signed in: the workspace is for trying, training and testing on a loopback port.
 * Anywhere else it needs STEPWISE_WORKSPACE_TOKEN (see `workspaceAccess`).
 */

import { timingSafeEqual } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { actionPayloadSchema } from '../../cards/actions.ts';
import { type AdaptiveCardJson, renderCard } from '../../cards/render.ts';
import {
  disputeFormData,
  formSubmission,
  parseRequestSubmission,
  routeKindLabels,
  withdrawFormData,
} from '../../cards/view.ts';
import { clockOffsetSetting, type DemoClock } from '../../clock.ts';
import type { Person } from '../../domain/directory.ts';
import type { FieldError } from '../../domain/form.ts';
import { stateLabels } from '../../domain/lifecycle.ts';
import type { Route } from '../../domain/profile.ts';
import { roleLabels } from '../../domain/roles.ts';
import { routesFor } from '../../domain/rules.ts';
import { fromRoot } from '../../paths.ts';
import type { Routes } from '../../server/http.ts';
import { sendJson } from '../../server/http.ts';
import type { MessageRefStore } from '../../store/message-ref-store.ts';
import { EmergencyRoute, WorkflowError } from '../../workflow/errors.ts';
import { sweepDueTimers } from '../../workflow/sweep.ts';
import { CommandUsageError, helpText, parseTransferCommand, requestCommands } from '../commands.ts';
import { emergencyCard, listCard, requestFormCard, statusCard } from '../compose.ts';
import { type Fields, runVerb, startRequest, stringInputs } from '../verbs.ts';
import type { EventHub } from './events.ts';
import type { LocalMessage, LocalMessageStore } from './messages.ts';
import { conversations } from './sender.ts';

const publicDir = pathToFileURL(`${fromRoot('src', 'channels', 'local', 'public')}/`);
const adaptiveCardsScript = createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js');
const maxBody = 256 * 1024;

export interface WorkspaceDeps {
  app: App;
  messages: LocalMessageStore;
  hub: EventHub;
  clock: DemoClock;
  settings: MessageRefStore;
  /** Deliver what was just written, now. */
  kick: () => Promise<void> | void;
  log: Logger;
  /** Required on every request when set (STEPWISE_WORKSPACE_TOKEN). */
  token?: string | undefined;
}

/** A mistake a person made: answered as 400 with the sentence, never a stack trace. */
class BadRequest extends Error {}

// ---- request plumbing -----------------------------------------------------------------------------------

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new BadRequest('That request is too large.');
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('That request is not JSON.');
  }
}

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (!k) continue;
    try {
      out[k] = decodeURIComponent(v.join('='));
    } catch {
      // Not percent-encoding (someone else's cookie on this host): ignored, as if it were not there.
    }
  }
  return out;
}

const queryOf = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://local').searchParams;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sendFile(res: ServerResponse, path: string | URL, type: string): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
  createReadStream(path).pipe(res);
}

// ---- the workspace ---------------------------------------------------------------------------------------

/** The token check: none without a token; otherwise the header, the ?token= link or its cookie. */
export function tokenCheck(token: string | undefined): (req: IncomingMessage) => boolean {
  return (req) => {
    if (!token) return true;
    const given =
      (req.headers['x-stepwise-token'] as string | undefined) ??
      queryOf(req).get('token') ??
      cookies(req).stepwise_token;
    return typeof given === 'string' && sameSecret(given, token);
  };
}

/** Routes that answer 401 unless the request carries the workspace's token. */
export function behindToken(routes: Routes, token: string | undefined): Routes {
  const allowed = tokenCheck(token);
  return Object.fromEntries(
    Object.entries(routes).map(([key, handler]) => [
      key,
      (req: IncomingMessage, res: ServerResponse) =>
        allowed(req)
          ? handler(req, res)
          : sendJson(res, 401, { error: 'This workspace needs its access token.' }),
    ]),
  );
}

export function workspaceRoutes(deps: WorkspaceDeps): Routes {
  const { app, messages, hub, clock, log } = deps;
  const now = () => clock.now();
  const allowed = tokenCheck(deps.token);

  const personOf = (req: IncomingMessage): Person => {
    const id = (req.headers['x-stepwise-person'] as string | undefined) ?? cookies(req).stepwise_person;
    const p = id ? app.workflow.directory.person(id) : undefined;
    if (!p) throw new BadRequest('Choose who you are first (the person picker at the top left).');
    return p;
  };

  /** The conversations a person sees: their team's channel, the escalation channel, their DMs, the e-mail log. */
  const conversationsOf = (p: Person) => [
    { id: conversations.team(p.teamId), name: `# ${app.workflow.teamName(p.teamId)}`, kind: 'channel' },
    { id: conversations.escalation, name: '# escalation', kind: 'channel' },
    { id: conversations.dm(p.id), name: 'Direct messages', kind: 'dm' },
    { id: conversations.email, name: 'E-mail (not sent)', kind: 'log' },
  ];

  /** Wraps a JSON API handler: the token, then the answer; a person's mistake is a 400 with the sentence. */
  const api =
    (handler: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      if (!allowed(req)) return sendJson(res, 401, { error: 'This workspace needs its access token.' });
      try {
        const body = await handler(req, res);
        if (body !== undefined) sendJson(res, 200, body);
      } catch (e) {
        if (e instanceof BadRequest || e instanceof CommandUsageError)
          return sendJson(res, 400, { error: e.message });
        if (e instanceof WorkflowError)
          return sendJson(res, 200, { error: e.message, fields: e.fieldErrors });
        if (e instanceof z.ZodError)
          return sendJson(res, 400, { error: e.issues.map((i) => i.message).join('; ') });
        throw e;
      }
    };

  const page = (file: string, type: string) => (req: IncomingMessage, res: ServerResponse) => {
    if (!allowed(req)) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(
        'This Stepwise workspace needs its access token: open the link with ?token=... that you were given.',
      );
      return;
    }
    const token = queryOf(req).get('token');
    if (token && deps.token) {
      res.setHeader(
        'set-cookie',
        `stepwise_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
    }
    sendFile(res, new URL(file, publicDir), type);
  };

  // ---- what the page reads ---------------------------------------------------------------------------

  const session = async () => {
    const d = app.workflow.directory;
    return {
      council: app.profile.name,
      protocol: app.profile.id,
      clock: { now: now().toISOString(), offsetMs: clock.offsetMs },
      teams: d.teams.map((t) => ({ id: t.id, name: t.name })),
      people: d.people.map((p) => ({
        id: p.id,
        name: p.name,
        teamId: p.teamId,
        team: d.team(p.teamId)?.name ?? p.teamId,
        roles: p.roles.map((r) => roleLabels[r]),
      })),
    };
  };

  const conversationList = async (req: IncomingMessage) => {
    const p = personOf(req);
    const list = conversationsOf(p);
    const counts = await messages.counts(list.map((c) => c.id));
    return list.map((c) => ({ ...c, count: counts[c.id] ?? 0 }));
  };

  const view = (m: LocalMessage) => ({
    id: m.id,
    text: m.text,
    card: m.card,
    file: m.file
      ? { title: m.file.title, filename: m.file.filename, url: `/local/files/${encodeURIComponent(m.id)}` }
      : null,
    at: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    edited: m.updatedAt.getTime() !== m.createdAt.getTime(),
  });

  const messageList = async (req: IncomingMessage) => {
    const p = personOf(req);
    const conversation = queryOf(req).get('conversation') ?? '';
    if (!conversationsOf(p).some((c) => c.id === conversation))
      throw new BadRequest('You cannot see that conversation.');
    // With ?since= (the newest change the window has), messages unchanged since then come back as their id
    // only, and the window keeps what it drew: a channel of many cards is not sent again for one change.
    const sinceText = queryOf(req).get('since');
    const since = sinceText ? new Date(sinceText) : null;
    if (since && Number.isNaN(since.getTime())) throw new BadRequest('"since" is not a time.');
    const outline = await messages.outline(conversation);
    const changed = outline.filter((m) => !since || m.changedAt >= since).map((m) => m.id);
    const full = await messages.withReplies(conversation, changed);
    const replies = new Map<string, LocalMessage[]>();
    for (const m of full) if (m.threadOf) replies.set(m.threadOf, [...(replies.get(m.threadOf) ?? []), m]);
    const byId = new Map(full.filter((m) => !m.threadOf).map((m) => [m.id, m]));
    return outline.map(({ id, changedAt }) => {
      const m = byId.get(id);
      const stamp = changedAt.toISOString();
      return m
        ? { ...view(m), stamp, replies: (replies.get(id) ?? []).map(view) }
        : { id, stamp, unchanged: true };
    });
  };

  const file = async (req: IncomingMessage, res: ServerResponse) => {
    if (!allowed(req)) return sendJson(res, 401, { error: 'This workspace needs its access token.' });
    let id: string;
    try {
      id = decodeURIComponent((req.url ?? '').split('?')[0]?.slice('/local/files/'.length) ?? '');
    } catch {
      return sendJson(res, 400, { error: 'That is not a file address.' });
    }
    const m = await messages.get(id);
    const p = (() => {
      try {
        return personOf(req);
      } catch {
        return null;
      }
    })();
    if (!m?.file || !p || m.conversation !== conversations.dm(p.id))
      return sendJson(res, 404, { error: 'No such file for you.' });
    res.writeHead(200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': `attachment; filename="${m.file.filename.replace(/[^\w.-]/g, '_')}"`,
    });
    res.end(m.file.content);
  };

  // ---- commands --------------------------------------------------------------------------------------

  const requestForm = (route: Route, values?: Record<string, unknown>, errors?: FieldError[]) => ({
    title: `${routeKindLabels[route.kind]} request`,
    card: requestFormCard(app, route, { ...(values ? { values } : {}), ...(errors ? { errors } : {}) }),
  });

  const emergency = () => ({ title: 'Phone now', card: emergencyCard(app) });

  const reply = (card: AdaptiveCardJson) => ({ reply: { card } });
  const say = (text: string) => ({ reply: { text } });

  const commandSchema = z.strictObject({ text: z.string().max(500) });

  const command = async (req: IncomingMessage) => {
    const p = personOf(req);
    const { text } = commandSchema.parse(await readJson(req));
    const [word = '', ...rest] = text.trim().split(/\s+/);
    const arg = rest.join(' ');
    const kind = requestCommands[word.toLowerCase() as keyof typeof requestCommands];
    if (kind) {
      const team = app.workflow.directory.team(p.teamId);
      const routes = team ? routesFor(app.profile, team.service, kind) : [];
      if (!routes.length) {
        const offer = [
          ...new Set((team ? routesFor(app.profile, team.service) : []).map((r) => `/${r.command}`)),
        ];
        return say(
          `${team?.name ?? 'Your team'} has no ${word} route in the ${app.profile.name}.${offer.length ? ` From your team you can start: ${offer.join(', ')}.` : ''}`,
        );
      }
      const chosen = arg
        ? routes.find((r) => r.id === arg.toLowerCase())
        : routes.length === 1
          ? routes[0]
          : undefined;
      if (arg && !chosen)
        return say(
          `There is no ${word} route "${arg}" for your team. Routes: ${routes.map((r) => r.id).join(', ')}.`,
        );
      if (chosen) return { form: requestForm(chosen) };
      return {
        choose: {
          title: `Start ${word}`,
          command: word.toLowerCase(),
          routes: routes.map((r) => ({ id: r.id, name: r.name, summary: r.summary })),
        },
      };
    }
    if (word.toLowerCase() !== '/transfer')
      return say(`"${word}" is not a Stepwise command. Try /stepup, /stepdown, /stepin or /transfer help.`);
    const parsed = parseTransferCommand(arg);
    switch (parsed.sub) {
      case 'help':
        return say(helpText);
      case 'status':
        return reply(await statusCard(app, await app.workflow.get(parsed.ref), p, now()));
      case 'list':
        return reply(await listCard(app, p, parsed.scope, now()));
      case 'dispute':
      case 'withdraw': {
        const t = await app.workflow.get(parsed.ref);
        const refusal = await app.workflow.refusal(t.id, p.id, parsed.sub);
        if (refusal) return say(refusal);
        const data =
          parsed.sub === 'dispute'
            ? disputeFormData({ transfer: t, profile: app.profile })
            : withdrawFormData({ transfer: t, profile: app.profile });
        return {
          form: {
            title: parsed.sub === 'dispute' ? data.heading : `Withdraw ${t.ref}`,
            card: renderCard(`forms/${parsed.sub}`, data),
          },
        };
      }
      case 'link':
        return say('In the local workspace every team already has its channel; /transfer link is for Slack.');
    }
  };

  const chooseSchema = z.strictObject({ routeId: z.string().min(1).max(64) });
  const formFor = async (req: IncomingMessage) => {
    const p = personOf(req);
    const { routeId } = chooseSchema.parse(await readJson(req));
    const team = app.workflow.directory.team(p.teamId);
    const route = team ? routesFor(app.profile, team.service).find((r) => r.id === routeId) : undefined;
    if (!route) throw new BadRequest('That route is not one your team can start.');
    return { form: requestForm(route) };
  };

  // ---- presses and submissions -------------------------------------------------------------------------

  const submitSchema = z.strictObject({ data: z.record(z.string(), z.unknown()) });
  /**
   * The inputs of a press: Adaptive Cards merges each input's value into the action's data, keyed by the input's
   * id; the form parsers pick the ids they know and ignore the rest.
   */

  const submit = async (req: IncomingMessage) => {
    const p = personOf(req);
    const { data } = submitSchema.parse(await readJson(req));
    const payload = actionPayloadSchema.parse(data);
    const at = now();
    if (payload.action === 'start') {
      const route = app.profile.routes.find((r) => r.id === payload.routeId);
      if (!route) throw new BadRequest('This form is out of date: start again with the slash command.');
      const inputs = stringInputs(data);
      // A significant-harm concern shows the phone route at once, whatever else the form holds.
      if (parseRequestSubmission(route, inputs).significantHarm) return { form: emergency() };
      try {
        const t = await startRequest(app, { personId: p.id, surface: 'local' }, route, inputs, at);
        await deps.kick();
        return {
          done: `${t.ref} was sent to ${app.workflow.teamName(t.receivingTeamId)}. You will get a direct message with every decision on it.`,
        };
      } catch (e) {
        if (e instanceof EmergencyRoute) return { form: emergency() };
        if (e instanceof WorkflowError && e.fieldErrors.length)
          return { form: requestForm(route, inputs, e.fieldErrors), error: e.message };
        throw e;
      }
    }
    if (payload.action === 'open_form') throw new BadRequest('That button opens a form on Slack only.');
    const fields = {
      ...payload,
      ...formSubmission(payload.action, stringInputs(data), app.calendar),
    } as Fields;
    const t = await runVerb(
      app,
      payload.action,
      {
        actor: { personId: p.id, surface: 'local' },
        ref: payload.transferId,
        expectedVersion: payload.version,
      },
      fields,
      at,
    );
    await deps.kick();
    return { done: `${t.ref} is now ${stateLabels[t.state]}.` };
  };

  // ---- the demo clock ----------------------------------------------------------------------------------

  const clockSchema = z.union([
    z.strictObject({ advance: z.enum(['hour', 'working_day', 'week']) }),
    z.strictObject({ to: z.iso.datetime({ offset: true }) }),
  ]);
  const moveClock = async (req: IncomingMessage) => {
    const body = clockSchema.parse(await readJson(req));
    const from = now();
    const to =
      'to' in body
        ? new Date(body.to)
        : body.advance === 'hour'
          ? new Date(from.getTime() + 3_600_000)
          : body.advance === 'week'
            ? new Date(from.getTime() + 7 * 86_400_000)
            : app.calendar.due(from, { amount: 1, unit: 'working_days' });
    if (to <= from) throw new BadRequest('The demo clock only moves forward.');
    clock.moveTo(to);
    await deps.settings.setSetting(clockOffsetSetting, clock.offsetMs);
    const report = await sweepDueTimers(app.workflow, app.store, clock.now());
    await deps.kick();
    const state = { now: clock.now().toISOString(), offsetMs: clock.offsetMs };
    hub.publish({ type: 'clock', ...state });
    log.info(
      { offsetMs: clock.offsetMs, handled: report.handled.length },
      'local workspace: demo clock moved',
    );
    for (const f of report.failed) log.error(f, 'a due timer could not be handled and was set aside');
    return { ...state, handled: report.handled.length };
  };

  return {
    'GET /': page('index.html', 'text/html; charset=utf-8'),
    'GET /local/app.js': page('app.js', 'text/javascript; charset=utf-8'),
    'GET /local/app.css': page('app.css', 'text/css; charset=utf-8'),
    'GET /local/adaptivecards.js': (req, res) =>
      allowed(req)
        ? sendFile(res, adaptiveCardsScript, 'text/javascript; charset=utf-8')
        : sendJson(res, 401, {}),
    'GET /local/api/session': api(session),
    'GET /local/api/conversations': api(conversationList),
    'GET /local/api/messages': api(messageList),
    'POST /local/api/command': api(command),
    'POST /local/api/route': api(formFor),
    'POST /local/api/submit': api(submit),
    'POST /local/api/clock': api(moveClock),
    'GET /local/api/events': (req, res) =>
      allowed(req)
        ? hub.subscribe(req, res)
        : sendJson(res, 401, { error: 'This workspace needs its access token.' }),
    'GET /local/files/*': file,
  };
}

/** The page's files are read from disk on each request; checked once at start so a broken install says so. */
export function checkWorkspaceFiles(): void {
  for (const f of ['index.html', 'app.js', 'app.css']) readFileSync(new URL(f, publicDir));
  readFileSync(adaptiveCardsScript);
}
