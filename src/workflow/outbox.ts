/**
 * Delivering the outbox: every message a command wrote is handed to a sender (Slack, Teams, the local
 * workspace) after the command committed. A message is claimed with a lease, so replicas never send the same
 * one at once; a rate-limit or server error is retried with backoff (honouring Retry-After), a permanent error
 * is recorded, and nothing is lost while a platform is down: the row waits.
 *
 * Delivery is at least once: a process killed after the platform accepted a message but before it was marked
 * sent sends it again when the lease runs out. Senders that can, pass the idempotency key on.
 */
import type { NewOutbox } from './ports.ts';

export interface OutboxMessage extends NewOutbox {
  id: string;
  /** Including the attempt being made now. */
  attempts: number;
}

/** Worth trying again later: HTTP 429, 5xx, a timeout. `retryAfterMs` is the platform's own wait, if given. */
export class RetryableSendError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableSendError';
  }
}

/** The platform said no for good: retrying will not help until someone changes something. */
export class PermanentSendError extends Error {}

/**
 * The surface has nowhere to put this message (no conversation installed or linked for its team or person, or a
 * kind it does not deliver): permanent for that surface alone, so a server with a second surface beside it (the
 * local workspace) can count the message delivered there.
 */
export class NoDestinationError extends PermanentSendError {}

export interface Sender {
  /** Resolves when the platform accepted the message; throws RetryableSendError or any other error. */
  send(message: OutboxMessage): Promise<void>;
}

/**
 * A claimed message as the store knows it: its id and the lease its worker holds, until when. Every write about
 * the message names it, so a worker whose claim ran out (and was taken over) changes nothing.
 */
export interface Claim {
  id: string;
  leaseUntil: Date;
}

export interface OutboxStore {
  /** Claims up to `limit` messages due at `now` (pending, or sending with an expired lease), oldest first. */
  claimOutbox(now: Date, limit: number, leaseUntil: Date): Promise<OutboxMessage[]>;
  /** Extends a claim just before its message is sent; false if the claim ran out and another worker has it. */
  renewLease(claim: Claim, until: Date): Promise<boolean>;
  markSent(claim: Claim, now: Date): Promise<void>;
  markRetry(claim: Claim, nextAttemptAt: Date, error: string): Promise<void>;
  markFailed(claim: Claim, error: string): Promise<void>;
  /** Claimed messages not tried after all: pending again, due at `nextAttemptAt`, their claim not counted. */
  release(claims: Claim[], nextAttemptAt: Date): Promise<void>;
}

export interface DeliveryOptions {
  batch?: number;
  /**
   * How long a claimed message is held before another worker may take it (default 2 minutes); the claim is
   * renewed for as long again just before the message is sent, so a long pass keeps the messages it has.
   */
  leaseMs?: number;
  /** The time a claim is renewed from (default: the pass's `now`); the server passes its clock. */
  clock?: () => Date;
  /**
   * After this many attempts a message is marked failed (default 104: with the backoff below, about 24 hours of
   * a platform being down).
   */
  maxAttempts?: number;
  /**
   * How many transfers' messages are sent at once (default 1). A transfer's own messages always go one after
   * another, in the order they were written (its card before the thread reply that hangs off it).
   */
  concurrency?: number;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
}

/** Exponential backoff from 5 s, doubling, capped at 15 minutes; a platform's Retry-After wins if longer. */
export function retryDelayMs(attempts: number, retryAfterMs?: number): number {
  const backoff = Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 15 * 60_000);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/** One pass over the due messages. Errors are recorded per message; one bad message never stops the rest. */
export async function deliverOutbox(
  store: OutboxStore,
  sender: Sender,
  now: Date,
  opts: DeliveryOptions = {},
): Promise<DeliveryReport> {
  const maxAttempts = opts.maxAttempts ?? 104;
  const leaseMs = opts.leaseMs ?? 120_000;
  const leaseUntil = new Date(now.getTime() + leaseMs);
  // Every message of the pass is claimed until the same time; a claim is renewed just before its message goes.
  const claimed = await store.claimOutbox(now, opts.batch ?? 50, leaseUntil);
  const claimOf = (m: OutboxMessage): Claim => ({ id: m.id, leaseUntil });
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0 };
  /** Sends one message; returns when it is due again if it is to be retried, or 'lost' if another worker has it. */
  const deliver = async (message: OutboxMessage): Promise<Date | 'lost' | undefined> => {
    const until = new Date(Math.max((opts.clock?.() ?? now).getTime() + leaseMs, leaseUntil.getTime()));
    if (!(await store.renewLease(claimOf(message), until))) return 'lost';
    const claim = { id: message.id, leaseUntil: until };
    try {
      await sender.send(message);
      await store.markSent(claim, now);
      report.sent += 1;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      if (e instanceof RetryableSendError && message.attempts < maxAttempts) {
        const again = new Date(now.getTime() + retryDelayMs(message.attempts, e.retryAfterMs));
        await store.markRetry(claim, again, error);
        report.retried += 1;
        return again;
      }
      await store.markFailed(claim, error);
      report.failed += 1;
    }
    return undefined;
  };
  const groups = new Map<string, OutboxMessage[]>();
  for (const m of claimed) {
    const key = m.transferId ?? m.id;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const [i, message] of group.entries()) {
        const again = await deliver(message);
        // Taken over by another worker (this pass outlived its claim): the rest of the group is its too.
        if (again === 'lost') break;
        // To be tried again: what the transfer wrote after it waits with it, so nothing overtakes it (a direct
        // message with the card never arrives before the channel's card changes). A message failed for good
        // holds nothing back.
        if (again) {
          const rest = group.slice(i + 1).map(claimOf);
          if (rest.length) await store.release(rest, again);
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
  return report;
}
