/**
 * The local workspace's messages, in the database like everything else (so a restart keeps them and two
 * browser windows read the same thing). Inserts are idempotent by id: a message's id comes from its outbox
 * message, so a redelivery writes nothing twice; a card's id is fixed per transfer and place, so it is updated.
 */
import type { AdaptiveCardJson } from '../../cards/render.ts';
import type { PrismaClient } from '../../store/generated/prisma/client.ts';

export interface LocalFile {
  filename: string;
  content: string;
  title: string;
}

export interface LocalMessage {
  id: string;
  conversation: string;
  transferId: string | null;
  threadOf: string | null;
  text: string;
  card: AdaptiveCardJson | null;
  file: LocalFile | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type NewLocalMessage = Pick<LocalMessage, 'id' | 'conversation' | 'text'> &
  Partial<Pick<LocalMessage, 'transferId' | 'threadOf' | 'card' | 'file' | 'version'>>;

const json = (v: unknown) => v as never;

export class LocalMessageStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Adds a message once: a second call with the same id changes nothing. */
  async add(m: NewLocalMessage, now: Date): Promise<void> {
    await this.prisma.localMessage.createMany({
      data: [
        {
          id: m.id,
          conversation: m.conversation,
          transferId: m.transferId ?? null,
          threadOf: m.threadOf ?? null,
          text: m.text,
          ...(m.card ? { card: json(m.card) } : {}),
          ...(m.file ? { file: json(m.file) } : {}),
          version: m.version ?? 0,
          createdAt: now,
          updatedAt: now,
        },
      ],
      skipDuplicates: true,
    });
  }

  /** Posts a card the first time and replaces it after, keeping its place in the conversation. */
  async putCard(m: NewLocalMessage & { card: AdaptiveCardJson }, now: Date): Promise<void> {
    await this.prisma.localMessage.upsert({
      where: { id: m.id },
      create: {
        id: m.id,
        conversation: m.conversation,
        transferId: m.transferId ?? null,
        text: m.text,
        card: json(m.card),
        version: m.version ?? 0,
        createdAt: now,
        updatedAt: now,
      },
      update: { text: m.text, card: json(m.card), version: m.version ?? 0, updatedAt: now },
    });
  }

  async get(id: string): Promise<LocalMessage | null> {
    const row = await this.prisma.localMessage.findUnique({ where: { id } });
    return row ? toMessage(row) : null;
  }

  /**
   * A conversation's latest top-level messages, oldest first, with the time each last changed (its own
   * update, or its newest reply), without their cards: for a window that has the rest already.
   */
  async outline(conversation: string, limit = 200): Promise<{ id: string; changedAt: Date }[]> {
    const top = await this.prisma.localMessage.findMany({
      where: { conversation, threadOf: null },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: { id: true, updatedAt: true },
    });
    const replies = await this.prisma.localMessage.groupBy({
      by: ['threadOf'],
      where: { conversation, threadOf: { in: top.map((m) => m.id) } },
      _max: { createdAt: true },
    });
    const newest = new Map(replies.map((r) => [r.threadOf, r._max.createdAt]));
    return top.reverse().map((m) => {
      const reply = newest.get(m.id);
      return { id: m.id, changedAt: reply && reply > m.updatedAt ? reply : m.updatedAt };
    });
  }

  /** These messages (by id) and every reply in their threads. */
  async withReplies(conversation: string, ids: readonly string[]): Promise<LocalMessage[]> {
    if (!ids.length) return [];
    const rows = await this.prisma.localMessage.findMany({
      where: { conversation, OR: [{ id: { in: [...ids] } }, { threadOf: { in: [...ids] } }] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toMessage);
  }

  /** How many messages each conversation has, to show beside its name. */
  async counts(conversations: readonly string[]): Promise<Record<string, number>> {
    const rows = await this.prisma.localMessage.groupBy({
      by: ['conversation'],
      where: { conversation: { in: [...conversations] }, threadOf: null },
      _count: { _all: true },
    });
    return Object.fromEntries(rows.map((r) => [r.conversation, r._count._all]));
  }
}

function toMessage(row: {
  id: string;
  conversation: string;
  transferId: string | null;
  threadOf: string | null;
  text: string;
  card: unknown;
  file: unknown;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}): LocalMessage {
  return {
    ...row,
    card: (row.card ?? null) as AdaptiveCardJson | null,
    file: (row.file ?? null) as LocalFile | null,
  };
}
