// Filling Stepwise's request forms in Slack modals as a careful practitioner would, for any council's route.
import type { Person } from '../../src/domain/directory.ts';
import type { Route } from '../../src/domain/profile.ts';
import { blockText, type SlackBlock, type SlackHarness } from './slack-harness.ts';

export const child = { name: 'Alexandra Whitfield-Example', dob: '2016-05-10' };
export const narrative = 'Attendance fell to 61 percent this term and two health appointments were missed';

const daysFromNow = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The kinds of input a request form has, on any surface. */
export type InputKind = 'text' | 'email' | 'number' | 'date' | 'time' | 'choice' | 'multichoice';

/** One input's answer, as a careful practitioner would give it. */
export function answerFor(
  id: string,
  kind: InputKind,
  options: readonly string[],
  maxLength = 3000,
  extraText = '',
): string | string[] | undefined {
  const first = options[0] ?? '';
  switch (kind) {
    case 'text': {
      const text =
        id === 'child_name'
          ? child.name
          : id === 'consent.given_by'
            ? 'Parent (mother)'
            : /_ref$/.test(id)
              ? 'CASE-12345'
              : `${narrative} (${id})${extraText}.`;
      return text.slice(0, maxLength);
    }
    case 'email':
      return 'lead.professional@example.gov.uk';
    case 'number':
      return '3';
    case 'date':
      // Past dates for what has happened (consent given), three weeks ahead for what is planned (meetings), and
      // six weeks for a review that follows a meeting (Halton's first MAP review, 2 weeks after the final CIN).
      if (id === 'child_dob') return child.dob;
      if (id === 'consent.given_on') return daysFromNow(-3);
      return daysFromNow(/review/.test(id) ? 42 : 21);
    case 'time':
      return '10:30';
    case 'choice':
      // Yes to the protocol's checks (talked with the family, discussed with the manager...), no to a risk
      // question: a "yes" there rightly blocks the request.
      return options.includes('false')
        ? /significant_harm|cp_concern|disputes/.test(id)
          ? 'false'
          : 'true'
        : first;
    case 'multichoice':
      return id === 'request.confirm_warnings' ? [] : first ? [first] : [];
  }
}

const slackKinds: Record<string, InputKind> = {
  plain_text_input: 'text',
  email_text_input: 'email',
  number_input: 'number',
  datepicker: 'date',
  timepicker: 'time',
  static_select: 'choice',
  radio_buttons: 'choice',
  multi_static_select: 'multichoice',
  checkboxes: 'multichoice',
};

/** Answers for every input of a request form in a Slack modal. */
export function answersFor(blocks: SlackBlock[], extraText = ''): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const b of blocks) {
    if (b.type !== 'input' || !b.block_id || !b.element) continue;
    const el = b.element as { type: string; options?: { value: string }[]; max_length?: number };
    const kind = slackKinds[el.type];
    if (!kind) continue;
    const answer = answerFor(
      b.block_id,
      kind,
      el.options?.map((o) => o.value) ?? [],
      el.max_length,
      extraText,
    );
    if (answer !== undefined) out[b.block_id] = answer;
  }
  out['consent.status'] = 'given';
  return out;
}

/** Sends a request through the modal; confirms warnings (vague words, soft gates) when the form shows them. */
export async function sendRequest(h: SlackHarness, requester: Person, route: Route, extraText = '') {
  let view = await h.commandOpensModal(requester, `/${route.command}`, route.id);
  let answers = answersFor(view.blocks, extraText);
  let warned = false;
  for (let round = 0; round < 3; round++) {
    const res = await h.submit(requester, view, answers);
    const title = res?.view?.title?.text ?? '';
    if (res?.response_action === 'update' && title.startsWith('Sent: ')) {
      return { ref: title.slice('Sent: '.length), warned };
    }
    if (
      res?.response_action === 'update' &&
      res.view?.blocks.some((b) => b.block_id === 'request.confirm_warnings')
    ) {
      // The form came back with warnings to confirm, everything typed kept.
      warned = true;
      view = { ...view, blocks: res.view.blocks };
      answers = { ...answers, 'request.confirm_warnings': ['true'] };
      continue;
    }
    const said = res?.view
      ? blockText(res.view.blocks)
          .split('\n')
          .filter((l) => l.startsWith('•') || /:\*$/.test(l))
          .join(' | ')
      : JSON.stringify(res);
    throw new Error(`${route.id}: the request was not sent: ${said}`);
  }
  throw new Error(`${route.id}: the request was not sent after confirming the warnings`);
}
