/**
 * `stepwise outbox`: what the outbox holds, and the messages a platform refused for good (a team with no
 * channel yet, a person Slack or Teams cannot find); `stepwise outbox retry` queues them again once the cause is
 * mended. Linking a team's channel, or installing the app for a person, queues theirs by itself.
 */
import type { Database } from '../store/database.ts';
import { type FailedMessage, type FailedSelection, PrismaOutboxStore } from '../store/outbox-store.ts';

const LISTED = 50;

/** Who a message was for, by directory id only: never an e-mail address. */
function targetText(target: Record<string, unknown>): string {
  if (typeof target.teamId === 'string') return `team ${target.teamId}`;
  if (typeof target.personId === 'string') return `person ${target.personId}`;
  return Object.keys(target).join(', ') || '-';
}

function failedLine(m: FailedMessage): string {
  const when = `${m.createdAt.toISOString().slice(0, 16).replace('T', ' ')}Z`;
  return [m.id, when, m.ref ?? '-', m.kind, targetText(m.target), m.lastError ?? ''].join('  ');
}

export async function listOutbox(db: Database, out: (line: string) => void): Promise<number> {
  const store = new PrismaOutboxStore(db.prisma);
  const n = await store.counts();
  out(`${db.describe}: ${n.waiting} waiting, ${n.sent} sent, ${n.failed} failed`);
  if (!n.failed) return 0;
  const failed = await store.failed(LISTED);
  out(n.failed > failed.length ? `the ${failed.length} most recent failed:` : 'failed, most recent first:');
  for (const m of failed) out(`  ${failedLine(m)}`);
  out('once the cause is mended: stepwise outbox retry --all (or retry <id>...)');
  return 0;
}

export async function retryOutbox(
  db: Database,
  selection: FailedSelection,
  out: (line: string) => void,
  now: Date,
): Promise<number> {
  const n = await new PrismaOutboxStore(db.prisma).requeueFailed(selection, now);
  if (!n) {
    out(selection === 'all' ? 'no failed messages to send again' : 'none of those ids is a failed message');
    return selection === 'all' ? 0 : 1;
  }
  out(`${n} failed message(s) queued again: a running server sends them within a second`);
  return 0;
}
