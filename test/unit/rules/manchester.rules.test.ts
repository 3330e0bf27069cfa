/**
 * Manchester's rules, run through the domain functions with the real built-in profile. Fixed instants only:
 * Monday 23 November 2026 is in winter (London = UTC); British Summer Time ends on Sunday 25 October 2026.
 */
import { describe, expect, it } from 'vitest';
import type { WorkingCalendar } from '../../../src/domain/calendar.ts';
import { evaluateCondition } from '../../../src/domain/form.ts';
import { type LadderPosition, nextStage, stageAt } from '../../../src/domain/ladder.ts';
import type { Ladder } from '../../../src/domain/profile.ts';
import {
  checkGates,
  chooseReceivingService,
  decisionDue,
  meetingsStartedBy,
} from '../../../src/domain/rules.ts';
import { council } from './council.ts';

const { profile, calendar, route, ctx } = council('manchester');
const notProgressed = route('sw-assessment-not-progressed');
const cinToEarlyHelp = route('cin-to-early-help');
const interventionsToSw = route('interventions-to-sw');
const triageToSw = route('triage-to-sw');

/** Monday 23 November 2026, 10:00 in London (GMT). */
const monday = new Date('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;

const ladder = (id: string): Ladder => {
  const found = profile.ladders.find((l) => l.id === id);
  if (!found) throw new Error(`no ladder "${id}"`);
  return found;
};

/** Climbs a ladder as the sweep does: each stage starts when the one before runs out of time. */
function climb(l: Ladder, from: Date, cal: WorkingCalendar): LadderPosition[] {
  const positions = [stageAt(l, 0, from, cal)];
  for (;;) {
    const last = positions[positions.length - 1] as LadderPosition;
    const next = nextStage(l, last.stageIndex, last.dueAt, cal);
    if (!next) return positions;
    positions.push(next);
  }
}

const notProgressedRequest = {
  child_name: 'Ella Mason',
  child_dob: '2017-04-30',
  child_ref: 'MC-100200',
  hub: 'north',
  reasons_not_progressed:
    'On visiting, the needs are lower than the MASH referral suggested: no safeguarding concern.',
  discussed_with_mash_tm: 'yes',
  mash_tm_case_note: 'yes',
  written_plan: 'Early Help family worker to visit weekly; school to monitor attendance.',
  contingencies_timescales:
    'If the family do not engage within 2 weeks, the Hub social worker reviews with the area team.',
};

const proForma = {
  child_name: 'Ella Mason',
  child_dob: '2017-04-30',
  child_ref: 'MC-100200',
  hub: 'central',
  stepping_down_from: 'cin-plan',
  family_composition: 'Mother (34), Ella (9), brother Sam (6). Father has contact on alternate weekends.',
  address_contact: '1 Example Street, M1 1AA (fictional)',
  housing_provider: 'housing-association',
  date_referred: '2026-11-20',
  referral_reason: 'CIN plan ending: needs now at Early Help level.',
  referrer_contact: 'Sam Okafor, North area Social Work team',
  level_of_need: 'level-4',
  intervention_status: 'step-down',
  sos_worried: 'Mother’s low mood means mornings are chaotic and Ella is late to school twice a week.',
  sos_working_well: 'Mother engages with her GP; Ella has a trusted adult at school.',
  sos_needs_to_happen: 'A routine for school mornings; mother linked to a peer support group.',
  forthcoming_meetings: 'Final CIN meeting 3 December 14:00; joint visit to follow.',
  final_cin_meeting_at: '2026-12-03 14:00',
  assessed_in_last_6_months: 'yes',
};

const concernRaised = (date: string) =>
  ctx(
    interventionsToSw,
    {
      child_name: 'Ella Mason',
      child_dob: '2017-04-30',
      child_ref: 'MC-100200',
      cp_concern: 'no',
      concern_raised_on: date,
      senior_sw_consulted: 'yes',
      sos_strengths: 'Grandmother visits daily.',
      sos_danger: 'Mother’s new partner has a history of violence.',
      sos_needs_to_happen: 'A social work assessment of the new partner’s contact with Ella.',
      contact_record_on_micare: 'yes',
    },
    'eh-interventions',
    monday,
  );

describe('Manchester rules', () => {
  it('Manchester: a non-progressed C&F assessment is decided within 24 clock hours of submission, even over a weekend', () => {
    const friday = new Date('2026-11-27T15:00:00Z');
    const due = decisionDue(notProgressed, friday, calendar);
    expect(due?.toISOString()).toBe('2026-11-28T15:00:00.000Z'); // Saturday: clock hours ignore the calendar
    expect(due && calendar.describe(friday, due, 'clock_hours')).toBe('1 day left');
    // Across the end of summer time: 24 real hours, which reads 11:00 on the London clock the next day.
    const saturday = calendar.at('2026-10-24', '12:00'); // BST
    const overClockChange = decisionDue(notProgressed, saturday, calendar);
    expect(overClockChange && overClockChange.getTime() - saturday.getTime()).toBe(24 * HOUR);
    expect(overClockChange && calendar.localTime(overClockChange)).toBe('11:00');
  });

  it('Manchester: a non-progressed assessment is decided within 24 hours, and a disagreement goes to senior management for a further 24', () => {
    expect(notProgressed.ladder).toBe('c-and-f-not-progressed');
    const l = ladder('c-and-f-not-progressed');
    expect(l.stages.map((s) => [s.id, s.timeLimit])).toEqual([
      ['senior-management', { amount: 24, unit: 'clock_hours' }],
    ]);
    const submitted = new Date('2026-11-26T15:00:00Z'); // Thursday
    const decisionBy = decisionDue(notProgressed, submitted, calendar);
    expect(decisionBy?.toISOString()).toBe('2026-11-27T15:00:00.000Z');
    // Disputed as the decision falls due: senior management's 24 hours end 48 hours after the request.
    const first = stageAt(l, 0, decisionBy as Date, calendar);
    expect([first.dueAt.toISOString(), first.final]).toEqual(['2026-11-28T15:00:00.000Z', true]);
    expect(first.stage.roles).toEqual({
      sending: ['service_manager', 'head_of_service'],
      receiving: ['service_manager', 'head_of_service'],
    });
    expect(nextStage(l, 0, first.dueAt, calendar)).toBeNull();
  });

  it('Manchester: allocations meetings are on Thursdays in each hub; the next one after Monday is that Thursday', () => {
    expect(profile.schedules.map((s) => [s.service, s.weekday, s.time])).toEqual([
      ['eh-hub-north', 4, '10:00'],
      ['eh-hub-central', 4, '10:00'],
      ['eh-hub-south', 4, '10:00'],
    ]);
    expect(calendar.nextWeekday(monday, 4)).toBe('2026-11-26');
    // From a Thursday, the next meeting is the following Thursday.
    expect(calendar.nextWeekday(new Date('2026-11-26T12:00:00Z'), 4)).toBe('2026-12-03');
  });

  it('Manchester: an allocations Thursday that is a closure day is skipped', () => {
    const { calendar: closed } = council('manchester', { extraClosures: ['2026-11-26'] });
    expect(closed.nextWeekday(monday, 4)).toBe('2026-12-03');
  });

  it('Manchester: a level 4 step-down goes to the next allocations meeting, within 5 working days; level 3 does not', () => {
    const level4 = ctx(cinToEarlyHelp, proForma, 'area-sw', monday);
    const started = meetingsStartedBy(cinToEarlyHelp, 'submitted', monday, level4);
    const allocations = started.find((m) => m.rule.id === 'allocations');
    expect(allocations?.dueBy?.toISOString()).toBe('2026-11-30T17:00:00.000Z');
    const schedule = profile.schedules.find(
      (s) => s.service === chooseReceivingService(cinToEarlyHelp, level4).service,
    );
    expect(schedule?.id).toBe('allocations-central');
    const nextMeeting = calendar.at(
      calendar.nextWeekday(monday, schedule?.weekday ?? 0),
      schedule?.time ?? '',
    );
    expect(nextMeeting.toISOString()).toBe('2026-11-26T10:00:00.000Z');
    expect(nextMeeting.getTime()).toBeLessThan(allocations?.dueBy?.getTime() ?? 0);
    // Given the hub's standing meeting, the allocations meeting is due at it: Thursday 10:00.
    const atHub = meetingsStartedBy(cinToEarlyHelp, 'submitted', monday, level4, schedule);
    expect(atHub.find((m) => m.rule.id === 'allocations')?.dueBy?.toISOString()).toBe(
      '2026-11-26T10:00:00.000Z',
    );

    const level3 = ctx(cinToEarlyHelp, { ...proForma, level_of_need: 'level-3' }, 'area-sw', monday);
    expect(meetingsStartedBy(cinToEarlyHelp, 'submitted', monday, level3).map((m) => m.rule.id)).toEqual([
      'final-cin',
    ]);
  });

  it('Manchester: TAF within 5 working days of the concern being raised (anchored on the concern date, not the submission)', () => {
    const due = (date: string) =>
      meetingsStartedBy(interventionsToSw, 'submitted', monday, concernRaised(date)).map((m) => [
        m.rule.id,
        m.dueBy?.toISOString(),
      ]);
    expect(due('2026-11-20')).toEqual([['taf', '2026-11-27T17:00:00.000Z']]); // raised Friday, sent Monday
    expect(due('2026-11-21')).toEqual([['taf', '2026-11-30T17:00:00.000Z']]); // raised on a Saturday
    expect(due('2026-11-23')).toEqual([['taf', '2026-11-30T17:00:00.000Z']]); // raised the day it is sent
  });

  it('Manchester: stepped back up within 3 months goes to the team that stepped it down (2 months 30 days in, 3 months 1 day out)', () => {
    expect(profile.stepBackUp?.within).toEqual({ amount: 3, unit: 'calendar_months' });
    const within = profile.stepBackUp?.within ?? { amount: 0, unit: 'calendar_months' };
    const since = calendar.due(monday, { amount: -within.amount, unit: within.unit });
    expect(since.toISOString()).toBe('2026-08-23T09:00:00.000Z'); // 10:00 BST
    const inside = calendar.due(calendar.due(monday, { amount: -2, unit: 'calendar_months' }), {
      amount: -30,
      unit: 'calendar_days',
    });
    const outside = calendar.due(calendar.due(monday, { amount: -3, unit: 'calendar_months' }), {
      amount: -1,
      unit: 'calendar_days',
    });
    expect(inside.getTime()).toBeGreaterThanOrEqual(since.getTime());
    expect(outside.getTime()).toBeLessThan(since.getTime());
    // The same window as a condition on a step-down date.
    const steppedDown = (date: string) =>
      evaluateCondition(
        { field: 'stepped_down_on', withinLast: within },
        {
          values: { stepped_down_on: date },
          sendingService: 'eh-hub-north',
          sendingServiceKind: 'early_help_hub',
          now: monday,
          calendar,
        },
      );
    expect(steppedDown(calendar.localDate(inside))).toBe(true);
    expect(steppedDown(calendar.localDate(outside))).toBe(false);
  });

  it('Manchester: the 48-hour ladder has four stages summing to 48 clock hours; the last is final; stage 4 is director level', () => {
    expect(profile.defaultLadder).toBe('manchester-48-hours');
    const l = ladder('manchester-48-hours');
    expect(l.stages).toHaveLength(4);
    expect(l.stages.every((s) => s.timeLimit.unit === 'clock_hours')).toBe(true);
    expect(l.stages.reduce((sum, s) => sum + s.timeLimit.amount, 0)).toBe(48);
    // Climbed from Friday 16:00, it ends 48 real hours later, on Sunday: clock hours do not wait for Monday.
    const friday = new Date('2026-11-27T16:00:00Z');
    const positions = climb(l, friday, calendar);
    expect(positions.map((p) => p.final)).toEqual([false, false, false, true]);
    expect(positions.map((p) => (p.dueAt.getTime() - friday.getTime()) / HOUR)).toEqual([12, 24, 36, 48]);
    expect(positions[3]?.stage.roles).toEqual({ sending: ['director'], receiving: ['director'] });
    expect(positions.map((p) => p.stage.id)).toEqual([
      'front-line',
      'team-managers',
      'locality-managers',
      'final',
    ]);
  });

  it('Manchester: every route but the non-progressed assessment uses the 48-hour ladder', () => {
    const ladders = profile.routes.map((r) => [r.id, r.ladder ?? profile.defaultLadder]);
    expect(ladders.filter(([, l]) => l !== 'manchester-48-hours')).toEqual([
      ['sw-assessment-not-progressed', 'c-and-f-not-progressed'],
    ]);
  });

  it('Manchester: advice only is allowed for level 3 only', () => {
    const when = cinToEarlyHelp.decision.adviceOnlyWhen;
    expect(cinToEarlyHelp.decision.adviceOnly).toBe(true);
    if (!when) throw new Error('no adviceOnlyWhen');
    expect(
      evaluateCondition(
        when,
        ctx(cinToEarlyHelp, { ...proForma, level_of_need: 'level-3' }, 'area-sw', monday),
      ),
    ).toBe(true);
    expect(evaluateCondition(when, ctx(cinToEarlyHelp, proForma, 'area-sw', monday))).toBe(false);
  });

  it('Manchester: the hub chosen on the form receives the step-down; an under-5 may go to Early Years Outreach instead', () => {
    const to = (extra: Record<string, unknown>) =>
      chooseReceivingService(
        cinToEarlyHelp,
        ctx(cinToEarlyHelp, { ...proForma, ...extra }, 'area-sw', monday),
      ).service;
    expect(to({ hub: 'north' })).toBe('eh-hub-north');
    expect(to({ hub: 'central' })).toBe('eh-hub-central');
    expect(to({ hub: 'south' })).toBe('eh-hub-south');
    expect(to({ child_dob: '2023-01-01', early_years_outreach: 'yes' })).toBe('early-years-outreach');
    expect(to({ child_dob: '2023-01-01', early_years_outreach: 'no' })).toBe('eh-hub-central');
  });

  it('Manchester: a disputed MASH outcome goes back to MASH, with a case discussion within 24 hours', () => {
    const c = ctx(
      triageToSw,
      {
        child_name: 'Ella Mason',
        child_dob: '2017-04-30',
        child_ref: 'MC-100200',
        cp_concern: 'no',
        reasons: 'The school, who referred, report new bruising and do not support the Early Help outcome.',
        contact_record_on_micare: 'yes',
        disputes_mash_outcome: 'yes',
      },
      'eh-triage',
      monday,
    );
    expect(chooseReceivingService(triageToSw, c).service).toBe('contact-centre-mash');
    expect(
      meetingsStartedBy(triageToSw, 'submitted', monday, c).map((m) => [m.rule.id, m.dueBy?.toISOString()]),
    ).toEqual([['case-discussion', '2026-11-24T10:00:00.000Z']]);
  });

  it('Manchester: a non-progressed assessment is refused until the MASH Team Manager has recorded a case note', () => {
    const noNote = ctx(
      notProgressed,
      { ...notProgressedRequest, mash_tm_case_note: 'no' },
      'area-sw',
      monday,
    );
    expect(checkGates(notProgressed, noNote)).toEqual([
      expect.objectContaining({ gate: 'mash-tm-case-note', blocking: true }),
    ]);
    expect(checkGates(notProgressed, ctx(notProgressed, notProgressedRequest, 'area-sw', monday))).toEqual(
      [],
    );
  });
});
