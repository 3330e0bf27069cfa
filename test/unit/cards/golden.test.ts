/**
 * Golden files for a few cards: the Adaptive Card JSON and its Slack Block Kit, compared with
 * test/unit/cards/__golden__/<name>.json. A missing file is written on the first run; UPDATE_GOLDEN=1 rewrites
 * them all (look at the diff before committing it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toSlackMessage, toSlackModal } from '../../../src/cards/blockkit.ts';
import { renderCard } from '../../../src/cards/render.ts';
import type { TemplateName } from '../../../src/cards/templates.ts';
import {
  allocateFormData,
  disputeCardData,
  requestCardData,
  requestFormData,
} from '../../../src/cards/view.ts';
import { council, now, sampleDispute, sampleMeetings, sampleTransfer } from './fixtures.ts';

const dir = fileURLToPath(new URL('./__golden__/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, template: TemplateName, data: object, surface: 'message' | 'modal') {
  const card = renderCard(template, data);
  const slack =
    surface === 'message'
      ? toSlackMessage(card)
      : toSlackModal(card, { callbackId: template, title: 'New request' });
  const actual = JSON.parse(JSON.stringify({ adaptiveCard: card, slack }));
  const file = `${dir}${name}.json`;
  if (update || !existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  }
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

const manchester = council('manchester');
const cinToEarlyHelp = manchester.profile.routes.find((r) => r.id === 'cin-to-early-help');
const somerset = council('somerset');
const stepIn = somerset.profile.routes.find((r) => r.id === 'step-in');
const hackney = council('hackney');
const toStatutory = hackney.profile.routes.find((r) => r.id === 'to-statutory');
if (!cinToEarlyHelp || !stepIn || !toStatutory) throw new Error('the golden routes are missing');

describe('golden cards', () => {
  it('request card: Manchester cin-to-early-help, submitted', () => {
    const c = manchester;
    const t = sampleTransfer(c, cinToEarlyHelp, 'submitted');
    const data = requestCardData({
      ...c,
      transfer: t,
      now,
      meetings: sampleMeetings(c, cinToEarlyHelp, t, 'required'),
    });
    golden('request-card.manchester.cin-to-early-help.submitted', 'request-card', data, 'message');
  });

  it('request card: Manchester cin-to-early-help, accepted', () => {
    const c = manchester;
    const t = sampleTransfer(c, cinToEarlyHelp, 'accepted');
    const data = requestCardData({
      ...c,
      transfer: t,
      now,
      meetings: sampleMeetings(c, cinToEarlyHelp, t, 'required'),
    });
    golden('request-card.manchester.cin-to-early-help.accepted', 'request-card', data, 'message');
  });

  it('request form: Somerset step-in', () => {
    const data = requestFormData(somerset.profile, stepIn, { teams: somerset.directory.teams });
    golden('request-form.somerset.step-in', 'request-form', data, 'modal');
  });

  it('allocate form: Hackney to-statutory, where MASH also decides the level of need', () => {
    const transfer = sampleTransfer(hackney, toStatutory, 'accepted');
    const data = allocateFormData({ transfer, profile: hackney.profile, directory: hackney.directory });
    golden('allocate-form.hackney.to-statutory', 'forms/allocate', data, 'modal');
  });

  it('dispute card: Manchester cin-to-early-help, stage 2', () => {
    const c = manchester;
    const t = sampleTransfer(c, cinToEarlyHelp, 'escalated');
    const data = disputeCardData({ ...c, transfer: t, now, dispute: sampleDispute(c, cinToEarlyHelp, t, 1) });
    golden('dispute.manchester.cin-to-early-help.stage-2', 'dispute', data, 'message');
  });
});
