/**
 * Every template in cards/, bound to sample data built from every route of the five built-in profiles and their demo
 * directories: valid against the Adaptive Card 1.5 schema, parsed and validated without a warning by the
 * adaptivecards package (as sent, and upgraded for Teams), every button's payload in the action convention, no
 * binding left unexpanded, under Teams' 28 KB, and within Slack's limits as Block Kit.
 */
import { describe, expect, it } from 'vitest';
import { parseActionValue } from '../../../src/cards/actions.ts';
import { type SlackBlock, slackLimits, toSlackMessage, toSlackModal } from '../../../src/cards/blockkit.ts';
import {
  cardBytes,
  renderCard,
  templateFilesOnDisk,
  templateJson,
  templateNames,
  upgradeForTeams,
} from '../../../src/cards/render.ts';
import { emergencyData } from '../../../src/cards/view.ts';
import { profileNames } from '../../../src/protocols/index.ts';
import { allRoutes, council } from './fixtures.ts';
import {
  adaptiveCardsProblems,
  allStrings,
  badPayloads,
  type Sample,
  samplesFor,
  schemaErrors,
} from './support.ts';

function buttonValues(blocks: SlackBlock[]): string[] {
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements as { value?: string }[]).map((e) => e.value))
    .filter((v): v is string => typeof v === 'string');
}

/** Every check for one rendered sample; returns the problems found, each naming the sample. */
function problemsOf(sample: Sample): string[] {
  const problems: string[] = [];
  const card = renderCard(sample.template, sample.data);
  const teams = upgradeForTeams(card);
  for (const [what, c] of [
    ['card', card],
    ['Teams card', teams],
  ] as const) {
    for (const e of schemaErrors(c)) problems.push(`${what} schema: ${e}`);
    for (const e of adaptiveCardsProblems(c)) problems.push(`${what} adaptivecards ${e}`);
  }
  for (const e of badPayloads(card)) problems.push(`action payload: ${e}`);
  const unbound = allStrings(card).filter((s) => s.includes('${'));
  if (unbound.length) problems.push(`unbound template expressions: ${unbound.join(' | ')}`);
  if (JSON.stringify(upgradeForTeams(teams)) !== JSON.stringify(teams))
    problems.push('upgrading the Teams card a second time changes it');
  if (cardBytes(teams) > 28 * 1024) problems.push(`Teams card is ${cardBytes(teams)} bytes (over 28 KB)`);
  try {
    const blocks =
      sample.surface === 'message'
        ? toSlackMessage(card).blocks
        : toSlackModal(card, { callbackId: sample.template, title: 'Stepwise' }).blocks;
    const max = sample.surface === 'message' ? slackLimits.messageBlocks : slackLimits.modalBlocks;
    if (blocks.length > max) problems.push(`${blocks.length} Slack blocks`);
    for (const value of buttonValues(blocks)) parseActionValue(value);
  } catch (err) {
    problems.push(`Slack: ${(err as Error).message}`);
  }
  return problems.map((p) => `${sample.label}: ${p}`);
}

describe('card templates', () => {
  it('every template file in cards/ is a known template, and every known template has a file', () => {
    expect(templateFilesOnDisk()).toEqual([...templateNames].sort());
  });

  it('every template declares Adaptive Card 1.5', () => {
    for (const name of templateNames) {
      expect(templateJson(name), name).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    }
  });

  describe.each(profileNames)('%s emergency route', (name) => {
    it('renders the council’s phone route', () => {
      const c = council(name);
      const sample: Sample = {
        label: `${name} emergency`,
        template: 'emergency',
        data: emergencyData(c.profile),
        channel: false,
        surface: 'message',
      };
      expect(problemsOf(sample)).toEqual([]);
      const text = JSON.stringify(toSlackMessage(renderCard('emergency', sample.data)));
      for (const phone of c.profile.emergency.phones) expect(text).toContain(phone.number);
    });
  });

  describe.each(allRoutes)('$label', ({ name, route }) => {
    const samples = samplesFor(council(name), route);
    const byTemplate = new Map<string, Sample[]>();
    for (const s of samples) byTemplate.set(s.template, [...(byTemplate.get(s.template) ?? []), s]);

    it.each([...byTemplate.keys()])('%s: schema, adaptivecards, payloads and Slack limits', (template) => {
      const problems = (byTemplate.get(template) ?? []).flatMap(problemsOf);
      expect(problems).toEqual([]);
    });

    it('covers every template but the emergency card (and the meeting cards where the route has no meetings)', () => {
      const meetingCards = ['meeting', 'forms/meeting-time', 'forms/meeting-outcome'];
      const expected = templateNames.filter(
        (t) => t !== 'emergency' && (route.meetings.length > 0 || !meetingCards.includes(t)),
      );
      expect([...byTemplate.keys()].sort()).toEqual([...expected].sort());
    });
  });
});
