/**
 * Adaptive Card JSON (the subset the templates in cards/ use) -> Slack Block Kit, for messages and modals.
 *
 * - TextBlock: a heading (style "heading", or size large) becomes a header block, a subtle one a context block,
 *   any other a section. Markdown is turned into Slack mrkdwn (**bold** -> *bold*, [text](url) -> <url|text>).
 *   A TextBlock whose id is "<input id>.help" or "<input id>.error" becomes that input's hint.
 * - FactSet: section fields (ten a section). Container, ColumnSet and Column are flattened, in order.
 * - Input.Text (multiline, email style), Input.Number, Input.Date, Input.Time: input blocks with
 *   plain_text_input, email_text_input, number_input, datepicker, timepicker; block_id and action_id are the
 *   input's id. Input.ChoiceSet: static_select (compact), multi_static_select (compact, multi), radio_buttons
 *   (expanded), checkboxes (expanded, multi). Input.Toggle: checkboxes with one option.
 * - ActionSet and the card's actions: actions blocks of buttons whose value is the JSON of the action's data
 *   and whose action_id is its verb (see actions.ts). Action.ShowCard becomes a button with the action
 *   `open_form`, naming the form by the ShowCard's id (action_id `open_form:<form>`); Action.OpenUrl a link
 *   button.
 * Anything else, or a property these cannot express, throws {@link UnsupportedCardElement}; going over one of
 * Slack's limits throws {@link SlackLimitError}. Neither error message quotes the card's text (it may be
 * about a child): they name the element, its id and the limit.
 */
import { type FormName, formNames } from './actions.ts';
import type { AdaptiveCardJson, CardElement } from './render.ts';

export class UnsupportedCardElement extends Error {
  override name = 'UnsupportedCardElement';
  constructor(
    readonly elementType: string,
    readonly elementId: string | undefined,
    readonly detail?: string,
  ) {
    super(
      `Slack cannot express the card element ${elementType}${elementId ? ` (id "${elementId}")` : ''}${
        detail ? `: ${detail}` : ''
      }`,
    );
  }
}

export class SlackLimitError extends Error {
  override name = 'SlackLimitError';
  constructor(
    readonly limit: keyof typeof slackLimits,
    readonly max: number,
    readonly actual: number,
    where: string,
  ) {
    super(`Slack limit exceeded: ${limitNames[limit]} is at most ${max}, got ${actual} (${where})`);
  }
}

/** Slack's limits (DESIGN.md, and Block Kit's reference for the elements used). */
export const slackLimits = {
  messageBlocks: 50,
  modalBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  buttonValue: 2000,
  buttonText: 75,
  actionsElements: 25,
  inputLabel: 2000,
  hint: 2000,
  placeholder: 150,
  textInputLength: 3000,
  selectOptions: 100,
  radioOptions: 10,
  optionValue: 150,
  blockId: 255,
  messageText: 40000,
} as const;

const limitNames: Record<keyof typeof slackLimits, string> = {
  messageBlocks: 'blocks in a message',
  modalBlocks: 'blocks in a modal',
  sectionText: 'characters in a section text',
  sectionFields: 'fields in a section',
  fieldText: 'characters in a section field',
  headerText: 'characters in a header',
  contextElements: 'elements in a context block',
  contextText: 'characters in a context element',
  modalTitle: 'characters in a modal title',
  modalButton: 'characters in a modal submit or close button',
  privateMetadata: 'characters of private_metadata',
  callbackId: 'characters in a callback_id',
  buttonValue: 'characters in a button value',
  buttonText: 'characters in a button text',
  actionsElements: 'elements in an actions block',
  inputLabel: 'characters in an input label',
  hint: 'characters in an input hint',
  placeholder: 'characters in a placeholder',
  textInputLength: 'characters in a text input (max_length)',
  selectOptions: 'options in a select menu',
  radioOptions: 'options in radio buttons or checkboxes',
  optionValue: 'characters in an option value',
  blockId: 'characters in a block_id or action_id',
  messageText: 'characters in a message text',
};

export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}
export interface SlackView {
  type: 'modal';
  callback_id: string;
  title: SlackText;
  submit?: SlackText;
  close?: SlackText;
  private_metadata?: string;
  blocks: SlackBlock[];
}

const check = (limit: keyof typeof slackLimits, actual: number, where: string) => {
  if (actual > slackLimits[limit]) throw new SlackLimitError(limit, slackLimits[limit], actual, where);
};

const spacingProps = ['spacing', 'separator'];
const inputProps = ['type', 'id', 'label', 'isRequired', 'errorMessage', ...spacingProps];
const allowed: Record<string, readonly string[]> = {
  AdaptiveCard: ['type', 'version', '$schema', 'body', 'actions', 'fallbackText'],
  TextBlock: ['type', 'id', 'text', 'wrap', 'weight', 'size', 'color', 'isSubtle', 'style', ...spacingProps],
  FactSet: ['type', 'id', 'facts', ...spacingProps],
  Container: ['type', 'id', 'items', 'style', ...spacingProps],
  ColumnSet: ['type', 'id', 'columns', ...spacingProps],
  Column: ['type', 'id', 'items', 'width', ...spacingProps],
  ActionSet: ['type', 'id', 'actions', ...spacingProps],
  'Input.Text': [...inputProps, 'isMultiline', 'maxLength', 'placeholder', 'value', 'style'],
  'Input.Number': [...inputProps, 'placeholder', 'value', 'min', 'max'],
  'Input.Date': [...inputProps, 'placeholder', 'value'],
  'Input.Time': [...inputProps, 'placeholder', 'value'],
  'Input.ChoiceSet': [...inputProps, 'choices', 'isMultiSelect', 'style', 'value', 'placeholder', 'wrap'],
  'Input.Toggle': [...inputProps, 'title', 'value', 'valueOn', 'valueOff', 'wrap'],
  'Action.Submit': ['type', 'id', 'title', 'data', 'style'],
  'Action.Execute': ['type', 'id', 'title', 'verb', 'data', 'style', 'fallback'],
  'Action.ShowCard': ['type', 'id', 'title', 'card', 'style'],
  'Action.OpenUrl': ['type', 'id', 'title', 'url', 'style'],
};

function supported(el: CardElement): void {
  const props = allowed[el.type];
  if (!props) throw new UnsupportedCardElement(el.type || '(no type)', el.id);
  for (const key of Object.keys(el)) {
    if (!props.includes(key)) throw new UnsupportedCardElement(el.type, el.id, `property "${key}"`);
  }
  if (el.type === 'Input.Text' && el.style !== undefined && el.style !== 'text' && el.style !== 'email') {
    throw new UnsupportedCardElement(el.type, el.id, `style "${String(el.style)}"`);
  }
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);

/** Adaptive Card markdown -> Slack mrkdwn. */
export function toMrkdwn(markdown: string): string {
  return markdown
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<$2|$1>')
    .replace(/\*\*(.+?)\*\*/g, '*$1*');
}

/** Adaptive Card markdown -> plain text (headers, labels, hints, buttons). */
export function toPlain(markdown: string): string {
  return markdown.replace(/\*\*(.+?)\*\*/g, '$1').replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)');
}

const plain = (text: string): SlackText => ({ type: 'plain_text', text, emoji: true });

interface Out {
  blocks: SlackBlock[];
  /** Input blocks by input id, for hints that follow them. */
  inputs: Map<string, SlackBlock>;
}

/** Shortens an option's text to Slack's 75 characters, keeping the rest as its description where allowed. */
function optionOf(title: string, value: string, withDescription: boolean, where: string) {
  check('optionValue', value.length, where);
  const text = toPlain(title);
  if (text.length <= 75) return { text: plain(text), value };
  const space = text.lastIndexOf(' ', 74);
  const cut = space > 30 ? space : 74;
  const head = `${text.slice(0, cut).trimEnd()}…`;
  if (!withDescription) return { text: plain(head), value };
  const rest = text.slice(cut).trim();
  const description = rest.length <= 75 ? rest : `${rest.slice(0, 74).trimEnd()}…`;
  return { text: plain(head), value, description: plain(description) };
}

function inputBlock(el: CardElement, out: Out, opts: ConvertOptions): void {
  const id = str(el.id);
  if (!id) throw new UnsupportedCardElement(el.type, undefined, 'an input needs an id');
  check('blockId', id.length, `${el.type} id`);
  const label = toPlain(str(el.label) || (el.type === 'Input.Toggle' ? str(el.title) : ''));
  if (!label) throw new UnsupportedCardElement(el.type, id, 'an input needs a label');
  check('inputLabel', label.length, `label of ${id}`);
  const value = str(el.value);
  const placeholder = str(el.placeholder);
  if (placeholder) check('placeholder', placeholder.length, `placeholder of ${id}`);
  const withPlaceholder = placeholder ? { placeholder: plain(placeholder) } : {};
  let element: Record<string, unknown>;
  switch (el.type) {
    case 'Input.Text': {
      if (el.style === 'email') {
        element = { type: 'email_text_input', action_id: id, ...withPlaceholder };
      } else {
        const max = typeof el.maxLength === 'number' ? el.maxLength : undefined;
        if (max !== undefined) check('textInputLength', max, `max length of ${id}`);
        element = {
          type: 'plain_text_input',
          action_id: id,
          ...(el.isMultiline === true ? { multiline: true } : {}),
          ...(max !== undefined ? { max_length: max } : {}),
          ...withPlaceholder,
        };
      }
      if (value) element.initial_value = value;
      break;
    }
    case 'Input.Number':
      element = {
        type: 'number_input',
        action_id: id,
        is_decimal_allowed: true,
        ...(typeof el.value === 'number' ? { initial_value: String(el.value) } : {}),
        ...(typeof el.min === 'number' ? { min_value: String(el.min) } : {}),
        ...(typeof el.max === 'number' ? { max_value: String(el.max) } : {}),
        ...withPlaceholder,
      };
      break;
    case 'Input.Date':
      element = {
        type: 'datepicker',
        action_id: id,
        ...(/^\d{4}-\d{2}-\d{2}$/.test(value) ? { initial_date: value } : {}),
        ...withPlaceholder,
      };
      break;
    case 'Input.Time':
      element = {
        type: 'timepicker',
        action_id: id,
        ...(/^\d{2}:\d{2}$/.test(value) ? { initial_time: value } : {}),
        ...withPlaceholder,
      };
      break;
    case 'Input.ChoiceSet': {
      const choices = Array.isArray(el.choices) ? (el.choices as { title?: unknown; value?: unknown }[]) : [];
      if (!choices.length) throw new UnsupportedCardElement(el.type, id, 'a choice set needs choices');
      const multi = el.isMultiSelect === true;
      const expanded = el.style === 'expanded';
      check(expanded ? 'radioOptions' : 'selectOptions', choices.length, `choices of ${id}`);
      const options = choices.map((c) => optionOf(str(c.title), str(c.value), expanded, `choice of ${id}`));
      const selected = value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      const initial = options.filter((o) => selected.includes(o.value));
      const type = expanded
        ? multi
          ? 'checkboxes'
          : 'radio_buttons'
        : multi
          ? 'multi_static_select'
          : 'static_select';
      element = { type, action_id: id, options, ...(expanded ? {} : withPlaceholder) };
      if (multi && initial.length) element.initial_options = initial;
      if (!multi && initial[0]) element.initial_option = initial[0];
      break;
    }
    case 'Input.Toggle': {
      const on = str(el.valueOn) || 'true';
      const option = optionOf(str(el.title) || label, on, true, `option of ${id}`);
      element = { type: 'checkboxes', action_id: id, options: [option] };
      if (value === on) element.initial_options = [option];
      break;
    }
    default:
      throw new UnsupportedCardElement(el.type, id);
  }
  const block: SlackBlock = {
    type: 'input',
    block_id: id,
    label: plain(label),
    element,
    optional: el.isRequired !== true,
    ...(opts.dispatchActionIds?.includes(id) ? { dispatch_action: true } : {}),
  };
  out.blocks.push(block);
  out.inputs.set(id, block);
}

function addHint(block: SlackBlock, text: string, id: string): void {
  const hint = toPlain(text);
  const previous = (block.hint as SlackText | undefined)?.text;
  const joined = previous ? `${previous}\n${hint}` : hint;
  check('hint', joined.length, `hint of ${id}`);
  block.hint = plain(joined);
}

function textBlock(el: CardElement, out: Out): void {
  const text = str(el.text);
  const id = str(el.id);
  const target = /^(.*)\.(help|error)$/.exec(id);
  const input = target ? out.inputs.get(target[1] as string) : undefined;
  if (input) {
    if (text.trim()) addHint(input, target?.[2] === 'error' ? `⚠ ${text}` : text, id);
    return;
  }
  if (!text.trim()) return;
  const size = str(el.size).toLowerCase();
  if (str(el.style).toLowerCase() === 'heading' || size === 'large' || size === 'extralarge') {
    const header = toPlain(text);
    check('headerText', header.length, `header ${id || 'TextBlock'}`);
    out.blocks.push({ type: 'header', text: plain(header) });
    return;
  }
  const bold = str(el.weight).toLowerCase() === 'bolder' && !/[*\n]/.test(text);
  const md = bold ? `*${toMrkdwn(text)}*` : toMrkdwn(text);
  if (el.isSubtle === true) {
    check('contextText', md.length, `context ${id || 'TextBlock'}`);
    const last = out.blocks[out.blocks.length - 1];
    const element = { type: 'mrkdwn', text: md };
    if (last?.type === 'context' && (last.elements as unknown[]).length < slackLimits.contextElements) {
      (last.elements as unknown[]).push(element);
    } else out.blocks.push({ type: 'context', elements: [element] });
    return;
  }
  check('sectionText', md.length, `section ${id || 'TextBlock'}`);
  out.blocks.push({ type: 'section', text: { type: 'mrkdwn', text: md } });
}

function factSet(el: CardElement, out: Out): void {
  const facts = Array.isArray(el.facts) ? (el.facts as { title?: unknown; value?: unknown }[]) : [];
  const fields = facts.map((f, i) => {
    const text = `*${toMrkdwn(str(f.title))}*\n${toMrkdwn(str(f.value))}`;
    check('fieldText', text.length, `fact ${i + 1} of ${str(el.id) || 'FactSet'}`);
    return { type: 'mrkdwn', text };
  });
  for (let i = 0; i < fields.length; i += slackLimits.sectionFields) {
    out.blocks.push({ type: 'section', fields: fields.slice(i, i + slackLimits.sectionFields) });
  }
}

/** The payload a ShowCard's button carries: open the form it names, for the transfer its submit acts on. */
function showCardValue(action: CardElement): Record<string, unknown> {
  const id = str(action.id);
  if (!(formNames as readonly string[]).includes(id)) {
    throw new UnsupportedCardElement(
      'Action.ShowCard',
      action.id,
      `its id must name a form (${formNames.join(', ')})`,
    );
  }
  const card = action.card as AdaptiveCardJson | undefined;
  if (!card || typeof card !== 'object') throw new UnsupportedCardElement('Action.ShowCard', id, 'no card');
  // The sub-card is opened in a modal later: it must convert too.
  convertBody(card, { surface: 'modal' });
  const submit = (card.actions ?? []).find(
    (a) => (a.type === 'Action.Submit' || a.type === 'Action.Execute') && typeof a.data === 'object',
  );
  const data = (submit?.data ?? {}) as Record<string, unknown>;
  const { action: _verb, ...rest } = data;
  return { action: 'open_form', ...rest, form: id as FormName };
}

function buttons(actions: CardElement[], where: string): SlackBlock[] {
  const elements: Record<string, unknown>[] = [];
  const used = new Map<string, number>();
  for (const a of actions) {
    supported(a);
    const title = toPlain(str(a.title));
    if (!title) throw new UnsupportedCardElement(a.type, a.id, 'a button needs a title');
    check('buttonText', title.length, `button ${str(a.id) || a.type} in ${where}`);
    const style =
      a.style === 'positive' ? { style: 'primary' } : a.style === 'destructive' ? { style: 'danger' } : {};
    if (a.type === 'Action.OpenUrl') {
      elements.push({ type: 'button', text: plain(title), action_id: 'open_url', url: str(a.url), ...style });
      continue;
    }
    let value: Record<string, unknown>;
    if (a.type === 'Action.ShowCard') value = showCardValue(a);
    else {
      const data = a.data;
      if (
        typeof data !== 'object' ||
        data === null ||
        typeof (data as { action?: unknown }).action !== 'string'
      ) {
        throw new UnsupportedCardElement(a.type, a.id, 'a button needs data with an "action" verb');
      }
      value = data as Record<string, unknown>;
    }
    const json = JSON.stringify(value);
    check('buttonValue', json.length, `value of button ${str(a.id) || str(value.action)} in ${where}`);
    const verb = str(value.action);
    const base = verb === 'open_form' ? `open_form:${str(value.form)}` : verb;
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    const actionId = n === 0 ? base : `${base}:${n + 1}`;
    elements.push({ type: 'button', text: plain(title), action_id: actionId, value: json, ...style });
  }
  const blocks: SlackBlock[] = [];
  for (let i = 0; i < elements.length; i += slackLimits.actionsElements) {
    blocks.push({ type: 'actions', elements: elements.slice(i, i + slackLimits.actionsElements) });
  }
  return blocks;
}

function element(el: CardElement, out: Out, opts: ConvertOptions): void {
  supported(el);
  switch (el.type) {
    case 'TextBlock':
      textBlock(el, out);
      return;
    case 'FactSet':
      factSet(el, out);
      return;
    case 'Container':
      for (const item of (el.items as CardElement[] | undefined) ?? []) element(item, out, opts);
      return;
    case 'Column':
      for (const item of (el.items as CardElement[] | undefined) ?? []) element(item, out, opts);
      return;
    case 'ColumnSet':
      for (const column of (el.columns as CardElement[] | undefined) ?? []) {
        if (column.type !== 'Column') throw new UnsupportedCardElement(column.type, column.id);
        element(column, out, opts);
      }
      return;
    case 'ActionSet':
      out.blocks.push(...buttons((el.actions as CardElement[] | undefined) ?? [], str(el.id) || 'ActionSet'));
      return;
    default:
      if (!el.type.startsWith('Input.')) throw new UnsupportedCardElement(el.type, el.id);
      inputBlock(el, out, opts);
  }
}

interface ConvertOptions {
  surface: 'message' | 'modal';
  dispatchActionIds?: readonly string[];
}

function convertBody(card: AdaptiveCardJson, opts: ConvertOptions): Out {
  if (card.type !== 'AdaptiveCard')
    throw new UnsupportedCardElement(str(card.type) || '(no type)', undefined);
  supported(card as unknown as CardElement);
  const out: Out = { blocks: [], inputs: new Map() };
  for (const el of card.body ?? []) element(el, out, opts);
  return out;
}

function firstText(card: AdaptiveCardJson): string {
  const find = (els: CardElement[]): string => {
    for (const el of els) {
      if (el.type === 'TextBlock' && str(el.text)) return str(el.text);
      const inner = [
        ...((el.items as CardElement[] | undefined) ?? []),
        ...((el.columns as CardElement[] | undefined) ?? []),
      ];
      const t = find(inner);
      if (t) return t;
    }
    return '';
  };
  return find(card.body ?? []);
}

/** A card as a Slack message: `text` (the notification and fallback) and `blocks`. */
export function toSlackMessage(
  card: AdaptiveCardJson,
  options: { dispatchActionIds?: string[] } = {},
): SlackMessage {
  const out = convertBody(card, { surface: 'message', ...options });
  out.blocks.push(...buttons(card.actions ?? [], 'the card'));
  check('messageBlocks', out.blocks.length, 'message');
  const text = toMrkdwn(card.fallbackText || firstText(card) || 'Stepwise');
  check('messageText', text.length, 'message text');
  return { text, blocks: out.blocks };
}

export interface ModalOptions {
  callbackId: string;
  /** At most 24 characters. */
  title: string;
  /** The submit button's text; default: the card's single Action.Submit title. */
  submit?: string;
  close?: string;
  /** Default: the JSON of the card's single Action.Submit data (at most 3000 characters). */
  privateMetadata?: string;
  /** Inputs that send a block_actions payload as soon as they change (e.g. the significant-harm question). */
  dispatchActionIds?: string[];
}

/**
 * A card as a Slack modal. When the card has exactly one submit action, it becomes the modal's submit button and its
 * data the modal's private_metadata (unless given); any other actions stay as buttons.
 */
export function toSlackModal(card: AdaptiveCardJson, options: ModalOptions): SlackView {
  const out = convertBody(card, { surface: 'modal', dispatchActionIds: options.dispatchActionIds ?? [] });
  const actions = card.actions ?? [];
  const submits = actions.filter((a) => a.type === 'Action.Submit' || a.type === 'Action.Execute');
  const primary = submits.length === 1 ? submits[0] : undefined;
  if (primary) supported(primary);
  out.blocks.push(...buttons(primary ? actions.filter((a) => a !== primary) : actions, 'the modal'));
  check('modalBlocks', out.blocks.length, `modal ${options.callbackId}`);
  check('modalTitle', options.title.length, `modal ${options.callbackId} title`);
  check('callbackId', options.callbackId.length, 'callback_id');
  const submitText = options.submit ?? (primary ? toPlain(str(primary.title)) : undefined);
  if (submitText !== undefined) check('modalButton', submitText.length, `modal ${options.callbackId} submit`);
  if (options.close !== undefined)
    check('modalButton', options.close.length, `modal ${options.callbackId} close`);
  const metadata =
    options.privateMetadata ??
    (primary && typeof primary.data === 'object' ? JSON.stringify(primary.data) : undefined);
  if (metadata !== undefined) check('privateMetadata', metadata.length, `modal ${options.callbackId}`);
  return {
    type: 'modal',
    callback_id: options.callbackId,
    title: plain(options.title),
    ...(submitText ? { submit: plain(submitText) } : {}),
    ...(options.close ? { close: plain(options.close) } : {}),
    ...(metadata !== undefined ? { private_metadata: metadata } : {}),
    blocks: out.blocks,
  };
}

type SlackElementState = {
  type?: string;
  value?: string | null;
  selected_date?: string | null;
  selected_time?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
};

/**
 * A modal's `view.state.values` as the same inputs a Teams Action.Submit sends: input id -> string (several
 * choices comma-separated, as Adaptive Cards do; an unticked toggle is "").
 */
export function slackStateToInputs(state: {
  values: Record<string, Record<string, SlackElementState>>;
}): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const block of Object.values(state.values)) {
    for (const [actionId, s] of Object.entries(block)) {
      let value = '';
      if (typeof s.value === 'string') value = s.value;
      else if (s.selected_date) value = s.selected_date;
      else if (s.selected_time) value = s.selected_time;
      else if (s.selected_option) value = s.selected_option.value;
      else if (s.selected_options) value = s.selected_options.map((o) => o.value).join(',');
      inputs[actionId] = value;
    }
  }
  return inputs;
}

/** The sub-card of the ShowCard with this id (the form a Slack `open_form` button names), or null. */
export function findShowCard(card: AdaptiveCardJson, id: string): AdaptiveCardJson | null {
  const search = (actions: CardElement[] | undefined): AdaptiveCardJson | null => {
    for (const a of actions ?? []) {
      if (a.type === 'Action.ShowCard' && a.id === id) return a.card as AdaptiveCardJson;
    }
    return null;
  };
  return search(card.actions);
}
