/**
 * What the workflow needs from storage. The store applies a command's writes (state, audit event, timers,
 * meetings, dispute, outbox) atomically, so a state change never exists without its event and timers.
 */
import type { AuditEntry } from '../domain/audit.ts';
import type { FormValues } from '../domain/form.ts';
import type { TransferState } from '../domain/lifecycle.ts';
import type { Ladder } from '../domain/profile.ts';
import type { Consent } from '../domain/rules.ts';

export type Side = 'sending' | 'receiving';

export interface Flag {
  kind: 'warning' | 'vague_word' | 'step_back_up' | 'routing';
  message: string;
}

export interface DecisionRecord {
  action: 'accept' | 'decline' | 'advice_only' | 'request_info';
  byId: string;
  at: string;
  reason?: string;
  text?: string;
}

export interface AllocationRecord {
  byId: string;
  at: string;
  workerId?: string;
  service?: string;
  note?: string;
}

export interface TransferRow {
  id: string;
  number: number;
  ref: string;
  profileId: string;
  routeId: string;
  kind: string;
  fromLevel: string;
  toLevel: string;
  sendingTeamId: string;
  receivingTeamId: string;
  requesterId: string;
  state: TransferState;
  version: number;
  holder: Side;
  childKey: string | null;
  childInitials: string;
  childAgeBand: string;
  form: FormValues;
  consent: Consent;
  flags: Flag[];
  decision: DecisionRecord | null;
  allocation: AllocationRecord | null;
  pausedAt: Date | null;
  pausedMs: number;
  createdAt: Date;
  submittedAt: Date | null;
  updatedAt: Date;
  closedAt: Date | null;
}

export type NewTransfer = Omit<TransferRow, 'number' | 'ref'>;
export type TransferPatch = Partial<
  Pick<
    TransferRow,
    | 'state'
    | 'holder'
    | 'form'
    | 'flags'
    | 'decision'
    | 'allocation'
    | 'pausedAt'
    | 'pausedMs'
    | 'submittedAt'
    | 'closedAt'
    | 'receivingTeamId'
    | 'toLevel'
  >
>;

export type TimerKind =
  /** Before a decision is due: a reminder in the receiving team's channel. */
  | 'decision_reminder'
  /** A decision overdue: the channel and a manager are chased, then the next role up (payload.step). */
  | 'decision_due'
  | 'meeting_due'
  /** The working day before a confirmed meeting: each participant is reminded. */
  | 'meeting_notice'
  /** A confirmed meeting whose outcome is still not recorded some time after it. */
  | 'meeting_unrecorded'
  | 'task_due'
  | 'ladder_stage'
  /** A recurring digest that belongs to no transfer (an agenda, the daily overdue list): rescheduled when done. */
  | 'digest';

/** The timers that chase a decision: settled together when the decision is made. */
export const decisionTimerKinds: TimerKind[] = ['decision_reminder', 'decision_due'];

/**
 * The requests a server can act on: those made under its profile, on its routes. Another protocol's requests (a
 * second council tried on the same data) keep their timers for a server that runs it, and stay off its lists.
 */
export interface ProfileScope {
  profileId: string;
  routeIds: readonly string[];
}

export function profileScope(profile: { id: string; routes: readonly { id: string }[] }): ProfileScope {
  return { profileId: profile.id, routeIds: profile.routes.map((r) => r.id) };
}
/** The timers that chase meetings and tasks. */
export const meetingTimerKinds: TimerKind[] = [
  'meeting_due',
  'meeting_notice',
  'meeting_unrecorded',
  'task_due',
];

export interface TimerRow {
  id: string;
  transferId: string | null;
  kind: TimerKind;
  key: string;
  dueAt: Date;
  status: 'pending' | 'done' | 'cancelled' | 'met' | 'failed';
  occurrence: number;
  payload: Record<string, unknown>;
}
export type NewTimer = Omit<TimerRow, 'id' | 'status' | 'occurrence'>;

export interface MeetingRow {
  id: string;
  transferId: string;
  meetingKey: string;
  label: string;
  /** `proposed`: a time someone put forward, waiting for someone else to confirm; `scheduled`: confirmed. */
  status: 'required' | 'optional' | 'proposed' | 'scheduled' | 'held' | 'not_held';
  dueBy: Date | null;
  scheduledAt: Date | null;
  proposedById: string | null;
  /** Bumped when a confirmed meeting moves: calendar invites carry it as their SEQUENCE. */
  sequence: number;
  outcome: Record<string, unknown> | null;
}

export interface DisputeRow {
  id: string;
  transferId: string;
  openedById: string;
  /** A disputed decision (decline, advice only), or a decision that has not come (either side escalated it). */
  about: 'decision' | 'delay';
  reason: string;
  ladder: Ladder;
  stageIndex: number;
  stageDueAt: Date | null;
  status: 'open' | 'resolved';
  resolution: { outcome: 'upheld' | 'overturned'; rationale: string; byId: string; at: string } | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface NewOutbox {
  idempotencyKey: string;
  transferId: string | null;
  kind: string;
  target: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Everything a command writes besides the transfer row itself. */
export interface Changes {
  audit: Omit<AuditEntry, 'transferId'>;
  timers?: NewTimer[];
  /** Timers met or made moot by this change: matched by key, or by kind. */
  settleTimers?: { keys?: string[]; kinds?: TimerKind[]; status: 'met' | 'cancelled' };
  meetings?: MeetingRow[];
  meetingUpdates?: Pick<
    MeetingRow,
    'id' | 'status' | 'scheduledAt' | 'outcome' | 'proposedById' | 'sequence'
  >[];
  dispute?: {
    insert?: DisputeRow;
    update?: Pick<DisputeRow, 'id' | 'stageIndex' | 'stageDueAt' | 'status' | 'resolution' | 'resolvedAt'>;
  };
  outbox?: NewOutbox[];
}

export interface TransferFilter {
  teamIds?: string[];
  requesterId?: string;
  states?: TransferState[];
  /** Only transfers received by these teams. */
  receivingTeamIds?: string[];
  kinds?: string[];
  childKey?: string;
  profileId?: string;
  limit?: number;
}

/** A transfer with what commands on it consult: its meetings (oldest first) and its open dispute, when asked for. */
export interface LoadedTransfer {
  transfer: TransferRow;
  meetings: MeetingRow[];
  dispute: DisputeRow | null;
  tasks: TaskState[];
}

/** One of the route's tasks as its timer has it: open (`pending`, or `done` once chased), `met`, or `cancelled`. */
export interface TaskState {
  task: string;
  status: TimerRow['status'];
  dueAt: Date;
}

export interface TransferStore {
  find(refOrId: string): Promise<TransferRow | null>;
  /** The transfer with its meetings, its open dispute and/or its tasks, in one read (what is not asked for is empty). */
  load(
    refOrId: string,
    what: { meetings?: boolean; dispute?: boolean; tasks?: boolean },
  ): Promise<LoadedTransfer | null>;
  list(filter: TransferFilter): Promise<TransferRow[]>;
  meetings(transferId: string): Promise<MeetingRow[]>;
  openDispute(transferId: string): Promise<DisputeRow | null>;
  /** The latest step-down of this child closed or accepted at or after `since`. */
  lastStepDown(profileId: string, childKey: string, since: Date): Promise<TransferRow | null>;
  /** Inserts the transfer and its writes; `outbox` builds the messages once the reference is assigned. */
  create(
    row: NewTransfer,
    changes: Changes,
    outbox?: (created: TransferRow) => NewOutbox[],
  ): Promise<TransferRow>;
  /**
   * Applies the patch to the transfer as it was read (`current`), only if the row is still at that version: the
   * row as written, or null when someone changed it first (and nothing was written).
   */
  update(current: TransferRow, patch: TransferPatch, changes: Changes): Promise<TransferRow | null>;
}

/** Timers: claimed with FOR UPDATE SKIP LOCKED and finished in the same transaction as their writes. */
export interface TimerStore extends TransferStore {
  transaction<T>(fn: (store: TimerStore) => Promise<T>): Promise<T>;
  /** Claims up to `limit` pending timers due at `now`, oldest first, skipping rows another sweeper holds. */
  /**
   * Due timers, oldest first, locked for this sweep: those of no transfer (digests) and those of the requests in
   * scope (see ProfileScope).
   */
  claimDue(now: Date, limit: number, on: ProfileScope): Promise<TimerRow[]>;
  /** Applies a handled timer's writes and marks it done; false if the transfer changed meanwhile. */
  finishTimer(timer: TimerRow, action: SweepAction, now: Date): Promise<boolean>;
  /** Creates timers that belong to no transfer (digests) unless a timer with the same key exists. */
  ensureGlobalTimers(timers: NewTimer[], now: Date): Promise<void>;
  /** Timers due before `now`, not met or cancelled, on open transfers (checked again by the caller). */
  outstanding(
    now: Date,
    kinds: TimerKind[],
    on: ProfileScope,
  ): Promise<{ timer: TimerRow; transfer: TransferRow }[]>;
}

export interface SweepAction {
  outbox?: NewOutbox[];
  timers?: NewTimer[];
  audit?: AuditEntry;
  dispute?: Changes['dispute'];
  transfer?: { id: string; expectedVersion: number; patch: TransferPatch };
  /** A recurring timer: due again at this time (its occurrence goes up by one) instead of being done. */
  reschedule?: { dueAt: Date; payload?: Record<string, unknown> };
  /** What the sweep did, for `stepwise tick` to print. */
  summary: string;
  /** The timer could not be handled: it is marked failed (or, with `reschedule`, due again) and nothing else is written. */
  failed?: boolean;
}
