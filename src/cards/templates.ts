/** The card templates in cards/ (Adaptive Card 1.5 with adaptivecards-templating bindings), by name. */
import type { FormName } from './actions.ts';

export const cardNames = [
  'request-form',
  'emergency',
  'request-card',
  'status',
  'dispute',
  'meeting',
  'reminder',
  'digest',
] as const;
export type CardName = (typeof cardNames)[number];

/** A sub-form is `forms/<form name>` (cards/forms/<form name>.json). */
export type TemplateName = CardName | `forms/${FormName}`;

/**
 * A card nested in another (an `Action.ShowCard`'s card): the view names the template and its data, and the
 * renderer expands it into the `card` beside it, so every sub-form has one source whether it is shown inside a
 * card (Teams), in a modal (Slack) or on a page.
 */
export interface SubCard {
  template: TemplateName;
  data: object;
}
