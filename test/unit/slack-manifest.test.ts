// The Slack app manifest agrees with the code: the slash commands it declares are exactly the ones the app's
// listeners register, every URL is the one server endpoint, and the scopes cover the Web API methods used.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App as BoltApp } from '@slack/bolt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { slackCommands } from '../../src/channels/commands.ts';
import { registerSlackHandlers, type SlackDeps } from '../../src/channels/slack/handlers.ts';

const manifest = parse(
  readFileSync(join(import.meta.dirname, '../../manifests/slack/manifest.yaml'), 'utf8'),
);

/** Records what the handlers register on a Bolt app. */
function registered() {
  const commands: string[] = [];
  const other: string[] = [];
  const fake = {
    command: (name: string) => commands.push(name),
    action: () => other.push('action'),
    view: () => other.push('view'),
    event: (name: string) => other.push(`event:${name}`),
  };
  registerSlackHandlers(
    fake as unknown as BoltApp,
    { log: pino({ level: 'silent' }) } as unknown as SlackDeps,
  );
  return { commands, other };
}

describe('manifests/slack/manifest.yaml', () => {
  it('declares exactly the slash commands the app registers', () => {
    const declared = manifest.features.slash_commands.map((c: { command: string }) => c.command).sort();
    const { commands } = registered();
    expect(declared).toEqual([...commands].sort());
    expect(declared).toEqual([...slackCommands].sort());
    expect(declared).toEqual(['/stepdown', '/stepin', '/stepup', '/transfer']);
  });

  it('sends commands, interactivity and events to /slack/events', () => {
    const urls = [
      ...manifest.features.slash_commands.map((c: { url: string }) => c.url),
      manifest.settings.interactivity.request_url,
      manifest.settings.event_subscriptions.request_url,
    ];
    for (const url of urls) expect(new URL(url).pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('subscribes to the message events the thread answers need, which the app listens for', () => {
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['message.channels', 'message.groups']);
    expect(registered().other).toContain('event:message');
  });

  it('asks for the scopes of every Web API method Stepwise calls, and no more', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'commands', // slash commands
        'chat:write', // chat.postMessage, chat.update
        'files:write', // files.getUploadURLExternal / completeUploadExternal: meeting invites (.ics)
        'im:write', // conversations.open for direct messages
        'users:read', // users.info
        'users:read.email', // users.info profile e-mail, users.lookupByEmail
        'channels:history', // message.channels (answers in a card's thread)
        'groups:history', // message.groups (the same in private channels)
      ].sort(),
    );
  });

  it('keeps Slack limits: descriptions and hints fit', () => {
    for (const c of manifest.features.slash_commands) {
      expect(c.description.length).toBeLessThanOrEqual(100);
      expect((c.usage_hint ?? '').length).toBeLessThanOrEqual(1000);
    }
    expect(manifest.display_information.description.length).toBeLessThanOrEqual(140);
    expect(manifest.display_information.long_description.length).toBeLessThanOrEqual(4000);
  });
});
