/**
 * The Teams outbox sender: proactive posts into the conversations Stepwise saved when it was installed or a
 * channel was linked, and updates of the request and meeting cards in place (the activity id saved at send
 * time). 429, 412, 502, 504 (and other 5xx) from the connector are retried by the outbox with backoff.
 */
import type { App } from '../../app.ts';
import { type AdaptiveCardJson, cardBytes } from '../../cards/render.ts';
import type { Person } from '../../domain/directory.ts';
import type { MessageRef, MessageRefStore } from '../../store/message-ref-store.ts';
import {
  NoDestinationError,
  type OutboxMessage,
  PermanentSendError,
  RetryableSendError,
  type Sender,
} from '../../workflow/outbox.ts';
import type { TransferRow } from '../../workflow/ports.ts';
import * as compose from '../compose.ts';
import { type ActivityJson, ConnectorError, type TeamsAgent } from './agent.ts';
import { attachment, forTeamsMessage, statusOnly, teamsCardLimitBytes, withRefresh } from './cards.ts';
import { bareConversationId, inConversation, postableReference, refKeys } from './ref-keys.ts';

type Reference = Record<string, unknown> & { conversation?: { id?: string } };

export class TeamsSender implements Sender {
  constructor(
    private readonly deps: { app: App; agent: TeamsAgent; refs: MessageRefStore; now: () => Date },
  ) {}

  private get app(): App {
    return this.deps.app;
  }

  async send(m: OutboxMessage): Promise<void> {
    try {
      await this.deliver(m);
    } catch (e) {
      if (e instanceof ConnectorError) {
        if (e.worthRetrying) throw new RetryableSendError(e.message, e.retryAfterMs);
        throw new PermanentSendError(e.message);
      }
      throw e;
    }
  }

  private async deliver(m: OutboxMessage): Promise<void> {
    const text = typeof m.payload.text === 'string' ? m.payload.text : '';
    const now = this.deps.now();
    switch (m.kind) {
      case 'card': {
        const t = await compose.messageTransfer(this.app, m);
        await this.card(t);
        await this.meetingCards(t);
        return;
      }
      case 'thread': {
        const t = await compose.messageTransfer(this.app, m);
        const card = await this.card(t);
        // A reply in the card's thread: the channel conversation with ";messageid=" the card's activity.
        const ref = await this.reference(refKeys.team(t.receivingTeamId));
        await this.post(threadOf(ref, card.messageId), { text });
        return;
      }
      case 'dm':
        await this.direct(this.person(m.target.personId), text, m, now);
        return;
      case 'team':
        await this.post(await this.reference(refKeys.team(String(m.target.teamId ?? ''))), { text });
        return;
      case 'escalation': {
        const t = m.transferId ? await this.app.store.find(m.transferId) : null;
        const card = t ? await compose.disputeCard(this.app, t, now) : null;
        await this.post(await this.reference(refKeys.escalation), message(text, card));
        return;
      }
      case 'reminder': {
        const t = await compose.messageTransfer(this.app, m);
        const ref = await this.reference(refKeys.team(String(m.target.teamId ?? t.receivingTeamId)));
        await this.post(ref, message(text, compose.reminderCard(this.app, t, m, now)));
        return;
      }
      case 'digest': {
        const card = compose.digestCard(m);
        if (typeof m.target.teamId === 'string')
          await this.post(await this.reference(refKeys.team(m.target.teamId)), message(text, card));
        else await this.direct(this.person(m.target.personId), text, m, now, card);
        return;
      }
      case 'invite': {
        // A Teams bot cannot hand over a file in a chat (only through SharePoint with Graph, or the file-consent
        // flow in personal chats, and Teams shows no data-URL file), so the invite is the meeting's own card:
        // what, when, who is invited, with its buttons. The .ics goes where a file can (Slack, the workspace).
        const t = await compose.messageTransfer(this.app, m);
        const meetingId = String(m.payload.meetingId ?? '');
        const meeting = (await this.app.store.meetings(t.id)).find((x) => x.id === meetingId);
        const card = meeting ? compose.meetingCard(this.app, t, meeting, now) : null;
        await this.direct(this.person(m.target.personId), text, m, now, card);
        return;
      }
      case 'email':
        throw new NoDestinationError('e-mail is not delivered by the Teams surface');
      default:
        throw new NoDestinationError(`the Teams surface does not deliver "${m.kind}" messages`);
    }
  }

  private person(id: unknown): Person {
    const p = this.app.workflow.directory.person(String(id ?? ''));
    if (!p) throw new PermanentSendError(`person "${String(id)}" is not in the directory`);
    return p;
  }

  /**
   * A saved conversation. A team's is the one linked to it, else the channel the directory names for it, as
   * saved when the app was installed in its team.
   */
  private async savedReference(key: string): Promise<Reference | null> {
    // Kept postable since they are saved; made so again for any saved before that (once a link's thread).
    const ref = (await this.deps.refs.setting(key)) as Reference | null;
    if (ref?.conversation?.id) return postableReference(ref);
    const teamKey = refKeys.team('');
    const teamId = key.startsWith(teamKey) ? key.slice(teamKey.length) : undefined;
    const channel = teamId ? this.app.workflow.directory.team(teamId)?.teamsChannel : undefined;
    const saved = channel
      ? ((await this.deps.refs.setting(refKeys.conversation(channel))) as Reference | null)
      : null;
    return saved?.conversation?.id ? postableReference(saved) : null;
  }

  private async reference(key: string): Promise<Reference> {
    const ref = await this.savedReference(key);
    if (!ref?.conversation?.id)
      throw new NoDestinationError(
        `no Teams conversation for ${key.replace('teams.ref.', '')}: install the app there, or link the channel with @Stepwise link <team id>`,
      );
    return ref;
  }

  private async post(ref: Reference, activity: ActivityJson): Promise<string | undefined> {
    withinTeamsLimit(activity);
    return this.deps.agent.proactive(ref, (ops) => ops.post(activity));
  }

  /**
   * A direct message in the person's chat with the bot (opened by the bot where there is none yet); where Teams
   * will not open one, an @mention in their team's channel.
   */
  private async direct(
    person: Person,
    text: string,
    m: OutboxMessage,
    now: Date,
    card?: AdaptiveCardJson | null,
  ) {
    const t = m.transferId ? await this.app.store.find(m.transferId) : null;
    const shown =
      card !== undefined
        ? card
        : t
          ? m.payload.disputeId !== undefined
            ? await compose.disputeCard(this.app, t, now)
            : await compose.requestCard(this.app, t, now, person)
          : null;
    const inChat = async (chat: Reference) => {
      await this.post(chat, message(text, shown));
    };
    const personal = (await this.deps.refs.setting(refKeys.person(person.id))) as Reference | null;
    if (personal?.conversation?.id) {
      try {
        return await inChat(personal);
      } catch (e) {
        // The chat is gone (the person removed the app, or left the tenant): forget it and reach them as if they
        // had never installed it. Busy or down is retried as ever.
        if (!(e instanceof ConnectorError && (e.status === 403 || e.status === 404))) throw e;
        await this.deps.refs.deleteSetting(refKeys.person(person.id));
      }
    }
    if (!person.teamsUser)
      throw new NoDestinationError(
        `person "${person.id}" has no Teams user id and no personal install of the app`,
      );
    // No chat with them yet: Teams lets the bot open one with a member of a team it is installed in.
    const teamRef = await this.savedReference(refKeys.team(person.teamId));
    if (teamRef?.conversation?.id) {
      // Saved before the post, so that a post that went through is never followed by a second chat and a double.
      let opened = false;
      try {
        const chat = await this.deps.agent.openPersonalChat(teamRef, person.teamsUser);
        await this.deps.refs.setSetting(refKeys.person(person.id), chat);
        opened = true;
        return await inChat(chat);
      } catch (e) {
        // Busy or down: the outbox tries again. Refused (the tenant does not allow it, or the new chat refuses
        // the post): the @mention below, and a refused chat is not kept.
        if (!(e instanceof ConnectorError) || e.worthRetrying) throw e;
        if (opened) await this.deps.refs.deleteSetting(refKeys.person(person.id));
      }
    }
    // In the team's channel everyone reads it, and a direct message's words may be free text (a rationale, a
    // question, advice): the channel gets the @mention, the reference and the card (channel-safe by design),
    // never the words themselves (DESIGN.md, data protection).
    const mention = `<at>${person.name}</at>`;
    const about = t ? `${t.ref}: ` : '';
    await this.post(await this.reference(refKeys.team(person.teamId)), {
      ...message(
        `${mention} ${about}Stepwise has a direct message for you. Add the Stepwise app to your own chats to read it there.`,
        shown ? statusOnly(shown) : null,
      ),
      entities: [{ type: 'mention', text: mention, mentioned: { id: person.teamsUser, name: person.name } }],
    });
  }

  /** The request card in the receiving team's channel: everyone sees the status; the refresh shows deciders their buttons. */
  private async card(t: TransferRow): Promise<MessageRef> {
    const saved = await this.deps.refs.get(t.id, 'teams', 'card');
    if (saved && saved.version >= t.version) return saved;
    const card = withRefresh(
      statusOnly(await compose.requestCard(this.app, t, this.deps.now())),
      t.id,
      this.actors(t),
    );
    return this.postOrUpdate(t, 'card', refKeys.team(t.receivingTeamId), saved, card);
  }

  private async meetingCards(t: TransferRow): Promise<void> {
    const now = this.deps.now();
    for (const meeting of await this.app.store.meetings(t.id)) {
      const card = compose.meetingCard(this.app, t, meeting, now);
      for (const teamId of compose.meetingTeams(this.app, t)) {
        const purpose = `meeting:${meeting.meetingKey}:${teamId}`;
        const saved = await this.deps.refs.get(t.id, 'teams', purpose);
        if (saved && saved.version >= t.version) continue;
        if (!(await this.savedReference(refKeys.team(teamId)))) continue;
        await this.postOrUpdate(t, purpose, refKeys.team(teamId), saved, card);
      }
    }
  }

  /** The Teams users the channel card refreshes for: the people of the two teams and the allocated worker. */
  private actors(t: TransferRow): string[] {
    const d = this.app.workflow.directory;
    const w = this.app.workflow;
    const everyone = [...d.members(t.receivingTeamId), ...d.members(t.sendingTeamId)];
    const worker = t.allocation?.workerId ? d.person(t.allocation.workerId) : undefined;
    // Deciders and the sending side first (Teams refreshes for 60 at most), then the rest of the two teams and
    // the allocated worker, who may mark the route's tasks done.
    const first = everyone.filter((p) => w.isDecider(t, p) || w.isSender(t, p));
    const rest = [...everyone.filter((p) => !first.includes(p)), ...(worker ? [worker] : [])];
    // Teams refreshes for user ids (29:…) only; one known by Entra object id alone is remembered by its Teams
    // id the first time they write to the bot, and until then presses "Show my actions".
    return [...first, ...rest]
      .map((p) => p.teamsUser)
      .filter((x): x is string => typeof x === 'string' && x.startsWith('29:'));
  }

  private async postOrUpdate(
    t: TransferRow,
    purpose: string,
    refKey: string,
    saved: MessageRef | null,
    card: AdaptiveCardJson,
  ): Promise<MessageRef> {
    const activity = { attachments: [attachment(forTeamsMessage(card))] };
    withinTeamsLimit(activity, `the ${purpose} card of ${t.ref}`);
    const ref = await this.reference(refKey);
    let messageId = saved?.messageId;
    if (messageId) await this.deps.agent.proactive(ref, (ops) => ops.update(messageId as string, activity));
    else {
      messageId = await this.post(ref, activity);
      // Posted, but without its id it can never be updated in place. Trying again would post another copy each
      // time, so it is a failure for good (the channel has the card as it was; IT sees why).
      if (!messageId)
        throw new PermanentSendError(
          'Teams posted the card but returned no activity id, so it cannot be updated in place',
        );
    }
    const row: MessageRef = {
      transferId: t.id,
      surface: 'teams',
      purpose,
      channel: String(ref.conversation?.id ?? ''),
      messageId,
      version: t.version,
    };
    await this.deps.refs.save(row, this.deps.now());
    return row;
  }
}

/** Teams refuses a message over 28 KB: such a message is refused here, for good, with what it was. */
function withinTeamsLimit(activity: ActivityJson, what = 'the message') {
  const bytes = cardBytes(activity);
  if (bytes > teamsCardLimitBytes)
    throw new PermanentSendError(`${what} is ${bytes} bytes, over Teams' 28 KB limit`);
}

function message(text: string, card: AdaptiveCardJson | null): ActivityJson {
  return { text, ...(card ? { attachments: [attachment(forTeamsMessage(card))] } : {}) };
}

function threadOf(ref: Reference, messageId: string): Reference {
  return inConversation(
    ref,
    `${bareConversationId(String(ref.conversation?.id ?? ''))};messageid=${messageId}`,
  );
}
