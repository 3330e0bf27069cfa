/** The slash commands the Slack app registers (the manifest must list exactly these), and `/transfer`'s words. */
import { z } from 'zod';

export const requestCommands = {
  '/stepup': 'stepup',
  '/stepdown': 'stepdown',
  '/stepin': 'stepin',
} as const;
export type RequestCommand = keyof typeof requestCommands;

export const slackCommands = [...(Object.keys(requestCommands) as RequestCommand[]), '/transfer'] as const;

export const commandDescriptions: Record<(typeof slackCommands)[number], string> = {
  '/stepup': 'Ask for a child to be stepped up to a higher level of support',
  '/stepdown': 'Step a child down to a lower level of support, or ask for joint working',
  '/stepin': 'Step a child in to early help or social care from a universal service',
  '/transfer': 'Transfer requests: status <ref>, list, dispute <ref>, withdraw <ref>, link <team>, help',
};

const ref = z
  .string()
  .trim()
  .regex(/^(SW-)?\d{1,9}$/i, 'a reference such as SW-000012')
  .transform((r) => {
    const n = Number(r.replace(/^SW-/i, ''));
    return `SW-${String(n).padStart(6, '0')}`;
  });

export type TransferCommand =
  | { sub: 'help' }
  | { sub: 'list'; scope: 'mine' | 'team' }
  | { sub: 'status' | 'dispute' | 'withdraw'; ref: string }
  | { sub: 'link'; target: string };

export class CommandUsageError extends Error {}

/** What `link <team>` answers on either platform; `resent` is how many failed messages it sent again. */
export function linkedText(teamName: string, resent: number): string {
  return (
    `This channel is now linked to ${teamName}: requests to ${teamName} are posted here, and only the people the directory allows can decide them.` +
    resentText(resent)
  );
}

/** What `link escalation` answers on either platform. */
export function escalationLinkedText(resent: number): string {
  return (
    'This channel is now the escalation channel: disagreements climbing the ladder are posted here.' +
    resentText(resent)
  );
}

/** Said when making a conversation known let messages that had failed for want of it go out. */
export function resentText(resent: number): string {
  return resent ? ` ${resent} message(s) that could not be delivered before are being sent now.` : '';
}

/** Parses the text after `/transfer`; a mistake is a usage message, never a guess. */
export function parseTransferCommand(text: string): TransferCommand {
  const [word = 'help', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const arg = rest.join(' ');
  const needRef = (sub: 'status' | 'dispute' | 'withdraw') => {
    const parsed = ref.safeParse(arg);
    if (!parsed.success) {
      throw new CommandUsageError(
        `\`/transfer ${sub}\` needs a transfer reference, for example \`/transfer ${sub} SW-000012\`.`,
      );
    }
    return { sub, ref: parsed.data };
  };
  switch (word.toLowerCase()) {
    case 'help':
      return { sub: 'help' };
    case 'list': {
      const scope = (arg || 'mine').toLowerCase();
      if (scope !== 'mine' && scope !== 'team')
        throw new CommandUsageError('`/transfer list` shows `mine` (the default) or `team`.');
      return { sub: 'list', scope };
    }
    case 'status':
    case 'dispute':
    case 'withdraw':
      return needRef(word.toLowerCase() as 'status' | 'dispute' | 'withdraw');
    case 'link':
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(arg))
        throw new CommandUsageError(
          '`/transfer link` needs a directory team id (or `escalation`), for example `/transfer link mash`.',
        );
      return { sub: 'link', target: arg };
    default:
      throw new CommandUsageError(`\`/transfer ${word}\` is not a Stepwise command. ${helpText}`);
  }
}

export const helpText = [
  '*Stepwise commands*',
  '• `/stepup`, `/stepdown`, `/stepin`: start a request (the routes offered depend on your team)',
  '• `/transfer status SW-000012`: where a request is, who holds the case, the next deadline',
  "• `/transfer list` (yours) or `/transfer list team` (your team's): open requests with states and deadlines",
  '• `/transfer dispute SW-000012`: disagree with a decision, or escalate one that has not come (it goes up the escalation ladder)',
  '• `/transfer withdraw SW-000012`: withdraw a request you made',
  "• `/transfer link <team id>` (admins): post that team's requests in this channel; `/transfer link escalation` for escalations",
  'A child at risk of significant harm now: phone, never Stepwise.',
].join('\n');
