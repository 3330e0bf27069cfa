/**
 * What a change tells people, as outbox rows: the card re-rendered for the receiving channel, a thread reply
 * saying who did what, the requester told the outcome, the route's own notifications, and ladder pings.
 * Channel texts carry the reference, staff names and states only: never the child's name or the narrative.
 */
import type { Person } from '../domain/directory.ts';
import { evaluateCondition } from '../domain/form.ts';
import { resolutionLabels, stateLabels } from '../domain/lifecycle.ts';
import type { TransferEvent } from '../domain/profile.ts';
import type { DisputeRow, NewOutbox, TransferRow } from './ports.ts';
import type { TransferWorkflow } from './transfers.ts';

const toldToRequester: TransferEvent[] = [
  'more_info_requested',
  'accepted',
  'allocated',
  'declined',
  'advice_only',
  'escalated',
  'resolved',
  'closed',
];

function eventText(w: TransferWorkflow, t: TransferRow, event: TransferEvent, actor: Person): string {
  const who = `${actor.name} (${w.teamName(actor.teamId)})`;
  switch (event) {
    case 'submitted':
      return `${t.ref} was sent by ${who} to ${w.teamName(t.receivingTeamId)}.`;
    case 'resubmitted':
      return `${t.ref} was resubmitted with more information by ${who}; the decision clock runs again.`;
    case 'more_info_requested':
      return `${who} asked for more information on ${t.ref}; the decision clock is paused.`;
    case 'accepted':
      return `${t.ref} was accepted by ${who}. ${w.holderText(t)}.`;
    case 'allocated': {
      const worker = t.allocation?.workerId
        ? w.directory.person(t.allocation.workerId)?.name
        : t.allocation?.service;
      return `${t.ref} was allocated${worker ? ` to ${worker}` : ''} by ${who}.`;
    }
    case 'handover_done':
      return `${t.ref}: the handover is done (every handover meeting held), recorded by ${who}.`;
    case 'declined': {
      const reason = w.profile.declineReasons.find((r) => r.id === t.decision?.reason)?.label;
      return `${t.ref} was declined by ${who}${reason ? `: ${reason}` : ''}. ${w.holderText(t)}.`;
    }
    case 'advice_only':
      return `${who} gave advice on ${t.ref} without accepting it. ${w.holderText(t)}.`;
    case 'withdrawn':
      return `${t.ref} was withdrawn by ${who}.`;
    case 'disputed':
      return `${who} disputed the decision on ${t.ref}; it goes to the escalation ladder.`;
    case 'escalated':
      return `The disagreement on ${t.ref} was escalated to the next stage by ${who}.`;
    case 'resolved':
      return `The disagreement on ${t.ref} was resolved by ${who}. ${w.holderText(t)}.`;
    case 'closed':
      return `${t.ref} was closed by ${who}.`;
  }
}

/** The outbox rows for one change. `event` null: the card is refreshed and nobody is told anything new. */
export function outboxFor(
  w: TransferWorkflow,
  t: TransferRow,
  event: TransferEvent | null,
  actor: Person,
  now: Date,
): NewOutbox[] {
  const key = (what: string) => `${what}:${t.id}:v${t.version}`;
  const rows: NewOutbox[] = [];
  if (t.state === 'draft') return rows;
  rows.push({
    idempotencyKey: key('card'),
    transferId: t.id,
    kind: 'card',
    target: { teamId: t.receivingTeamId },
    payload: { version: t.version },
  });
  if (!event) return rows;
  const text = eventText(w, t, event, actor);
  rows.push({
    idempotencyKey: key('thread'),
    transferId: t.id,
    kind: 'thread',
    target: { teamId: t.receivingTeamId },
    payload: { text },
  });
  // One direct message per person per change (its idempotency key says so): what else the change has to tell
  // them (the route's own rules) is added to it, never dropped.
  const told = new Map<string, { text: string }>();
  const dm = (personId: string, message: string, evenToActor = false) => {
    if (personId === actor.id && !evenToActor) return;
    const already = told.get(personId);
    if (already) {
      if (!already.text.includes(message)) already.text = `${already.text}\n\n${message}`;
      return;
    }
    const payload = { text: message };
    told.set(personId, payload);
    rows.push({
      idempotencyKey: `${key('dm')}:${personId}`,
      transferId: t.id,
      kind: 'dm',
      target: { personId },
      payload,
    });
  };
  if (toldToRequester.includes(event)) dm(t.requesterId, `${text} Current state: ${stateLabels[t.state]}.`);
  // The requester's receipt: the reference to quote, and where the request went.
  if (event === 'submitted' || event === 'resubmitted') {
    dm(
      t.requesterId,
      `Your request ${t.ref} was ${event === 'submitted' ? 'sent' : 'resubmitted'} to ${w.teamName(t.receivingTeamId)}. Quote ${t.ref} in any follow-up; you will be told the decision here.`,
      true,
    );
  }
  const route = w.route(t.routeId);
  const ctx = {
    values: t.form,
    sendingService: w.directory.team(t.sendingTeamId)?.service ?? '',
    sendingServiceKind: 'other',
    now,
    calendar: w.calendar,
  };
  route.notify.forEach((rule, i) => {
    if (rule.on !== event || (rule.when && !evaluateCondition(rule.when, ctx))) return;
    const message = `${t.ref}: ${rule.message}`;
    const to = rule.to;
    if ('side' in to) {
      const team = to.side === 'sending' ? t.sendingTeamId : t.receivingTeamId;
      for (const p of w.directory.members(team, to.roles)) dm(p.id, message);
    } else if ('requester' in to)
      dm(t.requesterId, message, true); // even when they made the change
    else if ('allocated' in to) {
      if (t.allocation?.workerId) dm(t.allocation.workerId, message);
    } else if ('field' in to) {
      const emails = ([] as unknown[])
        .concat(t.form[to.field] ?? [])
        .filter((e): e is string => typeof e === 'string');
      for (const email of emails) {
        const person = w.directory.byEmail(email);
        if (person) dm(person.id, message);
        else {
          rows.push({
            idempotencyKey: `${key('email')}:${i}:${email}`,
            transferId: t.id,
            kind: 'email',
            target: { email },
            payload: { text: message },
          });
        }
      }
    } else {
      for (const team of w.directory.teamsProviding(to.service)) {
        rows.push({
          idempotencyKey: `${key('team')}:${i}:${team.id}`,
          transferId: t.id,
          kind: 'team',
          target: { teamId: team.id },
          payload: { text: message },
        });
      }
    }
  });
  return rows;
}

/**
 * Pings for the people at the dispute's current stage, on both sides, by DM and in the escalation channel.
 * `overdueAt`: the last stage's time has run out (the ping says by how much and that a decision is needed).
 */
export function ladderPings(
  w: TransferWorkflow,
  t: TransferRow,
  dispute: DisputeRow,
  reason: string,
  overdueAt?: Date,
): NewOutbox[] {
  const stage = dispute.ladder.stages[dispute.stageIndex];
  if (!stage) return [];
  const key = `ladder:${dispute.id}:${dispute.stageIndex}:${reason}`;
  const due = dispute.stageDueAt ? ` by ${w.calendar.localDateTime(dispute.stageDueAt)}` : '';
  const what = dispute.about === 'delay' ? 'decision delayed' : 'disagreement';
  const sending = w.stagePeople(t, dispute, 'sending');
  const receiving = w.stagePeople(t, dispute, 'receiving');
  const people = [...sending, ...receiving];
  // A side where nobody in the directory holds the stage's roles: said, so an administrator can add them.
  const unheld = [
    ...(sending.length ? [] : [w.teamName(t.sendingTeamId)]),
    ...(receiving.length ? [] : [w.teamName(t.receivingTeamId)]),
  ];
  const missing = unheld.length
    ? ` Nobody in the Stepwise directory holds this stage's roles for ${unheld.join(' or ')}: an administrator should add them.`
    : '';
  const late =
    overdueAt && dispute.stageDueAt
      ? ` The last stage is ${w.calendar.describe(overdueAt, dispute.stageDueAt, stage.timeLimit.unit)}: it needs a decision now.`
      : '';
  const text = `${t.ref} ${what}, stage ${dispute.stageIndex + 1} of ${dispute.ladder.stages.length} (${stage.name}): ${stage.who.replace(/\.$/, '')}; to be resolved${due}.${late}${missing}`;
  const rows: NewOutbox[] = [
    {
      idempotencyKey: `${key}:channel`,
      transferId: t.id,
      kind: 'escalation',
      target: { escalation: true },
      payload: { text, disputeId: dispute.id },
    },
  ];
  for (const p of new Map(people.map((x) => [x.id, x])).values()) {
    rows.push({
      idempotencyKey: `${key}:${p.id}`,
      transferId: t.id,
      kind: 'dm',
      target: { personId: p.id },
      payload: { text, disputeId: dispute.id },
    });
  }
  return rows;
}

/**
 * Both sides told how a disagreement ended: the person who raised it, the person whose decision was disputed
 * and the people at the deciding stage, by DM (with the rationale); the escalation channel gets the outcome
 * without it (the rationale is free text and may name the family).
 */
export function resolutionNotices(
  w: TransferWorkflow,
  t: TransferRow,
  dispute: DisputeRow,
  outcome: 'upheld' | 'overturned',
  rationale: string,
  actor: Person,
): NewOutbox[] {
  const stage = dispute.ladder.stages[dispute.stageIndex];
  const decided = resolutionLabels(dispute.about)[outcome].toLowerCase();
  const head = `The ${dispute.about === 'delay' ? 'delayed decision' : 'disagreement'} on ${t.ref} was resolved at stage ${dispute.stageIndex + 1} (${stage?.name ?? 'the ladder'}) by ${actor.name}: ${decided}.`;
  const key = `resolved:${dispute.id}`;
  const people = new Map<string, Person>();
  const add = (p: Person | undefined) => {
    if (p) people.set(p.id, p);
  };
  add(w.directory.person(dispute.openedById));
  add(w.directory.person(t.requesterId));
  if (t.decision?.byId) add(w.directory.person(t.decision.byId));
  for (const p of [...w.stagePeople(t, dispute, 'sending'), ...w.stagePeople(t, dispute, 'receiving')])
    add(p);
  return [
    {
      idempotencyKey: `${key}:channel`,
      transferId: t.id,
      kind: 'escalation',
      target: { escalation: true },
      payload: { text: head, disputeId: dispute.id },
    },
    ...[...people.values()].map((p) => ({
      idempotencyKey: `${key}:${p.id}`,
      transferId: t.id,
      kind: 'dm',
      target: { personId: p.id },
      payload: { text: `${head} Rationale: ${rationale}`, disputeId: dispute.id },
    })),
  ];
}
