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

/**
 * A conversation reference as it is kept for posting to later: a new post, not a reply. A channel message arrives
 * in its thread's conversation (`19:…@thread.tacv2;messageid=…`) with its own id as `activityId`, and posting
 * with either puts every later message under that one (the SDK replies to `activityId`, Teams threads by the
 * `;messageid=` part), so both go.
 */
export function postableReference<T extends Record<string, unknown>>(reference: T): T {
  const { activityId: _replyTo, ...rest } = reference;
  const conversation = rest.conversation as { id?: unknown } | undefined;
  if (!conversation || typeof conversation.id !== 'string') return rest as T;
  return { ...rest, conversation: { ...conversation, id: conversation.id.split(';')[0] } } as unknown as T;
}
