/** Reads the stored audit trail in pages and checks its hash chain. */
import { type ChainCheck, genesisHash, type StoredAuditEntry, verifyChain } from '../domain/audit.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

export async function verifyStoredChain(prisma: PrismaClient, pageSize = 1000): Promise<ChainCheck> {
  let state = { hash: genesisHash, count: 0 };
  let after = -1n;
  for (;;) {
    const page = await prisma.auditEvent.findMany({
      where: { seq: { gt: after } },
      orderBy: { seq: 'asc' },
      take: pageSize,
    });
    const check = verifyChain(page as StoredAuditEntry[], state);
    if (!check.intact) return check;
    state = { hash: check.lastHash, count: check.count };
    if (page.length < pageSize) break;
    after = (page.at(-1) as { seq: bigint }).seq;
  }
  // The head row must point at the last event, or events were deleted from the end.
  const head = await prisma.auditHead.findUnique({ where: { id: 1 } });
  if (head && head.hash !== state.hash) {
    return {
      intact: false,
      count: state.count,
      seq: head.seq,
      reason: 'the chain head records events that are missing (deleted from the end)',
    };
  }
  return { intact: true, count: state.count, lastHash: state.hash };
}
