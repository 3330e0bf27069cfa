/**
 * The baseline for the Teams benchmark: a bare Microsoft 365 Agents SDK bot on a plain Node HTTP server, which
 * answers an `adaptiveCard/action` invoke with a fixed card and does nothing else (through the same
 * Express-shaped response adapter as Stepwise, so only the work differs). Given `before`, it awaits that with
 * the invoke's value first: the bench uses it for a bot that only reads the pressed request from the database.
 * (A benchmark, not product code: the product's SDK imports are all in src/channels/teams/agent.ts.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ActivityHandler,
  CloudAdapter,
  type InvokeResponse,
  type TurnContext,
} from '@microsoft/agents-hosting';
import { webResponse } from '../src/channels/teams/agent.ts';

class BareBot extends ActivityHandler {
  constructor(private readonly before?: (value: unknown) => Promise<unknown>) {
    super();
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    await this.before?.(context.activity.value);
    return {
      status: 200,
      body: {
        statusCode: 200,
        type: 'application/vnd.microsoft.card.adaptive',
        value: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Accepted' }] },
      },
    };
  }
}

export async function startBareAgent(
  before?: (value: unknown) => Promise<unknown>,
): Promise<{ url: string; server: Server }> {
  const adapter = new CloudAdapter({} as never);
  const bot = new BareBot(before);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const web = webResponse(res);
    await adapter.process(
      { body, headers: req.headers as never, method: 'POST', user: { name: 'anonymous' } },
      web,
      (ctx) => bot.run(ctx),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
