import { describe, expect, it } from 'vitest';
import {
  auditPayload,
  canonicalJson,
  chainHash,
  genesisHash,
  type StoredAuditEntry,
  verifyChain,
} from '../../src/domain/audit.ts';

function chain(n: number): StoredAuditEntry[] {
  const out: StoredAuditEntry[] = [];
  let prev = genesisHash;
  for (let i = 0; i < n; i++) {
    const e = {
      id: `e${i}`,
      transferId: 't1',
      actorId: 'sam',
      surface: 'cli',
      action: 'accept',
      at: new Date(Date.UTC(2026, 10, 23, 9, i)),
      data: { version: i + 1, b: [1, { z: 1, a: 2 }] },
    };
    const hash = chainHash(prev, auditPayload(e));
    out.push({ ...e, seq: BigInt(i + 1), prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}',
    );
  });
  it('an untouched chain is intact', () => {
    const c = chain(5);
    expect(verifyChain(c)).toEqual({ intact: true, count: 5, lastHash: c[4]?.hash });
  });
  it('an edited event is the first broken link', () => {
    const c = chain(5);
    (c[2] as StoredAuditEntry).data = { version: 99 };
    expect(verifyChain(c)).toMatchObject({ intact: false, seq: 3n, count: 2 });
  });
  it('a deleted event breaks the link after it', () => {
    const c = chain(5);
    c.splice(1, 1);
    expect(verifyChain(c)).toMatchObject({
      intact: false,
      seq: 3n,
      reason: expect.stringContaining('previous-hash'),
    });
  });
});
