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
    const key = { transferId: ref.transferId, surface: ref.surface, purpose: ref.purpose };
    await this.prisma.messageRef.upsert({
      where: { transferId_surface_purpose: key },
      create: { id: randomUUID(), ...ref, createdAt: now, updatedAt: now },
      update: { channel: ref.channel, messageId: ref.messageId, version: ref.version, updatedAt: now },
    });
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
