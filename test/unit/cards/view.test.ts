/** The view models: which actions a card offers, deadlines in words, the request form's parts and its submission. */
import { describe, expect, it } from 'vitest';
import { actionPayloadSchema, parseActionValue, verbOfActionId } from '../../../src/cards/actions.ts';
import { toSlackMessage } from '../../../src/cards/blockkit.ts';
import { renderCard } from '../../../src/cards/render.ts';
import {
  channelView,
  disputeCardData,
  disputeFormData,
  formSubmission,
  meetingCardData,
  meetingOutcomeFormData,
  parseRequestSubmission,
  proposeSlots,
  requestCardData,
  requestFormData,
  requestFormInputId,
  resolveFormData,
} from '../../../src/cards/view.ts';
import { parseForm } from '../../../src/domain/form.ts';
import { consentSchema } from '../../../src/domain/rules.ts';
import {
  council,
  deciderOf,
  now,
  requesterOf,
  sampleDispute,
  sampleMeetings,
  sampleTransfer,
  secrets,
  sendingTeamOf,
} from './fixtures.ts';

const manchester = council('manchester');
const route = (c: ReturnType<typeof council>, id: string) => {
  const r = c.profile.routes.find((x) => x.id === id);
  if (!r) throw new Error(id);
  return r;
};
const cin = route(manchester, 'cin-to-early-help');

const offered = (data: ReturnType<typeof requestCardData>) => [
  ...data.buttons.map((b) => b.data.action),
  ...data.forms.map((f) => f.form),
];

describe('request card actions', () => {
  it('in the channel: the deciders’ actions allowed in the state, each with the transfer id and version', () => {
    const t = sampleTransfer(manchester, cin, 'submitted');
    const data = requestCardData({ ...manchester, transfer: t, now });
    expect(offered(data)).toEqual(['accept', 'request-info', 'decline', 'advice-only', 'dispute']);
    // The dispute form, before a decision, escalates the delay.
    expect(data.forms.find((f) => f.form === 'dispute')?.title).toBe('Escalate the delay');
    for (const b of data.buttons) expect(b.data).toMatchObject({ transferId: t.id, version: t.version });
    for (const f of data.forms) {
      expect((f.subcard.data as { submit: object }).submit).toMatchObject({
        transferId: t.id,
        version: t.version,
      });
    }
  });

  it('advice only is offered only where the route allows it (Manchester: level 3)', () => {
    const level4 = sampleTransfer(manchester, cin, 'submitted');
    level4.form = { ...level4.form, level_of_need: 'level-4' };
    expect(offered(requestCardData({ ...manchester, transfer: level4, now }))).not.toContain('advice-only');
  });

  it('the requester sees the sending side’s actions; a decider does not', () => {
    const requester = requesterOf(manchester, cin);
    const decider = deciderOf(manchester, cin);
    const more = sampleTransfer(manchester, cin, 'more_info_requested');
    expect(offered(requestCardData({ ...manchester, transfer: more, now, viewer: requester }))).toEqual([
      'resubmit',
      'withdraw',
      'dispute',
    ]);
    // Either side may escalate a request stuck on a question.
    expect(offered(requestCardData({ ...manchester, transfer: more, now, viewer: decider }))).toEqual([
      'dispute',
    ]);
    const declined = sampleTransfer(manchester, cin, 'declined');
    expect(offered(requestCardData({ ...manchester, transfer: declined, now, viewer: requester }))).toEqual([
      'dispute',
    ]);
    const accepted = sampleTransfer(manchester, cin, 'accepted');
    expect(offered(requestCardData({ ...manchester, transfer: accepted, now, viewer: decider }))).toEqual([
      'allocate',
    ]);
    expect(offered(requestCardData({ ...manchester, transfer: accepted, now, viewer: requester }))).toEqual(
      [],
    );
  });

  it('being in the receiving team without a deciding role offers nothing', () => {
    const t = sampleTransfer(manchester, cin, 'submitted');
    const practitioner = manchester.directory
      .members(t.receivingTeamId)
      .find((p) => p.roles.length === 1 && p.roles[0] === 'practitioner');
    expect(practitioner).toBeDefined();
    expect(offered(requestCardData({ ...manchester, transfer: t, now, viewer: practitioner }))).toEqual([]);
  });

  it('finished transfers offer nothing', () => {
    for (const state of ['closed', 'withdrawn', 'handover_done'] as const) {
      expect(
        offered(requestCardData({ ...manchester, transfer: sampleTransfer(manchester, cin, state), now })),
      ).toEqual([]);
    }
  });

  it('says the state, who holds the case, the next deadline and who decided', () => {
    const data = requestCardData({
      ...manchester,
      transfer: sampleTransfer(manchester, cin, 'accepted'),
      now,
    });
    expect(data.stateLabel).toBe('accepted, waiting for allocation');
    expect(data.holder).toBe('North Early Help Hub');
    expect(data.decisionTitle).toBe('Accepted by');
    expect(data.decisionText).toMatch(/^.+ \(North Early Help Hub\), Tue 24 Nov 2026, 09:00$/);
    const submitted = requestCardData({
      ...manchester,
      transfer: sampleTransfer(manchester, cin, 'submitted'),
      now,
    });
    expect(submitted.deadline).toBe('Decision due Tue 1 Dec 2026, 17:00 (5 working days 7 hours left)');
    const paused = requestCardData({
      ...manchester,
      transfer: sampleTransfer(manchester, cin, 'more_info_requested'),
      now,
    });
    expect(paused.deadline).toMatch(/paused/);
  });

  it('the channel view carries no free text and no identity field', () => {
    const v = channelView(sampleTransfer(manchester, cin, 'declined'), cin);
    expect(JSON.stringify(v)).not.toContain(secrets.childName);
    expect(JSON.stringify(v)).not.toContain(secrets.narrative);
    expect(
      Object.keys(v.structured).every((k) => cin.fields.find((f) => f.id === k)?.type !== 'textarea'),
    ).toBe(true);
  });
});

describe('dispute and meeting cards', () => {
  it('dispute: stage x of n, who resolves, Escalate now except on the last stage, Resolve while open', () => {
    const t = sampleTransfer(manchester, cin, 'disputed');
    const first = disputeCardData({
      ...manchester,
      transfer: t,
      now,
      dispute: sampleDispute(manchester, cin, t, 0),
    });
    expect(first.title).toBe('SW-000012 · disagreement, stage 1 of 4');
    expect(first.buttons.map((b) => b.data.action)).toEqual(['escalate']);
    expect(first.forms.map((f) => f.form)).toEqual(['resolve']);
    const last = disputeCardData({
      ...manchester,
      transfer: t,
      now,
      dispute: sampleDispute(manchester, cin, t, 3),
    });
    expect(last.stageName).toMatch(/this stage decides/);
    expect(last.buttons).toEqual([]);
    const done = disputeCardData({
      ...manchester,
      transfer: t,
      now,
      dispute: sampleDispute(manchester, cin, t, 1, 'upheld'),
    });
    expect(done.buttons).toEqual([]);
    expect(done.forms).toEqual([]);
    expect(done.resolution).toMatch(/^Upheld: the decision stands, by /);
  });

  it('a delayed decision: “decision delayed” on the card, and the ladder decides accepted or not accepted', () => {
    const t = sampleTransfer(manchester, cin, 'disputed');
    const dispute = { ...sampleDispute(manchester, cin, t, 0), about: 'delay' as const };
    const data = disputeCardData({ ...manchester, transfer: t, now, dispute });
    expect(data.title).toBe('SW-000012 · decision delayed, stage 1 of 4');
    const form = resolveFormData({ transfer: t, profile: manchester.profile, dispute });
    expect(form.heading).toBe('Decide the delayed request SW-000012');
    expect(form.outcomes).toEqual([
      { title: 'Accepted: the receiving team takes the request', value: 'overturned' },
      { title: 'Not accepted: the sending team keeps the case', value: 'upheld' },
    ]);
    const rendered = JSON.stringify(renderCard('forms/resolve', form));
    expect(rendered).toContain('Not accepted: the sending team keeps the case');
    const waiting = sampleTransfer(manchester, cin, 'submitted');
    const ask = disputeFormData({ transfer: waiting, profile: manchester.profile });
    expect([ask.heading, ask.reasonLabel, ask.submitTitle]).toEqual([
      'Escalate the delay on SW-000012',
      'Why the decision is stuck',
      'Escalate the delay',
    ]);
  });

  it('meeting: slots before the due time, another time, the outcome with the meeting’s own outcomes', () => {
    const halton = council('halton');
    const csc = route(halton, 'csc-to-map');
    const t = sampleTransfer(halton, csc, 'allocated');
    const [meeting] = sampleMeetings(halton, csc, t, 'required');
    if (!meeting) throw new Error('no meeting');
    const data = meetingCardData({ ...halton, transfer: t, now, meeting });
    for (const b of data.buttons) expect(actionPayloadSchema.parse(b.data).action).toBe('schedule_meeting');
    expect(data.forms.map((f) => f.form)).toEqual(['meeting-time', 'meeting-outcome']);
    const outcome = renderCard('meeting', data);
    expect(JSON.stringify(outcome)).toContain('meeting_outcome.result');
    const slots = proposeSlots(
      now,
      halton.calendar,
      halton.calendar.due(now, { amount: 2, unit: 'working_days' }),
    );
    // Two working hours ahead at the earliest (so not 10:00 today), one a day first, before the deadline.
    expect(slots.map((s) => s.toISOString())).toEqual([
      '2026-11-24T14:00:00.000Z',
      '2026-11-25T10:00:00.000Z',
      '2026-11-26T10:00:00.000Z',
    ]);
  });

  it('Halton: the final CIN outcome form asks for the first MAP review date only while the request lacks it', () => {
    const halton = council('halton');
    const csc = route(halton, 'csc-to-map');
    const meeting = { meetingKey: 'final-cin', label: 'Final CIN meeting (Level of Need Review)' };
    const { first_map_review_date: _given, ...form } = sampleTransfer(halton, csc, 'allocated').form;
    const without = sampleTransfer(halton, csc, 'allocated', { form });
    const asking = renderCard(
      'forms/meeting-outcome',
      meetingOutcomeFormData({ profile: halton.profile, transfer: without, meeting }),
    );
    const input = (asking.body as { id?: string; label?: string; type: string }[]).find(
      (e) => e.id === 'meeting_outcome.agreed',
    );
    expect(input).toMatchObject({
      type: 'Input.Date',
      label:
        'If "Step down to Early Help / MAP at level 2 (the CIN minutes become the MAP document)": Date of the first MAP review meeting (agreed at the meeting)',
    });
    const given = sampleTransfer(halton, csc, 'allocated', {
      form: { ...form, first_map_review_date: '2027-01-14' },
    });
    const quiet = renderCard(
      'forms/meeting-outcome',
      meetingOutcomeFormData({ profile: halton.profile, transfer: given, meeting }),
    );
    expect(JSON.stringify(quiet)).not.toContain('meeting_outcome.agreed');
    // What the form sends becomes the command's `agreed` field.
    expect(
      formSubmission('meeting_outcome', { 'meeting_outcome.agreed': '2027-01-14' }, halton.calendar),
    ).toEqual({
      agreed: '2027-01-14',
    });
  });

  it('meeting: a proposed time offers Confirm; names who is invited; says plainly when no slot is left', () => {
    const halton = council('halton');
    const csc = route(halton, 'csc-to-map');
    const t = sampleTransfer(halton, csc, 'allocated');
    const [proposed] = sampleMeetings(halton, csc, t, 'proposed');
    if (!proposed) throw new Error('no meeting');
    const data = meetingCardData({ ...halton, transfer: t, now, meeting: proposed });
    expect(data.status).toMatch(/proposed by .+: waiting for someone else to confirm/);
    const [confirm] = data.buttons;
    expect(confirm?.title).toMatch(/^Confirm /);
    expect(actionPayloadSchema.parse(confirm?.data)).toMatchObject({
      action: 'confirm_meeting',
      meeting: proposed.meetingKey,
    });
    expect(data.participants).toContain('the family (invited; not messaged)');
    const requester = halton.directory.person(t.requesterId)?.name as string;
    expect(data.participants).toContain(requester);

    const [required] = sampleMeetings(halton, csc, t, 'required');
    if (!required) throw new Error('no meeting');
    const late = meetingCardData({
      ...halton,
      transfer: t,
      now,
      meeting: { ...required, dueBy: new Date(now.getTime() + 30 * 60_000) },
    });
    expect(late.hasSlots).toBe(false);
    expect(late.note).toMatch(/^No working-hours slot is left before the .+ is due .+ must decide/);
    const manager = halton.directory.members(t.receivingTeamId, ['team_manager'])[0]?.name;
    if (manager) expect(late.note).toContain(manager);
  });

  it('skips bank holidays and weekends, and offers nothing once no slot fits before the deadline', () => {
    const halton = council('halton');
    const eve = new Date('2026-12-23T15:00:00Z');
    const slots = proposeSlots(
      eve,
      halton.calendar,
      halton.calendar.due(eve, { amount: 3, unit: 'working_days' }),
    );
    // 25 Dec, the weekend and Monday 28 Dec (Boxing Day's substitute) are not working days.
    expect(slots.map((s) => s.toISOString())).toEqual([
      '2026-12-24T10:00:00.000Z',
      '2026-12-29T10:00:00.000Z',
      '2026-12-30T10:00:00.000Z',
    ]);
    expect(proposeSlots(eve, halton.calendar, new Date('2026-12-23T16:30:00Z'))).toEqual([]);
  });
});

describe('request form', () => {
  it('asks for the receiving team when several teams provide the service (Manchester: two area teams)', () => {
    const triage = route(manchester, 'triage-to-sw');
    const data = requestFormData(manchester.profile, triage, { teams: manchester.directory.teams });
    expect(data.receivingTeam.show).toBe(true);
    expect(data.receivingTeam.choices.map((c) => c.value)).toEqual(['sw-north', 'sw-south']);
    const one = requestFormData(manchester.profile, cin, { teams: manchester.directory.teams });
    expect(one.receivingTeam.show).toBe(false);
  });

  it('uses the route’s own significant-harm question where it has one (Somerset step-up)', () => {
    const somerset = council('somerset');
    const stepUp = route(somerset, 'step-up');
    const data = requestFormData(somerset.profile, stepUp, { teams: somerset.directory.teams });
    expect(data.significantHarm.id).toBe('significant_harm_concern');
    expect(data.sections.flatMap((s) => s.fields).map((f) => f.id)).not.toContain('significant_harm_concern');
    expect(data.emergencyText).toContain('0300 123 2224');
    expect(data.hasChecks).toBe(true);
  });

  it('offers only the consent answers the route allows', () => {
    const lambeth = council('lambeth');
    const ehToCsc = requestFormData(lambeth.profile, route(lambeth, 'eh-to-csc'), {
      teams: lambeth.directory.teams,
    });
    expect(ehToCsc.consent.statusChoices.map((c) => c.value)).toEqual(['given', 'not_required']);
    const somerset = council('somerset');
    const stepIn = requestFormData(somerset.profile, route(somerset, 'step-in'), {
      teams: somerset.directory.teams,
    });
    expect(stepIn.consent.statusChoices.map((c) => c.value)).toEqual(['given', 'not_sought']);
    expect(stepIn.consent.reasonChoices).toHaveLength(3);
    expect(stepIn.consent.rationaleHelp).toMatch(/Preserving the relationship with the family/);
    expect(stepIn.lawfulBasis.choices).toHaveLength(5);
  });

  it('puts errors next to their inputs, warnings and blocking gates in their own blocks', () => {
    const data = requestFormData(manchester.profile, cin, {
      teams: manchester.directory.teams,
      errors: [
        { field: 'final_cin_meeting_at', message: 'Date and time of the final CIN meeting is required' },
        { field: 'consent', message: 'Say who gave consent.' },
        { field: 'gate:intervention-status', message: 'Use the joint working route.' },
      ],
      flags: [{ message: 'Concerns: "worried"' }],
    });
    const field = data.sections.flatMap((s) => s.fields).find((f) => f.id === 'final_cin_meeting_at');
    expect(field).toMatchObject({ hasError: true, errorId: 'final_cin_meeting_at.date.error' });
    expect(data.consent.error).toBe('Say who gave consent.');
    expect(data.blockingText).toBe('• Use the joint working route.');
    expect(data.warningsText).toBe('• Concerns: "worried"');
    expect(data.hasErrors).toBe(false);
    expect(requestFormInputId(cin, 'final_cin_meeting_at')).toBe('final_cin_meeting_at.date');
    expect(requestFormInputId(cin, 'receivingTeamId')).toBe('request.receiving_team');
  });

  it('a submission parses into the start command’s form and consent, which the domain accepts', () => {
    const somerset = council('somerset');
    const stepIn = route(somerset, 'step-in');
    const inputs = {
      'request.significant_harm': 'false',
      child_name: 'Sam Example',
      child_dob: '2016-05-01',
      service_requested: 'School nursing',
      service_listed_on_eha: 'true',
      step_in_reason: 'The plan needs health input because the child has missed two health checks.',
      'taf_meeting_at.date': '2026-12-10',
      'taf_meeting_at.time': '14:00',
      taf_meeting_location: 'Children’s centre',
      'consent.status': 'given',
      'consent.given_by': 'Mother',
      'consent.given_on': '2026-11-20',
      'consent.lawful_basis': 'public_task',
      'request.confirm_warnings': 'true',
    };
    const parsed = parseRequestSubmission(stepIn, inputs);
    expect(parsed.significantHarm).toBe(false);
    expect(parsed.confirmWarnings).toBe(true);
    expect(parsed.form.taf_meeting_at).toBe('2026-12-10 14:00');
    expect(consentSchema.parse(parsed.consent)).toEqual({
      status: 'given',
      givenBy: 'Mother',
      givenOn: '2026-11-20',
      lawfulBasis: 'public_task',
    });
    const service = somerset.directory.team(sendingTeamOf(somerset, stepIn).id)?.service ?? '';
    const form = parseForm(stepIn, parsed.form, {
      sendingService: service,
      sendingServiceKind: 'universal',
      now,
      calendar: somerset.calendar,
    });
    expect(form.errors).toEqual([]);
    expect(form.values.taf_meeting_at).toBe('2026-12-10T14:00:00.000Z');
    // And shown again (after an error elsewhere), the form keeps what was typed.
    const again = requestFormData(somerset.profile, stepIn, {
      teams: somerset.directory.teams,
      values: inputs,
    });
    const taf = again.sections.flatMap((s) => s.fields).find((f) => f.id === 'taf_meeting_at');
    expect(taf).toMatchObject({ dateValue: '2026-12-10', timeValue: '14:00' });
    expect(again.consent.givenBy).toBe('Mother');
    expect(again.lawfulBasis.value).toBe('public_task');
  });

  it('a sub-form’s inputs become the command’s fields', () => {
    expect(
      formSubmission(
        'decline',
        { 'decline.reason': 'other', 'decline.text': 'Because.', other: 'x' },
        manchester.calendar,
      ),
    ).toEqual({
      reason: 'other',
      text: 'Because.',
    });
    expect(
      formSubmission(
        'schedule_meeting',
        { 'schedule_meeting.date': '2026-06-01', 'schedule_meeting.time': '10:30' },
        manchester.calendar,
      ),
    ).toEqual({ at: '2026-06-01T09:30:00.000Z' });
  });
});

describe('request card tasks', () => {
  const halton = council('halton');
  const cscToMap = route(halton, 'csc-to-map');
  const due = new Date('2026-12-07T17:00:00Z');
  const tasks = [
    { task: 'level-of-need-review-form', status: 'pending' as const, dueAt: due },
    { task: 'final-cin-documentation', status: 'met' as const, dueAt: due },
    { task: 'final-cin-documentation', status: 'cancelled' as const, dueAt: due },
  ];

  it('lists the started tasks, open or done, and offers “done” on the open ones, also once the request has ended', () => {
    const t = sampleTransfer(halton, cscToMap, 'closed');
    const data = requestCardData({ ...halton, transfer: t, now, tasks });
    expect(data.hasTasks).toBe(true);
    expect(data.tasks.map((x) => x.title)).toEqual(['Task 1', 'Task 2']);
    expect(data.tasks[0]?.value).toMatch(
      /^Complete the Eclipse EARLY HELP: Level of Need Review Form.*\. Due /,
    );
    expect(data.tasks[1]?.value).toMatch(/\. Done$/);
    expect(data.buttons.map((b) => [b.title, b.data.action, b.data.task])).toEqual([
      ['Task 1 done', 'complete_task', 'level-of-need-review-form'],
    ]);
    const [button] = data.buttons;
    expect(actionPayloadSchema.parse(button?.data)).toMatchObject({ transferId: t.id, version: t.version });
    const card = JSON.stringify(renderCard('request-card', data));
    expect(card).toContain('"id":"tasks"');
    expect(card).toContain('Task 1 done');
    // On Slack the same button: its action id is the verb, its value the payload the handler parses.
    const slack = toSlackMessage(renderCard('request-card', data));
    const buttons = (slack.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .filter((e) => e.action_id?.startsWith('complete_task'));
    expect(buttons).toHaveLength(1);
    expect(verbOfActionId(buttons[0]?.action_id ?? '')).toBe('complete_task');
    expect(parseActionValue(buttons[0]?.value ?? '')).toMatchObject({
      action: 'complete_task',
      task: 'level-of-need-review-form',
    });
  });

  it('shows the “done” button to someone in the two teams who decides nothing', () => {
    const t = sampleTransfer(halton, cscToMap, 'closed');
    const member = halton.directory.people.find(
      (p) => p.teamId === t.receivingTeamId && p.roles.includes('practitioner'),
    );
    if (!member) throw new Error('no practitioner in the receiving team');
    const data = requestCardData({ ...halton, transfer: t, now, tasks, viewer: member });
    expect(data.buttons.map((b) => b.data.action)).toEqual(['complete_task']);
  });

  it('shows no “done” button to someone outside the two teams', () => {
    const t = sampleTransfer(halton, cscToMap, 'closed');
    const outsider = halton.directory.people.find(
      (p) => p.teamId !== t.sendingTeamId && p.teamId !== t.receivingTeamId,
    );
    if (!outsider) throw new Error('no one outside the two teams');
    const data = requestCardData({ ...halton, transfer: t, now, tasks, viewer: outsider });
    expect(data.tasks).toHaveLength(2);
    expect(data.buttons).toEqual([]);
  });
});

describe('request card levels', () => {
  it('a step-in shows no change of level; a step-down shows the level stepped to', () => {
    const somerset = council('somerset');
    const stepIn = sampleTransfer(somerset, route(somerset, 'step-in'), 'submitted');
    expect(requestCardData({ ...somerset, transfer: stepIn, now }).levels).toBe(
      'No change of level (a step-in)',
    );
    const down = {
      ...sampleTransfer(manchester, cin, 'submitted'),
      fromLevel: 'level-5',
      toLevel: 'level-4',
    };
    expect(requestCardData({ ...manchester, transfer: down, now }).levels).toMatch(/^Level 5 .* → Level 4 /);
  });
});
