/**
 * The local workspace surface: its message store, outbox sender, event stream and routes, put together for
 * the server. It is the surface when no chat platform is configured.
 */
import type { Logger } from 'pino';
import type { App } from '../../app.ts';
import { clockOffsetSetting, DemoClock } from '../../clock.ts';
import type { Routes } from '../../server/http.ts';
import { MessageRefStore } from '../../store/message-ref-store.ts';
import { dashboardRoutes } from './dashboard.ts';
import { EventHub } from './events.ts';
import { LocalMessageStore } from './messages.ts';
import { LocalSender } from './sender.ts';
import { behindToken, checkWorkspaceFiles, workspaceRoutes } from './workspace.ts';

export interface LocalWorkspace {
  routes: Routes;
  sender: LocalSender;
  clock: DemoClock;
  hub: EventHub;
  close(): void;
}

export async function createLocalWorkspace(
  app: App,
  deps: { kick: () => Promise<void> | void; log: Logger; token?: string | undefined },
): Promise<LocalWorkspace> {
  checkWorkspaceFiles();
  const settings = new MessageRefStore(app.db.prisma);
  // The demo clock keeps where a trainer left it across restarts.
  const offset = Number((await settings.setting(clockOffsetSetting)) ?? 0);
  const clock = new DemoClock(Number.isFinite(offset) && offset > 0 ? offset : 0);
  const hub = new EventHub();
  const messages = new LocalMessageStore(app.db.prisma);
  const sender = new LocalSender({
    app,
    messages,
    now: () => clock.now(),
    changed: (conversation) => hub.publish({ type: 'changed', conversation }),
  });
  const workspace = workspaceRoutes({
    app,
    messages,
    hub,
    clock,
    settings,
    kick: deps.kick,
    log: deps.log.child({ component: 'local' }),
    token: deps.token,
  });
  // The dashboard shows counts and references only; it sits behind the workspace's token like the rest.
  const routes = {
    ...workspace,
    ...behindToken(
      dashboardRoutes(app, () => clock.now()),
      deps.token,
    ),
  };
  return { routes, sender, clock, hub, close: () => hub.close() };
}
