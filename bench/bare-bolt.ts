/**
 * The yardstick for bench/slack.ts: a bare Bolt app on the same HTTP receiver, with one /stepup listener that
 * only acknowledges. Run as its own process, like Stepwise, so neither shares an event loop with the load.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const secret = process.env.SLACK_SIGNING_SECRET ?? '';
const receiver = new HTTPReceiver({
  signingSecret: secret,
  endpoints: '/slack/events',
  logLevel: LogLevel.ERROR,
});
const app = new App({
  receiver,
  authorize: async () => ({ botToken: 'xoxb-bare' }),
  logLevel: LogLevel.ERROR,
});
app.command('/stepup', async ({ ack }) => {
  await ack();
});
const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as { address(): AddressInfo };
console.log(`bare bolt on http://127.0.0.1:${server.address().port}`);
