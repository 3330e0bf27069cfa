/**
 * Where Stepwise keeps the Teams conversation references it may post to later (the setting table). No SDK here:
 * the server asks, before it loads the Agents SDK, whether Teams was ever installed.
 */
export const teamsRefPrefix = 'teams.ref.';

export const refKeys = {
  team: (teamId: string) => `${teamsRefPrefix}team:${teamId}`,
  person: (personId: string) => `${teamsRefPrefix}person:${personId}`,
  conversation: (conversationId: string) => `${teamsRefPrefix}conversation:${conversationId}`,
  escalation: `${teamsRefPrefix}escalation`,
};

/** A channel's own conversation id, without the thread a message in it arrives in (`;messageid=…`). */
export function bareConversationId(id: string): string {
  return id.split(';')[0] ?? id;
}

/** The same reference, for another conversation of the same team (another of its channels). */
export function inConversation<T extends Record<string, unknown>>(reference: T, id: string): T {
  return { ...reference, conversation: { ...(reference.conversation as object), id } };
}

/**
 * A conversation reference as it is kept for posting to later: a new post, not a reply. A channel message arrives
 * in its thread's conversation (`19:…@thread.tacv2;messageid=…`), and Teams threads a post by that `;messageid=`
 * part, so it goes: posted with it, every later message would sit under that one. (The reference's `activityId`
 * stays: the SDK answers it as `replyToId`, which Teams does not thread by, and the Playground needs it.)
 */
export function postableReference<T extends Record<string, unknown>>(reference: T): T {
  const id = (reference.conversation as { id?: unknown } | undefined)?.id;
  if (typeof id !== 'string' || !id.includes(';')) return reference;
  return inConversation(reference, bareConversationId(id));
}
