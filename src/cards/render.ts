/**
 * Renders a card template from cards/ with its data (adaptivecards-templating), giving Adaptive Card 1.5 JSON:
 * what Teams and the local workspace show as it is, and what blockkit.ts turns into Slack Block Kit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Template } from 'adaptivecards-templating';
import { fromRoot } from '../paths.ts';
import { formNames } from './actions.ts';
import { cardNames, type SubCard, type TemplateName } from './templates.ts';

/** Adaptive Card JSON, as far as this code needs to know it. */
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  version?: string;
  body?: CardElement[];
  actions?: CardAction[];
  fallbackText?: string;
  [key: string]: unknown;
}
export interface CardElement {
  type: string;
  id?: string;
  [key: string]: unknown;
}
export type CardAction = CardElement;

/** The directory holding the templates: cards/ at the root of the project. */
export const cardsDir = `${fromRoot('cards')}/`;

export const templateNames: readonly TemplateName[] = [
  ...cardNames,
  ...formNames.map((f) => `forms/${f}` as const),
];

let loaded: Map<TemplateName, { json: object; template: Template }> | null = null;

function templates(): Map<TemplateName, { json: object; template: Template }> {
  if (loaded) return loaded;
  const map = new Map<TemplateName, { json: object; template: Template }>();
  for (const name of templateNames) {
    const file = `${cardsDir}${name}.json`;
    let json: object;
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as object;
    } catch (err) {
      throw new Error(`card template ${name}: cannot read ${file}: ${(err as Error).message}`);
    }
    map.set(name, { json, template: new Template(json) });
  }
  loaded = map;
  return map;
}

/** The template files present in cards/ (and cards/forms/), whether or not they are known: tests compare. */
export function templateFilesOnDisk(): string[] {
  const top = readdirSync(cardsDir).filter((f) => f.endsWith('.json'));
  const forms = readdirSync(`${cardsDir}forms`)
    .filter((f) => f.endsWith('.json'))
    .map((f) => `forms/${f}`);
  return [...top, ...forms].map((f) => f.replace(/\.json$/, '')).sort();
}

/** The raw template JSON (with its `${...}` bindings), for tests and tools. */
export function templateJson(name: TemplateName): object {
  const t = templates().get(name);
  if (!t) throw new Error(`unknown card template "${name}"`);
  return structuredClone(t.json);
}

function isSubCard(value: unknown): value is SubCard {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SubCard).template === 'string' &&
    typeof (value as SubCard).data === 'object'
  );
}

/** Expands every `subcard: { template, data }` in the data into `card` (a nested card has no $schema or version). */
function resolveSubCards(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveSubCards);
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'subcard' && isSubCard(v)) {
      const { $schema: _s, version: _v, ...card } = renderCard(v.template, v.data);
      out.card = card;
    } else out[key] = resolveSubCards(v);
  }
  return out;
}

/** Binds a template to its data: `new Template(json).expand({ $root: data })`, nested forms expanded first. */
export function renderCard(name: TemplateName, data: object): AdaptiveCardJson {
  const t = templates().get(name);
  if (!t) throw new Error(`unknown card template "${name}"`);
  const card = t.template.expand({ $root: resolveSubCards(data) }) as AdaptiveCardJson;
  return card;
}

/** Size of a card as sent (Teams: keep cards under 28 KB). */
export function cardBytes(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/**
 * Teams: every `Action.Submit` that carries an action verb (and does not open a dialog) becomes an `Action.Execute` (Universal Actions) with
 * that verb and the same data, keeping the `Action.Submit` as its fallback for older clients.
 */
export function upgradeForTeams<T extends object>(card: T): T {
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    const obj = value as Record<string, unknown>;
    // Already a Universal Action (its fallback is the Submit it came from): upgrading twice changes nothing.
    if (obj.type === 'Action.Execute') return obj;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = walk(v);
    const data = obj.data as { action?: unknown; msteams?: unknown } | undefined;
    // A button that opens a Teams dialog (data.msteams: task/fetch) must stay an Action.Submit.
    if (
      obj.type === 'Action.Submit' &&
      data &&
      typeof data.action === 'string' &&
      data.msteams === undefined
    ) {
      const { type: _t, ...rest } = out;
      return { type: 'Action.Execute', verb: data.action, ...rest, fallback: { ...out } };
    }
    return out;
  };
  return walk(card) as T;
}
