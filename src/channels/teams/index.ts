/**
 * The Teams surface: the bot on `POST /api/messages` (agent.ts holds every Agents SDK import), its logic
 * (bot.ts) and its outbox sender.
 */
import type { Logger } from 'pino';
import type { App } from '../../app.ts';
import type { TeamsConfig } from '../../config.ts';
import type { Handler } from '../../server/http.ts';
import { MessageRefStore } from '../../store/message-ref-store.ts';
import type { PrismaOutboxStore } from '../../store/outbox-store.ts';
import { TeamsAgent } from './agent.ts';
import { teamsLogic } from './bot.ts';
import { TeamsSender } from './sender.ts';

export interface TeamsSurface {
  handler: Handler;
  sender: TeamsSender;
  localMode: boolean;
}

export function createTeamsSurface(
  app: App,
  config: TeamsConfig,
  deps: { outbox: PrismaOutboxStore; kick: () => void; log: Logger; now: () => Date },
): TeamsSurface {
  const log = deps.log.child({ component: 'teams' });
  const refs = new MessageRefStore(app.db.prisma);
  const agent = new TeamsAgent(
    teamsLogic({ app, settings: refs, outbox: deps.outbox, kick: deps.kick, now: deps.now, log }),
    config,
  );
  return {
    handler: (req, res) => agent.handle(req, res),
    sender: new TeamsSender({ app, agent, refs, now: deps.now }),
    localMode: agent.localMode,
  };
}
