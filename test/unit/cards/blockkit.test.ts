/** The Adaptive Card -> Block Kit renderer: what it maps, what it refuses, and Slack's limits. */
import { describe, expect, it } from 'vitest';
import { parseActionValue, verbOfActionId } from '../../../src/cards/actions.ts';
import {
  findShowCard,
  SlackLimitError,
  slackStateToInputs,
  toMrkdwn,
  toSlackMessage,
  toSlackModal,
  UnsupportedCardElement,
} from '../../../src/cards/blockkit.ts';
import type { AdaptiveCardJson, CardElement } from '../../../src/cards/render.ts';
import { renderCard } from '../../../src/cards/render.ts';
import { adaptiveCardsProblems, schemaErrors } from './support.ts';

const card = (body: CardElement[], actions: CardElement[] = []): AdaptiveCardJson => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body,
  actions,
});
const text = (t: string, extra: Record<string, unknown> = {}): CardElement => ({
  type: 'TextBlock',
  text: t,
  ...extra,
});
const submit = (verb: string, title = verb): CardElement => ({
  type: 'Action.Submit',
  title,
  data: { action: verb, transferId: 't1', version: 2 },
});

describe('unsupported elements fail, naming the element', () => {
  it('Media', () => {
    const c = card([
      text('hello'),
      { type: 'Media', id: 'video-1', sources: [{ mimeType: 'video/mp4', url: 'x' }] },
    ]);
    expect(() => toSlackMessage(c)).toThrow(UnsupportedCardElement);
    expect(() => toSlackMessage(c)).toThrow(/Media \(id "video-1"\)/);
    try {
      toSlackMessage(c);
    } catch (err) {
      expect((err as UnsupportedCardElement).elementType).toBe('Media');
      expect((err as UnsupportedCardElement).elementId).toBe('video-1');
    }
  });

  it('an element nested in a container, or in a ShowCard’s form', () => {
    expect(() =>
      toSlackMessage(card([{ type: 'Container', items: [{ type: 'Image', id: 'logo', url: 'x' }] }])),
    ).toThrow(/Image \(id "logo"\)/);
    const show: CardElement = {
      type: 'Action.ShowCard',
      id: 'decline',
      title: 'Decline',
      card: { type: 'AdaptiveCard', body: [{ type: 'RichTextBlock', id: 'rich', inlines: [] }], actions: [] },
    };
    expect(() => toSlackMessage(card([text('x')], [show]))).toThrow(/RichTextBlock \(id "rich"\)/);
  });

  it('actions and properties Slack cannot express', () => {
    expect(() =>
      toSlackMessage(card([text('x')], [{ type: 'Action.ToggleVisibility', title: 't' }])),
    ).toThrow(/Action\.ToggleVisibility/);
    expect(() => toSlackMessage(card([text('x', { id: 'centred', horizontalAlignment: 'center' })]))).toThrow(
      /TextBlock \(id "centred"\): property "horizontalAlignment"/,
    );
    expect(() =>
      toSlackMessage(card([{ type: 'Input.Text', id: 'pw', label: 'Password', style: 'password' }])),
    ).toThrow(/Input\.Text \(id "pw"\): style "password"/);
    expect(() => toSlackMessage(card([{ type: 'Input.Text', id: 'nolabel' }]))).toThrow(/needs a label/);
    expect(() =>
      toSlackMessage(card([text('x')], [{ type: 'Action.Submit', title: 'Go', data: { x: 1 } }])),
    ).toThrow(/needs data with an "action" verb/);
    const unnamed: CardElement = { type: 'Action.ShowCard', title: 'More', card: card([text('x')]) };
    expect(() => toSlackMessage(card([text('x')], [unnamed]))).toThrow(/must name a form/);
  });

  it('the checks used on the templates see broken cards too', () => {
    const broken = card([
      { type: 'TextBlock', txt: 'typo' },
      { type: 'Input.Text', id: 'a', label: 'A' },
      { type: 'Input.Text', id: 'a', label: 'B' },
    ]);
    expect(schemaErrors(broken).length).toBeGreaterThan(0);
    expect(adaptiveCardsProblems(broken).join(' ')).toMatch(/Duplicate Id "a"/);
  });
});

describe('Slack limits throw, naming the limit', () => {
  it('50 blocks a message, 100 a modal', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => text(`line ${i}`));
    expect(toSlackMessage(card(many(50))).blocks).toHaveLength(50);
    expect(() => toSlackMessage(card(many(51)))).toThrow(/blocks in a message is at most 50, got 51/);
    expect(toSlackModal(card(many(100)), { callbackId: 'x', title: 'T' }).blocks).toHaveLength(100);
    expect(() => toSlackModal(card(many(101)), { callbackId: 'x', title: 'T' })).toThrow(SlackLimitError);
  });

  it('3000 characters a section, 24 a modal title, 3000 of private_metadata, 2000 a button value', () => {
    expect(() => toSlackMessage(card([text('x'.repeat(3001), { id: 'long' })]))).toThrow(
      /characters in a section text is at most 3000, got 3001 \(section long\)/,
    );
    expect(() =>
      toSlackModal(card([text('x')]), { callbackId: 'x', title: 'A title that is far too long' }),
    ).toThrow(/modal title is at most 24/);
    expect(() =>
      toSlackModal(card([text('x')]), { callbackId: 'x', title: 'T', privateMetadata: 'm'.repeat(3001) }),
    ).toThrow(/private_metadata is at most 3000/);
    const big: CardElement = {
      type: 'Action.Submit',
      title: 'Go',
      data: { action: 'accept', pad: 'p'.repeat(2000) },
    };
    expect(() => toSlackMessage(card([text('x')], [big]))).toThrow(/button value is at most 2000/);
  });

  it('never quotes the card’s text in the error (it may be about a child)', () => {
    const secret = 'Amelia Thornbury '.repeat(200);
    try {
      toSlackMessage(card([text(secret, { id: 'narrative' })]));
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('Amelia');
    }
  });
});

describe('mapping', () => {
  it('headings, subtle text, facts, markdown and buttons', () => {
    const message = toSlackMessage({
      ...card(
        [
          text('Title', { style: 'heading' }),
          text('**Bold** & <b> [link](https://example.org)'),
          text('small print', { isSubtle: true }),
          text('more small print', { isSubtle: true }),
          {
            type: 'FactSet',
            facts: Array.from({ length: 12 }, (_, i) => ({ title: `T${i}`, value: `V${i}` })),
          },
        ],
        [submit('accept', 'Accept'), submit('schedule_meeting', 'Mon'), submit('schedule_meeting', 'Tue')],
      ),
      fallbackText: 'SW-000001: accepted',
    });
    expect(message.text).toBe('SW-000001: accepted');
    expect(message.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'section',
      'section',
      'actions',
    ]);
    expect(message.blocks[1]).toMatchObject({
      text: { type: 'mrkdwn', text: '*Bold* &amp; &lt;b&gt; <https://example.org|link>' },
    });
    expect(message.blocks[2]?.elements).toHaveLength(2);
    expect(message.blocks[3]?.fields).toHaveLength(10);
    const buttons = (message.blocks[5]?.elements ?? []) as {
      action_id: string;
      value: string;
      style?: string;
    }[];
    expect(buttons.map((b) => b.action_id)).toEqual(['accept', 'schedule_meeting', 'schedule_meeting:2']);
    expect(buttons.map((b) => verbOfActionId(b.action_id))).toEqual([
      'accept',
      'schedule_meeting',
      'schedule_meeting',
    ]);
    expect(parseActionValue(buttons[0]?.value ?? '')).toEqual({
      action: 'accept',
      transferId: 't1',
      version: 2,
    });
  });

  it('inputs: every type, with help and errors as hints', () => {
    const modal = toSlackModal(
      card(
        [
          { type: 'Input.Text', id: 'a', label: 'A', isRequired: true, maxLength: 100, value: 'typed' },
          text('Help for a', { id: 'a.help', isSubtle: true }),
          text('A is wrong', { id: 'a.error', color: 'Attention' }),
          { type: 'Input.Text', id: 'b', label: 'B', isMultiline: true },
          { type: 'Input.Text', id: 'e', label: 'E', style: 'email' },
          { type: 'Input.Number', id: 'n', label: 'N', value: 3 },
          {
            type: 'ColumnSet',
            columns: [
              { type: 'Column', items: [{ type: 'Input.Date', id: 'd', label: 'D', value: '2026-12-01' }] },
              { type: 'Column', items: [{ type: 'Input.Time', id: 't', label: 'T', value: '10:30' }] },
            ],
          },
          {
            type: 'Input.ChoiceSet',
            id: 's',
            label: 'S',
            choices: [{ title: 'One', value: '1' }],
            value: '1',
          },
          {
            type: 'Input.ChoiceSet',
            id: 'm',
            label: 'M',
            isMultiSelect: true,
            choices: [
              { title: 'One', value: '1' },
              { title: 'Two', value: '2' },
            ],
            value: '1,2',
          },
          {
            type: 'Input.ChoiceSet',
            id: 'r',
            label: 'R',
            style: 'expanded',
            choices: [{ title: `${'x'.repeat(40)} ${'y'.repeat(60)}`, value: 'long' }],
          },
          {
            type: 'Input.ChoiceSet',
            id: 'c',
            label: 'C',
            style: 'expanded',
            isMultiSelect: true,
            choices: [{ title: 'One', value: '1' }],
          },
          {
            type: 'Input.Toggle',
            id: 'g',
            title: 'Tick me',
            valueOn: 'true',
            valueOff: 'false',
            value: 'true',
          },
        ],
        [submit('decline', 'Decline')],
      ),
      { callbackId: 'decline', title: 'Decline', dispatchActionIds: ['r'] },
    );
    const elements = Object.fromEntries(
      modal.blocks.map((b) => [b.block_id, (b.element as { type: string }).type]),
    );
    expect(elements).toEqual({
      a: 'plain_text_input',
      b: 'plain_text_input',
      e: 'email_text_input',
      n: 'number_input',
      d: 'datepicker',
      t: 'timepicker',
      s: 'static_select',
      m: 'multi_static_select',
      r: 'radio_buttons',
      c: 'checkboxes',
      g: 'checkboxes',
    });
    const a = modal.blocks[0];
    expect(a).toMatchObject({ optional: false, hint: { text: 'Help for a\n⚠ A is wrong' } });
    expect(a?.element).toMatchObject({ initial_value: 'typed', max_length: 100 });
    const r = modal.blocks.find((b) => b.block_id === 'r');
    expect(r?.dispatch_action).toBe(true);
    const option = (
      (r?.element ?? { options: [] }) as {
        options: { text: { text: string }; description?: { text: string } }[];
      }
    ).options[0];
    expect(option?.text.text.length).toBeLessThanOrEqual(75);
    expect(option?.description?.text).toBe('y'.repeat(60));
    expect(modal.submit?.text).toBe('Decline');
    expect(JSON.parse(modal.private_metadata ?? '')).toEqual({
      action: 'decline',
      transferId: 't1',
      version: 2,
    });
  });

  it('a ShowCard becomes an open_form button; its form opens as a modal', () => {
    const decline = renderCard('forms/decline', {
      heading: 'Decline SW-000001',
      subtitle: 'A.B., age 5-10',
      ref: 'SW-000001',
      reasons: [{ title: 'Threshold not met', value: 'threshold-not-met' }],
      textHelp: 'Say why.',
      submit: { action: 'decline', transferId: 't1', version: 7 },
    });
    const { $schema: _s, version: _v, ...sub } = decline;
    const parent = card(
      [text('x')],
      [{ type: 'Action.ShowCard', id: 'decline', title: 'Decline', card: sub }],
    );
    const [button] = (toSlackMessage(parent).blocks.at(-1)?.elements ?? []) as {
      action_id: string;
      value: string;
    }[];
    expect(button?.action_id).toBe('open_form:decline');
    expect(parseActionValue(button?.value ?? '')).toEqual({
      action: 'open_form',
      transferId: 't1',
      version: 7,
      form: 'decline',
    });
    const form = findShowCard(parent, 'decline');
    expect(form).not.toBeNull();
    const modal = toSlackModal(form as AdaptiveCardJson, { callbackId: 'decline', title: 'Decline' });
    expect(modal.blocks.map((b) => b.block_id).filter(Boolean)).toEqual(['decline.reason', 'decline.text']);
  });

  it('reads a modal’s state back as the inputs Teams would send', () => {
    expect(
      slackStateToInputs({
        values: {
          a: { a: { type: 'plain_text_input', value: 'hello' } },
          d: { d: { type: 'datepicker', selected_date: '2026-12-01' } },
          t: { t: { type: 'timepicker', selected_time: '10:30' } },
          s: { s: { type: 'static_select', selected_option: { value: 'x' } } },
          m: { m: { type: 'multi_static_select', selected_options: [{ value: '1' }, { value: '2' }] } },
          g: { g: { type: 'checkboxes', selected_options: [] } },
          e: { e: { type: 'plain_text_input', value: null } },
        },
      }),
    ).toEqual({ a: 'hello', d: '2026-12-01', t: '10:30', s: 'x', m: '1,2', g: '', e: '' });
  });

  it('escapes Slack’s control characters', () => {
    expect(toMrkdwn('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
  });
});
