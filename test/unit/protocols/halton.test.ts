import { describe, expect, it } from 'vitest';
import { byId, gateRequire, profileOf } from './support.ts';

const { p, route } = profileOf('halton');

describe('Halton profile', () => {
  it('Halton: Levels 1-4; the interface is between level 2 (MAP) and level 3 (CSC)', () => {
    expect(p.levels.map((l) => [l.id, l.rank])).toEqual([
      ['level-1', 1],
      ['level-2', 2],
      ['level-3', 3],
      ['level-4', 4],
    ]);
  });

  it("Halton: services include iCART (front door), EDT (out of hours), Locality and Children's Centre Early Help, CSC", () => {
    expect(byId(p.services, 'icart').kind).toBe('front_door');
    expect(byId(p.services, 'edt').kind).toBe('out_of_hours');
    expect(byId(p.services, 'locality-early-help').kind).toBe('locality_team');
    expect(byId(p.services, 'childrens-centre-early-help').kind).toBe('children_centre');
    expect(byId(p.services, 'csc').kind).toBe('social_work_team');
  });

  it('Halton: cases are recorded in Eclipse', () => {
    expect(p.caseSystem).toBe('Eclipse');
  });

  it('Halton: CSC step-down invites a Locality Early Help senior to the final CIN meeting', () => {
    const r = route('csc-to-map');
    expect([r.kind, r.command]).toEqual(['step-down', 'stepdown']);
    expect(r.from).toEqual({ services: ['csc'], levels: ['level-3'] });
    expect(r.to).toEqual({ service: 'locality-early-help', levels: ['level-2', 'level-1'] });
    expect(r.decision.deciders).toEqual(['senior', 'team_manager']);
  });

  it("Halton: a Children's Centre Early Help senior is invited instead if the child is under 5", () => {
    expect(route('csc-to-map').receiveVia).toEqual([
      expect.objectContaining({
        when: { field: 'child_age', lessThan: 5 },
        service: 'childrens-centre-early-help',
      }),
    ]);
  });

  it('Halton: the Level of Need Review form: meeting date/time/venue, synopsis, outstanding actions, proposed MAP Navigator', () => {
    const r = route('csc-to-map');
    const form = r.fields.filter((f) => f.section === 'Level of Need Review form');
    expect(form.map((f) => [f.id, f.type, f.required])).toEqual([
      ['final_cin_meeting_at', 'datetime', true],
      ['final_cin_meeting_venue', 'text', true],
      ['work_synopsis', 'textarea', true],
      ['outstanding_actions', 'textarea', true],
      ['proposed_map_navigator', 'text', false],
    ]);
  });

  it('Halton: the final CIN meeting records one of four outcomes', () => {
    const m = byId(route('csc-to-map').meetings, 'final-cin');
    expect(m).toMatchObject({ kind: 'final_cin', anchor: { field: 'final_cin_meeting_at' } });
    expect(m.participants).toEqual(expect.arrayContaining(['sending_worker', 'receiving_senior', 'family']));
    expect(m.outcomes?.map((o) => [o.id, o.effect])).toEqual([
      ['remain-level-3', 'close'],
      ['step-down-map', 'none'],
      ['universal-plus', 'close'],
      ['universal-only', 'close'],
    ]);
  });

  it('Halton: the final CIN documentation is due 2 weeks before the first MAP review', () => {
    const r = route('csc-to-map');
    expect(byId(r.fields, 'first_map_review_date').type).toBe('date');
    expect(byId(r.tasks, 'final-cin-documentation')).toMatchObject({
      anchor: { field: 'first_map_review_date' },
      offset: { amount: -2, unit: 'weeks' },
      owner: 'sending',
      when: { field: 'first_map_review_date', present: true },
    });
  });

  it('Halton: the first MAP review is at least 2 weeks after the final CIN meeting', () => {
    expect(byId(route('csc-to-map').gates, 'first-map-review-notice')).toMatchObject({
      kind: 'notice',
      field: 'first_map_review_date',
      after: 'final_cin_meeting_at',
      atLeast: { amount: 2, unit: 'weeks' },
      blocking: true,
    });
  });

  it('Halton: the MAP document (the CIN minutes) must state the indicators for stepping back up', () => {
    expect(byId(route('csc-to-map').fields, 'step_back_up_indicators')).toMatchObject({
      type: 'textarea',
      required: true,
      section: 'MAP document',
    });
  });

  it("Halton: the locality / children's centre representative completes the Level of Need Review Form after the meeting", () => {
    expect(byId(route('csc-to-map').tasks, 'level-of-need-review-form')).toMatchObject({
      anchor: { field: 'final_cin_meeting_at' },
      owner: 'receiving',
    });
  });

  it('Halton: planned step-up is an iCART referral requesting a level of need review', () => {
    const r = route('map-to-csc');
    expect([r.kind, r.command]).toEqual(['step-up', 'stepup']);
    expect(r.from.levels).toEqual(['level-2']);
    expect(r.to).toEqual({ service: 'icart', levels: ['level-3'] });
  });

  it("Halton: MAP step-up meeting needs 2 weeks' notice", () => {
    const r = route('map-to-csc');
    expect(byId(r.gates, 'map-step-up-meeting-notice')).toMatchObject({
      kind: 'notice',
      field: 'map_step_up_meeting_at',
      atLeast: { amount: 2, unit: 'weeks' },
      blocking: true,
    });
    expect(byId(r.fields, 'map_step_up_meeting_at')).toMatchObject({ type: 'datetime', required: true });
    expect(byId(r.meetings, 'map-step-up')).toMatchObject({
      kind: 'map_step_up',
      anchor: { field: 'map_step_up_meeting_at' },
    });
  });

  it('Halton: iCART may give advice only when it screens a step-up as early help', () => {
    expect(route('map-to-csc').decision).toMatchObject({ mode: 'decide', adviceOnly: true });
  });

  it("Halton: an unplanned step-up (contact to iCART, or EDT out of hours) needs the lead professional's e-mail", () => {
    const r = route('unplanned-step-up');
    expect(r.to.service).toBe('icart');
    expect(r.receiveVia).toEqual([expect.objectContaining({ when: { outOfHours: true }, service: 'edt' })]);
    expect(byId(r.fields, 'lead_professional_email')).toMatchObject({ type: 'email', required: true });
    expect(gateRequire(byId(r.gates, 'open-map'))).toEqual({ field: 'map_open', equals: true });
    expect(r.decision.adviceOnly).toBe(true);
  });

  it('Halton: the lead professional is told of an unplanned contact and its outcome', () => {
    const toLead = route('unplanned-step-up').notify.filter(
      (n) => 'field' in n.to && n.to.field === 'lead_professional_email',
    );
    expect(toLead.map((n) => n.on)).toEqual(['submitted', 'advice_only', 'accepted']);
    const [, advice, accepted] = toLead;
    expect(advice?.message).toMatch(/recorded and sent to you for information/);
    expect(advice?.message).toMatch(/review meeting/);
    expect(accepted?.message).toMatch(/assessment starts now without a step-up meeting/);
    expect(accepted?.message).toMatch(/social worker will contact you/);
    expect(accepted?.message).toMatch(/the MAP closes/);
  });

  it('Halton: oversight: monthly Contact Challenge sample of iCART referrals, re-referrals and stepped-down numbers monitored', () => {
    expect(p.oversight).toEqual({
      contactChallenge: { frontDoor: 'icart', sampleSize: 10, note: expect.stringMatching(/random/) },
      reReferralWithin: { amount: 12, unit: 'calendar_months' },
      monitorSteppedDown: true,
      notifyOpenPlanLead: true,
    });
  });

  it('Halton: the common ladder and default decision times, said in notes', () => {
    expect(p.defaultLadder).toBe('common');
    const notes = p.notes.join('\n');
    expect(notes).toMatch(/common ladder/);
    expect(notes).toMatch(/3 working days/);
    expect(notes).toMatch(/gives no phone number/);
  });
});
