/**
 * Lambeth's rules, run through the domain functions with the real built-in profile. Fixed instants only:
 * Monday 23 November 2026 is in winter (London = UTC); June 2026 is in summer (London = UTC+1).
 */
import { describe, expect, it } from 'vitest';
import { checkConsent, checkGates, meetingsStartedBy } from '../../../src/domain/rules.ts';
import { council } from './council.ts';

const { profile, calendar, route, form, ctx } = council('lambeth');
const fscpToEh = route('fscp-to-eh');
const ehToCsc = route('eh-to-csc');

/** Monday 23 November 2026, 10:00 in London (GMT). */
const monday = new Date('2026-11-23T10:00:00Z');

const fscpStepDown = {
  child_name: 'Bilal Ahmed',
  child_dob: '2014-05-02',
  cin_plan_ending: 'yes',
  discussed_with_eh_team_manager: 'yes',
  eh_team_manager: 'Tamsin Greer',
  final_cin_review_at: '2026-12-02 14:00',
  locality_team: 'Central',
  outcomes_to_achieve: 'School attendance above 95%; mother attends the parenting group.',
};
const recentCpPlan = { cp_plan_last_3_months: 'yes', cp_plan_ended_on: '2026-10-01' };

const ehStepUp = {
  child_name: 'Bilal Ahmed',
  child_dob: '2014-05-02',
  threshold_reasons:
    'Three police call-outs for domestic abuse in two weeks; the child was present each time.',
  discussed_with_team_manager: 'yes',
  step_up_form_on_mosaic: 'yes',
  family_advised: 'yes',
};

const stepDownGate = (values: Record<string, unknown>, now = monday) =>
  checkGates(fscpToEh, ctx(fscpToEh, values, 'fscp', now)).map((g) => [g.gate, g.blocking]);

const irhDiscussionDue = (submitted: Date) => {
  const started = meetingsStartedBy(
    ehToCsc,
    'submitted',
    submitted,
    ctx(ehToCsc, { ...ehStepUp, continue_eh_work: 'yes' }, 'community-early-help', submitted),
  );
  expect(started.map((m) => m.rule.id)).toEqual(['irh-manager-discussion']);
  return started[0]?.dueBy ?? null;
};

describe('Lambeth rules', () => {
  it('Lambeth: a child on a CP plan within the last 3 months cannot step down from FSCP to EH before a Step Down Meeting has agreed it', () => {
    const raw = {
      ...fscpStepDown,
      ...recentCpPlan,
      step_down_meeting_agreed: 'no',
      step_down_meeting_date: '2026-11-20',
    };
    expect(stepDownGate(raw)).toEqual([['step-down-meeting', true]]);
  });

  it('Lambeth: the Step Down Meeting questions are required when the child was on a CP plan within 3 months', () => {
    const { errors } = form(fscpToEh, { ...fscpStepDown, ...recentCpPlan }, 'fscp', monday);
    expect(errors.map((e) => e.field)).toEqual(['step_down_meeting_agreed', 'step_down_meeting_date']);
  });

  it('Lambeth: the FSCP step-down passes once a Step Down Meeting has agreed it', () => {
    const raw = {
      ...fscpStepDown,
      ...recentCpPlan,
      step_down_meeting_agreed: 'yes',
      step_down_meeting_date: '2026-11-20',
    };
    expect(stepDownGate(raw)).toEqual([]);
  });

  it('Lambeth: a CP plan that ended 4 months ago needs no Step Down Meeting', () => {
    const raw = { ...fscpStepDown, cp_plan_last_3_months: 'no', cp_plan_ended_on: '2026-07-23' };
    expect(form(fscpToEh, raw, 'fscp', monday).errors).toEqual([]);
    expect(stepDownGate(raw)).toEqual([]);
  });

  it('Lambeth: a CP plan end date within 3 months brings the Step Down Meeting gate even when the box says no', () => {
    const raw = { ...fscpStepDown, cp_plan_last_3_months: 'no', cp_plan_ended_on: '2026-10-01' };
    expect(form(fscpToEh, raw, 'fscp', monday).errors.map((e) => e.field)).toEqual([
      'step_down_meeting_agreed',
      'step_down_meeting_date',
    ]);
    expect(
      stepDownGate({ ...raw, step_down_meeting_agreed: 'no', step_down_meeting_date: '2026-11-20' }),
    ).toEqual([['step-down-meeting', true]]);
  });

  it('Lambeth: "within the last 3 months" is 3 calendar months back from submission, in London (23 August in, 22 August out)', () => {
    const ended = (date: string) => ({
      ...fscpStepDown,
      cp_plan_last_3_months: 'no',
      cp_plan_ended_on: date,
    });
    expect(calendar.due(monday, { amount: -3, unit: 'calendar_months' }).toISOString()).toBe(
      '2026-08-23T09:00:00.000Z',
    );
    expect(form(fscpToEh, ended('2026-08-23'), 'fscp', monday).errors.map((e) => e.field)).toContain(
      'step_down_meeting_agreed',
    );
    expect(form(fscpToEh, ended('2026-08-22'), 'fscp', monday).errors).toEqual([]);
    expect(stepDownGate(ended('2026-08-22'))).toEqual([]);
  });

  it('Lambeth: an FSCP step-down needs the CIN plan to be ending and the EH Team Manager consulted', () => {
    const raw = {
      ...fscpStepDown,
      cp_plan_last_3_months: 'no',
      cin_plan_ending: 'no',
      discussed_with_eh_team_manager: 'no',
    };
    expect(stepDownGate(raw)).toEqual([
      ['cin-plan-ending', true],
      ['discussed-with-eh-team-manager', true],
    ]);
  });

  it('Lambeth: the final CIN Review the EH Team Manager or Senior attends is due on its own day', () => {
    const c = ctx(fscpToEh, { ...fscpStepDown, cp_plan_last_3_months: 'no' }, 'fscp', monday);
    const started = meetingsStartedBy(fscpToEh, 'submitted', monday, c);
    expect(started.map((m) => [m.rule.id, m.dueBy?.toISOString()])).toEqual([
      ['final-cin-review', '2026-12-02T17:00:00.000Z'],
    ]);
    expect(started[0]?.rule.participants).toEqual(
      expect.arrayContaining(['receiving_manager', 'receiving_senior']),
    );
  });

  it('Lambeth: IRH manager discussion the same day (submitted Tuesday 11:00 -> due Tuesday 17:00)', () => {
    const submitted = new Date('2026-11-24T11:00:00Z');
    const due = irhDiscussionDue(submitted);
    expect(due?.toISOString()).toBe('2026-11-24T17:00:00.000Z');
    expect(due && calendar.describe(submitted, due, 'working_days')).toBe('6 hours left');
  });

  it('Lambeth: IRH manager discussion for a step-up sent on Friday at 18:00 is due Monday 17:00', () => {
    const submitted = new Date('2026-11-27T18:00:00Z');
    expect(irhDiscussionDue(submitted)?.toISOString()).toBe('2026-11-30T17:00:00.000Z');
  });

  it('Lambeth: IRH manager discussion in summer: Tuesday 11:00 BST -> 17:00 BST (16:00 UTC)', () => {
    const submitted = calendar.at('2026-06-02', '11:00');
    expect(irhDiscussionDue(submitted)?.toISOString()).toBe('2026-06-02T16:00:00.000Z');
  });

  it('Lambeth: EH work continues unless a reason to stop is recorded (the reason is required when continue = no)', () => {
    const stop = form(ehToCsc, { ...ehStepUp, continue_eh_work: 'no' }, 'community-early-help', monday);
    expect(stop.errors).toEqual([
      { field: 'stop_eh_reason', message: 'Reason EH work should stop is required' },
    ]);
    const withReason = form(
      ehToCsc,
      {
        ...ehStepUp,
        continue_eh_work: 'no',
        stop_eh_reason: 'Father has told the EH worker not to visit again.',
      },
      'community-early-help',
      monday,
    );
    expect(withReason.errors).toEqual([]);
    expect(withReason.values.continue_eh_work).toBe(false);
    const carryOn = form(ehToCsc, { ...ehStepUp, continue_eh_work: 'yes' }, 'community-early-help', monday);
    expect(carryOn.errors).toEqual([]);
    expect(carryOn.values.continue_eh_work).toBe(true);
  });

  it('Lambeth: whether EH work continues must be answered', () => {
    const { errors } = form(ehToCsc, ehStepUp, 'community-early-help', monday);
    expect(errors.map((e) => e.field)).toEqual(['continue_eh_work']);
  });

  it('Lambeth: the family is told unless it is not safe, and then why is recorded', () => {
    const { errors } = form(
      ehToCsc,
      { ...ehStepUp, family_advised: 'no', continue_eh_work: 'yes' },
      'community-early-help',
      monday,
    );
    expect(errors.map((e) => e.field)).toEqual(['family_not_advised_reason']);
  });

  it("Lambeth: the step-up needs no consent; the step-downs need the family's consent with no override", () => {
    const notRequired = { status: 'not_required', lawfulBasis: 'public_task' } as const;
    expect(checkConsent(profile, ehToCsc, notRequired)).toEqual([]);
    expect(checkConsent(profile, fscpToEh, notRequired)).toHaveLength(1);
    const overridden = checkConsent(profile, route('cat-to-eh'), {
      status: 'not_sought',
      reason: 'any',
      rationale: 'The family could not be reached before the case closed.',
      lawfulBasis: 'public_task',
    });
    expect(overridden.map((p) => p.message)).toEqual([
      "The Step Down: Children's Social Care (CAT) to Early Help route needs the family's consent; it cannot be overridden.",
    ]);
  });

  it('Lambeth: the step-up is refused until the EH Team Manager has been consulted and the Mosaic form completed', () => {
    const c = ctx(
      ehToCsc,
      {
        ...ehStepUp,
        discussed_with_team_manager: 'no',
        step_up_form_on_mosaic: 'no',
        continue_eh_work: 'yes',
      },
      'community-early-help',
      monday,
    );
    expect(checkGates(ehToCsc, c).map((g) => g.gate)).toEqual([
      'discussed-with-team-manager',
      'step-up-form-on-mosaic',
    ]);
  });
});
