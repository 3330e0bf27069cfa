/**
 * Hackney's rules, run through the domain functions with the real built-in profile. Fixed instants only:
 * Monday 23 November 2026 is in winter (London = UTC); 1 June 2026 is in summer (London = UTC+1).
 */
import { describe, expect, it } from 'vitest';
import {
  type Consent,
  checkConsent,
  checkGates,
  decisionDue,
  meetingsStartedBy,
  routesFor,
} from '../../../src/domain/rules.ts';
import { council } from './council.ts';

const { profile, calendar, route, form, ctx } = council('hackney');
const toStatutory = route('to-statutory');
const toUniversal = route('statutory-to-universal');

/** Monday 23 November 2026, 10:00 in London (GMT). */
const monday = new Date('2026-11-23T10:00:00Z');

const statutoryRequest = {
  child_name: 'Amy Jane Smith',
  child_dob: '2016-03-14',
  needs_and_concerns: 'Needs have risen because the support plan has not reduced the risks at home.',
  support_requested: 'A child in need assessment.',
};
const fromEarlyHelp = (now: Date) => ctx(toStatutory, statutoryRequest, 'targeted-early-help', now);
const fromUniversal = (now: Date) => ctx(toStatutory, statutoryRequest, 'universal', now);

const dueOf = (list: ReturnType<typeof meetingsStartedBy>, id: string) => {
  const found = list.find((m) => m.rule.id === id);
  if (!found) throw new Error(`no meeting "${id}" in [${list.map((m) => m.rule.id).join(', ')}]`);
  return found.dueBy;
};

const notSought = (reason: string, lawfulBasis: Consent['lawfulBasis'] = 'public_task'): Consent => ({
  status: 'not_sought',
  reason,
  rationale: 'Father has threatened the child; asking him would put the child at risk of significant harm.',
  lawfulBasis,
});

describe('Hackney rules', () => {
  it('Hackney: joint visit within 5 working days of allocation (allocated Monday 10:00 -> the following Monday 17:00 London)', () => {
    const started = meetingsStartedBy(toStatutory, 'allocated', monday, fromEarlyHelp(monday));
    const due = dueOf(started, 'joint-visit');
    expect(due?.toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(due && [calendar.localDate(due), calendar.localTime(due)]).toEqual(['2026-11-30', '17:00']);
    expect(due && calendar.describe(monday, due, 'working_days')).toBe('5 working days 7 hours left');
    // The handover discussion is started too, with no deadline in the source: it is not chased.
    expect(dueOf(started, 'handover-discussion')).toBeNull();
  });

  it('Hackney: joint visit in summer time is due at 17:00 London, which is 16:00 UTC', () => {
    const allocated = calendar.at('2026-06-01', '10:00'); // Monday, BST
    expect(allocated.toISOString()).toBe('2026-06-01T09:00:00.000Z');
    const due = dueOf(
      meetingsStartedBy(toStatutory, 'allocated', allocated, fromEarlyHelp(allocated)),
      'joint-visit',
    );
    expect(due?.toISOString()).toBe('2026-06-08T16:00:00.000Z');
  });

  it('Hackney: joint visit over Christmas skips the bank holidays (25 December and the substitute Boxing Day, 28 December)', () => {
    const allocated = new Date('2026-12-21T10:00:00Z'); // Monday
    const due = dueOf(
      meetingsStartedBy(toStatutory, 'allocated', allocated, fromEarlyHelp(allocated)),
      'joint-visit',
    );
    expect(due?.toISOString()).toBe('2026-12-30T17:00:00.000Z');
  });

  it('Hackney: joint visit after an allocation made after 17:00 counts from the next working day', () => {
    const allocated = new Date('2026-11-27T17:30:00Z'); // Friday evening
    const due = dueOf(
      meetingsStartedBy(toStatutory, 'allocated', allocated, fromEarlyHelp(allocated)),
      'joint-visit',
    );
    expect(due?.toISOString()).toBe('2026-12-07T17:00:00.000Z');
  });

  it('Hackney: the handover and joint visit apply only when the request came from targeted Early Help, not from universal', () => {
    const started = meetingsStartedBy(toStatutory, 'allocated', monday, fromUniversal(monday));
    expect(started.map((m) => m.rule.id)).toEqual(['listening-together']);
    expect(started[0]?.dueBy).toBeNull();
  });

  it('Hackney: the joint visit clock starts on allocation, not on submission or acceptance', () => {
    expect(meetingsStartedBy(toStatutory, 'submitted', monday, fromEarlyHelp(monday))).toEqual([]);
    expect(meetingsStartedBy(toStatutory, 'accepted', monday, fromEarlyHelp(monday))).toEqual([]);
  });

  it('Hackney: consent to statutory services may be overridden for risk of significant harm (reason recorded)', () => {
    expect(checkConsent(profile, toStatutory, notSought('risk-of-significant-harm'))).toEqual([]);
  });

  it('Hackney: consent to statutory services cannot be overridden for any other reason', () => {
    const problems = checkConsent(profile, toStatutory, notSought('family-would-disengage'));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(
      /only be overridden on this route for: There is risk of significant harm/,
    );
  });

  it('Hackney: consent that was not sought cannot be the lawful basis for sharing', () => {
    const problems = checkConsent(profile, toStatutory, notSought('risk-of-significant-harm', 'consent'));
    expect(problems.map((p) => p.message)).toEqual([
      'Consent was not sought, so it cannot be the lawful basis for sharing.',
    ]);
  });

  it('Hackney: on the T1->T2 request for targeted Early Help, not seeking consent is refused outright', () => {
    const t1t2 = route('universal-to-early-help');
    const problems = checkConsent(profile, t1t2, notSought('risk-of-significant-harm'));
    expect(problems.map((p) => p.message)).toEqual([
      "The Request for support: Universal to targeted Early Help (Tier 1 to 2) route needs the family's consent; it cannot be overridden.",
    ]);
    expect(
      checkConsent(profile, t1t2, { status: 'not_required', lawfulBasis: 'public_task' }).map((p) => p.field),
    ).toEqual(['consent']);
    expect(
      checkConsent(profile, t1t2, {
        status: 'given',
        givenBy: 'Mother',
        givenOn: '2026-11-20',
        lawfulBasis: 'consent',
      }),
    ).toEqual([]);
  });

  it('Hackney: the T1->T2 request is refused until the needs have been talked through with the family', () => {
    const t1t2 = route('universal-to-early-help');
    const raw = {
      child_name: 'Amy Jane Smith',
      child_dob: '2016-03-14',
      needs_identified: 'Attendance has dropped to 80% this term.',
      support_requested: 'Parenting support.',
    };
    const notYet = ctx(t1t2, { ...raw, needs_agreed_with_family: 'no' }, 'universal', monday);
    expect(checkGates(t1t2, notYet)).toEqual([
      expect.objectContaining({ gate: 'conversation-with-family', blocking: true }),
    ]);
    expect(
      checkGates(t1t2, ctx(t1t2, { ...raw, needs_agreed_with_family: 'yes' }, 'universal', monday)),
    ).toEqual([]);
  });

  it('Hackney: step-down to universal needs no decision (notify): no decision clock, unlike the step-down to Early Help', () => {
    expect(toUniversal.decision.mode).toBe('notify');
    expect(decisionDue(toUniversal, monday, calendar)).toBeNull();
    // The step-down to targeted Early Help goes through the Hub, which decides (common default: 3 working days).
    expect(decisionDue(route('statutory-to-early-help'), monday, calendar)?.toISOString()).toBe(
      '2026-11-26T17:00:00.000Z',
    );
  });

  it('Hackney: step-down to universal tells the universal services named in the plan', () => {
    const c = ctx(
      toUniversal,
      {
        child_name: 'Amy Jane Smith',
        child_dob: '2016-03-14',
        network_consulted: 'yes',
        plan_for_support: 'Weekly mentoring at school; the family attends the Youth Hub on Thursdays.',
        plan_universal_services: 'school, youth-hub',
        universal_contact_1_email: 'Head.Teacher@Example.gov.uk',
        universal_contact_2_email: 'youth.hub@example.gov.uk',
      },
      'csc',
      monday,
    );
    expect(c.values.plan_universal_services).toEqual(['school', 'youth-hub']);
    const told = toUniversal.notify
      .filter((n) => n.on === 'submitted')
      .map((n) => ('field' in n.to ? c.values[n.to.field] : undefined))
      .filter((v) => v !== undefined);
    expect(told).toEqual(['head.teacher@example.gov.uk', 'youth.hub@example.gov.uk']);
    expect(checkGates(toUniversal, c)).toEqual([]);
  });

  it('Hackney: step-down to universal must name at least one universal contact and the services in the plan', () => {
    const { errors } = form(
      toUniversal,
      {
        child_name: 'Amy Jane Smith',
        child_dob: '2016-03-14',
        network_consulted: 'yes',
        plan_for_support: 'Weekly mentoring at school.',
        plan_universal_services: 'school, library',
      },
      'csc',
      monday,
    );
    expect(errors.map((e) => e.field)).toEqual(['plan_universal_services', 'universal_contact_1_email']);
  });

  it('Hackney: step-down to universal is refused until the family and the network have discussed the support', () => {
    const c = ctx(
      toUniversal,
      {
        child_name: 'Amy Jane Smith',
        child_dob: '2016-03-14',
        network_consulted: 'no',
        plan_for_support: 'Weekly mentoring at school.',
        plan_universal_services: ['school'],
        universal_contact_1_email: 'head.teacher@example.gov.uk',
      },
      'csc',
      monday,
    );
    expect(checkGates(toUniversal, c)).toEqual([
      expect.objectContaining({ gate: 'network-consulted', blocking: true }),
    ]);
  });

  it('Hackney: a universal practitioner is offered both step-ups; a social worker both step-downs; targeted Early Help only MASH', () => {
    expect(routesFor(profile, 'universal', 'stepup').map((r) => r.id)).toEqual([
      'universal-to-early-help',
      'to-statutory',
    ]);
    expect(routesFor(profile, 'csc', 'stepdown').map((r) => r.id)).toEqual([
      'statutory-to-universal',
      'statutory-to-early-help',
    ]);
    expect(routesFor(profile, 'targeted-early-help').map((r) => r.id)).toEqual(['to-statutory']);
  });
});
