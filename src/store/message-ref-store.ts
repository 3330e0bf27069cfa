/**
 * Where each transfer's card lives on a chat surface, and run-time settings. The card's reference is saved when
 * it is first posted, so every later change updates the same message for everyone.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from './generated/prisma/client.ts';

export interface MessageRef {
  transferId: string;
  surface: string;
  purpose: string;
  channel: string;
  messageId: string;
  version: number;
}

export class MessageRefStore {
  constructor(private readonly prisma: PrismaClient) {}

  async get(transferId: string, surface: string, purpose: string): Promise<MessageRef | null> {
    const row = await this.prisma.messageRef.findUnique({
      where: { transferId_surface_purpose: { transferId, surface, purpose } },
    });
    return row
      ? {
          transferId: row.transferId,
          surface: row.surface,
          purpose: row.purpose,
          channel: row.channel,
          messageId: row.messageId,
          version: row.version,
        }
      : null;
  }

  /** The transfer whose message this is (a reply in its thread names the message). */
  async findTransfer(
    surface: string,
    purpose: string,
    channel: string,
    messageId: string,
  ): Promise<string | null> {
    const row = await this.prisma.messageRef.findFirst({ where: { surface, purpose, channel, messageId } });
    return row?.transferId ?? null;
  }

  /** Saves where the message is and which version it shows (never moving the version backwards). */
  async save(ref: MessageRef, now: Date): Promise<void> {
    // One statement, so that a slower render of an older version that finishes last cannot overwrite a newer one.
    await this.prisma.$executeRaw`
      INSERT INTO message_ref (id, transfer_id, surface, purpose, channel, message_id, version, created_at, updated_at)
      VALUES (${randomUUID()}, ${ref.transferId}, ${ref.surface}, ${ref.purpose}, ${ref.channel}, ${ref.messageId},
        ${ref.version}, ${now}::timestamptz, ${now}::timestamptz)
      ON CONFLICT (transfer_id, surface, purpose) DO UPDATE
        SET channel = EXCLUDED.channel, message_id = EXCLUDED.message_id, version = EXCLUDED.version,
          updated_at = EXCLUDED.updated_at
        WHERE message_ref.version <= EXCLUDED.version`;
  }

  async setting(key: string): Promise<unknown> {
    return (await this.prisma.setting.findUnique({ where: { key } }))?.value ?? null;
  }

  async deleteSetting(key: string): Promise<void> {
    await this.prisma.setting.deleteMany({ where: { key } });
  }

  /** Whether any setting's key starts with this (e.g. any Teams conversation saved). */
  async hasSettingUnder(prefix: string): Promise<boolean> {
    return (await this.prisma.setting.count({ where: { key: { startsWith: prefix } } })) > 0;
  }

  async setSetting(key: string, value: string | number | boolean | object): Promise<void> {
    await this.prisma.setting.upsert({
      where: { key },
      create: { key, value, updatedAt: new Date() },
      update: { value, updatedAt: new Date() },
    });
  }
}
