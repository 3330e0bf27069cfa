import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../../src/domain/profile.ts';
import { manchesterProfile } from '../../../src/protocols/manchester.ts';
import { byId, gateRequire, profileOf } from './support.ts';

const { p, route } = profileOf('manchester');
const toHubs = [
  expect.objectContaining({ when: { field: 'hub', equals: 'central' }, service: 'eh-hub-central' }),
  expect.objectContaining({ when: { field: 'hub', equals: 'south' }, service: 'eh-hub-south' }),
];

describe('Manchester profile', () => {
  it('Manchester: Levels of Need 1-5', () => {
    expect(p.levels.map((l) => [l.id, l.rank])).toEqual([
      ['level-1', 1],
      ['level-2', 2],
      ['level-3', 3],
      ['level-4', 4],
      ['level-5', 5],
    ]);
  });

  it('Manchester: services: Contact Centre / MASH front door, three Early Help Hubs, area Social Work teams, EH triage', () => {
    expect(byId(p.services, 'contact-centre-mash').kind).toBe('front_door');
    expect(p.services.filter((s) => s.kind === 'early_help_hub').map((s) => s.id)).toEqual([
      'eh-hub-north',
      'eh-hub-central',
      'eh-hub-south',
    ]);
    expect(byId(p.services, 'area-sw').kind).toBe('social_work_team');
    expect(byId(p.services, 'eh-triage').kind).toBe('early_help');
  });

  it('Manchester: cases are recorded in Micare', () => {
    expect(p.caseSystem).toBe('Micare');
  });

  it("Manchester: MASH to Early Help: consent explored, triage only with the family's agreement", () => {
    const r = route('mash-to-early-help');
    expect([r.kind, r.command, r.from.services, r.to.service]).toEqual([
      'step-down',
      'stepdown',
      ['contact-centre-mash'],
      'eh-hub-north',
    ]);
    expect(r.receiveVia).toEqual(toHubs);
    expect(r.consent).toMatchObject({ required: true, notSoughtReasons: [] });
    expect(gateRequire(byId(r.gates, 'family-understands-referral'))).toEqual({
      field: 'family_understands_referral',
      equals: true,
    });
  });

  it('Manchester: MASH referrals carry a plan and a contingency for non-engagement, including whether to refer to Social Work', () => {
    const r = route('mash-to-early-help');
    expect(
      ['eh_plan', 'non_engagement_contingency', 'refer_to_sw_if_no_engagement'].map(
        (id) => byId(r.fields, id).required,
      ),
    ).toEqual([true, true, true]);
    expect(r.fields.filter((f) => f.section === 'Signs of Safety').map((f) => f.id)).toEqual([
      'sos_worried',
      'sos_working_well',
      'sos_needs_to_happen',
    ]);
  });

  it("Manchester: a MASH-recommended assessment not progressed needs the MASH Team Manager's case note", () => {
    const r = route('sw-assessment-not-progressed');
    expect(r.from.services).toEqual(['area-sw']);
    expect(gateRequire(byId(r.gates, 'mash-tm-case-note'))).toEqual({
      all: [
        { field: 'discussed_with_mash_tm', equals: true },
        { field: 'mash_tm_case_note', equals: true },
      ],
    });
    expect(byId(r.fields, 'written_plan').required).toBe(true);
    expect(byId(r.fields, 'contingencies_timescales').required).toBe(true);
  });

  it('Manchester: a MASH-recommended assessment not progressed is resolved within 24 hours, then a further 24 at senior management', () => {
    const r = route('sw-assessment-not-progressed');
    expect(r.decision.due).toEqual({ amount: 24, unit: 'clock_hours' });
    expect(r.ladder).toBe('c-and-f-not-progressed');
    const ladder = byId(p.ladders, 'c-and-f-not-progressed');
    // The request's own 24 hours come first; a disagreement then has a further 24 at senior management.
    expect(ladder.stages.map((s) => [s.roles.sending, s.timeLimit])).toEqual([
      [['service_manager', 'head_of_service'], { amount: 24, unit: 'clock_hours' }],
    ]);
  });

  it("Manchester: the Early Help Allocations Pro Forma, without repeating the child's name, age or Micare ID", () => {
    const r = route('cin-to-early-help');
    const proForma = r.fields
      .filter((f) => f.section === 'Early Help Allocations Pro Forma')
      .map((f) => f.id);
    expect(proForma).toEqual([
      'family_composition',
      'address_contact',
      'housing_provider',
      'date_referred',
      'referral_reason',
      'referrer_contact',
      'assessment_date',
      'level_of_need',
      'intervention_status',
      'forthcoming_meetings',
    ]);
    expect(r.fields.filter((f) => f.section === 'Signs of Safety').map((f) => f.label)).toEqual([
      'What are we worried about?',
      "What's working well / strengths?",
      'What needs to happen? (areas of identified need)',
    ]);
    for (const id of ['child_name', 'child_dob', 'child_ref', 'child_age'])
      expect(r.fields.some((f) => f.id === id)).toBe(false);
  });

  it('Manchester: level 4 step-downs go to the next allocations meeting, within 5 days', () => {
    const r = route('cin-to-early-help');
    expect(byId(r.meetings, 'allocations')).toMatchObject({
      kind: 'allocations',
      anchor: 'submitted',
      within: { amount: 5, unit: 'working_days' },
      when: { field: 'level_of_need', equals: 'level-4' },
    });
    expect(r.decision.due).toEqual({ amount: 5, unit: 'working_days' });
  });

  it('Manchester: level 3 step-downs may get advice without allocation', () => {
    expect(route('cin-to-early-help').decision).toMatchObject({
      adviceOnly: true,
      deciders: ['senior', 'team_manager'],
    });
  });

  it('Manchester: handover with the family; Early Help attends the final CIN meeting', () => {
    const r = route('cin-to-early-help');
    expect(byId(r.meetings, 'handover')).toMatchObject({ kind: 'handover_discussion', anchor: 'allocated' });
    expect(byId(r.meetings, 'handover').participants).toContain('family');
    expect(byId(r.meetings, 'final-cin')).toMatchObject({
      kind: 'final_cin',
      anchor: { field: 'final_cin_meeting_at' },
      when: { field: 'stepping_down_from', equals: 'cin-plan' },
    });
    expect(byId(r.fields, 'final_cin_meeting_at').requiredWhen).toEqual({
      field: 'stepping_down_from',
      equals: 'cin-plan',
    });
  });

  it('Manchester: under-5s may go to the Early Years Outreach Delivery Model instead', () => {
    const r = route('cin-to-early-help');
    expect(r.receiveVia[0]).toMatchObject({
      when: {
        all: [
          { field: 'child_age', lessThan: 5 },
          { field: 'early_years_outreach', equals: true },
        ],
      },
      service: 'early-years-outreach',
    });
    expect(byId(r.fields, 'early_years_outreach').requiredWhen).toEqual({ field: 'child_age', lessThan: 5 });
  });

  it('Manchester: with no assessment in the last 6 months, agree with the family whether to do an EHA', () => {
    const r = route('cin-to-early-help');
    expect(byId(r.fields, 'assessed_in_last_6_months').required).toBe(true);
    expect(byId(r.fields, 'eha_agreed').requiredWhen).toEqual({
      field: 'assessed_in_last_6_months',
      equals: false,
    });
  });

  it('Manchester: step up from EH triage goes to the area Social Work team; a child protection concern goes to the Contact Centre', () => {
    const r = route('triage-to-sw');
    expect([r.kind, r.to.service]).toEqual(['step-up', 'area-sw']);
    expect(byId(r.gates, 'no-child-protection-concern')).toMatchObject({
      blocking: true,
      require: { field: 'cp_concern', equals: false },
    });
    expect(p.emergency.phones).toEqual([
      { label: 'Contact Centre / MASH', number: '0161 219 2843' },
      { label: 'Immediate risk to the child', number: '999' },
    ]);
    expect(p.emergency.followUp).toBe('Follow up the referral in writing within 48 hours.');
  });

  it('Manchester: a disputed EH outcome from MASH has a case discussion between EH social work and MASH within 24 hours', () => {
    const r = route('triage-to-sw');
    expect(byId(r.meetings, 'case-discussion')).toMatchObject({
      kind: 'case_discussion',
      anchor: 'submitted',
      within: { amount: 24, unit: 'clock_hours' },
      when: { field: 'disputes_mash_outcome', equals: true },
    });
    expect(r.receiveVia).toEqual([
      expect.objectContaining({
        when: { field: 'disputes_mash_outcome', equals: true },
        service: 'contact-centre-mash',
      }),
    ]);
  });

  it('Manchester: step up from EH interventions: TAF within 5 working days of the concern being raised', () => {
    const r = route('interventions-to-sw');
    expect(byId(r.fields, 'concern_raised_on')).toMatchObject({ type: 'date', required: true });
    expect(byId(r.meetings, 'taf')).toMatchObject({
      kind: 'taf',
      anchor: { field: 'concern_raised_on' },
      within: { amount: 5, unit: 'working_days' },
    });
  });

  it('Manchester: step up from EH interventions: consultation with the EH Senior Social Worker using Signs of Safety', () => {
    const r = route('interventions-to-sw');
    expect(gateRequire(byId(r.gates, 'senior-sw-consulted'))).toEqual({
      field: 'senior_sw_consulted',
      equals: true,
    });
    expect(r.fields.filter((f) => f.section === 'Signs of Safety').map((f) => f.id)).toEqual([
      'sos_strengths',
      'sos_danger',
      'sos_needs_to_happen',
    ]);
  });

  it('Manchester: joint working uses the same pro forma plus the intervention timescales, with manager oversight', () => {
    const r = route('joint-working');
    expect([r.kind, r.command]).toEqual(['joint-working', 'stepdown']);
    const stepDownProForma = route('cin-to-early-help').fields.filter(
      (f) => f.section === 'Early Help Allocations Pro Forma',
    );
    expect(r.fields.filter((f) => f.section === 'Early Help Allocations Pro Forma').map((f) => f.id)).toEqual(
      stepDownProForma.map((f) => f.id),
    );
    expect(byId(r.fields, 'intervention_timescales').required).toBe(true);
    expect(gateRequire(byId(r.gates, 'intervention-status'))).toEqual({
      field: 'intervention_status',
      equals: 'joint',
    });
    expect(r.decision.deciders).toEqual(['senior', 'team_manager', 'service_manager']);
    expect(r.receiveVia).toEqual(toHubs);
  });

  it('Manchester: allocations meetings every Thursday in each hub, agenda the working day before', () => {
    expect(p.schedules.map((s) => [s.service, s.weekday, s.agendaWorkingDaysBefore])).toEqual([
      ['eh-hub-north', 4, 1],
      ['eh-hub-central', 4, 1],
      ['eh-hub-south', 4, 1],
    ]);
  });

  it('Manchester: stepped back up within 3 months goes to the team that stepped it down', () => {
    expect(p.stepBackUp).toEqual({
      within: { amount: 3, unit: 'calendar_months' },
      note: expect.stringContaining('stepped back up to the team that stepped it down'),
    });
  });

  it('Manchester: the 48-hour four-stage ladder', () => {
    expect(p.defaultLadder).toBe('manchester-48-hours');
    const ladder = byId(p.ladders, 'manchester-48-hours');
    expect(ladder.stages.map((s) => [s.id, s.roles.sending, s.roles.receiving, s.timeLimit])).toEqual([
      ['front-line', ['practitioner'], ['practitioner'], { amount: 12, unit: 'clock_hours' }],
      [
        'team-managers',
        ['senior', 'team_manager'],
        ['senior', 'team_manager'],
        { amount: 12, unit: 'clock_hours' },
      ],
      [
        'locality-managers',
        ['service_manager', 'head_of_service'],
        ['service_manager', 'head_of_service'],
        { amount: 12, unit: 'clock_hours' },
      ],
      ['final', ['director'], ['director'], { amount: 12, unit: 'clock_hours' }],
    ]);
    expect(ladder.stages.reduce((sum, s) => sum + s.timeLimit.amount, 0)).toBe(48);
    expect(ladder.stages[1]?.who).toMatch(
      /At triage: .*Contact Centre\/MASH Early Help Coordinator.*At interventions: .*Locality Social Work Team Manager/,
    );
    expect(ladder.stages[3]?.who).toMatch(/Strategic Head of Early Help and the Deputy Director/);
    expect(p.notes.some((n) => /12 clock hours/.test(n))).toBe(true);
  });
});

describe('Manchester: the level stepped to', () => {
  it('comes from the pro forma’s Level of Need on the step-down and joint-working routes', () => {
    const { p } = profileOf('manchester');
    const levelFields = p.routes.filter((r) => r.to.levelField).map((r) => [r.id, r.to.levelField]);
    expect(levelFields).toEqual([
      ['cin-to-early-help', 'level_of_need'],
      ['joint-working', 'level_of_need'],
    ]);
  });

  it('a profile naming a level field that is not a select of the route is refused', () => {
    const input = structuredClone(manchesterProfile) as { routes: { to: Record<string, unknown> }[] };
    const first = input.routes[0];
    if (!first) throw new Error('no route');
    first.to.levelField = 'no_such_field';
    const parsed = profileSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('is not a select field of this route');
  });
});

describe('a notice gate measured from another date', () => {
  it('must name a date or date-time field of its route', () => {
    const input = structuredClone(manchesterProfile) as {
      routes: { gates?: Record<string, unknown>[]; fields: { id: string }[] }[];
    };
    const first = input.routes[0];
    if (!first) throw new Error('no route');
    first.gates = [
      ...(first.gates ?? []),
      {
        kind: 'notice',
        id: 'misspelt-after',
        description: 'a notice',
        field: first.fields[0]?.id,
        after: 'no_such_date',
        atLeast: { amount: 1, unit: 'weeks' },
        message: 'too soon',
      },
    ];
    const parsed = profileSchema.safeParse(input);
    expect(JSON.stringify(parsed.error?.issues)).toContain('is not a date or date-time field of this route');
  });
});

describe('a step-back-up rule', () => {
  it('needs the case-system ID on every step-up and step-down route, since it finds the child by it', () => {
    expect(profileSchema.parse(manchesterProfile).routes.every((r) => r.caseIdRequired)).toBe(true);
    const input = structuredClone(manchesterProfile) as {
      routes: { kind: string; caseIdRequired?: boolean }[];
    };
    const stepUp = input.routes.find((r) => r.kind === 'step-up');
    if (!stepUp) throw new Error('no step-up route');
    stepUp.caseIdRequired = false;
    const parsed = profileSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(
      'a step-back-up rule finds the child by the case-system ID',
    );
  });
});
