import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextDeadline } from '../../src/cards/view.ts';
import { verifyStoredChain } from '../../src/store/audit-store.ts';
import type { Database } from '../../src/store/database.ts';
import type { PrismaTransferStore } from '../../src/store/transfer-store.ts';
import type { WorkflowError } from '../../src/workflow/errors.ts';
import { sweepDueTimers } from '../../src/workflow/sweep.ts';
import type { TransferWorkflow } from '../../src/workflow/transfers.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';
import { at, hackneyWorkflow, monday, stepUpToMash } from '../support/hackney-fixture.ts';
import { refusal } from '../support/refusal.ts';

describe.each(databaseKinds)('transfer workflow on %s', (kind) => {
  let db: Database;
  let w: TransferWorkflow;
  let store: PrismaTransferStore;

  beforeEach(async () => {
    db = await freshDatabase(kind);
    ({ workflow: w, store } = await hackneyWorkflow(db));
  });
  afterEach(async () => {
    await db.close();
  });

  const timers = (transferId: string) =>
    db.prisma.timer.findMany({ where: { transferId }, orderBy: { createdAt: 'asc' } });
  const outbox = (transferId: string) => db.prisma.outbox.findMany({ where: { transferId } });

  it('runs a step-up from targeted Early Help to MASH end to end, and the audit chain stays intact', async () => {
    const t = await w.start(stepUpToMash(), monday);
    expect(t).toMatchObject({
      state: 'submitted',
      version: 1,
      holder: 'sending',
      sendingTeamId: 'tehs',
      receivingTeamId: 'mash',
    });
    expect(t.ref).toMatch(/^SW-\d{6}$/);
    expect(t.childInitials).toBe('A.S.');
    expect(t.childAgeBand).toBe('5-10');
    // A decision clock of 3 working days (the default where Hackney's text is silent) is a timer row.
    const [decision] = await timers(t.id);
    expect(decision).toMatchObject({ kind: 'decision_due', status: 'pending' });
    expect(decision?.dueAt.toISOString()).toBe('2026-11-26T17:00:00.000Z');
    // The card goes to MASH; nothing in the channel rows names the child.
    const rows = await outbox(t.id);
    // The card, its thread, and the requester's receipt with the reference.
    expect(rows.map((r) => r.kind).sort()).toEqual(['card', 'dm', 'thread']);
    expect(JSON.stringify(rows)).not.toMatch(/Amy|Smith|2016-03-14|LCS-100234|risks at home/);

    const accepted = await w.accept(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref },
      at('2026-11-23T11:00:00Z'),
    );
    expect(accepted).toMatchObject({ state: 'accepted', holder: 'receiving', version: 2 });
    expect(w.holderText(accepted)).toBe('MASH holds the case');
    expect((await timers(t.id))[0]?.status).toBe('met');

    const allocated = await w.allocate(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-23T12:00:00Z'),
    );
    expect(allocated.state).toBe('allocated');
    // Eve's one message about the allocation carries the route's own words too (before, they were dropped
    // because she had been told of the allocation already).
    const allocationDms = (await outbox(t.id)).filter(
      (r) => r.kind === 'dm' && r.idempotencyKey === `dm:${t.id}:v${allocated.version}:eve`,
    );
    expect(allocationDms).toHaveLength(1);
    expect((allocationDms[0]?.payload as { text?: string } | undefined)?.text).toMatch(
      /allocated .*\n\nSW-\d{6}: MASH has allocated a social worker\. As lead professional, hold a handover discussion .* within 5 working days\./s,
    );
    const meetings = await store.meetings(t.id);
    // Hackney: from targeted Early Help, a handover discussion and a joint visit within 5 working days.
    const joint = meetings.find((m) => m.meetingKey === 'joint-visit');
    expect(joint?.dueBy?.toISOString()).toBe('2026-11-30T17:00:00.000Z');
    expect(meetings.map((m) => m.meetingKey).sort()).toEqual([
      'handover-discussion',
      'joint-visit',
      'listening-together',
    ]);

    await w.scheduleMeeting(
      {
        actor: { personId: 'eve', surface: 'local' },
        ref: t.ref,
        meeting: 'joint-visit',
        at: '2026-11-26T10:00:00Z',
      },
      at('2026-11-24T09:00:00Z'),
    );
    expect((await w.get(t.ref)).state).toBe('handover_scheduled');
    await w.recordMeetingOutcome(
      {
        actor: { personId: 'mia', surface: 'local' },
        ref: t.ref,
        meeting: 'handover-discussion',
        outcome: 'held',
      },
      at('2026-11-25T09:00:00Z'),
    );
    expect((await w.get(t.ref)).state).toBe('handover_scheduled');
    const done = await w.recordMeetingOutcome(
      { actor: { personId: 'mia', surface: 'local' }, ref: t.ref, meeting: 'joint-visit', outcome: 'held' },
      at('2026-11-26T12:00:00Z'),
    );
    expect(done.state).toBe('handover_done');
    // The thread hears that the handover is done (and nothing is posted without words).
    const threads = (await outbox(t.id)).filter((r) => r.kind === 'thread');
    expect(threads.every((r) => typeof (r.payload as { text?: unknown }).text === 'string')).toBe(true);
    expect(threads.find((r) => r.idempotencyKey === `thread:${t.id}:v${done.version}`)?.payload).toEqual({
      text: `${t.ref}: the handover is done (every handover meeting held), recorded by Mia Worker (MASH).`,
    });
    // Confirming the joint visit did not announce the allocation again.
    expect(
      threads.filter((r) => /was allocated/.test(String((r.payload as { text?: string }).text))),
    ).toHaveLength(1);
    const closed = await w.close(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref },
      at('2026-11-27T09:00:00Z'),
    );
    expect(closed.state).toBe('closed');

    // The requester was told each decision by DM.
    const dms = (await outbox(t.id)).filter(
      (r) => r.kind === 'dm' && (r.target as { personId: string }).personId === 'eve',
    );
    expect(dms.length).toBeGreaterThanOrEqual(3);

    const chain = await verifyStoredChain(db.prisma);
    expect(chain).toMatchObject({ intact: true });
    const events = await db.prisma.auditEvent.findMany({
      where: { transferId: t.id },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => e.action)).toEqual([
      'submit',
      'accept',
      'allocate',
      'schedule_handover',
      'meeting_outcome',
      'complete_handover',
      'close',
    ]);
    expect(events.every((e) => e.surface && e.actorId)).toBe(true);
  });

  it('Hackney: the level stepped from is the one the sender’s service works at: a school’s request to MASH is from Tier 1', async () => {
    expect((await w.start(stepUpToMash(), monday)).fromLevel).toBe('tier-2');
    const fromSchool = await w.start(
      stepUpToMash({
        actor: { personId: 'tess', surface: 'local' },
        form: { ...stepUpToMash().form, child_ref: 'LCS-100999' },
      }),
      monday,
    );
    expect([fromSchool.sendingTeamId, fromSchool.fromLevel]).toEqual(['school', 'tier-1']);
  });

  it('refuses people who may not decide, and changes nothing', async () => {
    const t = await w.start(stepUpToMash(), monday);
    const worker = await refusal(
      w.accept({ actor: { personId: 'mia', surface: 'slack' }, ref: t.ref }, monday),
    );
    expect(worker.code).toBe('forbidden');
    expect(worker.message).toContain('MASH');
    const stranger = await refusal(
      w.accept({ actor: { personId: 'nobody', surface: 'slack' }, ref: t.ref }, monday),
    );
    expect(stranger.code).toBe('unknown_person');
    const sender = await refusal(
      w.accept({ actor: { personId: 'eve', surface: 'slack' }, ref: t.ref }, monday),
    );
    expect(sender.code).toBe('forbidden');
    expect((await w.get(t.ref)).version).toBe(1);
  });

  it('Hackney (the common model): a declined request is closed only by its sender, so the deciding team cannot take away the right to dispute', async () => {
    const declined = async () => {
      const t = await w.start(stepUpToMash(), monday);
      const reason = w.profile.declineReasons.find((r) => !r.needsText) ?? w.profile.declineReasons[0];
      const d = {
        actor: { personId: 'mo', surface: 'slack' as const },
        ref: t.ref,
        reason: reason?.id ?? '',
      };
      await w.decline({ ...d, text: 'Below the threshold.' }, at('2026-11-23T11:00:00Z'));
      return t;
    };
    const t = await declined();
    const byDecider = await refusal(
      w.close({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref }, at('2026-11-23T11:05:00Z')),
    );
    expect(byDecider.code).toBe('forbidden');
    expect(byDecider.message).toBe(
      `${t.ref} is declined: only the person who made the request or a manager of Targeted Early Help can close it, since closing ends their right to dispute the decision.`,
    );
    const eve = { personId: 'eve', surface: 'local' as const };
    const disputed = await w.dispute(
      { actor: eve, ref: t.ref, reason: 'The risks at home have risen since.' },
      at('2026-11-23T12:00:00Z'),
    );
    expect(disputed.state).toBe('disputed');
    // A sender who accepts the decline closes it.
    const other = await declined();
    const closed = await w.close({ actor: eve, ref: other.ref }, at('2026-11-23T12:00:00Z'));
    expect([closed.state, closed.holder]).toEqual(['closed', 'sending']);
  });

  it('refuses transitions the lifecycle does not allow, in words', async () => {
    const t = await w.start(stepUpToMash(), monday);
    const e = await refusal(
      w.allocate({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, workerId: 'mia' }, monday),
    );
    expect(e.code).toBe('refused');
    expect(e.message).toBe(`${t.ref} is waiting for a decision, so you cannot allocate it now.`);
  });

  it('two managers pressing Accept at once give exactly one decision; the other is told who decided', async () => {
    const t = await w.start(stepUpToMash(), monday);
    const when = at('2026-11-23T10:42:00Z');
    const results = await Promise.allSettled([
      w.accept({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, expectedVersion: 1 }, when),
      w.accept({ actor: { personId: 'max', surface: 'teams' }, ref: t.ref, expectedVersion: 1 }, when),
      w.accept({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, expectedVersion: 1 }, when),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const stale = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as WorkflowError);
    expect(stale.every((e) => e.code === 'stale' || e.code === 'refused')).toBe(true);
    const final = await w.get(t.ref);
    expect(final.version).toBe(2);
    const decider = final.decision?.byId === 'mo' ? 'Mo Manager' : 'Max Manager';
    for (const e of stale.filter((x) => x.code === 'stale'))
      expect(e.message).toContain(`accepted by ${decider} at 10:42`);
    expect(await db.prisma.auditEvent.count({ where: { transferId: t.id, action: 'accept' } })).toBe(1);
  });

  it('a change written against an old version writes nothing at all: no event, timer, meeting or message', async () => {
    const t = await w.start(stepUpToMash(), monday);
    const count = async () => ({
      events: await db.prisma.auditEvent.count(),
      timers: await db.prisma.timer.count(),
      meetings: await db.prisma.meeting.count(),
      outbox: await db.prisma.outbox.count(),
    });
    const change = (id: string) => ({
      audit: { id, actorId: 'mo', surface: 'local' as const, action: 'accept', at: monday, data: {} },
      settleTimers: { kinds: ['decision_due' as const], status: 'met' as const },
      timers: [
        { transferId: t.id, kind: 'task_due' as const, key: `task:${id}`, dueAt: monday, payload: {} },
      ],
      meetings: [
        {
          id: `m-${id}`,
          transferId: t.id,
          meetingKey: `visit-${id}`,
          label: 'Visit',
          status: 'required' as const,
          dueBy: null,
          scheduledAt: null,
          proposedById: null,
          sequence: 0,
          outcome: null,
        },
      ],
      outbox: [
        {
          idempotencyKey: `note:${id}`,
          transferId: t.id,
          kind: 'thread',
          target: { teamId: 'mash' },
          payload: {},
        },
      ],
    });
    const first = await store.update(t, { state: 'accepted' }, change('first'));
    expect(first).toMatchObject({ state: 'accepted', version: 2 });
    const before = await count();
    // The same row as read before the first write: version 1, now stale.
    expect(await store.update(t, { state: 'declined' }, change('second'))).toBeNull();
    expect(await count()).toEqual(before);
    expect((await w.get(t.ref)).state).toBe('accepted');
    expect((await timers(t.id)).filter((x) => x.kind === 'decision_due').map((x) => x.status)).toEqual([
      'met',
    ]);
    expect((await verifyStoredChain(db.prisma)).intact).toBe(true);
  });

  it('commands racing a timer sweep over the same transfers all finish, and the audit chain stays one chain', async () => {
    const started = await Promise.all(Array.from({ length: 8 }, () => w.start(stepUpToMash(), monday)));
    const late = at('2026-11-30T09:00:00Z');
    const [swept, ...decided] = await Promise.allSettled([
      sweepDueTimers(w, store, late, { batch: 3 }),
      ...started.map((t, i) =>
        i % 2
          ? w.accept({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref }, late)
          : w.requestInfo(
              { actor: { personId: 'max', surface: 'slack' }, ref: t.ref, question: 'Which school?' },
              late,
            ),
      ),
    ]);
    // Nothing failed: no deadlock between a sweep holding rows and a command holding others.
    expect(swept?.status).toBe('fulfilled');
    expect(decided.filter((r) => r.status === 'rejected')).toEqual([]);
    const states = await Promise.all(started.map(async (t) => (await w.get(t.ref)).state));
    expect(states).toEqual(started.map((_, i) => (i % 2 ? 'accepted' : 'more_info_requested')));
    const chain = await verifyStoredChain(db.prisma);
    expect(chain.intact).toBe(true);
    expect(chain.count).toBe(await db.prisma.auditEvent.count());
  });

  // PostgreSQL only: PGlite is one connection, so a sweep's transaction and a command simply take turns.
  it.runIf(kind === 'postgres')(
    'a command on timers a sweep has claimed waits for the sweep to commit instead of deadlocking with it',
    async () => {
      const t = await w.start(stepUpToMash(), monday);
      const late = at('2026-11-30T09:00:00Z');
      let command: Promise<unknown> = Promise.resolve();
      await store.transaction(async (tx) => {
        const claimed = await tx.claimDue(late, 10, {
          profileId: w.profile.id,
          routeIds: w.profile.routes.map((r) => r.id),
        });
        expect(claimed.map((x) => x.kind).sort()).toEqual(['decision_due', 'decision_reminder']);
        // Accepting settles the very timers the sweep holds.
        command = w.accept({ actor: { personId: 'mo', surface: 'slack' }, ref: t.ref }, late);
        // Wait (on the database, not a clock) until the command is queued behind the sweep's locks.
        for (;;) {
          const [row] = await db.session((s) =>
            s.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            ),
          );
          if ((row?.n ?? 0) > 0) break;
          await new Promise((r) => setImmediate(r));
        }
        for (const timer of claimed) {
          const audit = {
            id: `sweep-${timer.id}`,
            transferId: t.id,
            actorId: 'system',
            surface: 'system',
            action: 'chase',
            at: late,
            data: {},
          };
          expect(await tx.finishTimer(timer, { summary: 'chased', audit }, late)).toBe(true);
        }
      });
      await expect(command).resolves.toMatchObject({ state: 'accepted' });
      expect((await verifyStoredChain(db.prisma)).intact).toBe(true);
    },
  );

  it('a press on an older card is refused with what happened, and changes nothing', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.decline(
      { actor: { personId: 'max', surface: 'slack' }, ref: t.ref, reason: 'threshold-not-met' },
      at('2026-11-23T10:05:00Z'),
    );
    const e = await refusal(
      w.accept(
        { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, expectedVersion: 1 },
        at('2026-11-23T10:06:00Z'),
      ),
    );
    expect(e.code).toBe('stale');
    expect(e.message).toBe(
      `This request has changed: ${t.ref} was declined by Max Manager at 10:05. Nothing was changed by your action.`,
    );
  });

  it('Hackney (the common model): asking for more information pauses the decision clock; resubmission lets it run on from where it stopped', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.requestInfo(
      {
        actor: { personId: 'mo', surface: 'slack' },
        ref: t.ref,
        question: 'Which school does the child attend?',
      },
      at('2026-11-24T09:00:00Z'),
    );
    // The reminder before the deadline and the deadline itself.
    expect((await timers(t.id)).map((x) => `${x.kind}:${x.status}`).sort()).toEqual([
      'decision_due:cancelled',
      'decision_reminder:cancelled',
    ]);
    const back = await w.resubmit(
      { actor: { personId: 'eve', surface: 'local' }, ref: t.ref, answer: 'Hackney Primary.' },
      at('2026-11-27T09:00:00Z'),
    );
    expect(back.state).toBe('resubmitted');
    // Paused from Tuesday 09:00 to Friday 09:00: three working days of 8 hours stood still.
    expect(back.pausedMs).toBe(3 * 8 * 3600 * 1000);
    expect(back.submittedAt?.toISOString()).toBe(monday.toISOString());
    const pending = (await timers(t.id)).filter((x) => x.status === 'pending' && x.kind === 'decision_due');
    expect(pending).toHaveLength(1);
    // Due Thursday 26 November 17:00, with 24 working hours left when it paused: from Friday 09:00 that is
    // Tuesday 1 December 17:00 (a restart would have given Wednesday 2 December: the Monday already waited
    // would have been given again).
    expect(pending[0]?.dueAt.toISOString()).toBe('2026-12-01T17:00:00.000Z');
    const card = nextDeadline({
      transfer: back,
      profile: w.profile,
      calendar: w.calendar,
      now: at('2026-11-27T09:00:00Z'),
    });
    expect(card.at?.toISOString()).toBe('2026-12-01T17:00:00.000Z');
  });

  it('a resubmission may correct the form; the child’s age is worked out again, never typed', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.requestInfo(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, question: 'Is the date of birth right?' },
      at('2026-11-24T09:00:00Z'),
    );
    const back = await w.resubmit(
      {
        actor: { personId: 'eve', surface: 'local' },
        ref: t.ref,
        answer: 'Corrected.',
        form: { child_dob: '2012-03-14' },
      },
      at('2026-11-24T10:00:00Z'),
    );
    expect([back.form.child_dob, back.form.child_age]).toEqual(['2012-03-14', 14]);
    expect(back.childAgeBand).toBeDefined();
  });

  it('refuses a consent override on a route that does not allow one, and accepts the one Hackney allows', async () => {
    const notSought = {
      status: 'not_sought' as const,
      reason: 'risk-of-significant-harm',
      rationale: 'Telling the family now would put the child at risk of harm.',
      lawfulBasis: 'public_task' as const,
    };
    const ok = await w.start(stepUpToMash({ consent: notSought }), monday);
    expect(ok.state).toBe('submitted');
    const e = await refusal(
      w.start(
        {
          actor: { personId: 'tess', surface: 'local' },
          routeId: 'universal-to-early-help',
          form: {
            child_name: 'Ben Brown',
            child_dob: '2019-01-01',
            needs_agreed_with_family: true,
            needs_identified: 'Attendance has fallen to 70% this term.',
            support_requested: 'Parenting support.',
          },
          consent: notSought,
        },
        monday,
      ),
    );
    expect(e.code).toBe('invalid');
    expect(e.message).toContain('cannot be overridden');
    expect(await db.prisma.transfer.count()).toBe(1);
  });

  it('a significant-harm concern shows the emergency route and stores nothing', async () => {
    const e = await refusal(w.start(stepUpToMash({ significantHarm: true }), monday));
    expect(e.code).toBe('emergency');
    expect(e.message).toContain('999');
    expect(await db.prisma.transfer.count()).toBe(0);
  });

  it('reports bad form input field by field', async () => {
    const e = await refusal(
      w.start(stepUpToMash({ form: { child_name: '', child_dob: '2030-01-01', surprise: 'x' } }), monday),
    );
    expect(e.code).toBe('invalid');
    const fields = e.fieldErrors.map((f) => f.field);
    expect(fields).toEqual(
      expect.arrayContaining(['child_name', 'child_dob', 'surprise', 'needs_and_concerns']),
    );
  });

  it('a decline disputed climbs the ladder when a stage runs out of time, and an overturn lets MASH allocate', async () => {
    const t = await w.start(stepUpToMash(), monday);
    await w.decline(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, reason: 'threshold-not-met' },
      at('2026-11-23T11:00:00Z'),
    );
    const forbidden = await refusal(
      w.dispute(
        {
          actor: { personId: 'mia', surface: 'slack' },
          ref: t.ref,
          reason: 'The risks have risen since the last assessment.',
        },
        monday,
      ),
    );
    expect(forbidden.code).toBe('forbidden');
    const disputed = await w.dispute(
      {
        actor: { personId: 'eve', surface: 'local' },
        ref: t.ref,
        reason: 'The risks have risen since the last assessment.',
      },
      at('2026-11-23T12:00:00Z'),
    );
    expect(disputed.state).toBe('disputed');
    // Stage 1 of the common ladder: team managers of both sides, 2 working days.
    const stage1 = (await timers(t.id)).find((x) => x.kind === 'ladder_stage');
    expect(stage1?.dueAt.toISOString()).toBe('2026-11-25T17:00:00.000Z');
    const pings = (await outbox(t.id)).filter((r) => (r.payload as { disputeId?: string }).disputeId);
    const pinged = pings
      .map((r) => (r.target as { personId?: string }).personId)
      .filter(Boolean)
      .sort();
    expect(pinged).toEqual(['ella', 'max', 'mo']);

    // Nothing is due before the deadline; at it, the sweep climbs one rung by itself, exactly once.
    expect((await sweepDueTimers(w, store, at('2026-11-25T16:59:00Z'))).handled).toHaveLength(0);
    const swept = await sweepDueTimers(w, store, at('2026-11-25T17:00:00Z'));
    expect(swept.handled.map((h) => h.kind)).toEqual(['ladder_stage']);
    expect((await sweepDueTimers(w, store, at('2026-11-25T17:01:00Z'))).handled).toHaveLength(0);
    const escalated = await w.get(t.ref);
    expect(escalated.state).toBe('escalated');
    const dispute = await store.openDispute(t.id);
    expect(dispute?.stageIndex).toBe(1);

    const notOnLadder = await refusal(
      w.resolve(
        {
          actor: { personId: 'eve', surface: 'local' },
          ref: t.ref,
          outcome: 'overturned',
          rationale: 'The threshold is met on the evidence.',
        },
        at('2026-11-26T09:00:00Z'),
      ),
    );
    expect(notOnLadder.code).toBe('forbidden');
    const resolved = await w.resolve(
      {
        actor: { personId: 'hos-mash', surface: 'slack' },
        ref: t.ref,
        outcome: 'overturned',
        rationale: 'The threshold is met on the evidence.',
      },
      at('2026-11-26T09:00:00Z'),
    );
    expect(resolved).toMatchObject({ state: 'resolved', holder: 'receiving' });
    const allocated = await w.allocate(
      { actor: { personId: 'mo', surface: 'slack' }, ref: t.ref, workerId: 'mia', level: 'tier-3' },
      at('2026-11-26T10:00:00Z'),
    );
    expect(allocated.state).toBe('allocated');
    expect(await verifyStoredChain(db.prisma)).toMatchObject({ intact: true });
  });

  it('an overdue decision is chased once by the sweep; a withdrawn request is not chased', async () => {
    const a = await w.start(stepUpToMash(), monday);
    const b = await w.start(stepUpToMash(), monday);
    await w.withdraw(
      { actor: { personId: 'eve', surface: 'local' }, ref: b.ref, reason: 'Sent twice by mistake.' },
      at('2026-11-23T10:30:00Z'),
    );
    const report = await sweepDueTimers(w, store, at('2026-11-27T09:00:00Z'));
    expect(report.handled.filter((h) => h.ref)).toEqual([
      { ref: a.ref, kind: 'decision_reminder', summary: expect.stringContaining('decision due soon') },
      { ref: a.ref, kind: 'decision_due', summary: expect.stringContaining('decision overdue') },
    ]);
    const chase = (await outbox(a.id)).filter((r) => r.idempotencyKey.startsWith('timer:'));
    expect(chase.length).toBeGreaterThanOrEqual(2);
    expect((await sweepDueTimers(w, store, at('2026-11-27T09:00:00Z'))).handled).toHaveLength(0);
  });

  it('two sweeps running at once handle each due timer exactly once', async () => {
    const started = await Promise.all([1, 2, 3, 4, 5, 6].map(() => w.start(stepUpToMash(), monday)));
    const when = at('2026-11-30T09:00:00Z');
    const [a, b] = await Promise.all([
      sweepDueTimers(w, store, when, { batch: 2 }),
      sweepDueTimers(w, store, when, { batch: 2 }),
    ]);
    const handled = [...(a?.handled ?? []), ...(b?.handled ?? [])].filter((h) => h.kind === 'decision_due');
    expect(handled.map((h) => h.ref).sort()).toEqual(started.map((t) => t.ref).sort());
    const chases = await db.prisma.outbox.count({
      where: { idempotencyKey: { startsWith: 'timer:' }, kind: 'thread' },
    });
    expect(chases).toBe(6);
  });
});
