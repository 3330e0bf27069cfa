/**
 * The cards/ templates as Teams shows them. A message card's buttons become Universal Actions
 * (`Action.Execute`, whose verb is the same word, with the `Action.Submit` as its fallback for older clients);
 * a channel's request card shows everyone the status and, through `refresh.userIds`, shows the people who may
 * act their buttons. Dialog (task module) cards keep `Action.Submit`, which is what a dialog submits with.
 */
import { type AdaptiveCardJson, type CardElement, upgradeForTeams } from '../../cards/render.ts';

/** A card for a Teams message: its buttons as Universal Actions (see upgradeForTeams). */
export const forTeamsMessage = (card: AdaptiveCardJson): AdaptiveCardJson => upgradeForTeams(card);

/** Teams refuses a card over 28 KB; the outbox does not send one (tested over every template). */
export const teamsCardLimitBytes = 28 * 1024;
/** Teams refreshes a card for at most 60 users. */
const maxRefreshUsers = 60;

export const cardContentType = 'application/vnd.microsoft.card.adaptive';

/** The card with no buttons or forms: what everyone not allowed to act sees. */
export function statusOnly(card: AdaptiveCardJson): AdaptiveCardJson {
  const strip = (items: unknown): CardElement[] =>
    (Array.isArray(items) ? items : [])
      .filter((el: CardElement) => el.type !== 'ActionSet')
      .map((el: CardElement) => ({
        ...el,
        ...(Array.isArray(el.items) ? { items: strip(el.items) } : {}),
        ...(Array.isArray(el.columns) ? { columns: strip(el.columns) } : {}),
      }));
  const { actions: _actions, ...rest } = card;
  return { ...rest, body: strip(card.body) };
}

/**
 * A channel card: the status for everyone, and a refresh that Teams runs for the listed users (the people who
 * may act on it), whose answer is the card with their buttons.
 */
export function withRefresh(
  card: AdaptiveCardJson,
  transferId: string,
  userIds: readonly string[],
): AdaptiveCardJson {
  const users = [...new Set(userIds)].slice(0, maxRefreshUsers);
  const refresh = { type: 'Action.Execute', verb: 'refresh', data: { action: 'refresh', transferId } };
  // For clients that do not refresh a card by themselves (and people beyond the 60 Teams refreshes for), a
  // button does the same: it answers with the card as that person may act on it.
  const withButton = { ...card, actions: [{ ...refresh, title: 'Show my actions' }] };
  if (!users.length) return withButton;
  return { ...withButton, refresh: { action: refresh, userIds: users } };
}

/**
 * A dialog's form again, as it was sent: each input keeps what was typed (a dialog keeps nothing by itself),
 * and the problems are listed on top, so nothing has to be typed twice.
 */
export function refilled(
  card: AdaptiveCardJson,
  values: Readonly<Record<string, string>>,
  problems: readonly string[],
): AdaptiveCardJson {
  const fill = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(fill);
    if (!x || typeof x !== 'object') return x;
    const el = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fill(v)])) as CardElement;
    const id = typeof el.id === 'string' ? el.id : undefined;
    if (typeof el.type === 'string' && el.type.startsWith('Input.') && id && values[id] !== undefined)
      el.value = values[id];
    return el;
  };
  const body = fill(card.body) as CardElement[];
  const warning = { type: 'TextBlock', text: problems.join('\n\n'), color: 'attention', wrap: true };
  return { ...card, body: [warning, ...body] };
}

/** A card as a message attachment. */
export function attachment(card: AdaptiveCardJson) {
  return { contentType: cardContentType, content: card };
}
