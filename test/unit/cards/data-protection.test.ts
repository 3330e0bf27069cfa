/**
 * DESIGN.md, data protection: channel cards carry the reference, the child's initials and age band, levels, route,
 * deadlines and status, never the child's name, date of birth or address, nor the narrative. Requests whose form,
 * decisions, allocation notes, meeting records and dispute hold a known child and known sentences are rendered as
 * every channel message (request cards, statuses, dispute, meeting, reminder and digest cards), as Adaptive Cards and
 * as Slack Block Kit, and none of those strings may appear.
 */
import { describe, expect, it } from 'vitest';
import { toSlackMessage } from '../../../src/cards/blockkit.ts';
import { renderCard, upgradeForTeams } from '../../../src/cards/render.ts';
import { requestCardData, statusData } from '../../../src/cards/view.ts';
import { allRoutes, council, now, sampleTransfer, secretStrings, secrets } from './fixtures.ts';
import { samplesFor } from './support.ts';

function leaks(rendered: unknown): string[] {
  const text = JSON.stringify(rendered).toLowerCase();
  return secretStrings.filter((s) => text.includes(s.toLowerCase()));
}

describe('data protection: nothing about the child or the narrative reaches a channel', () => {
  it('the sample requests really do hold the secrets (so the test can see a leak)', () => {
    const found = allRoutes.find((r) => r.label === 'manchester cin-to-early-help');
    if (!found) throw new Error('no such route');
    const { name, route } = found;
    const t = sampleTransfer(council(name), route, 'declined');
    const everything = JSON.stringify(t);
    for (const s of [
      secrets.childName,
      secrets.childDob,
      secrets.childRef,
      secrets.address,
      secrets.narrative,
    ]) {
      expect(everything).toContain(s);
    }
    // And the private views do show what they should: a DM status carries the decision's own words.
    const c = council(name);
    const dm = statusData({ ...c, transfer: t, now, includeText: true });
    expect(JSON.stringify(renderCard('status', dm))).toContain(secrets.narrative);
  });

  describe.each(allRoutes)('$label', ({ name, route }) => {
    it('channel cards, as Adaptive Cards (as sent and for Teams) and as Slack messages', () => {
      const found: string[] = [];
      for (const sample of samplesFor(council(name), route).filter((s) => s.channel)) {
        const card = renderCard(sample.template, sample.data);
        for (const [what, rendered] of [
          ['Adaptive Card', card],
          ['Teams card', upgradeForTeams(card)],
          ['Slack message', toSlackMessage(card)],
          ['view data', sample.data],
        ] as const) {
          for (const leak of leaks(rendered)) found.push(`${sample.label} (${what}) shows "${leak}"`);
        }
      }
      expect(found).toEqual([]);
    });

    it('the request card stays channel-safe whoever looks at it', () => {
      const c = council(name);
      const t = sampleTransfer(c, route, 'submitted');
      for (const viewer of c.directory.people) {
        const card = renderCard('request-card', requestCardData({ ...c, transfer: t, viewer, now }));
        expect(leaks(toSlackMessage(card)), viewer.id).toEqual([]);
      }
    });
  });
});
