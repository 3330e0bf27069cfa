/**
 * The transfer lifecycle as an explicit state machine. Every action names the states it may start from and
 * the side that may take it; anything else is refused with a sentence a person understands.
 */

export const transferStates = [
  'draft',
  'submitted',
  'more_info_requested',
  'resubmitted',
  'accepted',
  'allocated',
  'handover_scheduled',
  'handover_done',
  'closed',
  'declined',
  'disputed',
  'escalated',
  'resolved',
  'withdrawn',
  'advice_only',
] as const;
export type TransferState = (typeof transferStates)[number];

export const stateLabels: Record<TransferState, string> = {
  draft: 'draft',
  submitted: 'waiting for a decision',
  more_info_requested: 'more information requested (clock paused)',
  resubmitted: 'resubmitted, waiting for a decision',
  accepted: 'accepted, waiting for allocation',
  allocated: 'allocated',
  handover_scheduled: 'handover scheduled',
  handover_done: 'handover done',
  closed: 'closed',
  declined: 'declined',
  disputed: 'disputed',
  escalated: 'escalated',
  resolved: 'disagreement resolved',
  withdrawn: 'withdrawn',
  advice_only: 'advice given, not accepted',
};

/**
 * Who may take an action: the sending side, the receiving side's deciders, either of those, anyone in the two
 * teams (meetings), or the people at the dispute's current ladder stage.
 */
export type Actor = 'sender' | 'receiver' | 'either' | 'involved' | 'ladder';

export const actions = {
  submit: { from: ['draft'], to: 'submitted', by: 'sender', verb: 'submit' },
  request_info: {
    from: ['submitted', 'resubmitted'],
    to: 'more_info_requested',
    by: 'receiver',
    verb: 'ask for more information on',
  },
  resubmit: { from: ['more_info_requested'], to: 'resubmitted', by: 'sender', verb: 'resubmit' },
  accept: { from: ['submitted', 'resubmitted'], to: 'accepted', by: 'receiver', verb: 'accept' },
  decline: { from: ['submitted', 'resubmitted'], to: 'declined', by: 'receiver', verb: 'decline' },
  advice_only: {
    from: ['submitted', 'resubmitted'],
    to: 'advice_only',
    by: 'receiver',
    verb: 'give advice only on',
  },
  allocate: { from: ['accepted', 'resolved'], to: 'allocated', by: 'receiver', verb: 'allocate' },
  schedule_handover: {
    from: ['allocated', 'handover_scheduled'],
    to: 'handover_scheduled',
    by: 'involved',
    verb: 'schedule the handover of',
  },
  complete_handover: {
    from: ['handover_scheduled'],
    to: 'handover_done',
    by: 'involved',
    verb: 'record the handover of',
  },
  dispute: { from: ['declined', 'advice_only'], to: 'disputed', by: 'sender', verb: 'dispute' },
  /** A decision that does not come: either side takes the delay up the ladder. */
  escalate_delay: {
    from: ['submitted', 'more_info_requested', 'resubmitted'],
    to: 'disputed',
    by: 'either',
    verb: 'escalate the delay on',
  },
  escalate: { from: ['disputed', 'escalated'], to: 'escalated', by: 'ladder', verb: 'escalate' },
  resolve: { from: ['disputed', 'escalated'], to: 'resolved', by: 'ladder', verb: 'resolve' },
  withdraw: {
    from: ['draft', 'submitted', 'more_info_requested', 'resubmitted'],
    to: 'withdrawn',
    by: 'sender',
    verb: 'withdraw',
  },
  close: {
    from: [
      'accepted', // only by a meeting's outcome (TransitionContext.meetingOutcome)
      'allocated',
      'handover_done',
      'declined',
      'advice_only',
      'resolved',
      'submitted',
      'handover_scheduled',
    ],
    to: 'closed',
    by: 'either',
    verb: 'close',
  },
} as const satisfies Record<
  string,
  { from: readonly TransferState[]; to: TransferState; by: Actor; verb: string }
>;
export type TransferAction = keyof typeof actions;

/** What stands between a state and closing: closing is allowed only where nothing the protocol needs is left. */
export interface TransitionContext {
  /** The route needs no decision (the plan is shared with universal services): submitted may close. */
  notifyOnly?: boolean;
  /** The dispute's outcome, for the states after `resolved`. */
  resolution?: 'upheld' | 'overturned';
  /** Meetings the route requires that are not yet held. */
  openMeetings?: number;
  /** A meeting's recorded outcome ends the request (Halton's final CIN meeting): it may end an accepted one. */
  meetingOutcome?: boolean;
  /** Who keeps the case when a meeting's outcome ends the request (Halton: the case remains open to CSC). */
  holder?: 'sending' | 'receiving';
}

export type Transition = { ok: true; to: TransferState } | { ok: false; message: string };

/** Decides whether `action` may happen to a transfer in `state`; the refusal says why in plain words. */
export function transition(
  state: TransferState,
  action: TransferAction,
  ref: string,
  ctx: TransitionContext = {},
): Transition {
  const rule = actions[action];
  const from = rule.from as readonly TransferState[];
  if (!from.includes(state)) {
    return { ok: false, message: `${ref} is ${stateLabels[state]}, so you cannot ${rule.verb} it now.` };
  }
  if (action === 'allocate' && state === 'resolved' && ctx.resolution !== 'overturned') {
    return {
      ok: false,
      message: `The disagreement about ${ref} upheld the decision, so there is nothing to allocate.`,
    };
  }
  if (action === 'close') {
    if (state === 'accepted' && !ctx.meetingOutcome) {
      return { ok: false, message: `${ref} is ${stateLabels[state]}, so you cannot ${rule.verb} it now.` };
    }
    if (state === 'submitted' && !ctx.notifyOnly) {
      return { ok: false, message: `${ref} is waiting for a decision; withdraw it instead of closing it.` };
    }
    if (state === 'resolved' && ctx.resolution === 'overturned') {
      return { ok: false, message: `The decision on ${ref} was overturned: allocate it before closing.` };
    }
    if ((state === 'allocated' || state === 'handover_scheduled') && (ctx.openMeetings ?? 0) > 0) {
      return {
        ok: false,
        message: `${ref} still has ${ctx.openMeetings} handover meeting(s) to hold or record before it can close.`,
      };
    }
  }
  return { ok: true, to: rule.to };
}

/** Which side holds the case after a transition: the sending team keeps it until the receiving team accepts. */
export function holderAfter(
  current: 'sending' | 'receiving',
  action: TransferAction,
  ctx: TransitionContext = {},
): 'sending' | 'receiving' {
  if (action === 'accept') return 'receiving';
  if ((action === 'close' || action === 'withdraw') && ctx.holder) return ctx.holder;
  if (action === 'resolve') return ctx.resolution === 'overturned' ? 'receiving' : 'sending';
  return current;
}

/**
 * What "dispute" means in a state: disagreeing with a decision that was made, or escalating one that has not
 * come. Surfaces offer one command for both; the workflow records which.
 */
export function disputeActionIn(state: TransferState): 'dispute' | 'escalate_delay' {
  return (actions.escalate_delay.from as readonly TransferState[]).includes(state)
    ? 'escalate_delay'
    : 'dispute';
}

/** A dispute's two outcomes in words: a disputed decision is upheld or overturned; a delay is decided either way. */
export function resolutionLabels(about: 'decision' | 'delay'): Record<'upheld' | 'overturned', string> {
  return about === 'delay'
    ? {
        overturned: 'Accepted: the receiving team takes the request',
        upheld: 'Not accepted: the sending team keeps the case',
      }
    : { upheld: 'Upheld: the decision stands', overturned: 'Overturned: the request is accepted' };
}

/** States in which the request still waits on the receiving team's decision. */
export const awaitingDecision: readonly TransferState[] = ['submitted', 'resubmitted'];
/** States in which nothing more happens. */
export const finalStates: readonly TransferState[] = ['closed', 'withdrawn'];
