/**
 * The local workspace's outbox sender: what Slack would post, written as local messages, then a change event
 * so every open browser window showing that conversation reloads it at once.
 */
import type { App } from '../../app.ts';
import { toSlackMessage } from '../../cards/blockkit.ts';
import type { AdaptiveCardJson } from '../../cards/render.ts';
import { type OutboxMessage, PermanentSendError, type Sender } from '../../workflow/outbox.ts';
import type { TransferRow } from '../../workflow/ports.ts';
import * as compose from '../compose.ts';
import type { LocalMessageStore, NewLocalMessage } from './messages.ts';

export const conversations = {
  team: (teamId: string) => `team:${teamId}`,
  dm: (personId: string) => `dm:${personId}`,
  escalation: 'escalation',
  email: 'email',
} as const;

/** The id of a transfer's request card (in the receiving team's channel) and of its meeting cards. */
export const cardId = (transferId: string) => `card:${transferId}`;
const meetingCardId = (transferId: string, meetingKey: string, teamId: string) =>
  `meeting:${transferId}:${meetingKey}:${teamId}`;

/** A card's one-line text (what a screen reader or a notification shows): the card's own summary. */
const summaryOf = (card: AdaptiveCardJson) => toSlackMessage(card).text;

export class LocalSender implements Sender {
  constructor(
    private readonly deps: {
      app: App;
      messages: LocalMessageStore;
      now: () => Date;
      /** Called after a conversation changed. */
      changed: (conversation: string) => void;
    },
  ) {}

  private get app(): App {
    return this.deps.app;
  }

  async send(m: OutboxMessage): Promise<void> {
    const text = typeof m.payload.text === 'string' ? m.payload.text : '';
    const touched = new Set<string>();
    const add = async (msg: NewLocalMessage) => {
      await this.deps.messages.add(msg, this.deps.now());
      touched.add(msg.conversation);
    };
    switch (m.kind) {
      case 'card':
        for (const c of await this.cards(await compose.messageTransfer(this.app, m))) touched.add(c);
        break;
      case 'thread': {
        const t = await compose.messageTransfer(this.app, m);
        for (const c of await this.cards(t)) touched.add(c);
        await add({
          id: m.id,
          conversation: conversations.team(t.receivingTeamId),
          transferId: t.id,
          threadOf: cardId(t.id),
          text,
        });
        break;
      }
      case 'dm': {
        const personId = String(m.target.personId ?? '');
        const person = this.app.workflow.directory.person(personId);
        if (!person) throw new PermanentSendError(`person "${personId}" is not in the directory`);
        const t = m.transferId ? await this.app.store.find(m.transferId) : null;
        const now = this.deps.now();
        const card = t
          ? m.payload.disputeId !== undefined
            ? await compose.disputeCard(this.app, t, now)
            : await compose.requestCard(this.app, t, now, person)
          : null;
        await add({
          id: m.id,
          conversation: conversations.dm(personId),
          transferId: m.transferId,
          text,
          ...(card ? { card, version: t?.version ?? 0 } : {}),
        });
        break;
      }
      case 'team':
        await add({ id: m.id, conversation: this.team(m.target.teamId), transferId: m.transferId, text });
        break;
      case 'escalation': {
        // The escalation channel shows the disagreement's card with the words, so its people can act there.
        const t = m.transferId ? await this.app.store.find(m.transferId) : null;
        const card = t ? await compose.disputeCard(this.app, t, this.deps.now()) : null;
        await add({
          id: m.id,
          conversation: conversations.escalation,
          transferId: m.transferId,
          text,
          ...(card ? { card } : {}),
        });
        break;
      }
      case 'reminder': {
        const t = await compose.messageTransfer(this.app, m);
        await add({
          id: m.id,
          conversation: this.team(m.target.teamId ?? t.receivingTeamId),
          transferId: t.id,
          text,
          card: compose.reminderCard(this.app, t, m, this.deps.now()),
        });
        break;
      }
      case 'digest': {
        const conversation =
          typeof m.target.teamId === 'string'
            ? this.team(m.target.teamId)
            : conversations.dm(String(m.target.personId ?? ''));
        const card = compose.digestCard(m);
        await add({ id: m.id, conversation, transferId: m.transferId, text: text || summaryOf(card), card });
        break;
      }
      case 'invite': {
        const t = await compose.messageTransfer(this.app, m);
        await add({
          id: m.id,
          conversation: conversations.dm(String(m.target.personId ?? '')),
          transferId: t.id,
          text,
          file: compose.inviteFile(this.app, t, m),
        });
        break;
      }
      case 'email':
        // Nothing is e-mailed from the local workspace; what would have been is shown, so a trainer sees it.
        await add({
          id: m.id,
          conversation: conversations.email,
          transferId: m.transferId,
          text: `To ${String(m.target.email ?? 'an address')}: ${text}`,
        });
        break;
      case 'post':
        await add({ id: m.id, conversation: String(m.target.channel ?? ''), transferId: m.transferId, text });
        break;
      default:
        throw new PermanentSendError(`the local workspace does not deliver "${m.kind}" messages`);
    }
    for (const c of touched) this.deps.changed(c);
  }

  private team(teamId: unknown): string {
    const id = String(teamId ?? '');
    if (!this.app.workflow.directory.team(id))
      throw new PermanentSendError(`team "${id}" is not in the directory`);
    return conversations.team(id);
  }

  /** The request card in the receiving channel and the meeting cards in both teams' channels, as they are now. */
  private async cards(t: TransferRow): Promise<string[]> {
    const now = this.deps.now();
    const card = await compose.requestCard(this.app, t, now);
    const home = conversations.team(t.receivingTeamId);
    await this.deps.messages.putCard(
      {
        id: cardId(t.id),
        conversation: home,
        transferId: t.id,
        text: summaryOf(card),
        card,
        version: t.version,
      },
      now,
    );
    const touched = [home];
    for (const meeting of await this.app.store.meetings(t.id)) {
      const mcard = compose.meetingCard(this.app, t, meeting, now);
      for (const teamId of compose.meetingTeams(this.app, t)) {
        const conversation = conversations.team(teamId);
        await this.deps.messages.putCard(
          {
            id: meetingCardId(t.id, meeting.meetingKey, teamId),
            conversation,
            transferId: t.id,
            text: summaryOf(mcard),
            card: mcard,
            version: t.version,
          },
          now,
        );
        touched.push(conversation);
      }
    }
    return touched;
  }
}
