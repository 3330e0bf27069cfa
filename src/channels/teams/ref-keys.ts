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
