/**
 * The audit trail: every state change is an event whose hash covers the previous event's hash, so any edit
 * or deletion breaks the chain from that point. Hashing is SHA-256 over a canonical JSON text.
 */
import { createHash } from 'node:crypto';

export const genesisHash = '0'.repeat(64);

export interface AuditEntry {
  id: string;
  transferId: string | null;
  actorId: string;
  surface: string;
  action: string;
  at: Date;
  data: unknown;
}

/** JSON with object keys sorted at every depth, so the same event always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The text an event's hash is taken over (the previous hash is prefixed when hashing). */
export function auditPayload(e: AuditEntry): string {
  return canonicalJson({
    id: e.id,
    transferId: e.transferId,
    actorId: e.actorId,
    surface: e.surface,
    action: e.action,
    at: e.at.toISOString(),
    data: e.data,
  });
}

export function chainHash(prevHash: string, payload: string): string {
  return createHash('sha256')
    .update(prevHash + payload, 'utf8')
    .digest('hex');
}

export interface StoredAuditEntry extends AuditEntry {
  seq: bigint;
  prevHash: string;
  hash: string;
}

export type ChainCheck =
  | { intact: true; count: number; lastHash: string }
  | { intact: false; count: number; seq: bigint; reason: string };

/**
 * Walks the chain in order and reports the first broken link. `previous` carries the state across pages so a
 * long trail can be verified in batches.
 */
export function verifyChain(
  entries: Iterable<StoredAuditEntry>,
  previous: { hash: string; count: number } = { hash: genesisHash, count: 0 },
): ChainCheck {
  let prev = previous.hash;
  let count = previous.count;
  for (const e of entries) {
    if (e.prevHash !== prev) {
      return {
        intact: false,
        count,
        seq: e.seq,
        reason: 'its previous-hash does not match the event before it',
      };
    }
    if (chainHash(prev, auditPayload(e)) !== e.hash) {
      return {
        intact: false,
        count,
        seq: e.seq,
        reason: 'its contents do not match its hash (edited after writing)',
      };
    }
    prev = e.hash;
    count += 1;
  }
  return { intact: true, count, lastHash: prev };
}
