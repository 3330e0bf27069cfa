/**
 * Delivers outbox rows to Slack. The card is rendered from the transfer's state at send time (the card is a
 * view of the event log), posted once and then updated in place with the channel and ts saved at first post.
 * Rate limits, 5xx and network errors are retried by the outbox with backoff; anything Slack refuses for good
 * (no channel linked, a user who is not in Slack) fails with a message saying what to fix.
 */
import type { WebClient } from '@slack/web-api';
import type { App } from '../../app.ts';
import { type SlackMessage, toSlackMessage } from '../../cards/blockkit.ts';
import type { Person } from '../../domain/directory.ts';
import { linkPersonUser } from '../../store/directory-store.ts';
import type { MessageRef, MessageRefStore } from '../../store/message-ref-store.ts';
import {
  type OutboxMessage,
  PermanentSendError,
  RetryableSendError,
  type Sender,
} from '../../workflow/outbox.ts';
import type { TransferRow } from '../../workflow/ports.ts';
import {
  digestCard,
  disputeCard,
  inviteFile,
  meetingCard,
  meetingTeams,
  messageTransfer,
  reminderCard,
  requestCard,
} from '../compose.ts';

export const escalationChannelSetting = 'slack.escalation_channel';

const retryablePlatformErrors = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Turns a Web API failure into the outbox's terms: retry later, or fail for good. */
export function classifySlackError(e: unknown): Error {
  const err = e as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (err?.code) {
    case 'slack_webapi_rate_limited_error':
      return new RetryableSendError('Slack rate limit', (err.retryAfter ?? 1) * 1000);
    case 'slack_webapi_request_error':
      return new RetryableSendError('Slack could not be reached');
    case 'slack_webapi_http_error':
      return (err.statusCode ?? 500) >= 500 || err.statusCode === 429
        ? new RetryableSendError(`Slack answered HTTP ${err.statusCode}`)
        : new PermanentSendError(`Slack answered HTTP ${err.statusCode}`);
    case 'slack_webapi_platform_error': {
      const code = err.data?.error ?? 'unknown_error';
      return retryablePlatformErrors.has(code)
        ? new RetryableSendError(`Slack error ${code}`)
        : new PermanentSendError(`Slack error ${code}`);
    }
    default:
      return e instanceof Error ? e : new Error(String(e));
  }
}

/** The origin a response_url must have: Slack's hooks, or the fake Slack a test points SLACK_API_URL at. */
export function allowedResponseOrigins(apiUrl?: string): string[] {
  return ['https://hooks.slack.com', ...(apiUrl ? [new URL(apiUrl).origin] : [])];
}

export class SlackSender implements Sender {
  constructor(
    private readonly deps: {
      app: App;
      client: WebClient;
      refs: MessageRefStore;
      now: () => Date;
      responseOrigins: string[];
      fetch?: typeof fetch;
    },
  ) {}

  async send(m: OutboxMessage): Promise<void> {
    try {
      await this.deliver(m);
    } catch (e) {
      throw e instanceof RetryableSendError || e instanceof PermanentSendError ? e : classifySlackError(e);
    }
  }

  private get app(): App {
    return this.deps.app;
  }

  private async deliver(m: OutboxMessage): Promise<void> {
    const text = typeof m.payload.text === 'string' ? m.payload.text : '';
    switch (m.kind) {
      case 'card':
        await this.card(this.transferOf(m));
        await this.meetingCards(this.transferOf(m));
        return;
      case 'reminder':
        await this.reminder(m, text);
        return;
      case 'digest':
        await this.digest(m, text);
        return;
      case 'invite':
        await this.invite(m, text);
        return;
      case 'thread': {
        const ref = await this.card(this.transferOf(m));
        await this.deps.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.messageId, text });
        return;
      }
      case 'dm':
        await this.dm(String(m.target.personId ?? ''), text, m.transferId, m.payload.disputeId !== undefined);
        return;
      case 'team': {
        const channel = this.teamChannel(String(m.target.teamId ?? ''));
        await this.deps.client.chat.postMessage({ channel, text });
        return;
      }
      case 'escalation': {
        const channel = await this.deps.refs.setting(escalationChannelSetting);
        if (typeof channel !== 'string')
          throw new PermanentSendError(
            'no Slack escalation channel is linked: run /transfer link escalation in the channel to use',
          );
        await this.deps.client.chat.postMessage({ channel, text });
        return;
      }
      case 'response':
        await this.respond(String(m.target.url ?? ''), m.payload);
        return;
      case 'post':
        await this.deps.client.chat.postMessage({ channel: String(m.target.channel ?? ''), text });
        return;
      case 'email':
        throw new PermanentSendError('e-mail is not delivered by the Slack surface');
      default:
        throw new PermanentSendError(`unknown outbox kind "${m.kind}"`);
    }
  }

  private transferOf(m: OutboxMessage): string {
    if (!m.transferId) throw new PermanentSendError(`a ${m.kind} message without a transfer`);
    return m.transferId;
  }

  private async transferRow(transferId: string): Promise<TransferRow> {
    const t = await this.app.store.find(transferId);
    if (!t) throw new PermanentSendError(`transfer ${transferId} no longer exists`);
    return t;
  }

  private teamChannel(teamId: string): string {
    const team = this.app.workflow.directory.team(teamId);
    if (!team) throw new PermanentSendError(`team "${teamId}" is not in the directory`);
    if (!team.slackChannel)
      throw new PermanentSendError(
        `team "${teamId}" has no Slack channel: run /transfer link ${teamId} in its channel, or set slack_channel in the directory file`,
      );
    return team.slackChannel;
  }

  /** The channel card as it should look now. */
  private async cardMessage(t: TransferRow, viewer?: Person): Promise<SlackMessage> {
    return toSlackMessage(await requestCard(this.app, t, this.deps.now(), viewer));
  }

  /** The disagreement's card (its stage, who resolves it, Resolve and Escalate now), for the people at the stage. */
  private async disputeMessage(t: TransferRow): Promise<SlackMessage | null> {
    const card = await disputeCard(this.app, t, this.deps.now());
    return card ? toSlackMessage(card) : null;
  }

  /** Posts the card the first time, updates it after; returns where it is. Skips a card already up to date. */
  private async card(transferId: string): Promise<MessageRef> {
    const t = await this.transferRow(transferId);
    const saved = await this.deps.refs.get(t.id, 'slack', 'card');
    if (saved && saved.version >= t.version) return saved;
    const message = await this.cardMessage(t);
    return this.postOrUpdate(t, 'card', this.teamChannel(t.receivingTeamId), saved, message);
  }

  /**
   * The meeting cards of a transfer, one per required meeting, in the receiving team's channel and in the
   * sending team's (when it has one): posted once, then updated in place like the request card.
   */
  private async meetingCards(transferId: string): Promise<void> {
    const t = await this.app.store.find(transferId);
    if (!t) return;
    const meetings = await this.app.store.meetings(t.id);
    const teams = meetingTeams(this.app, t).filter(
      (id) => this.app.workflow.directory.team(id)?.slackChannel,
    );
    for (const meeting of meetings) {
      let message: SlackMessage | null = null;
      for (const teamId of teams) {
        const purpose = `meeting:${meeting.meetingKey}:${teamId}`;
        const saved = await this.deps.refs.get(t.id, 'slack', purpose);
        if (saved && saved.version >= t.version) continue;
        message ??= toSlackMessage(meetingCard(this.app, t, meeting, this.deps.now()));
        await this.postOrUpdate(t, purpose, this.teamChannel(teamId), saved, message);
      }
    }
  }

  private async postOrUpdate(
    t: TransferRow,
    purpose: string,
    channel: string,
    saved: MessageRef | null,
    message: SlackMessage,
  ): Promise<MessageRef> {
    if (saved) {
      try {
        await this.deps.client.chat.update({ channel: saved.channel, ts: saved.messageId, ...message });
        const ref = { ...saved, version: t.version };
        await this.deps.refs.save(ref, this.deps.now());
        return ref;
      } catch (e) {
        const code = (e as { data?: { error?: string } }).data?.error;
        if (code !== 'message_not_found' && code !== 'channel_not_found') throw e;
      }
    }
    const posted = await this.deps.client.chat.postMessage({ channel, ...message });
    if (!posted.ts) throw new RetryableSendError('Slack did not return the message ts');
    const ref: MessageRef = {
      transferId: t.id,
      surface: 'slack',
      purpose,
      channel: posted.channel ?? channel,
      messageId: posted.ts,
      version: t.version,
    };
    await this.deps.refs.save(ref, this.deps.now());
    return ref;
  }

  /** A chase in the team's channel, as the reminder card: what is due, when, and who holds the case. */
  private async reminder(m: OutboxMessage, text: string): Promise<void> {
    const t = await messageTransfer(this.app, m);
    const channel = this.teamChannel(String(m.target.teamId ?? t.receivingTeamId));
    await this.deps.client.chat.postMessage({
      channel,
      ...toSlackMessage(reminderCard(this.app, t, m, this.deps.now())),
      text,
    });
  }

  /** A digest the sweep wrote (an agenda to a team's channel, an overdue list to a manager). */
  private async digest(m: OutboxMessage, text: string): Promise<void> {
    const card = toSlackMessage(digestCard(m));
    const channel =
      typeof m.target.teamId === 'string'
        ? this.teamChannel(m.target.teamId)
        : await this.dmChannel(String(m.target.personId ?? ''));
    await this.deps.client.chat.postMessage({ channel, ...card, text: text || card.text });
  }

  /** A meeting's calendar invite, uploaded into the person's DM as an .ics file. */
  private async invite(m: OutboxMessage, text: string): Promise<void> {
    const t = await messageTransfer(this.app, m);
    const file = inviteFile(this.app, t, m);
    const channel = await this.dmChannel(String(m.target.personId ?? ''));
    await this.deps.client.filesUploadV2({
      channel_id: channel,
      file: Buffer.from(file.content, 'utf8'),
      filename: file.filename,
      title: file.title,
      initial_comment: text,
    });
  }

  private async dmChannel(personId: string): Promise<string> {
    const person = this.app.workflow.directory.person(personId);
    if (!person) throw new PermanentSendError(`person "${personId}" is not in the directory`);
    const user = await this.slackUserOf(person);
    const opened = await this.deps.client.conversations.open({ users: user });
    const channel = opened.channel?.id;
    if (!channel) throw new RetryableSendError('Slack did not open the direct message');
    return channel;
  }

  /** The person's Slack user: from the directory, else looked up by their e-mail (and remembered). */
  private async slackUserOf(person: Person): Promise<string> {
    if (person.slackUser) return person.slackUser;
    if (!person.email)
      throw new PermanentSendError(`person "${person.id}" has neither a Slack user id nor an e-mail address`);
    try {
      const found = await this.deps.client.users.lookupByEmail({ email: person.email });
      const id = found.user?.id;
      if (!id) throw new PermanentSendError(`no Slack user for person "${person.id}"`);
      await linkPersonUser(this.app.db, person.id, 'slack', id);
      await this.app.reloadDirectory();
      return id;
    } catch (e) {
      if ((e as { data?: { error?: string } }).data?.error === 'users_not_found')
        throw new PermanentSendError(`no Slack user has the e-mail of person "${person.id}"`);
      throw e;
    }
  }

  /** A direct message; about a transfer, it carries the card as this person may act on it. */
  private async dm(
    personId: string,
    text: string,
    transferId: string | null,
    aboutDispute: boolean,
  ): Promise<void> {
    const person = this.app.workflow.directory.person(personId);
    if (!person) throw new PermanentSendError(`person "${personId}" is not in the directory`);
    const channel = await this.dmChannel(personId);
    const t = transferId ? await this.app.store.find(transferId) : null;
    const card = t ? await (aboutDispute ? this.disputeMessage(t) : this.cardMessage(t, person)) : null;
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } },
      ...(card ? [{ type: 'divider' }, ...card.blocks].slice(0, 50) : []),
    ];
    await this.deps.client.chat.postMessage({ channel, text, blocks });
  }

  /** An answer to one person through the interaction's response_url (ephemeral unless it says otherwise). */
  private async respond(url: string, payload: Record<string, unknown>): Promise<void> {
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw new PermanentSendError('the response_url is not a URL');
    }
    if (!this.deps.responseOrigins.includes(origin))
      throw new PermanentSendError(`response_url origin ${origin} is not Slack's`);
    const res = await (this.deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...payload }),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => {
      throw new RetryableSendError('Slack could not be reached');
    });
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after') ?? '1');
      throw new RetryableSendError('Slack rate limit', (Number.isFinite(after) ? after : 1) * 1000);
    }
    if (res.status >= 500) throw new RetryableSendError(`Slack answered HTTP ${res.status}`);
    if (!res.ok)
      throw new PermanentSendError(`Slack answered HTTP ${res.status} (the response_url may have expired)`);
  }
}
