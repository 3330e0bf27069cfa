/**
 * The gate in front of Bolt's HTTP receiver: reads the body with a size limit, checks Slack's signature (HMAC of
 * `v0:{timestamp}:{body}`, 5-minute window) and the shape of the payload, and only then hands the request to
 * Bolt (which reads the buffered body). A forged or stale request is answered 401; an oversized or malformed
 * one 400; none of them reaches a listener.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { isValidSlackRequest } from '@slack/bolt';
import { z } from 'zod';

/** Slack's own payloads are far smaller; a bigger body is not from Slack. */
export const maxSlackBodyBytes = 1024 * 1024;

const slashCommand = z.looseObject({
  command: z.string().regex(/^\/[a-z0-9_-]+$/),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  text: z.string().max(4000).default(''),
  trigger_id: z.string().min(1),
  response_url: z.string().min(1),
});

const interaction = z.looseObject({
  type: z.enum([
    'block_actions',
    'view_submission',
    'view_closed',
    'block_suggestion',
    'shortcut',
    'message_action',
  ]),
  user: z.looseObject({ id: z.string().min(1) }),
});
const blockActions = z.looseObject({
  type: z.literal('block_actions'),
  actions: z.array(z.looseObject({ action_id: z.string().min(1) })).min(1),
});
const viewSubmission = z.looseObject({
  type: z.literal('view_submission'),
  view: z.looseObject({
    callback_id: z.string(),
    private_metadata: z.string().default(''),
    state: z.looseObject({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
    blocks: z.array(z.unknown()).default([]),
  }),
});

const eventEnvelope = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string() }) }),
]);

export type GuardResult = { ok: true; body: Buffer } | { ok: false; status: 400 | 401; error: string };

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Whether the body is a payload Stepwise can act on: a slash command, an interaction or an event. */
export function payloadProblem(contentType: string, text: string): string | null {
  try {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = parseQuery(text);
      if (typeof form.payload === 'string') {
        const payload: unknown = JSON.parse(form.payload);
        const base = interaction.safeParse(payload);
        if (!base.success) return 'not a Slack interaction payload';
        if (base.data.type === 'block_actions' && !blockActions.safeParse(payload).success)
          return 'block_actions without actions';
        if (base.data.type === 'view_submission' && !viewSubmission.safeParse(payload).success)
          return 'view_submission without a view';
        return null;
      }
      if (form.ssl_check === '1') return null;
      return slashCommand.safeParse(form).success ? null : 'not a Slack slash command';
    }
    if (contentType.startsWith('application/json')) {
      return eventEnvelope.safeParse(JSON.parse(text)).success ? null : 'not a Slack event';
    }
    return `unsupported content type "${contentType.slice(0, 60)}"`;
  } catch {
    return 'the body does not parse';
  }
}

export async function guardSlackRequest(
  req: IncomingMessage,
  signingSecret: string,
  nowMs: number,
): Promise<GuardResult> {
  const body = await readBody(req, maxSlackBodyBytes);
  if (!body) return { ok: false, status: 400, error: 'payload too large' };
  const signature = req.headers['x-slack-signature'];
  const timestamp = Number(req.headers['x-slack-request-timestamp']);
  const text = body.toString('utf8');
  if (
    typeof signature !== 'string' ||
    !Number.isFinite(timestamp) ||
    // Bolt refuses a timestamp over 5 minutes old; one from over 5 minutes ahead is refused too (no replay later).
    Math.abs(nowMs / 1000 - timestamp) > 300 ||
    !isValidSlackRequest({
      signingSecret,
      body: text,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: nowMs,
    })
  ) {
    return { ok: false, status: 401, error: 'invalid or expired Slack signature' };
  }
  const problem = payloadProblem(String(req.headers['content-type'] ?? ''), text);
  if (problem) return { ok: false, status: 400, error: problem };
  return { ok: true, body };
}

export function sendGuardError(res: ServerResponse, status: number, error: string): void {
  const text = JSON.stringify({ error });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
