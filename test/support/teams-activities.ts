// Activities shaped as Teams sends them, for the tests that post to a running server's POST /api/messages.
import { randomUUID } from 'node:crypto';

export const teamsBot = { id: '28:stepwise-bot', name: 'Stepwise' };

export interface TeamsConversation {
  id: string;
  conversationType: 'channel' | 'personal' | 'groupChat';
}

/** An activity from a person (their Teams user id and name) in a conversation, with `serviceUrl` the connector. */
export function teamsActivity(
  serviceUrl: string,
  from: { id: string; name: string; aadObjectId?: string },
  conversation: TeamsConversation,
  extra: Record<string, unknown>,
) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from,
    recipient: teamsBot,
    conversation: { ...conversation, tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    ...extra,
  };
}

/** Posts an activity (or a raw body) to the server's /api/messages: the status and the JSON answered. */
export async function postActivity(serverUrl: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${serverUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** The fields of an `adaptiveCard/action` invoke: a card's Universal Action (`verb`, its data) pressed. */
export const executeAction = (verb: string, data: Record<string, unknown> | undefined) => ({
  type: 'invoke',
  name: 'adaptiveCard/action',
  value: { action: { type: 'Action.Execute', verb, data } },
});
