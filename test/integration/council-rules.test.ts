/**
 * Council rules that need the whole workflow and a database: run on the demo directories, on both databases.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { App } from '../../src/app.ts';
import { type InviteInput, meetingInvite } from '../../src/cards/invite.ts';
import { requestCardData } from '../../src/cards/view.ts';
import { meetingTeams } from '../../src/channels/compose.ts';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import type { Person } from '../../src/domain/directory.ts';
import { Directory, directoryFileSchema, directoryFromFile } from '../../src/domain/directory.ts';
import type { Role } from '../../src/domain/roles.ts';
import { demoDirectoryPath } from '../../src/protocols/directories/index.ts';
import { builtInProfile, type ProfileName } from '../../src/protocols/index.ts';
import type { Database } from '../../src/store/database.ts';
import { PrismaTransferStore } from '../../src/store/transfer-store.ts';
import { WorkflowError } from '../../src/workflow/errors.ts';
import { meetingParticipants } from '../../src/workflow/participants.ts';
import type { TransferRow } from '../../src/workflow/ports.ts';
import { sweepDueTimers } from '../../src/workflow/sweep.ts';
import { TransferWorkflow } from '../../src/workflow/transfers.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';
import { hackneyWorkflow, stepDownToHub, stepUpToMash } from '../support/hackney-fixture.ts';
import { refusal } from '../support/refusal.ts';

async function councilWorkflow(db: Database, name: ProfileName) {
  const profile = builtInProfile(name);
  const { teams, people } = directoryFromFile(
    directoryFileSchema.parse(parse(readFileSync(demoDirectoryPath(name), 'utf8'))),
  );
  await db.prisma.team.createMany({ data: teams });
  await db.prisma.person.createMany({ data: people });
  const directory = new Directory(teams, people);
  const w = new TransferWorkflow({
    profile,
    calendar: new WorkingCalendar(profile.calendar),
    directory,
    store: new PrismaTransferStore(db.prisma),
  });
  /** The first person of a team providing `service` who holds `role`. */
  const person = (service: string, role: Role) => {
    const p = people.find((x) => directory.team(x.teamId)?.service === service && x.roles.includes(role));
    if (!p) throw new Error(`no ${role} in a ${service} team`);
    return p.id;
  };
  return { w, person };
}

const consent = {
  status: 'given' as const,
  givenBy: 'Mother',
  givenOn: '2026-11-20',
  lawfulBasis: 'consent' as const,
};
const actor = (personId: string) => ({ personId, surface: 'local' as const });

/** A practitioner of the route's first sending service sends it on Monday 23 November 2026. */
async function sendFromFirstService(
  w: TransferWorkflow,
  person: (service: string, role: Role) => string,
  routeId: string,
  form: Record<string, unknown>,
) {
  const sender = person(w.route(routeId).from.services[0] as string, 'practitioner');
  const t = await w.start({ actor: actor(sender), routeId, consent, form }, new Date('2026-11-23T10:00:00Z'));
  return { t, sender };
}

/** Halton's step-down from CSC to a MAP, with the final CIN meeting at `finalCinAt` (London time). */
async function haltonStepDown(
  w: TransferWorkflow,
  person: (service: string, role: Role) => string,
  finalCinAt: string,
  extra: Record<string, unknown> = {},
) {
  const { t, sender } = await sendFromFirstService(w, person, 'csc-to-map', {
    ...extra,
    child_name: 'Kai Brown',
    child_dob: '2014-07-07',
    final_cin_meeting_at: finalCinAt,
    final_cin_meeting_venue: 'Runcorn Children Centre',
    work_synopsis: 'Twelve weeks of CIN work on school attendance.',
    outstanding_actions: 'Attendance support continues.',
    step_back_up_indicators: 'Attendance below 70% or a new police contact.',
  });
  return { t, sw: sender };
}

/** Manchester's step-down from an area social work team to the north hub (the pro forma), at level 4. */
const manchesterStepDown = {
  child_name: 'Tom Green',
  child_dob: '2015-05-05',
  hub: 'north',
  stepping_down_from: 'cafa',
  family_composition: 'Mother and two siblings aged 4 and 12.',
  address_contact: '1 Example Street',
  housing_provider: 'housing-association',
  date_referred: '2026-11-20',
  referral_reason: 'The assessment found needs that Early Help can meet.',
  referrer_contact: 'Priya, North SW team',
  level_of_need: 'level-4',
  intervention_status: 'step-down',
  sos_worried: 'School attendance has dropped to 80% this term.',
  sos_working_well: 'Mother engages with the plan.',
  sos_needs_to_happen: 'A parenting programme and school support.',
  forthcoming_meetings: 'Handover visit on 1 December.',
  assessed_in_last_6_months: true,
};

/** Ivy (Early Help interventions) steps the same child (Tom Green, by case reference) up to social work at `now`. */
function sendManchesterStepUp(w: TransferWorkflow, childRef: string, now: Date) {
  return w.start(
    {
      actor: actor('ivy'),
      routeId: 'interventions-to-sw',
      consent,
      form: {
        child_name: 'Tom Green',
        child_dob: '2015-05-05',
        child_ref: childRef,
        cp_concern: false,
        concern_raised_on: now.toISOString().slice(0, 10),
        senior_sw_consulted: true,
        sos_strengths: 'Mother asks for help.',
        sos_danger: 'Violence at home has started again, reported by the school on 1 February.',
        sos_needs_to_happen: 'A child and family assessment.',
        contact_record_on_micare: true,
      },
    },
    now,
  );
}

/** That step-down, sent by Priya (North area social work) on Monday 23 November for the child with this case reference. */
function sendManchesterStepDown(w: TransferWorkflow, childRef: string) {
  return w.start(
    {
      actor: actor('priya'),
      routeId: 'cin-to-early-help',
      consent,
      form: { ...manchesterStepDown, child_ref: childRef },
    },
    new Date('2026-11-23T10:00:00Z'),
  );
}

describe.each(databaseKinds)('council rules through the workflow on %s', (kind) => {
  let db: Database;
  afterEach(async () => {
    await db.close();
  });

  it('Manchester: a Level of Need corrected on resubmission is the level the request shows', async () => {
    db = await freshDatabase(kind);
    const { w } = await councilWorkflow(db, 'manchester');
    const t = await sendManchesterStepDown(w, 'MC-778801');
    expect(t.toLevel).toBe('level-4');
    await w.requestInfo(
      { actor: actor('nora'), ref: t.ref, question: 'Is this level 4, or level 3 with advice?' },
      new Date('2026-11-23T11:00:00Z'),
    );
    const again = await w.resubmit(
      { actor: actor('priya'), ref: t.ref, answer: 'Level 3 on review.', form: { level_of_need: 'level-3' } },
      new Date('2026-11-23T12:00:00Z'),
    );
    expect(again.toLevel).toBe('level-3');
  });

  it('Manchester: the front-line stage of the ladder is the people who know the case, not every practitioner', async () => {
    db = await freshDatabase(kind);
    const { w } = await councilWorkflow(db, 'manchester');
    const t = await sendManchesterStepDown(w, 'MC-778800');
    const reason = w.profile.declineReasons.find((r) => !r.needsText) ?? w.profile.declineReasons[0];
    await w.decline(
      { actor: actor('nora'), ref: t.ref, reason: reason?.id ?? '', text: 'The hub cannot take it now.' },
      new Date('2026-11-24T10:00:00Z'),
    );
    const disputed = await w.dispute(
      { actor: actor('priya'), ref: t.ref, reason: 'The family need the hub now, not later.' },
      new Date('2026-11-24T11:00:00Z'),
    );
    const d = await new PrismaTransferStore(db.prisma).openDispute(t.id);
    if (!d) throw new Error('no dispute');
    expect(d.ladder.stages[0]?.id).toBe('front-line');
    expect(w.stagePeople(disputed, d, 'sending').map((p) => p.id)).toEqual(['priya']);
    expect(w.stagePeople(disputed, d, 'receiving').map((p) => p.id)).toEqual(['nora']);
  });

  it('Manchester: a child stepped back up within 3 months goes to the team that stepped it down', async () => {
    db = await freshDatabase(kind);
    const { w } = await councilWorkflow(db, 'manchester');
    // The same child is stepped back up below: the case reference ties the two together.
    const stepDown = await sendManchesterStepDown(w, 'MC-778899');
    expect(stepDown.sendingTeamId).toBe('sw-north');
    // The card's levels end at the level the pro forma gives (4), not the route's first (3).
    expect(stepDown.toLevel).toBe('level-4');
    // Manchester: a level 4 step-down is taken to the hub's next Thursday allocations meeting.
    const meetings = await db.prisma.meeting.findMany({
      where: { transferId: stepDown.id, meetingKey: 'allocations' },
    });
    expect(meetings.map((m) => m.dueBy?.toISOString())).toEqual(['2026-11-26T10:00:00.000Z']);
    await w.accept({ actor: actor('nora'), ref: stepDown.ref }, new Date('2026-11-24T10:00:00Z'));

    const stepUp = (now: Date) => sendManchesterStepUp(w, 'mc-778899', now);
    // Two months on: back to North, who stepped it down, without anyone choosing the team.
    const back = await stepUp(new Date('2027-01-25T10:00:00Z'));
    expect(back.receivingTeamId).toBe('sw-north');
    expect(back.flags.map((f) => f.kind)).toContain('step_back_up');
    expect(back.flags.find((f) => f.kind === 'step_back_up')?.message).toContain(stepDown.ref);
    // Four months on the rule no longer applies: the sender must choose between the two area teams.
    const later = await stepUp(new Date('2027-03-29T10:00:00Z')).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(WorkflowError);
    expect((later as WorkflowError).message).toMatch(/Several teams provide/);
  });

  it('Manchester: a level 3 step-down given advice only counts for the step back up; every form asks for the Micare ID', async () => {
    db = await freshDatabase(kind);
    const { w } = await councilWorkflow(db, 'manchester');
    const noId = await refusal(
      w.start(
        {
          actor: actor('priya'),
          routeId: 'cin-to-early-help',
          consent,
          form: { ...manchesterStepDown, level_of_need: 'level-3' },
        },
        new Date('2026-11-23T10:00:00Z'),
      ),
    );
    expect(noId.fieldErrors.map((e) => e.field)).toEqual(['child_ref']);
    const stepDown = await w.start(
      {
        actor: actor('priya'),
        routeId: 'cin-to-early-help',
        consent,
        form: { ...manchesterStepDown, level_of_need: 'level-3', child_ref: 'MC-990011' },
      },
      new Date('2026-11-23T10:00:00Z'),
    );
    await w.adviceOnly(
      {
        actor: actor('nora'),
        ref: stepDown.ref,
        advice: 'A parenting group at the children’s centre will support the step-down.',
      },
      new Date('2026-11-24T10:00:00Z'),
    );
    const back = await sendManchesterStepUp(w, 'MC-990011', new Date('2027-01-25T10:00:00Z'));
    expect(back.receivingTeamId).toBe(stepDown.sendingTeamId);
    expect(back.flags.find((f) => f.kind === 'step_back_up')?.message).toContain(stepDown.ref);
  });

  it('Halton: an unplanned step-up tells the lead professional at each decision', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    const route = w.route('unplanned-step-up');
    const sender = person(route.from.services[0] as string, 'practitioner');
    const leadEmail = 'lead.professional@partner.example.org';
    const t = await w.start(
      {
        actor: actor(sender),
        routeId: 'unplanned-step-up',
        consent,
        form: {
          child_name: 'Lily Black',
          child_dob: '2018-02-02',
          map_open: true,
          incident: 'Police attended a domestic incident at the home last night.',
          lead_professional_name: 'Lee Pro',
          lead_professional_email: leadEmail,
        },
      },
      new Date('2026-11-23T10:00:00Z'),
    );
    const decider = person(route.to.service, 'team_manager');
    await w.accept({ actor: actor(decider), ref: t.ref }, new Date('2026-11-23T11:00:00Z'));
    const told = await db.prisma.outbox.findMany({ where: { transferId: t.id, kind: 'email' } });
    expect(told.map((r) => (r.target as { email: string }).email)).toEqual([leadEmail, leadEmail]);
    const texts = told.map((r) => (r.payload as { text: string }).text).join(' ');
    expect(texts).toContain(t.ref);
    expect(texts).not.toContain('Lily');
  });

  /** Hackney: a targeted Early Help practitioner's step-up to MASH, accepted by MASH's team manager. */
  async function hackneyAcceptedByMash() {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'hackney');
    const t = await w.start(
      {
        actor: actor(person('targeted-early-help', 'practitioner')),
        routeId: 'to-statutory',
        consent,
        form: {
          child_name: 'Ada Stone',
          child_dob: '2015-04-04',
          child_ref: 'LCS-200300',
          needs_and_concerns: 'Needs have risen because the support plan has not reduced the risks at home.',
          support_requested: 'A child in need assessment.',
        },
      },
      new Date('2026-11-23T10:00:00Z'),
    );
    const mash = person('mash', 'team_manager');
    await w.accept({ actor: actor(mash), ref: t.ref }, new Date('2026-11-23T11:00:00Z'));
    return { w, person, t, mash };
  }
  const cardOf = (w: TransferWorkflow, t: TransferRow) =>
    requestCardData({
      transfer: t,
      profile: w.profile,
      directory: w.directory,
      calendar: w.calendar,
      now: new Date('2026-11-23T12:00:00Z'),
    });

  it('Hackney: MASH allocates the new social worker in Children’s Social Care, whose unit’s senior is the Consultant Social Worker, and the card says that unit holds the case', async () => {
    const { w, person, t, mash } = await hackneyAcceptedByMash();
    await expect(
      w.allocate(
        { actor: actor(mash), ref: t.ref, workerId: person('universal', 'practitioner'), level: 'tier-3' },
        new Date('2026-11-23T12:00:00Z'),
      ),
    ).rejects.toThrow(/^Allocate to a member of MASH or Children's Social Care/);
    const sw = person('csc', 'practitioner');
    const allocated = await w.allocate(
      { actor: actor(mash), ref: t.ref, workerId: sw, level: 'tier-3' },
      new Date('2026-11-23T12:00:00Z'),
    );
    const handover = w.route('to-statutory').meetings.find((m) => m.id === 'handover-discussion');
    if (!handover) throw new Error('no handover discussion');
    const who = meetingParticipants(w.directory, allocated, handover);
    expect(who.find((p) => p.kind === 'allocated_worker')?.people.map((p) => p.id)).toEqual([sw]);
    expect(who.find((p) => p.kind === 'consultant_social_worker')?.people.map((p) => p.teamId)).toEqual([
      'csc',
    ]);
    expect(cardOf(w, allocated).holder).toBe(w.teamName('csc'));
    expect(w.holderText(allocated)).toBe(`${w.teamName('csc')} holds the case`);
    // The unit that now holds the case sees the meeting cards in its channel too.
    expect(meetingTeams({ workflow: w } as unknown as App, allocated)).toEqual([
      t.receivingTeamId,
      t.sendingTeamId,
      'csc',
    ]);
  });

  it('Halton: the MAP Navigator who asks for the MAP step-up is invited to its meeting as the lead professional', async () => {
    db = await freshDatabase(kind);
    const { w } = await councilWorkflow(db, 'halton');
    const route = w.route('map-to-csc');
    const rule = route.meetings.find((m) => m.id === 'map-step-up');
    if (!rule) throw new Error('no MAP step-up meeting');
    const [navigator, worker] = w.directory.people;
    if (!navigator || !worker) throw new Error('the Halton directory has too few people');
    const t = {
      requesterId: navigator.id,
      sendingTeamId: navigator.teamId,
      receivingTeamId: worker.teamId,
      allocation: { workerId: worker.id },
      form: {},
    } as unknown as TransferRow;
    const who = meetingParticipants(w.directory, t, rule);
    expect(who.find((p) => p.kind === 'lead_professional')?.people.map((p) => p.id)).toEqual([navigator.id]);
    expect(who.find((p) => p.kind === 'allocated_worker')?.people.map((p) => p.id)).toEqual([worker.id]);
  });

  it('Hackney: MASH decides the level of need when it allocates: both levels on the card until then, one after', async () => {
    const { w, person, t, mash } = await hackneyAcceptedByMash();
    const accepted = await w.get(t.ref);
    expect(cardOf(w, accepted).levels).toBe(
      'Tier 2 - Early Help → Tier 3 - Complex or Tier 4 - Acute risk of harm (decided at allocation)',
    );
    const sw = person('csc', 'practitioner');
    const at = new Date('2026-11-23T12:00:00Z');
    for (const level of [undefined, 'tier-2', 'tier-9']) {
      const e = await refusal(w.allocate({ actor: actor(mash), ref: t.ref, workerId: sw, level }, at));
      expect(e.message).toBe('Choose the level of need: Tier 3 - Complex or Tier 4 - Acute risk of harm.');
      expect(e.fieldErrors.map((f) => f.field)).toEqual(['level']);
    }
    expect((await w.get(t.ref)).state).toBe('accepted');
    const allocated = await w.allocate({ actor: actor(mash), ref: t.ref, workerId: sw, level: 'tier-4' }, at);
    expect(allocated).toMatchObject({ state: 'allocated', toLevel: 'tier-4' });
    expect((await w.get(t.ref)).toLevel).toBe('tier-4');
    expect(cardOf(w, allocated).levels).toBe('Tier 2 - Early Help → Tier 4 - Acute risk of harm');
    // Withdrawn before MASH allocated it, the level was never decided.
    const eve = { personId: 'eve', surface: 'local' as const };
    const other = await w.start(stepUpToMash(), at);
    const withdrawn = await w.withdraw({ actor: eve, ref: other.ref, reason: 'The family moved away.' }, at);
    expect(cardOf(w, withdrawn).levels).toBe(
      'Tier 2 - Early Help → Tier 3 - Complex or Tier 4 - Acute risk of harm (not decided)',
    );
    const event = await db.prisma.auditEvent.findFirst({ where: { transferId: t.id, action: 'allocate' } });
    expect(event?.data).toMatchObject({ workerId: sw, level: 'tier-4' });
  });

  it('a level is said at allocation only where the receiving team decides it', async () => {
    db = await freshDatabase(kind);
    const { workflow: w } = await hackneyWorkflow(db);
    const plan = await w.start(stepDownToHub(), new Date('2026-11-23T10:00:00Z'));
    const hub = { personId: 'hana', surface: 'local' as const };
    await w.accept({ actor: hub, ref: plan.ref }, new Date('2026-11-23T11:00:00Z'));
    const e = await refusal(
      w.allocate(
        { actor: hub, ref: plan.ref, service: 'Family Support', level: 'tier-2' },
        new Date('2026-11-23T12:00:00Z'),
      ),
    );
    expect(e.message).toBe("This request's level is not decided at allocation.");
    expect(
      await w.allocate(
        { actor: hub, ref: plan.ref, service: 'Family Support' },
        new Date('2026-11-23T12:00:00Z'),
      ),
    ).toMatchObject({ state: 'allocated', toLevel: 'tier-2' });
  });

  it('Halton: a final CIN meeting that keeps the needs at level 3 ends the step-down', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    const { t, sw } = await haltonStepDown(w, person, '2026-12-03 10:00');
    const missing = await w
      .recordMeetingOutcome(
        { actor: actor(sw), ref: t.ref, meeting: 'final-cin', outcome: 'held' },
        new Date('2026-12-03T12:00:00Z'),
      )
      .catch((e: unknown) => e as WorkflowError);
    expect((missing as WorkflowError).message).toMatch(/Record the outcome/);
    const ended = await w.recordMeetingOutcome(
      { actor: actor(sw), ref: t.ref, meeting: 'final-cin', outcome: 'held', result: 'remain-level-3' },
      new Date('2026-12-03T12:00:00Z'),
    );
    expect(ended.state).toBe('withdrawn');
    expect(ended.holder).toBe('sending');
    // Only the Level of Need Review Form, due after the meeting whatever its outcome, is still to come.
    const pending = await db.prisma.timer.findMany({ where: { transferId: t.id, status: 'pending' } });
    expect(pending.map((x) => [x.kind, (x.payload as { task?: string }).task])).toEqual([
      ['task_due', 'level-of-need-review-form'],
    ]);
  });

  it('Halton: “remains open to CSC” ends the MAP papers’ task for a review that will not happen, and keeps the review form', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    const { t, sw } = await haltonStepDown(w, person, '2026-12-03 10:00', {
      first_map_review_date: '2027-01-14',
    });
    const tasks = async () =>
      (
        await db.prisma.timer.findMany({
          where: { transferId: t.id, kind: 'task_due' },
          orderBy: { key: 'asc' },
        })
      ).map((x) => [x.key, x.status]);
    expect(await tasks()).toEqual([
      ['task:final-cin-documentation', 'pending'],
      ['task:level-of-need-review-form', 'pending'],
    ]);
    await w.recordMeetingOutcome(
      { actor: actor(sw), ref: t.ref, meeting: 'final-cin', outcome: 'held', result: 'remain-level-3' },
      new Date('2026-12-03T12:00:00Z'),
    );
    expect(await tasks()).toEqual([
      ['task:final-cin-documentation', 'cancelled'],
      ['task:level-of-need-review-form', 'pending'],
    ]);
  });

  it('Halton: after the locality team has accepted, “remains open to CSC” ends the request with CSC holding the case, and the review form is still chased', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    const { t, sw } = await haltonStepDown(w, person, '2026-12-03 10:00');
    const route = w.route(t.routeId);
    const accepted = await w.accept(
      { actor: actor(person(route.to.service, 'team_manager')), ref: t.ref },
      new Date('2026-11-24T10:00:00Z'),
    );
    expect([accepted.state, accepted.holder]).toEqual(['accepted', 'receiving']);
    // Closing by hand while it waits for allocation is still refused.
    await expect(w.close({ actor: actor(sw), ref: t.ref }, new Date('2026-11-25T10:00:00Z'))).rejects.toThrow(
      /cannot close it now/,
    );
    const ended = await w.recordMeetingOutcome(
      { actor: actor(sw), ref: t.ref, meeting: 'final-cin', outcome: 'held', result: 'remain-level-3' },
      new Date('2026-12-03T12:00:00Z'),
    );
    expect([ended.state, ended.holder]).toEqual(['closed', 'sending']);
    // The form is due 2 working days after the meeting (Monday 7 December) and chased then.
    const store = new PrismaTransferStore(db.prisma);
    const report = await sweepDueTimers(w, store, new Date('2026-12-08T10:00:00Z'));
    expect(report.handled.filter((h) => h.ref === t.ref).map((h) => h.summary)).toEqual([
      expect.stringMatching(/Level of Need Review Form.* overdue, chased/),
    ]);
    const chased = await db.prisma.outbox.findMany({ where: { transferId: t.id, kind: 'thread' } });
    expect(
      chased.some((m) =>
        String((m.payload as { text: string }).text).includes('Mark it done on the request card'),
      ),
    ).toBe(true);
    // The closed request's card still lists the form, with its button; pressed, the form is done.
    const card = async () => {
      const loaded = await store.load(t.id, { tasks: true });
      if (!loaded) throw new Error('no transfer');
      return requestCardData({
        transfer: loaded.transfer,
        profile: w.profile,
        directory: w.directory,
        calendar: w.calendar,
        now: new Date('2026-12-08T11:00:00Z'),
        tasks: loaded.tasks,
        viewer: w.directory.person(person(route.to.service, 'team_manager')) as Person,
      });
    };
    const before = await card();
    expect(before.tasks).toEqual([
      { title: 'Task 1', value: expect.stringMatching(/^Complete the Eclipse.*\. Due /) },
    ]);
    const button = before.buttons.find((b) => b.title === 'Task 1 done');
    expect(button?.data).toMatchObject({ action: 'complete_task', task: 'level-of-need-review-form' });
    await w.completeTask(
      {
        actor: actor(person(route.to.service, 'team_manager')),
        ref: t.id,
        task: 'level-of-need-review-form',
        expectedVersion: Number(button?.data.version),
      },
      new Date('2026-12-08T11:00:00Z'),
    );
    const after = await card();
    expect(after.tasks).toEqual([{ title: 'Task 1', value: expect.stringMatching(/\. Done$/) }]);
    expect(after.buttons).toEqual([]);
    expect(
      await db.prisma.timer.count({ where: { transferId: t.id, status: { in: ['pending', 'done'] } } }),
    ).toBe(0);
  });

  it('Halton: a final CIN meeting that steps down to MAP agrees the first MAP review, and the final CIN documentation is due 2 weeks before it', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    // The request does not give the first MAP review's date: it is agreed at the meeting.
    const { t, sw } = await haltonStepDown(w, person, '2026-12-03 10:00');
    expect(t.form.first_map_review_date).toBeUndefined();
    const when = new Date('2026-12-03T12:00:00Z');
    const held = {
      actor: actor(sw),
      ref: t.ref,
      meeting: 'final-cin',
      outcome: 'held' as const,
      result: 'step-down-map',
    };
    const refused = (e: unknown) => e as WorkflowError;
    const missing = refused(await w.recordMeetingOutcome(held, when).catch(refused));
    expect(missing.message).toBe('Give the date of the first MAP review meeting agreed at the meeting.');
    expect(missing.fieldErrors.map((f) => f.field)).toEqual(['agreed']);
    // A review a week away leaves no time for the documentation 2 weeks before it.
    const soon = refused(
      await w.recordMeetingOutcome({ ...held, agreed: '2026-12-10' }, when).catch(refused),
    );
    expect(soon.message).toMatch(/would have been due on 2026-11-26: choose a later date\.$/);
    const done = await w.recordMeetingOutcome({ ...held, agreed: '2027-01-14' }, when);
    expect(done.form.first_map_review_date).toBe('2027-01-14');
    const task = await db.prisma.timer.findFirst({
      where: { transferId: t.id, key: 'task:final-cin-documentation' },
    });
    // Two weeks before the review, from the start of its working day.
    expect([task?.kind, task?.status, task?.dueAt.toISOString()]).toEqual([
      'task_due',
      'pending',
      '2026-12-31T09:00:00.000Z',
    ]);
    const event = await db.prisma.auditEvent.findFirst({
      where: { transferId: t.id, action: 'meeting_outcome' },
    });
    expect(event?.data).toMatchObject({ agreed: { field: 'first_map_review_date', date: '2027-01-14' } });
  });

  it('Halton: the final CIN meeting the step-down request dates is confirmed when it is sent, with invites and its reminder', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    const { t, sw } = await haltonStepDown(w, person, '2026-12-10 10:00');
    const [meeting] = await db.prisma.meeting.findMany({ where: { transferId: t.id } });
    expect([meeting?.meetingKey, meeting?.status, meeting?.scheduledAt?.toISOString()]).toEqual([
      'final-cin',
      'scheduled',
      '2026-12-10T10:00:00.000Z',
    ]);
    const timers = await db.prisma.timer.findMany({
      where: { transferId: t.id, kind: { startsWith: 'meeting' } },
      orderBy: { dueAt: 'asc' },
    });
    // Chased as a confirmed meeting: the reminder the working day before at 09:00, then the unrecorded outcome.
    expect(timers.map((x) => [x.kind, x.dueAt.toISOString()])).toEqual([
      ['meeting_notice', '2026-12-09T09:00:00.000Z'],
      ['meeting_unrecorded', expect.stringMatching(/^2026-12-11T/)],
    ]);
    const sent = await db.prisma.outbox.findMany({ where: { transferId: t.id } });
    const invited = sent
      .filter((r) => r.kind === 'invite')
      .map((r) => (r.target as { personId: string }).personId)
      .sort();
    const seniors = w.directory
      .members(t.receivingTeamId)
      .filter((p) => p.roles.includes('senior') || p.roles.includes('team_manager'));
    expect(invited).toContain(sw);
    expect(invited.some((id) => seniors.some((p) => p.id === id))).toBe(true);
    const note = sent.find((r) => r.idempotencyKey.startsWith('confirm:'));
    expect((note?.payload as { text: string } | undefined)?.text).toMatch(
      new RegExp(
        `^The Final CIN meeting \\(Level of Need Review\\) for ${t.ref} is confirmed for 2026-12-10 10:00`,
      ),
    );
    // Withdrawn: everyone invited gets the cancellation of the same calendar event.
    await w.withdraw(
      { actor: actor(sw), ref: t.ref, reason: 'The family moved out of the area.' },
      new Date('2026-11-25T10:00:00Z'),
    );
    const cancels = (await db.prisma.outbox.findMany({ where: { transferId: t.id, kind: 'invite' } })).filter(
      (r) => (r.payload as { cancelled?: boolean }).cancelled,
    );
    expect(cancels.map((r) => (r.target as { personId: string }).personId).sort()).toEqual(invited);
    const [cancel] = cancels;
    if (!cancel) throw new Error('no cancellation');
    expect(cancel.payload).toMatchObject({ meetingId: meeting?.id, sequence: 1 });
    expect(String((cancel.payload as { text: string }).text)).toMatch(
      /is cancelled \(SW-\d+ was withdrawn\)\.$/,
    );
    const ics = meetingInvite({
      ...(cancel.payload as unknown as Omit<InviteInput, 'at' | 'ref' | 'about'>),
      at: new Date('2026-12-10T10:00:00Z'),
      ref: t.ref,
      about: 'x',
    }).content;
    expect(ics).toContain('METHOD:CANCEL');
    expect(ics).toContain('STATUS:CANCELLED');
    expect(ics).toContain(`UID:${meeting?.id}@stepwise`);
  });

  it('Halton: the MAP step-up meeting the request dates invites the MAP Navigator at once, and the allocated worker once the request is allocated', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'halton');
    const route = w.route('map-to-csc');
    const { t } = await sendFromFirstService(w, person, 'map-to-csc', {
      child_name: 'Ada Green',
      child_dob: '2015-03-03',
      increasing_needs: 'Needs have risen since the last MAP review.',
      map_step_up_meeting_at: '2026-12-10 14:00',
      map_step_up_meeting_venue: 'Widnes Hub',
    });
    const invites = async () =>
      (await db.prisma.outbox.findMany({ where: { transferId: t.id, kind: 'invite' } }))
        .map((r) => (r.target as { personId: string }).personId)
        .sort();
    // The MAP Navigator who asked (the lead professional) is invited at once; the allocated worker is not known yet.
    expect(await invites()).toEqual([t.requesterId]);
    const manager = person(route.to.service, 'team_manager');
    await w.accept({ actor: actor(manager), ref: t.ref }, new Date('2026-11-24T10:00:00Z'));
    const worker = w.directory.members(t.receivingTeamId).find((p) => p.id !== manager);
    if (!worker) throw new Error('nobody to allocate to');
    await w.allocate(
      { actor: actor(manager), ref: t.ref, workerId: worker.id },
      new Date('2026-11-24T11:00:00Z'),
    );
    expect(await invites()).toEqual([t.requesterId, worker.id].sort());
    const [meeting] = await db.prisma.meeting.findMany({ where: { transferId: t.id } });
    expect(meeting?.status).toBe('scheduled');
  });

  it('Somerset: the TAF meeting a step-in request names is confirmed when the request is sent, with the requester invited', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'somerset');
    const { t, sender } = await sendFromFirstService(w, person, 'step-in', {
      child_name: 'Rosa Hill',
      child_dob: '2015-02-02',
      service_requested: 'School nursing',
      service_listed_on_eha: true,
      step_in_reason:
        'Rosa has missed 9 of 20 nurse appointments this term; the TAF plan needs a health review of her asthma care.',
      taf_meeting_at: '2026-12-08 10:00',
      taf_meeting_location: 'Taunton Family Centre',
    });
    const [meeting] = await db.prisma.meeting.findMany({ where: { transferId: t.id } });
    expect([meeting?.meetingKey, meeting?.status, meeting?.scheduledAt?.toISOString()]).toEqual([
      'taf',
      'scheduled',
      '2026-12-08T10:00:00.000Z',
    ]);
    const invites = await db.prisma.outbox.findMany({ where: { transferId: t.id, kind: 'invite' } });
    expect(invites.map((r) => (r.target as { personId: string }).personId)).toEqual([sender]);
    const due = await db.prisma.timer.findMany({ where: { transferId: t.id, kind: 'meeting_due' } });
    expect(due).toEqual([]);
  });

  it('Hackney: a step-down to universal services needs no decision and tells the services in the plan', async () => {
    db = await freshDatabase(kind);
    const { w, person } = await councilWorkflow(db, 'hackney');
    const sw = person('csc', 'practitioner');
    const options =
      w.route('statutory-to-universal').fields.find((f) => f.id === 'plan_universal_services')?.options ?? [];
    const t = await w.start(
      {
        actor: actor(sw),
        routeId: 'statutory-to-universal',
        consent,
        form: {
          child_name: 'Noor Ali',
          child_dob: '2013-09-09',
          network_consulted: true,
          plan_for_support: 'School pastoral support and the youth hub carry on the plan.',
          plan_universal_services: [options[0]?.value as string],
          universal_contact_1_email: 'pastoral@school.example.org',
          universal_contact_2_email: 'youth.hub@example.org',
        },
      },
      new Date('2026-11-23T10:00:00Z'),
    );
    expect(t.state).toBe('closed');
    expect(await db.prisma.timer.count({ where: { transferId: t.id } })).toBe(0);
    const told = await db.prisma.outbox.findMany({ where: { transferId: t.id, kind: 'email' } });
    expect(told.map((r) => (r.target as { email: string }).email).sort()).toEqual([
      'pastoral@school.example.org',
      'youth.hub@example.org',
    ]);
  });
});
