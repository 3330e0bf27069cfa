/**
 * The yardsticks for bench/teams.ts, in a process of their own as Stepwise is: bare Agents SDK bots on loopback
 * (bare-agent.ts) answering the Accept invoke with a fixed card. With DATABASE_URL, two more: one that first reads
 * the pressed request through Stepwise's store (the one read any bot that decides must make), and one that reads
 * it and then updates its row once (the least a bot that records the decision must write). Prints their URLs.
 */
import { openDatabase } from '../src/store/database.ts';
import { PrismaTransferStore } from '../src/store/transfer-store.ts';
import { startBareAgent } from './bare-agent.ts';

const pressed = (value: unknown) =>
  String((value as { action?: { data?: { transferId?: string } } }).action?.data?.transferId);

const bots = [await startBareAgent()];
const url = process.env.DATABASE_URL;
if (url) {
  const db = await openDatabase({ databaseUrl: url });
  const store = new PrismaTransferStore(db.prisma);
  const read = async (value: unknown) => {
    const t = await store.find(pressed(value));
    if (!t) throw new Error('the pressed request is not there');
    return t;
  };
  bots.push(await startBareAgent(read));
  bots.push(
    await startBareAgent(async (value) => {
      const t = await read(value);
      await db.prisma.$executeRawUnsafe(
        'UPDATE transfer SET updated_at = $1::timestamptz WHERE id = $2 AND version = $3',
        new Date().toISOString(),
        t.id,
        t.version,
      );
    }),
  );
}
console.log(bots.map((b) => b.url).join(' '));
