import { describe, expect, it } from 'vitest';
import { profileSchema } from '../../../src/domain/profile.ts';
import { hackneyProfile } from '../../../src/protocols/hackney.ts';
import { byId, profileOf } from './support.ts';

const { p, route } = profileOf('hackney');
const fromTargetedEarlyHelp = { sendingService: ['targeted-early-help'] };

describe('Hackney profile', () => {
  it('Hackney: Tiers 1-4 of the Child Wellbeing Framework', () => {
    expect(p.levels.map((l) => [l.id, l.name, l.rank])).toEqual([
      ['tier-1', 'Tier 1 - Universal', 1],
      ['tier-2', 'Tier 2 - Early Help', 2],
      ['tier-3', 'Tier 3 - Complex', 3],
      ['tier-4', 'Tier 4 - Acute risk of harm', 4],
    ]);
  });

  it('Hackney: services are universal, the Early Help Hub, targeted Early Help, MASH (front door) and CSC', () => {
    expect(p.services.map((s) => [s.id, s.kind])).toEqual([
      ['universal', 'universal'],
      ['early-help-hub', 'early_help_hub'],
      ['targeted-early-help', 'early_help'],
      ['mash', 'front_door'],
      ['csc', 'social_work_team'],
    ]);
  });

  it('Hackney: Tier 1 to 2 request for support goes to the Early Help Hub, which allocates', () => {
    const r = route('universal-to-early-help');
    expect([r.kind, r.command]).toEqual(['step-up', 'stepup']);
    expect(r.from).toEqual({ services: ['universal'], levels: ['tier-1'] });
    expect(r.to).toEqual({ service: 'early-help-hub', levels: ['tier-2'] });
    expect(r.decision.mode).toBe('decide');
  });

  it('Hackney: consent for targeted Early Help is required and cannot be overridden', () => {
    expect(route('universal-to-early-help').consent).toMatchObject({ required: true, notSoughtReasons: [] });
  });

  it('Hackney: the needs are agreed with the family before the request (blocking gate)', () => {
    const gate = byId(route('universal-to-early-help').gates, 'conversation-with-family');
    expect(gate).toMatchObject({
      kind: 'require',
      blocking: true,
      require: { field: 'needs_agreed_with_family', equals: true },
    });
  });

  it('Hackney: requests for statutory services (Tiers 3-4) go to MASH, from universal or targeted Early Help', () => {
    const r = route('to-statutory');
    expect(r.from).toEqual({ services: ['universal', 'targeted-early-help'], levels: ['tier-1', 'tier-2'] });
    // MASH "decides the level of need and allocates": the level is said at allocation.
    expect(r.to).toEqual({ service: 'mash', levels: ['tier-3', 'tier-4'], levelAtAllocation: true });
  });

  it('Hackney: consent to statutory services may be overridden only for risk of significant harm', () => {
    expect(route('to-statutory').consent).toMatchObject({
      required: true,
      notSoughtReasons: ['risk-of-significant-harm'],
    });
    expect(p.consent.reasons.map((r) => r.id)).toEqual(['risk-of-significant-harm']);
  });

  it('Hackney: handover discussion with the new social worker and the Consultant Social Worker when from targeted Early Help', () => {
    const m = byId(route('to-statutory').meetings, 'handover-discussion');
    expect(m).toMatchObject({
      kind: 'handover_discussion',
      anchor: 'allocated',
      when: fromTargetedEarlyHelp,
      optional: false,
    });
    expect(m.participants).toEqual(['sending_worker', 'allocated_worker', 'consultant_social_worker']);
  });

  it('Hackney: joint visit within 5 working days of allocation', () => {
    const m = byId(route('to-statutory').meetings, 'joint-visit');
    expect(m).toMatchObject({
      kind: 'joint_visit',
      anchor: 'allocated',
      within: { amount: 5, unit: 'working_days' },
      when: fromTargetedEarlyHelp,
    });
    expect(m.participants).toEqual(['sending_worker', 'allocated_worker', 'family']);
  });

  it('Hackney: Listening Together meeting is optional, with no deadline; the former EH practitioner and universal practitioners are invited', () => {
    const m = byId(route('to-statutory').meetings, 'listening-together');
    expect(m).toMatchObject({ kind: 'listening_together', optional: true });
    expect(m.within).toBeUndefined();
    expect(m.participants).toEqual(
      expect.arrayContaining(['former_early_help_practitioner', 'universal_practitioners', 'family']),
    );
  });

  it('Hackney: the Early Help lead professional is told of the allocation and the handover it starts', () => {
    const n = route('to-statutory').notify.find((x) => x.on === 'allocated');
    expect(n).toMatchObject({ to: { requester: true }, when: fromTargetedEarlyHelp });
    expect(n?.message).toMatch(/within 5 working days/);
  });

  it('Hackney: step-down to Tier 1 involves no hub: nobody decides, the plan is shared', () => {
    const r = route('statutory-to-universal');
    expect([r.kind, r.command]).toEqual(['step-down', 'stepdown']);
    expect(r.from).toEqual({ services: ['csc'], levels: ['tier-3', 'tier-4'] });
    expect(r.to).toEqual({ service: 'universal', levels: ['tier-1'] });
    expect(r.decision.mode).toBe('notify');
    expect(r.consent).toMatchObject({ required: true, notSoughtReasons: [] });
  });

  it('Hackney: step-down to Tier 1 tells the universal services named in the plan', () => {
    const r = route('statutory-to-universal');
    const contacts = r.fields.filter((f) => f.type === 'email').map((f) => f.id);
    expect(contacts).toEqual([
      'universal_contact_1_email',
      'universal_contact_2_email',
      'universal_contact_3_email',
    ]);
    expect(r.fields.find((f) => f.id === 'universal_contact_1_email')?.required).toBe(true);
    expect(r.notify.map((n) => [n.on, n.to])).toEqual(contacts.map((field) => ['submitted', { field }]));
    expect(byId(r.fields, 'plan_universal_services')).toMatchObject({ type: 'multiselect', required: true });
    expect(byId(r.fields, 'plan_for_support')).toMatchObject({ type: 'textarea', required: true });
  });

  it('Hackney: step-down to Tier 2 goes through the Early Help Hub', () => {
    const r = route('statutory-to-early-help');
    expect(r.from).toEqual({ services: ['csc'], levels: ['tier-3', 'tier-4'] });
    expect(r.to).toEqual({ service: 'early-help-hub', levels: ['tier-2'] });
    expect(r.decision.mode).toBe('decide');
  });

  it('Hackney: the Early Help Hub notifies the allocated social worker on allocation', () => {
    const n = route('statutory-to-early-help').notify;
    expect(n).toEqual([expect.objectContaining({ on: 'allocated', to: { requester: true } })]);
  });

  it('Hackney: step-down to Tier 2: handover discussion, joint visit within 5 working days following allocation, first TAF', () => {
    const { meetings } = route('statutory-to-early-help');
    expect(meetings.map((m) => [m.id, m.kind, m.anchor, m.within ?? null])).toEqual([
      ['handover-discussion', 'handover_discussion', 'allocated', null],
      ['joint-visit', 'joint_visit', 'allocated', { amount: 5, unit: 'working_days' }],
      ['first-taf', 'first_taf', 'allocated', null],
    ]);
    expect(byId(meetings, 'first-taf').participants).toContain('sending_worker');
  });

  it('Hackney: no ladder, decision time, phone number or case system in the source: the common defaults, said in notes', () => {
    expect(p.defaultLadder).toBe('common');
    expect(p.caseSystem).toBe('case system');
    expect(p.emergency.phones).toEqual([{ label: expect.any(String), number: '999' }]);
    expect(p.emergency.text).toMatch(/front door \(MASH\)/);
    const notes = p.notes.join('\n');
    expect(notes).toMatch(/common ladder/);
    expect(notes).toMatch(/3 working days/);
    expect(notes).toMatch(/gives no phone number/);
    expect(notes).toMatch(/case system/);
    expect(route('to-statutory').decision.due).toEqual({ amount: 3, unit: 'working_days' });
  });
});

describe('a level decided at allocation', () => {
  it('is refused on a route with one level, or whose form already states the level', () => {
    for (const to of [
      { service: 'mash', levels: ['tier-3'], levelAtAllocation: true },
      {
        service: 'mash',
        levels: ['tier-3', 'tier-4'],
        levelAtAllocation: true,
        levelField: 'support_requested',
      },
    ]) {
      const input = structuredClone(hackneyProfile) as { routes: { id: string; to: unknown }[] };
      const statutory = input.routes.find((r) => r.id === 'to-statutory');
      if (!statutory) throw new Error('no to-statutory route');
      statutory.to = to;
      const parsed = profileSchema.safeParse(input);
      expect(parsed.success).toBe(false);
      expect(JSON.stringify(parsed.error?.issues)).toContain(
        'a level decided at allocation needs two levels or more',
      );
    }
  });
});
