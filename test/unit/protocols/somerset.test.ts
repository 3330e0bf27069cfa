import { describe, expect, it } from 'vitest';
import { byId, profileOf } from './support.ts';

const { p, route } = profileOf('somerset');
const threeReasons = ['increase-risk-of-harm', 'prejudice-serious-crime', 'delay-significant-harm-enquiries'];

describe('Somerset profile', () => {
  it('Somerset: Universal, Additional, Complex and Acute needs', () => {
    expect(p.levels.map((l) => [l.id, l.rank])).toEqual([
      ['universal', 1],
      ['additional', 2],
      ['complex', 3],
      ['acute', 4],
    ]);
  });

  it('Somerset: Step-In, Step-Up and Step-Down', () => {
    expect(p.routes.map((r) => [r.id, r.kind, r.command])).toEqual([
      ['step-in', 'step-in', 'stepin'],
      ['step-up', 'step-up', 'stepup'],
      ['step-down', 'step-down', 'stepdown'],
    ]);
  });

  it('Somerset: a Step-In request carries the date, time and location of the meeting', () => {
    const r = route('step-in');
    expect(byId(r.fields, 'taf_meeting_at')).toMatchObject({ type: 'datetime', required: true });
    expect(byId(r.fields, 'taf_meeting_location')).toMatchObject({ type: 'text', required: true });
    expect(byId(r.meetings, 'taf')).toMatchObject({ kind: 'taf', anchor: { field: 'taf_meeting_at' } });
  });

  it('Somerset: Step-In goes via the Early Help Hub for services listed on the EHA, directly otherwise', () => {
    const r = route('step-in');
    expect(r.to.service).toBe('early-help-hub');
    expect(byId(r.fields, 'service_listed_on_eha')).toMatchObject({ type: 'boolean', required: true });
    expect(r.receiveVia).toEqual([
      expect.objectContaining({
        when: { field: 'service_listed_on_eha', equals: false },
        service: 'unlisted-service',
      }),
    ]);
  });

  it('Somerset: a Step-In may be declined with "no current role" and advice', () => {
    expect(route('step-in').decision).toMatchObject({ mode: 'decide', adviceOnly: true });
    expect(byId(p.declineReasons, 'no-current-role').label).toMatch(/no current role/i);
  });

  it('Somerset: a Step-Up submits the EHA with the current plan of support', () => {
    const r = route('step-up');
    expect(byId(r.gates, 'eha-with-plan')).toMatchObject({
      blocking: true,
      require: { field: 'eha_attached', equals: true },
    });
    expect(r.receiveVia).toEqual([
      expect.objectContaining({
        when: { field: 'receiving_service', equals: 'csc' },
        service: 'somerset-direct',
      }),
    ]);
    expect(byId(p.services, 'somerset-direct').kind).toBe('front_door');
  });

  it('Somerset: a significant-harm concern is phoned to Somerset Direct (0300 123 2224) or 999, never sent as a request', () => {
    const gate = byId(route('step-up').gates, 'not-significant-harm');
    expect(gate).toMatchObject({
      blocking: true,
      require: { field: 'significant_harm_concern', equals: false },
    });
    expect(gate.message).toMatch(/0300 123 2224/);
    expect(p.emergency.phones).toEqual([
      { label: 'Somerset Direct', number: '0300 123 2224' },
      { label: 'Immediate risk to the child', number: '999' },
      { label: 'Consultation Line (if you are unsure)', number: '0300 123 3078' },
    ]);
  });

  it('Somerset: follow up the emergency with an EHA within one working day', () => {
    expect(p.emergency.followUp).toMatch(/Early Help Assessment within one working day/);
  });

  it('Somerset: a step-down plan has the five components', () => {
    const r = route('step-down');
    expect(
      [
        'progress_recognised',
        'actions_owners_timescales',
        'step_up_indicators',
        'next_taf_date',
        'devised_with_family_and_agencies',
      ].map((id) => [id, byId(r.fields, id).type, byId(r.fields, id).required]),
    ).toEqual([
      ['progress_recognised', 'textarea', true],
      ['actions_owners_timescales', 'textarea', true],
      ['step_up_indicators', 'textarea', true],
      ['next_taf_date', 'date', true],
      ['devised_with_family_and_agencies', 'boolean', true],
    ]);
  });

  it('Somerset: the step-down plan must be devised with the family and all agencies (blocking)', () => {
    expect(byId(route('step-down').gates, 'devised-with-family-and-agencies')).toMatchObject({
      kind: 'require',
      blocking: true,
      require: { field: 'devised_with_family_and_agencies', equals: true },
    });
  });

  it('Somerset: the continuing plan is agreed through a TAF, reviewed at the next TAF date', () => {
    const { meetings } = route('step-down');
    expect(byId(meetings, 'handover-taf')).toMatchObject({ kind: 'taf', anchor: 'accepted' });
    expect(byId(meetings, 'review-taf')).toMatchObject({ kind: 'taf', anchor: { field: 'next_taf_date' } });
  });

  it('Somerset: consent may be not sought for exactly the three listed reasons, on every route', () => {
    expect(p.consent.reasons.map((r) => r.id)).toEqual(threeReasons);
    expect(p.consent.reasons.map((r) => r.label).join('\n')).toMatch(
      /significant harm \(if a child\) or serious harm \(if an adult\)[\s\S]*prosecution of a serious crime[\s\S]*unjustified delay/,
    );
    for (const r of p.routes)
      expect(r.consent).toMatchObject({ required: true, notSoughtReasons: threeReasons });
  });

  it('Somerset: "preserving the relationship with the family" is refused', () => {
    expect(p.consent.refused).toHaveLength(1);
    const refused = p.consent.refused[0];
    const pattern = new RegExp(refused?.pattern ?? '(?!)', 'i');
    expect(pattern.test('Not sought to preserve our relationship with the family')).toBe(true);
    expect(pattern.test('Asking would damage the working relationship')).toBe(true);
    expect(pattern.test('The relationship must be preserved')).toBe(true);
    expect(pattern.test('Asking would alert the alleged abuser and prejudice a police investigation')).toBe(
      false,
    );
  });

  it("Somerset: vague words ('worried', 'unsuitable', 'inappropriate') are flagged in narrative fields", () => {
    expect(p.evidence?.vagueWords).toEqual(['worried', 'unsuitable', 'inappropriate']);
    for (const r of p.routes) {
      const narrative = r.fields.filter((f) => f.type === 'textarea');
      expect(narrative.length).toBeGreaterThan(0);
      for (const f of narrative) expect(f.evidence, `${r.id}/${f.id}`).toBe(true);
    }
  });

  it('Somerset: lack of engagement is not by itself a reason to step up', () => {
    expect(p.notes.some((n) => /Lack of engagement/.test(n))).toBe(true);
    expect(byId(route('step-up').fields, 'concerns').help).toMatch(
      /Lack of engagement .* not by itself a reason/,
    );
  });

  it('Somerset: Resolving Professional Differences, 4 stages, common default timings', () => {
    expect(p.defaultLadder).toBe('rpd');
    const ladder = byId(p.ladders, 'rpd');
    expect(ladder.stages.map((s) => [s.id, s.name, s.timeLimit])).toEqual([
      ['rpd-step-1', 'Step 1 (informal)', { amount: 2, unit: 'working_days' }],
      ['rpd-step-2', 'Step 2 (informal)', { amount: 2, unit: 'working_days' }],
      [
        'rpd-step-3',
        'Step 3 (formal: Resolving Professional Differences form)',
        { amount: 2, unit: 'working_days' },
      ],
      ['rpd-step-4', 'Step 4 (senior)', { amount: 2, unit: 'working_days' }],
    ]);
    expect(ladder.stages[3]?.roles).toEqual({ sending: ['director'], receiving: ['director'] });
    expect(
      p.notes.some((n) => /Resolving Professional Differences/.test(n) && /no time limits/.test(n)),
    ).toBe(true);
  });
});
