// Signed requests to the app's /slack/events endpoint, exactly as Slack sends them: slash commands,
// block actions and view submissions as form bodies, with the v0 request signature.
//
//   const body = slashCommandBody({ command: '/stepwise', text: 'new', userId: 'U123', responseUrl: fake.responseUrl('c1') });
//   const res = await postToSlackEvents(baseUrl, body);
//   expect(res.status).toBe(200);
import { createHmac } from 'node:crypto';

export const signingSecret = 'test-signing-secret-0123456789abcdef';

/** The team, app and verification token every body here carries (the fake Slack's auth.test team). */
export const teamId = 'T0TEAM';
export const teamDomain = 'testteam';
export const apiAppId = 'A0TESTAPP';
export const verificationToken = 'test-verification-token';
/** The response_url used when none is given: a closed loopback port, so a stray respond() fails fast. */
export const unusedResponseUrl = 'http://127.0.0.1:9/response/none';

let counter = 0;
const next = (): number => {
  counter += 1;
  return counter;
};
const newTriggerId = (): string => `T${next()}.trigger`;
const actionTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(next()).padStart(6, '0')}`;

/** v0 signature: 'v0=' + hex HMAC-SHA256(secret, `v0:${timestamp}:${body}`). */
export function sign(body: string, timestampSec: number, secret: string = signingSecret): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SlackPost {
  status: number;
  text: string;
  json: unknown;
  ms: number;
}

/** POSTs `body` to `${baseUrl}/slack/events` signed as Slack does; `json` is the parsed answer, or null. */
export async function postToSlackEvents(
  baseUrl: string,
  body: string,
  opts: { timestampSec?: number; signature?: string; secret?: string; contentType?: string } = {},
): Promise<SlackPost> {
  const timestampSec = opts.timestampSec ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? sign(body, timestampSec, opts.secret ?? signingSecret);
  const started = performance.now();
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestampSec),
      'x-slack-signature': signature,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: res.status, text, json, ms };
}

function channelName(channelId: string): string {
  if (channelId.startsWith('D')) return 'directmessage';
  if (channelId.startsWith('G')) return 'privategroup';
  return 'general';
}

const userName = (userId: string): string => `user_${userId.toLowerCase()}`;

/** The form body of a slash command, as Slack sends it. */
export function slashCommandBody(p: {
  command: string;
  text?: string;
  userId: string;
  channelId?: string;
  responseUrl?: string;
  triggerId?: string;
  teamId?: string;
}): string {
  const channelId = p.channelId ?? 'C0GENERAL';
  return new URLSearchParams({
    token: verificationToken,
    team_id: p.teamId ?? teamId,
    team_domain: teamDomain,
    channel_id: channelId,
    channel_name: channelName(channelId),
    user_id: p.userId,
    user_name: userName(p.userId),
    command: p.command,
    text: p.text ?? '',
    api_app_id: apiAppId,
    is_enterprise_install: 'false',
    response_url: p.responseUrl ?? unusedResponseUrl,
    trigger_id: p.triggerId ?? newTriggerId(),
  }).toString();
}

const payloadBody = (payload: unknown): string =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

const user = (userId: string) => ({
  id: userId,
  username: userName(userId),
  name: userName(userId),
  team_id: teamId,
});

/** `payload=<JSON>` form body for a block_actions payload (a button by default). */
export function blockActionsBody(p: {
  userId: string;
  actionId: string;
  value?: string;
  blockId?: string;
  channelId?: string;
  messageTs?: string;
  view?: Record<string, unknown>;
  responseUrl?: string;
  triggerId?: string;
  actionType?: string;
  selectedOption?: { value: string };
}): string {
  const type = p.actionType ?? (p.selectedOption ? 'static_select' : 'button');
  const action: Record<string, unknown> = {
    type,
    action_id: p.actionId,
    block_id: p.blockId ?? 'actions',
  };
  if (type === 'button') {
    action.text = { type: 'plain_text', text: p.value ?? p.actionId, emoji: true };
    if (p.value !== undefined) action.value = p.value;
  } else {
    if (p.value !== undefined) action.value = p.value;
    if (p.selectedOption) {
      action.selected_option = {
        text: { type: 'plain_text', text: p.selectedOption.value, emoji: true },
        value: p.selectedOption.value,
      };
    }
  }
  action.action_ts = actionTs();

  const viewId = typeof p.view?.id === 'string' ? p.view.id : undefined;
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: user(p.userId),
    api_app_id: apiAppId,
    token: verificationToken,
    container: p.view
      ? { type: 'view', view_id: viewId ?? 'V0' }
      : { type: 'message', message_ts: p.messageTs, channel_id: p.channelId, is_ephemeral: false },
    trigger_id: p.triggerId ?? newTriggerId(),
    team: { id: teamId, domain: teamDomain },
    enterprise: null,
    is_enterprise_install: false,
  };
  if (p.channelId) payload.channel = { id: p.channelId, name: channelName(p.channelId) };
  if (p.messageTs) payload.message = { ts: p.messageTs, type: 'message', text: '' };
  if (p.view) payload.view = p.view;
  if (p.channelId) payload.response_url = p.responseUrl ?? unusedResponseUrl;
  else if (p.responseUrl) payload.response_url = p.responseUrl;
  payload.actions = [action];
  return payloadBody(payload);
}

/** `payload=<JSON>` for a view_submission. */
export function viewSubmissionBody(p: {
  userId: string;
  callbackId: string;
  privateMetadata?: string;
  values: Record<string, Record<string, unknown>>;
  viewId?: string;
  blocks?: unknown[];
}): string {
  const n = next();
  return payloadBody({
    type: 'view_submission',
    team: { id: teamId, domain: teamDomain },
    user: user(p.userId),
    api_app_id: apiAppId,
    token: verificationToken,
    trigger_id: newTriggerId(),
    view: {
      id: p.viewId ?? `V${n}`,
      team_id: teamId,
      type: 'modal',
      callback_id: p.callbackId,
      private_metadata: p.privateMetadata ?? '',
      hash: `h${n}`,
      title: { type: 'plain_text', text: 'Stepwise', emoji: true },
      blocks: p.blocks ?? [],
      state: { values: p.values },
      clear_on_close: false,
      notify_on_close: false,
      root_view_id: p.viewId ?? `V${n}`,
      previous_view_id: null,
      app_id: apiAppId,
      external_id: '',
      bot_id: 'B0BOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  });
}

// --- view.state.values from a modal's blocks -------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface SlackOption {
  text: { type: string; text: string };
  value: string;
}

function elementOptions(element: Obj): SlackOption[] {
  const out: SlackOption[] = [];
  const collect = (list: unknown) => {
    if (!Array.isArray(list)) return;
    for (const o of list) {
      if (!isObj(o) || typeof o.value !== 'string') continue;
      const text = isObj(o.text) ? o.text : {};
      out.push({
        text: {
          type: typeof text.type === 'string' ? text.type : 'plain_text',
          text: typeof text.text === 'string' ? text.text : o.value,
        },
        value: o.value,
      });
    }
  };
  collect(element.options);
  if (Array.isArray(element.option_groups)) {
    for (const g of element.option_groups) if (isObj(g)) collect(g.options);
  }
  return out;
}

function pickOption(blockId: string, options: SlackOption[], value: string): SlackOption {
  const found = options.find((o) => o.value === value);
  if (!found) {
    throw new Error(
      `stateFromAnswers: block '${blockId}' has no option '${value}'; allowed values: ` +
        (options.map((o) => `'${o.value}'`).join(', ') || '(none)'),
    );
  }
  return found;
}

const asList = (answer: string | string[]): string[] =>
  (Array.isArray(answer) ? answer : answer.split(',')).map((s) => s.trim()).filter((s) => s !== '');

function single(blockId: string, answer: string | string[]): string {
  if (!Array.isArray(answer)) return answer;
  if (answer.length > 1)
    throw new Error(`stateFromAnswers: block '${blockId}' takes one value, got ${answer.length}`);
  return answer[0] ?? '';
}

/** An element's state: the answer given, or empty when `answer` is undefined or '' / []. */
function elementState(blockId: string, element: Obj, answer: string | string[] | undefined): Obj {
  const type = typeof element.type === 'string' ? element.type : 'plain_text_input';
  const blank = answer === undefined || (Array.isArray(answer) ? answer.length === 0 : answer === '');
  switch (type) {
    case 'static_select':
    case 'radio_buttons':
    case 'external_select': {
      if (blank) return { type, selected_option: null };
      const value = single(blockId, answer);
      const option =
        type === 'external_select'
          ? { text: { type: 'plain_text', text: value }, value }
          : pickOption(blockId, elementOptions(element), value);
      return {
        type,
        selected_option: { text: { type: 'plain_text', text: option.text.text }, value: option.value },
      };
    }
    case 'multi_static_select':
    case 'checkboxes':
    case 'multi_external_select': {
      if (blank) return { type, selected_options: [] };
      const options = elementOptions(element);
      return {
        type,
        selected_options: asList(answer).map((v) => {
          const o =
            type === 'multi_external_select'
              ? { text: { type: 'plain_text', text: v }, value: v }
              : pickOption(blockId, options, v);
          return { text: { type: 'plain_text', text: o.text.text }, value: o.value };
        }),
      };
    }
    case 'datepicker':
      return { type, selected_date: blank ? null : single(blockId, answer) };
    case 'timepicker':
      return { type, selected_time: blank ? null : single(blockId, answer) };
    case 'datetimepicker':
      return { type, selected_date_time: blank ? null : Number(single(blockId, answer)) };
    case 'users_select':
      return { type, selected_user: blank ? null : single(blockId, answer) };
    case 'multi_users_select':
      return { type, selected_users: blank ? [] : asList(answer) };
    case 'conversations_select':
      return { type, selected_conversation: blank ? null : single(blockId, answer) };
    case 'multi_conversations_select':
      return { type, selected_conversations: blank ? [] : asList(answer) };
    case 'channels_select':
      return { type, selected_channel: blank ? null : single(blockId, answer) };
    case 'multi_channels_select':
      return { type, selected_channels: blank ? [] : asList(answer) };
    default:
      // plain_text_input, email_text_input, number_input, url_text_input, rich text aside.
      return { type, value: blank ? null : Array.isArray(answer) ? answer.join(',') : answer };
  }
}

/**
 * Builds a Slack `view.state.values` object from a modal's blocks (as the app sent them to views.open) and
 * the answers keyed by block_id. An answer of '' or [] is left blank. Throws when a value is not among a
 * select's options, or when an answer names a block_id that is not an input block of the modal.
 */
export function stateFromAnswers(
  blocks: unknown[],
  answers: Record<string, string | string[]>,
): Record<string, Record<string, unknown>> {
  const values: Record<string, Record<string, unknown>> = {};
  const inputIds: string[] = [];
  for (const block of blocks) {
    if (!isObj(block) || block.type !== 'input' || typeof block.block_id !== 'string') continue;
    const element = isObj(block.element) ? block.element : {};
    const blockId = block.block_id;
    const actionId = typeof element.action_id === 'string' ? element.action_id : blockId;
    inputIds.push(blockId);
    const answer = Object.hasOwn(answers, blockId) ? answers[blockId] : undefined;
    values[blockId] = { [actionId]: elementState(blockId, element, answer) };
  }
  const unknown = Object.keys(answers).filter((id) => !inputIds.includes(id));
  if (unknown.length > 0) {
    throw new Error(
      `stateFromAnswers: no input block ${unknown.map((id) => `'${id}'`).join(', ')} in the modal; ` +
        `its input blocks are: ${inputIds.map((id) => `'${id}'`).join(', ') || '(none)'}`,
    );
  }
  return values;
}
