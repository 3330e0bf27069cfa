/**
 * The outbox sender of a server with no chat platform configured: every message goes to the local workspace,
 * and also to Teams (its endpoint in local mode, for the Agents Playground) once Teams has somewhere to put it.
 * The workspace is where the message is kept; Teams having no conversation for a team or person yet is not a
 * failure. A Teams answer worth retrying (429, 5xx) retries the whole message: the workspace's writes are
 * idempotent (a card is replaced, a message id is written once), so nothing is shown twice there.
 */
import { NoDestinationError, type OutboxMessage, type Sender } from '../workflow/outbox.ts';

export class WorkspaceAndTeamsSender implements Sender {
  constructor(
    private readonly workspace: Sender,
    /** The Teams sender once the Teams surface is loaded (at its first activity), else null. */
    private readonly teams: () => Sender | null,
  ) {}

  async send(m: OutboxMessage): Promise<void> {
    await this.workspace.send(m);
    const teams = this.teams();
    if (!teams) return;
    try {
      await teams.send(m);
    } catch (e) {
      if (e instanceof NoDestinationError) return;
      throw e;
    }
  }
}
