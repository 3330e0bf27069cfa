// The protocols' clocks, through the workflow and the sweep with injected times, on PGlite and PostgreSQL:
// chasing a decision up the line, confirmed meetings (invites, the day-before reminder, the outcome chase),
// proposals, digests, a dispute that climbs by itself, and the open-plan notice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meetingCardData } from '../../src/cards/view.ts';
import type { ProtocolProfile } from '../../src/domain/profile.ts';
import { builtInProfile } from '../../src/protocols/index.ts';
import type { Database } from '../../src/store/database.ts';
import type { PrismaTransferStore } from '../../src/store/transfer-store.ts';
import { type MeetingRow, profileScope } from '../../src/workflow/ports.ts';
import { sweepDueTimers } from '../../src/workflow/sweep.ts';
import { TransferWorkflow } from '../../src/workflow/transfers.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';
import { at, hackneyWorkflow, monday, stepDownToHub, stepUpToMash } from '../support/hackney-fixture.ts';
import { refusal } from '../support/refusal.ts';

const slack = (personId: string) => ({ personId, surface: 'slack' as const });

describe.each(databaseKinds)('deadlines on %s', (kind) => {
  let db: Database;
  let w: TransferWorkflow;
  let store: PrismaTransferStore;

  const open = async (profile?: ProtocolProfile) => {
    db = await freshDatabase(kind);
    ({ workflow: w, store } = await hackneyWorkflow(db, profile));
  };
  beforeEach(async () => {
    await open();
  });
  afterEach(async () => {
    await db.close();
  });

  const sent = (transferId: string | null, since = new Date(0)) =>
    db.prisma.outbox.findMany({
      where: { transferId, createdAt: { gte: since } },
      orderBy: [{ createdAt: 'asc' }, { idempotencyKey: 'asc' }],
    });
  const text = (row: { payload: unknown }) => String((row.payload as { text?: string }).text ?? '');
  /** The digests sent to people (the managers' overdue lists), as opposed to a channel's agenda. */
  const personalDigests = async () =>
    (await sent(null)).filter((r) => r.kind === 'digest' && (r.target as { personId?: string }).personId);
  /** A step-up to MASH declined by Mo on Monday 11:00 and disputed by Eve, the sender, at 12:00 (stage 1 of the ladder). */
  const declinedAndDisputed = async () => {
    const t = await w.start(stepUpToMash(), monday);
    const reason = w.profile.declineReasons.find((r) => !r.needsText) ?? w.profile.declineReasons[0];
    await w.decline(
      {
        actor: slack('mo'),
        ref: t.ref,
        reason: reason?.id ?? '',
        text: 'Below the threshold for statutory work.',
      },
      at('2026-11-23T11:00:00Z'),
    );
    await w.dispute(
      { actor: slack('eve'), ref: t.ref, reason: 'The risks at home have risen since the last review.' },
      at('2026-11-23T12:00:00Z'),
    );
    return t;
  };
  const dmsTo = async (personId: string) =>
    (await db.prisma.outbox.findMany({ where: { kind: 'dm' } })).filter(
      (r) => (r.target as { personId?: string }).personId === personId,
    );

  it('chases a decision: a reminder before it is due, the team managers when overdue, then the next role up', async () => {
    const t = await w.start(stepUpToMash(), monday);
    // Hackney: 3 working days, so Thursday 26 November 17:00; the reminder 4 working hours before.
    expect((await sweepDueTimers(w, store, at('2026-11-26T12:59:00Z'))).handled.filter((h) => h.ref)).toEqual(
      [],
    );
    const reminded = await sweepDueTimers(w, store, at('2026-11-26T13:00:00Z'));
    expect(reminded.handled.filter((h) => h.ref).map((h) => h.kind)).toEqual(['decision_reminder']);
    const [reminder] = (await sent(t.id)).filter((r) => r.kind === 'reminder');
    expect(reminder?.target).toEqual({ teamId: 'mash' });
    expect(text(reminder as { payload: unknown })).toBe(
      `Reminder: the decision on ${t.ref} is due 2026-11-26 17:00 (4 hours left). Early Help holds the case.`.replace(
        'Early Help',
        w.teamName('tehs'),
      ),
    );

    // Down from Thursday until Friday 11:00: the overdue chase goes once, to MASH's team managers.
    const friday = at('2026-11-27T11:00:00Z');
    const chased = await sweepDueTimers(w, store, friday);
    expect(chased.handled.filter((h) => h.ref).map((h) => h.kind)).toEqual(['decision_due']);
    const overdue = (await sent(t.id, friday)).filter((r) => r.kind === 'dm');
    expect(overdue.map((r) => (r.target as { personId: string }).personId).sort()).toEqual(['max', 'mo']);
    expect(text(overdue[0] as { payload: unknown })).toMatch(
      new RegExp(
        `^${t.ref}: the decision is overdue \\(overdue by 2 hours; it was due 2026-11-26 17:00\\)\\..*Chasing the team manager: Mo Manager, Max Manager\\.$`,
      ),
    );
    // The next role up is pinged a working day (8 working hours) after the chase, not at once after the
    // downtime: Friday 11:00 -> Monday 11:00, then Tuesday 11:00.
    expect((await sweepDueTimers(w, store, at('2026-11-30T10:59:00Z'))).handled.filter((h) => h.ref)).toEqual(
      [],
    );
    const up = await sweepDueTimers(w, store, at('2026-11-30T11:00:00Z'));
    expect(up.handled.map((h) => h.summary)).toContainEqual(expect.stringContaining('service manager (0)'));
    expect((await sweepDueTimers(w, store, at('2026-12-01T10:59:00Z'))).handled.filter((h) => h.ref)).toEqual(
      [],
    );
    const hos = await sweepDueTimers(w, store, at('2026-12-01T11:00:00Z'));
    expect(hos.handled.map((h) => h.summary)).toContainEqual(expect.stringContaining('head of service (1)'));
    expect((await dmsTo('hos-mash')).map(text)).toEqual([
      expect.stringMatching(/overdue by .*;.*Chasing the head of service: Hugo Head\./),
    ]);
    // Deciding stops the chase.
    await w.accept({ actor: slack('mo'), ref: t.ref }, at('2026-12-03T09:00:00Z'));
    expect((await sweepDueTimers(w, store, at('2026-12-10T12:00:00Z'))).handled.filter((h) => h.ref)).toEqual(
      [],
    );
  });

  it('a picked slot confirms the meeting: invites to each participant, a reminder the day before, the outcome chased', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.accept({ actor: slack('mo'), ref: t.ref }, at('2026-11-23T11:00:00Z'));
    await w.allocate(
      { actor: slack('mo'), ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-23T12:00:00Z'),
    );
    // A time outside working hours, or on a weekend, is refused with the reason.
    const late = await refusal(
      w.scheduleMeeting(
        { actor: slack('eve'), ref: t.ref, meeting: 'joint-visit', at: '2026-11-25T16:30:00Z' },
        at('2026-11-23T13:00:00Z'),
      ),
    );
    const label = w.route('to-statutory').meetings.find((m) => m.id === 'joint-visit')?.label as string;
    expect(late.message).toBe(
      `${t.ref}: Choose a time inside working hours, 09:00 to 17:00 (the ${label} takes 60 minutes).`,
    );
    const weekend = await refusal(
      w.scheduleMeeting(
        { actor: slack('eve'), ref: t.ref, meeting: 'joint-visit', at: '2026-11-28T10:00:00Z' },
        at('2026-11-23T13:00:00Z'),
      ),
    );
    expect(weekend.message).toMatch(/2026-11-28 is not a working day/);

    const confirmedAt = at('2026-11-23T13:00:00Z');
    const done = await w.scheduleMeeting(
      { actor: slack('eve'), ref: t.ref, meeting: 'joint-visit', at: '2026-11-26T10:00:00Z' },
      confirmedAt,
    );
    expect(done.state).toBe('handover_scheduled');
    const joint = (await store.meetings(t.id)).find((m) => m.meetingKey === 'joint-visit');
    expect(joint).toMatchObject({ status: 'scheduled', sequence: 0 });
    const invites = (await sent(t.id, confirmedAt)).filter((r) => r.kind === 'invite');
    // Hackney's joint visit: the sending worker and the allocated worker (the family is noted, not messaged).
    expect(invites.map((r) => (r.target as { personId: string }).personId).sort()).toEqual(['eve', 'mia']);
    expect(invites[0]?.payload).toMatchObject({
      label,
      at: '2026-11-26T10:00:00.000Z',
      sequence: 0,
    });
    const note = (await sent(t.id, confirmedAt)).find((r) => r.kind === 'thread');
    expect(text(note as { payload: unknown })).toMatch(
      /Joint visit .* confirmed for 2026-11-26 10:00 \(by Eve Early\)\. Invited: the sending worker \(Eve Early\), the allocated worker \(Mia Worker\), the family \(invited; not messaged\)\./,
    );

    // The working day before, at 09:00: each participant is reminded once.
    const notice = await sweepDueTimers(w, store, at('2026-11-25T09:00:00Z'));
    expect(notice.handled.map((h) => h.kind)).toContain('meeting_notice');
    expect((await dmsTo('mia')).map(text)).toContainEqual(
      `Reminder: the ${label} for ${t.ref} is on 2026-11-26 10:00.`,
    );
    // Moving it sends new invites (sequence 1) and moves the reminder; the old reminder is cancelled.
    await w.recordMeetingOutcome(
      {
        actor: slack('mia'),
        ref: t.ref,
        meeting: 'joint-visit',
        outcome: 'rescheduled',
        at: '2026-11-27T14:00:00Z',
      },
      at('2026-11-25T10:00:00Z'),
    );
    const moved = (await store.meetings(t.id)).find((m) => m.meetingKey === 'joint-visit');
    expect(moved).toMatchObject({ status: 'scheduled', sequence: 1 });
    expect(
      (await sent(t.id, at('2026-11-25T10:00:00Z'))).filter((r) => r.kind === 'invite').map((r) => r.payload),
    ).toEqual([expect.objectContaining({ sequence: 1 }), expect.objectContaining({ sequence: 1 })]);
    // Not recorded a working day after it ended: chased in the channel's thread and to the participants.
    const chase = await sweepDueTimers(w, store, at('2026-11-30T17:00:00Z'));
    expect(chase.handled.map((h) => h.kind)).toContain('meeting_unrecorded');
    expect((await dmsTo('eve')).map(text)).toContainEqual(
      expect.stringContaining(`the outcome of the ${label} (2026-11-27 14:00) is not recorded`),
    );
    await w.recordMeetingOutcome(
      { actor: slack('mia'), ref: t.ref, meeting: 'joint-visit', outcome: 'held' },
      at('2026-11-30T17:30:00Z'),
    );
    const settled = await db.prisma.timer.findMany({
      where: { transferId: t.id, key: { startsWith: 'meeting:joint-visit' } },
    });
    expect(settled.every((x) => x.status !== 'pending')).toBe(true);
  });

  it('a proposed time waits for someone else to confirm it', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.accept({ actor: slack('mo'), ref: t.ref }, at('2026-11-23T11:00:00Z'));
    await w.allocate(
      { actor: slack('mo'), ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-23T12:00:00Z'),
    );
    const when = at('2026-11-23T13:00:00Z');
    await w.proposeMeeting(
      { actor: slack('eve'), ref: t.ref, meeting: 'handover-discussion', at: '2026-11-24T14:00:00Z' },
      when,
    );
    const proposed = (await store.meetings(t.id)).find((m) => m.meetingKey === 'handover-discussion');
    expect(proposed).toMatchObject({ status: 'proposed', proposedById: 'eve' });
    expect((await sent(t.id, when)).filter((r) => r.kind === 'invite')).toEqual([]);
    const own = await refusal(
      w.confirmMeeting({ actor: slack('eve'), ref: t.ref, meeting: 'handover-discussion' }, when),
    );
    expect(own.message).toMatch(/someone else in the two teams confirms it/);
    const outsider = await refusal(
      w.confirmMeeting({ actor: slack('sol'), ref: t.ref, meeting: 'handover-discussion' }, when),
    );
    expect(outsider.code).toBe('forbidden');
    await w.confirmMeeting({ actor: slack('mia'), ref: t.ref, meeting: 'handover-discussion' }, when);
    const confirmed = (await store.meetings(t.id)).find((m) => m.meetingKey === 'handover-discussion');
    expect(confirmed).toMatchObject({ status: 'scheduled', proposedById: null });
    // Hackney's handover discussion: the sending worker, the allocated worker and the consultant social worker
    // (MASH has no senior practitioner in this directory: its team managers stand in).
    const invited = (await sent(t.id, when)).filter((r) => r.kind === 'invite');
    expect(invited.map((r) => (r.target as { personId: string }).personId).sort()).toEqual([
      'eve',
      'max',
      'mia',
      'mo',
    ]);
  });

  it('a confirmed meeting moved by a proposal: the old reminders end, and the confirmation sends new invites and reminders', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.accept({ actor: slack('mo'), ref: t.ref }, at('2026-11-23T11:00:00Z'));
    await w.allocate(
      { actor: slack('mo'), ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-23T12:00:00Z'),
    );
    await w.scheduleMeeting(
      { actor: slack('mia'), ref: t.ref, meeting: 'handover-discussion', at: '2026-11-24T14:00:00Z' },
      at('2026-11-23T12:30:00Z'),
    );
    const chases = () =>
      db.prisma.timer.findMany({
        where: { transferId: t.id, key: { startsWith: 'meeting:handover-discussion:' } },
        orderBy: { key: 'asc' },
      });
    // Tomorrow's meeting: no day-before reminder is left to send, only the outcome chase.
    expect((await chases()).map((x) => [x.key, x.status])).toEqual([
      ['meeting:handover-discussion:record:0', 'pending'],
    ]);
    const proposedAt = at('2026-11-23T13:00:00Z');
    await w.proposeMeeting(
      { actor: slack('eve'), ref: t.ref, meeting: 'handover-discussion', at: '2026-11-26T10:00:00Z' },
      proposedAt,
    );
    expect((await chases()).map((x) => x.status)).toEqual(['cancelled']);
    const confirmedAt = at('2026-11-23T14:00:00Z');
    await w.confirmMeeting({ actor: slack('mo'), ref: t.ref, meeting: 'handover-discussion' }, confirmedAt);
    const invites = (await sent(t.id, confirmedAt)).filter((r) => r.kind === 'invite');
    expect(invites.map((r) => (r.target as { personId: string }).personId).sort()).toEqual([
      'eve',
      'max',
      'mia',
      'mo',
    ]);
    for (const r of invites) {
      expect(r.payload).toMatchObject({ sequence: 1, at: '2026-11-26T10:00:00.000Z' });
      expect(text(r)).toContain('this replaces the earlier invite');
    }
    const now = await chases();
    expect(now.filter((x) => x.status === 'pending').map((x) => [x.key, x.dueAt.toISOString()])).toEqual([
      ['meeting:handover-discussion:notice:1', '2026-11-25T09:00:00.000Z'],
      ['meeting:handover-discussion:record:1', expect.any(String)],
    ]);
  });

  it('digests (Manchester’s allocations-meeting rule, on Hackney’s data): the standing meeting’s agenda the working day before, overdue lists only when something is overdue', async () => {
    await db.close();
    const base = builtInProfile('hackney');
    await open({
      ...base,
      schedules: [
        {
          id: 'hub-allocations',
          label: 'Early Help Hub allocations meeting',
          service: 'early-help-hub',
          weekday: 4,
          time: '10:00',
          agendaWorkingDaysBefore: 1,
        },
      ],
    });
    await sweepDueTimers(w, store, monday); // the digest rows are made at the first sweep
    // Nothing overdue on Tuesday 09:00: no list is sent (the digest row still moves to the next day).
    const quiet = await sweepDueTimers(w, store, at('2026-11-24T09:00:00Z'));
    expect(quiet.handled.find((h) => h.kind === 'digest')?.summary).toBe(
      'overdue lists: nothing is overdue, nothing sent',
    );
    const down = await w.start(stepDownToHub(), at('2026-11-24T10:00:00Z'));
    // The agenda for Thursday 26 November goes on Wednesday at 12:00 to the hub's channel.
    const agenda = await sweepDueTimers(w, store, at('2026-11-25T12:00:00Z'));
    expect(agenda.handled.map((h) => h.summary)).toContain(
      'Early Help Hub allocations meeting agenda for Early Help Hub: 1 pending step-down(s)',
    );
    const [posted] = (await sent(null)).filter(
      (r) => r.kind === 'digest' && (r.target as { teamId?: string }).teamId,
    );
    expect(posted?.target).toEqual({ teamId: 'hub' });
    expect(posted?.payload).toMatchObject({
      title: 'Agenda: Early Help Hub allocations meeting, 2026-11-26 10:00',
      items: [
        {
          ref: down.ref,
          stateLabel: 'waiting for a decision',
          dueText: expect.stringContaining('sent 2026-11-24'),
        },
      ],
    });
    expect(JSON.stringify(posted?.payload)).not.toMatch(/Amy|Smith|2016-03-14|LCS-100234/);
    // The decision falls overdue (3 working days: Friday 17:00); Monday's list goes to the hub's team manager.
    await sweepDueTimers(w, store, at('2026-11-30T09:00:00Z'));
    const lists = await personalDigests();
    expect(lists.map((r) => r.target)).toEqual([{ personId: 'hana' }]);
    expect(lists[0]?.payload).toMatchObject({
      title: 'Overdue for Early Help Hub: 1',
      items: [
        {
          ref: down.ref,
          dueText: 'decision due 2026-11-27 17:00: overdue (no working time has passed since it was due)',
        },
      ],
    });
    // Each digest row is one timer whose occurrence goes up: sweeping again the same minute sends nothing new.
    const before = await db.prisma.outbox.count();
    await sweepDueTimers(w, store, at('2026-11-30T09:00:00Z'));
    expect(await db.prisma.outbox.count()).toBe(before);
    const rows = await db.prisma.timer.findMany({ where: { transferId: null }, orderBy: { key: 'asc' } });
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ['digest:agenda:hub-allocations:hub', 'pending'],
      ['digest:overdue', 'pending'],
    ]);
    expect(rows[1]?.dueAt.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('a decline overturned on the ladder starts what acceptance starts (a meeting anchored on acceptance)', async () => {
    await db.close();
    const base = builtInProfile('hackney');
    await open({
      ...base,
      routes: base.routes.map((r) =>
        r.id === 'to-statutory'
          ? {
              ...r,
              meetings: [
                ...r.meetings,
                {
                  ...(r.meetings[0] as (typeof r.meetings)[number]),
                  id: 'on-acceptance',
                  label: 'Planning meeting after acceptance',
                  anchor: 'accepted' as const,
                  when: undefined,
                },
              ],
            }
          : r,
      ),
    });
    const t = await declinedAndDisputed();
    const d = await store.openDispute(t.id);
    const resolver = w.stagePeople(await w.get(t.ref), d as NonNullable<typeof d>, 'receiving')[0];
    if (!resolver) throw new Error('nobody at stage 1');
    expect((await store.meetings(t.id)).map((m) => m.meetingKey)).not.toContain('on-acceptance');
    await w.resolve(
      { actor: slack(resolver.id), ref: t.ref, outcome: 'overturned', rationale: 'The threshold is met.' },
      at('2026-11-24T10:00:00Z'),
    );
    expect((await store.meetings(t.id)).map((m) => m.meetingKey)).toContain('on-acceptance');
  });

  it('a meeting recorded as not held is not chased any more, and can be arranged again with new invites', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.accept({ actor: slack('mo'), ref: t.ref }, at('2026-11-23T11:00:00Z'));
    await w.allocate(
      { actor: slack('mo'), ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-23T12:00:00Z'),
    );
    await w.scheduleMeeting(
      { actor: slack('mia'), ref: t.ref, meeting: 'joint-visit', at: '2026-11-25T10:00:00Z' },
      at('2026-11-23T12:30:00Z'),
    );
    await w.recordMeetingOutcome(
      {
        actor: slack('mia'),
        ref: t.ref,
        meeting: 'joint-visit',
        outcome: 'not_held',
        reason: 'The family were not at home.',
      },
      at('2026-11-25T12:00:00Z'),
    );
    // The visit's deadline (5 working days after allocation) passes: nothing chases it.
    const swept = await sweepDueTimers(w, store, at('2026-12-02T10:00:00Z'));
    expect(swept.handled.filter((h) => h.ref === t.ref && h.kind === 'meeting_due')).toEqual([]);
    const card = meetingCardData({
      transfer: await w.get(t.ref),
      profile: w.profile,
      directory: w.directory,
      calendar: w.calendar,
      now: at('2026-12-02T10:00:00Z'),
      meeting: (await store.meetings(t.id)).find((m) => m.meetingKey === 'joint-visit') as MeetingRow,
    });
    expect(card.forms.map((f) => f.form)).toContain('meeting-time');
    const again = at('2026-12-02T11:00:00Z');
    await w.scheduleMeeting(
      { actor: slack('mia'), ref: t.ref, meeting: 'joint-visit', at: '2026-12-04T10:00:00Z' },
      again,
    );
    const invites = (await sent(t.id, again)).filter((r) => r.kind === 'invite');
    expect(invites.length).toBeGreaterThan(0);
    for (const r of invites) expect(r.payload).toMatchObject({ sequence: 1, at: '2026-12-04T10:00:00.000Z' });
  });

  it('when the last stage of the ladder runs out, its people are chased every working day until someone decides', async () => {
    const t = await declinedAndDisputed();
    let d = await store.openDispute(t.id);
    while (d && d.stageIndex < d.ladder.stages.length - 1) {
      await sweepDueTimers(w, store, d.stageDueAt as Date);
      d = await store.openDispute(t.id);
    }
    if (!d?.stageDueAt) throw new Error('no last stage');
    const chasedAt = new Date(d.stageDueAt.getTime() + 60_000);
    await sweepDueTimers(w, store, chasedAt);
    const overdue = () =>
      db.prisma.outbox.findMany({
        where: { transferId: t.id, kind: 'escalation', idempotencyKey: { contains: ':overdue:' } },
      });
    const first = await overdue();
    expect(first).toHaveLength(1);
    expect(text(first[0] as { payload: unknown })).toMatch(
      /The last stage is overdue.*: it needs a decision now\./,
    );
    // A working day later, again; the ladder does not climb past its last stage.
    await sweepDueTimers(w, store, new Date(chasedAt.getTime() + 3 * 24 * 3600_000));
    expect(await overdue()).toHaveLength(2);
    expect((await store.openDispute(t.id))?.stageIndex).toBe(d.stageIndex);
  });

  it('a dispute whose stage runs out climbs by itself; both sides are told how it ended', async () => {
    const t = await declinedAndDisputed();
    const d0 = await store.openDispute(t.id);
    expect(d0?.stageIndex).toBe(0);
    const climbed = await sweepDueTimers(w, store, d0?.stageDueAt as Date);
    expect(climbed.handled.map((h) => h.kind)).toContain('ladder_stage');
    const d1 = await store.openDispute(t.id);
    expect(d1?.stageIndex).toBe(1);
    const stage = d1?.ladder.stages[1];
    const resolver = w.stagePeople(await w.get(t.ref), d1 as NonNullable<typeof d1>, 'receiving')[0];
    if (!resolver || !stage) throw new Error('no one at stage 2');
    const when = at('2026-11-26T10:00:00Z');
    await w.resolve(
      {
        actor: slack(resolver.id),
        ref: t.ref,
        outcome: 'overturned',
        rationale: 'The new evidence meets the threshold.',
      },
      when,
    );
    const told = (await sent(t.id, when)).filter((r) => r.idempotencyKey.startsWith('resolved:'));
    const people = told
      .filter((r) => r.kind === 'dm')
      .map((r) => (r.target as { personId: string }).personId);
    expect(people).toEqual(expect.arrayContaining(['eve', 'mo']));
    expect(told.find((r) => r.kind === 'escalation')).toBeDefined();
    expect(text(told.find((r) => r.kind === 'escalation') as { payload: unknown })).not.toContain(
      'new evidence',
    );
    expect(text(told.find((r) => r.kind === 'dm') as { payload: unknown })).toMatch(
      /resolved at stage 2 .* overturned: the request is accepted\. Rationale: The new evidence/,
    );
  });

  it('a decision that has not come is escalated by the sender: the chase stops and the ladder accepts for MASH', async () => {
    const t = await w.start(stepUpToMash(), monday);
    // Overdue on Friday: MASH's managers were chased.
    await sweepDueTimers(w, store, at('2026-11-27T11:00:00Z'));
    // Someone from neither side cannot; the card and the command say so before and after the form.
    expect(await w.refusal(t.ref, 'sol', 'dispute')).toMatch(/^Only the sending side or a decider of MASH/);
    expect(await w.refusal(t.ref, 'eve', 'dispute')).toBeNull();
    const when = at('2026-11-27T12:00:00Z');
    const escalated = await w.dispute(
      { actor: slack('eve'), ref: t.ref, reason: 'No decision three days after the deadline.' },
      when,
    );
    expect(escalated.state).toBe('disputed');
    const d = await store.openDispute(t.id);
    expect(d?.about).toBe('delay');
    const pings = (await sent(t.id, when)).filter((r) => r.idempotencyKey.startsWith('ladder:'));
    expect(pings.map((r) => r.kind)).toContain('escalation');
    expect(text(pings[0] as { payload: unknown })).toMatch(
      new RegExp(`^${t.ref} decision delayed, stage 1 of`),
    );
    const audit = await db.prisma.auditEvent.findMany({
      where: { transferId: t.id, action: 'escalate_delay' },
    });
    expect(audit).toHaveLength(1);
    // The decision chase is over: the next rung up the line is never pinged.
    const chases = await db.prisma.timer.findMany({
      where: { transferId: t.id, kind: { in: ['decision_reminder', 'decision_due'] } },
    });
    expect(chases.map((c) => c.status)).not.toContain('pending');
    const later = await sweepDueTimers(w, store, at('2026-11-30T17:00:00Z'));
    expect(later.handled.map((h) => h.kind)).not.toContain('decision_due');

    const resolver = w.stagePeople(escalated, d as NonNullable<typeof d>, 'receiving')[0];
    if (!resolver) throw new Error('nobody at stage 1 for MASH');
    const decided = at('2026-11-30T10:00:00Z');
    const resolved = await w.resolve(
      {
        actor: slack(resolver.id),
        ref: t.ref,
        outcome: 'overturned',
        rationale: 'MASH takes it: the threshold is met.',
      },
      decided,
    );
    expect([resolved.state, resolved.holder, resolved.decision?.action]).toEqual([
      'resolved',
      'receiving',
      'accept',
    ]);
    const told = (await sent(t.id, decided)).filter(
      (r) => r.idempotencyKey.startsWith('resolved:') && r.kind === 'dm',
    );
    expect(text(told[0] as { payload: unknown })).toMatch(
      new RegExp(
        `^The delayed decision on ${t.ref} was resolved at stage 1 .*: accepted: the receiving team takes the request.`,
      ),
    );
    const allocated = await w.allocate(
      { actor: slack('mo'), ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-30T11:00:00Z'),
    );
    expect(allocated.state).toBe('allocated');
  });

  it('a request stuck on a question is escalated by the receiving team; “not accepted” leaves the case with the sender', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.requestInfo(
      { actor: slack('mo'), ref: t.ref, question: 'Which school does the child attend now?' },
      at('2026-11-23T11:00:00Z'),
    );
    const escalated = await w.dispute(
      { actor: slack('mo'), ref: t.ref, reason: 'No answer for two weeks; we cannot decide.' },
      at('2026-12-07T10:00:00Z'),
    );
    expect(escalated.state).toBe('disputed');
    // The pause ends at the escalation and counts: 6 + 4 x 8 + 5 x 8 + 1 working hours stood still.
    expect([escalated.pausedAt, escalated.pausedMs]).toEqual([null, 79 * 3600_000]);
    // Once with the ladder, neither side can escalate the delay again.
    expect(
      (
        await refusal(
          w.dispute(
            { actor: slack('eve'), ref: t.ref, reason: 'Again, please.' },
            at('2026-12-07T11:00:00Z'),
          ),
        )
      ).message,
    ).toBe(`${t.ref} is disputed, so you cannot dispute it now.`);
    const d = await store.openDispute(t.id);
    const resolver = w.stagePeople(escalated, d as NonNullable<typeof d>, 'sending')[0];
    if (!resolver) throw new Error('nobody at stage 1 for Early Help');
    const resolved = await w.resolve(
      {
        actor: slack(resolver.id),
        ref: t.ref,
        outcome: 'upheld',
        rationale: 'Early Help keeps the plan for now.',
      },
      at('2026-12-07T12:00:00Z'),
    );
    expect([resolved.state, resolved.holder, resolved.decision?.action]).toEqual([
      'resolved',
      'sending',
      'decline',
    ]);
    expect(
      (
        await refusal(
          w.allocate(
            { actor: slack('mo'), ref: t.ref, workerId: 'mia', level: 'tier-3' },
            at('2026-12-07T13:00:00Z'),
          ),
        )
      ).message,
    ).toBe(`The disagreement about ${t.ref} upheld the decision, so there is nothing to allocate.`);
    const closed = await w.close({ actor: slack('eve'), ref: t.ref }, at('2026-12-07T14:00:00Z'));
    expect(closed.state).toBe('closed');
  });

  it('Halton’s rule (on Hackney’s data): a step-up about a child with an open early help plan tells the plan’s lead professional', async () => {
    await db.close();
    const base = builtInProfile('hackney');
    await open({ ...base, oversight: { ...base.oversight, notifyOpenPlanLead: true } });
    const plan = await w.start(stepDownToHub(), monday);
    await w.accept({ actor: slack('hana'), ref: plan.ref }, at('2026-11-23T11:00:00Z'));
    await w.allocate({ actor: slack('hana'), ref: plan.ref, workerId: 'hana' }, at('2026-11-23T12:00:00Z'));
    const up = await w.start(stepUpToMash(), at('2026-12-01T10:00:00Z'));
    const notices = (await sent(up.id)).filter((r) => r.idempotencyKey.startsWith('open-plan:'));
    expect(notices.map((r) => r.target)).toEqual([{ personId: 'hana' }]);
    expect(text(notices[0] as { payload: unknown })).toBe(
      `${up.ref}: a step-up request about a child on the early help plan you lead (${plan.ref}) was sent to MASH. You will see its outcome on ${up.ref}; consider a plan review.`,
    );
    // Another child: nobody is told.
    const other = await w.start(
      stepUpToMash({ form: { ...stepUpToMash().form, child_ref: 'LCS-999999' } }),
      at('2026-12-01T10:00:00Z'),
    );
    expect((await sent(other.id)).filter((r) => r.idempotencyKey.startsWith('open-plan:'))).toEqual([]);
  });

  it('Hackney (the common ladder): below the last stage neither side ends a disagreement alone in its own favour: the side that gives way records it', async () => {
    const t = await declinedAndDisputed();
    const d = await store.openDispute(t.id);
    if (!d) throw new Error('no dispute');
    const current = await w.get(t.ref);
    const [sender] = w.stagePeople(current, d, 'sending');
    const [receiver] = w.stagePeople(current, d, 'receiving');
    if (!sender || !receiver) throw new Error('nobody at stage 1');
    const resolveAs = (personId: string, outcome: 'upheld' | 'overturned') =>
      w.resolve(
        { actor: slack(personId), ref: t.ref, outcome, rationale: 'We talked it through on the phone.' },
        at('2026-11-23T15:00:00Z'),
      );
    // The sending side cannot overturn the decline; the receiving side cannot uphold its own decline.
    const overturnBySender = await refusal(resolveAs(sender.id, 'overturned'));
    expect(overturnBySender.code).toBe('forbidden');
    expect(overturnBySender.message).toMatch(
      /the two sides agree: only MASH's people at this stage can record that the decision is overturned\. If you cannot agree, escalate to the next stage\. The last stage decides: /,
    );
    expect((await refusal(resolveAs(receiver.id, 'upheld'))).code).toBe('forbidden');
    expect((await w.get(t.ref)).state).toBe('disputed');
    // The receiving side gives way: accepted after all.
    const resolved = await resolveAs(receiver.id, 'overturned');
    expect([resolved.state, resolved.decision?.action]).toEqual(['resolved', 'accept']);
  });

  it('Hackney (the common ladder): at the last stage either side’s people decide', async () => {
    const t = await declinedAndDisputed();
    let d = await store.openDispute(t.id);
    while (d && d.stageIndex < d.ladder.stages.length - 1) {
      await sweepDueTimers(w, store, d.stageDueAt as Date);
      d = await store.openDispute(t.id);
    }
    if (!d) throw new Error('no dispute');
    const [sender] = w.stagePeople(await w.get(t.ref), d, 'sending');
    if (!sender) throw new Error('nobody at the last stage');
    const resolved = await w.resolve(
      { actor: slack(sender.id), ref: t.ref, outcome: 'overturned', rationale: 'The threshold is met.' },
      new Date((d.stageDueAt ?? monday).getTime() - 60_000),
    );
    expect([resolved.state, resolved.decision?.action]).toEqual(['resolved', 'accept']);
  });

  it('a timer the sweep fails on is set aside with why; every other timer still fires', async () => {
    const broken = await w.start(stepUpToMash(), monday);
    const kept = await w.start(stepDownToHub(), monday);
    // The same workflow with a fault in one request's handling (a bug, say).
    const faulty: TransferWorkflow = Object.assign(Object.create(Object.getPrototypeOf(w)), w, {
      holderText: (t: Parameters<TransferWorkflow['holderText']>[0]) => {
        if (t.id === broken.id) throw new Error('a fault in the handler');
        return w.holderText(t);
      },
    });
    const later = at('2026-12-04T12:00:00Z');
    const report = await sweepDueTimers(faulty, store, later);
    expect(report.failed.map((f) => [f.ref, f.kind, f.reason])).toEqual(
      expect.arrayContaining([[broken.ref, 'decision_reminder', 'a fault in the handler']]),
    );
    expect(report.handled.filter((h) => h.ref === kept.ref).map((h) => h.kind)).toEqual(
      expect.arrayContaining(['decision_reminder', 'decision_due']),
    );
    const timers = await db.prisma.timer.findMany({ where: { transferId: broken.id, status: 'failed' } });
    expect(timers.map((x) => x.kind)).toContain('decision_reminder');
    expect((await sent(broken.id)).filter((r) => r.kind === 'reminder')).toEqual([]);
    // Set aside for good: the next sweep (Monday 12:00) does not try them again, but the managers' overdue list
    // still names the request, which is still overdue.
    const monday7 = at('2026-12-07T12:00:00Z');
    expect((await sweepDueTimers(faulty, store, monday7)).failed).toEqual([]);
    const lists = await personalDigests();
    expect(JSON.stringify(lists.map((r) => r.payload))).toContain(broken.ref);
  });

  it('the timers of a request made under another protocol are left for a server that runs it', async () => {
    const foreign = await w.start(stepUpToMash(), monday);
    const kept = await w.start(stepDownToHub(), monday);
    // The same data under a profile without the to-statutory route (another council's, or an edited one).
    const other: ProtocolProfile = {
      ...w.profile,
      routes: w.profile.routes.map((r) => (r.id === 'to-statutory' ? { ...r, id: 'to-mash' } : r)),
    };
    const w2 = new TransferWorkflow({ profile: other, calendar: w.calendar, directory: w.directory, store });
    // The server counts it at start as a request it can show but not work on.
    expect(await store.countOpenOutside(profileScope(other))).toBe(1);
    expect(await store.countOpenOutside(profileScope(w.profile))).toBe(0);
    const report = await sweepDueTimers(w2, store, at('2026-12-04T12:00:00Z'), { batch: 1 });
    expect(report.failed).toEqual([]);
    expect(report.handled.some((h) => h.ref === foreign.ref)).toBe(false);
    expect(report.handled.filter((h) => h.ref === kept.ref).map((h) => h.kind)).toEqual(
      expect.arrayContaining(['decision_reminder', 'decision_due']),
    );
    // Nor is it on the managers' overdue lists of a server that cannot act on it.
    await sweepDueTimers(w2, store, at('2026-12-07T12:00:00Z'));
    const lists = await personalDigests();
    expect(JSON.stringify(lists.map((r) => r.payload))).toContain(kept.ref);
    expect(JSON.stringify(lists.map((r) => r.payload))).not.toContain(foreign.ref);
    const pending = await db.prisma.timer.findMany({ where: { transferId: foreign.id, status: 'pending' } });
    expect(pending.map((x) => x.kind).sort()).toEqual(['decision_due', 'decision_reminder']);
    // Under its own protocol they fire.
    const own = await sweepDueTimers(w, store, at('2026-12-04T12:00:00Z'));
    expect(own.handled.filter((h) => h.ref === foreign.ref).map((h) => h.kind)).toEqual(
      expect.arrayContaining(['decision_reminder', 'decision_due']),
    );
  });
});
