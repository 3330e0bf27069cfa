import { describe, expect, it } from 'vitest';
import { byId, gateRequire, profileOf } from './support.ts';

const { p, route } = profileOf('lambeth');

describe('Lambeth profile', () => {
  it('Lambeth: three routes: EH to CSC (IRH), CSC (CAT) to EH, CSC (FSCP) to EH', () => {
    expect(p.routes.map((r) => [r.id, r.kind, r.command, r.from.services, r.to.service])).toEqual([
      ['eh-to-csc', 'step-up', 'stepup', ['community-early-help'], 'irh'],
      ['cat-to-eh', 'step-down', 'stepdown', ['cat'], 'community-early-help'],
      ['fscp-to-eh', 'step-down', 'stepdown', ['fscp'], 'community-early-help'],
    ]);
    expect(byId(p.services, 'irh').kind).toBe('front_door');
  });

  it('Lambeth: cases are held in Mosaic, and the Step Up form is completed on Mosaic first', () => {
    expect(p.caseSystem).toBe('Mosaic');
    const gate = byId(route('eh-to-csc').gates, 'step-up-form-on-mosaic');
    expect(gate).toMatchObject({
      kind: 'require',
      blocking: true,
      require: { field: 'step_up_form_on_mosaic', equals: true },
    });
  });

  it('Lambeth: the EH Team Manager discusses the step-up with an IRH Team Manager the same day', () => {
    const r = route('eh-to-csc');
    const m = byId(r.meetings, 'irh-manager-discussion');
    expect(m).toMatchObject({
      kind: 'manager_discussion',
      anchor: 'submitted',
      within: { amount: 0, unit: 'working_days' },
      participants: ['sending_manager', 'receiving_manager'],
    });
    expect(gateRequire(byId(r.gates, 'discussed-with-team-manager'))).toEqual({
      field: 'discussed_with_team_manager',
      equals: true,
    });
    expect(r.notify).toContainEqual(
      expect.objectContaining({ on: 'submitted', to: { side: 'sending', roles: ['team_manager'] } }),
    );
    expect(r.decision.deciders).toEqual(['team_manager']);
  });

  it('Lambeth: the family is told if it is safe to do so, and why not is recorded', () => {
    const r = route('eh-to-csc');
    expect(byId(r.fields, 'family_advised')).toMatchObject({ type: 'boolean', required: true });
    expect(byId(r.fields, 'family_not_advised_reason')).toMatchObject({
      type: 'textarea',
      required: false,
      requiredWhen: { field: 'family_advised', equals: false },
    });
    expect(r.consent).toMatchObject({ required: false, notSoughtReasons: [] });
  });

  it('Lambeth: EH work continues while CAT assess unless a reason to stop is recorded', () => {
    const r = route('eh-to-csc');
    expect(byId(r.fields, 'continue_eh_work')).toMatchObject({ type: 'boolean', required: true });
    expect(byId(r.fields, 'stop_eh_reason')).toMatchObject({
      type: 'textarea',
      requiredWhen: { field: 'continue_eh_work', equals: false },
    });
  });

  it('Lambeth: a CAT step-down is only for a child who will not become CIN or subject to a CP Plan', () => {
    const gate = byId(route('cat-to-eh').gates, 'not-cin-or-cp');
    expect(gate).toMatchObject({
      blocking: true,
      require: { field: 'will_not_become_cin_or_cp', equals: true },
    });
  });

  it("Lambeth: step-downs follow a discussion with the EH Team Manager and need the family's consent (no override)", () => {
    for (const id of ['cat-to-eh', 'fscp-to-eh']) {
      const r = route(id);
      expect(gateRequire(byId(r.gates, 'discussed-with-eh-team-manager'))).toEqual({
        field: 'discussed_with_eh_team_manager',
        equals: true,
      });
      expect(r.consent).toMatchObject({ required: true, notSoughtReasons: [] });
    }
  });

  it('Lambeth: the CAT Team Manager allocates to the relevant locality team with the outcomes to be achieved', () => {
    for (const id of ['cat-to-eh', 'fscp-to-eh']) {
      const r = route(id);
      expect(r.frontDoor).toBe('cat');
      expect(r.to.service).toBe('community-early-help');
      expect(byId(r.fields, 'outcomes_to_achieve')).toMatchObject({ type: 'textarea', required: true });
      expect(byId(r.fields, 'locality_team').required).toBe(true);
      expect(r.decision.note).toMatch(/CAT Team Manager allocates/);
    }
    expect(route('fscp-to-eh').notify).toContainEqual(
      expect.objectContaining({ on: 'submitted', to: { service: 'cat' } }),
    );
  });

  it('Lambeth: a joint visit if appropriate (optional, never chased)', () => {
    for (const id of ['cat-to-eh', 'fscp-to-eh']) {
      const m = byId(route(id).meetings, 'joint-visit');
      expect(m).toMatchObject({ kind: 'joint_visit', anchor: 'allocated', optional: true });
      expect(m.within).toBeUndefined();
    }
  });

  it('Lambeth: the EH practitioner completes the Outcomes Framework part of the EHA', () => {
    const t = byId(route('cat-to-eh').tasks, 'outcomes-framework');
    expect(t).toMatchObject({
      anchor: 'allocated',
      owner: 'receiving',
      offset: { amount: 20, unit: 'working_days' },
    });
    expect(t.label).toMatch(/Outcomes Framework/);
  });

  it('Lambeth: FSCP step-down is made when a CIN plan is ending', () => {
    const r = route('fscp-to-eh');
    expect(gateRequire(byId(r.gates, 'cin-plan-ending'))).toEqual({ field: 'cin_plan_ending', equals: true });
  });

  it("Lambeth: a CP plan in the last 3 months needs a Step Down Meeting's agreement first (blocking)", () => {
    const r = route('fscp-to-eh');
    const cpRecently = {
      any: [
        { field: 'cp_plan_last_3_months', equals: true },
        { field: 'cp_plan_ended_on', withinLast: { amount: 3, unit: 'calendar_months' } },
      ],
    };
    expect(byId(r.gates, 'step-down-meeting')).toMatchObject({
      kind: 'require',
      blocking: true,
      when: cpRecently,
      require: { field: 'step_down_meeting_agreed', equals: true },
    });
    expect(byId(r.fields, 'step_down_meeting_agreed').requiredWhen).toEqual(cpRecently);
    // The Step Down Meeting comes before any discussion with EH.
    expect(r.gates.map((g) => g.id).indexOf('step-down-meeting')).toBeLessThan(
      r.gates.map((g) => g.id).indexOf('discussed-with-eh-team-manager'),
    );
  });

  it('Lambeth: the EH Team Manager or EH Senior Practitioner attends the final CIN Review', () => {
    const r = route('fscp-to-eh');
    const m = byId(r.meetings, 'final-cin-review');
    expect(m).toMatchObject({ kind: 'final_cin', anchor: { field: 'final_cin_review_at' }, optional: false });
    expect(m.participants).toEqual(expect.arrayContaining(['receiving_manager', 'receiving_senior']));
    expect(byId(r.fields, 'final_cin_review_at')).toMatchObject({ type: 'datetime', required: true });
  });

  it('Lambeth: disagreements use the common ladder because the flowcharts are not in the text', () => {
    expect(p.defaultLadder).toBe('common');
    expect(p.ladders.map((l) => l.id)).toEqual(['common']);
    expect(
      p.notes.some((n) => /Flowcharts, which are not in the text/.test(n) && /common ladder/.test(n)),
    ).toBe(true);
  });

  it('Lambeth: no phone number in the source: the generic emergency route, said in notes', () => {
    expect(p.emergency.phones.map((x) => x.number)).toEqual(['999']);
    expect(p.emergency.text).toMatch(/Integrated Referral Hub/);
    expect(p.notes.some((n) => /gives no phone number/.test(n))).toBe(true);
  });
});

describe('Lambeth: the CAT Team Manager allocates a CAT step-down', () => {
  const { route } = profileOf('lambeth');
  it('is required before sending, and the CAT Team Manager is told when it is sent', () => {
    const r = route('cat-to-eh');
    expect(byId(r.gates, 'cat-team-manager-allocates')).toMatchObject({
      kind: 'require',
      require: { field: 'cat_team_manager_allocates', equals: true },
      blocking: true,
    });
    expect(r.notify.find((n) => n.on === 'submitted')?.to).toEqual({
      side: 'sending',
      roles: ['team_manager'],
    });
  });
});
