// The sender of a server with nothing configured: the workspace always, Teams where it has somewhere to post.
import { describe, expect, it } from 'vitest';
import { WorkspaceAndTeamsSender } from '../../src/server/workspace-and-teams-sender.ts';
import {
  NoDestinationError,
  type OutboxMessage,
  PermanentSendError,
  RetryableSendError,
  type Sender,
} from '../../src/workflow/outbox.ts';

const message: OutboxMessage = {
  id: 'm1',
  idempotencyKey: 'k1',
  kind: 'card',
  target: { teamId: 'mash' },
  payload: {},
  transferId: 't1',
  attempts: 1,
};

function recording(fail?: Error): Sender & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async send(m) {
      if (fail) throw fail;
      sent.push(m.id);
    },
  };
}

describe('WorkspaceAndTeamsSender', () => {
  it('sends to the workspace alone while Teams is not loaded', async () => {
    const workspace = recording();
    await new WorkspaceAndTeamsSender(workspace, () => null).send(message);
    expect(workspace.sent).toEqual(['m1']);
  });

  it('sends to both once Teams is loaded', async () => {
    const workspace = recording();
    const teams = recording();
    await new WorkspaceAndTeamsSender(workspace, () => teams).send(message);
    expect([workspace.sent, teams.sent]).toEqual([['m1'], ['m1']]);
  });

  it('counts the message delivered when Teams has no conversation for it', async () => {
    const workspace = recording();
    const teams = recording(new NoDestinationError('no Teams conversation for team:mash'));
    await expect(new WorkspaceAndTeamsSender(workspace, () => teams).send(message)).resolves.toBeUndefined();
    expect(workspace.sent).toEqual(['m1']);
  });

  it('passes on what Teams answers otherwise: a retry, or a refusal', async () => {
    for (const error of [new RetryableSendError('HTTP 429', 1000), new PermanentSendError('HTTP 403')]) {
      const teams = recording(error);
      await expect(new WorkspaceAndTeamsSender(recording(), () => teams).send(message)).rejects.toBe(error);
    }
  });

  it('never reaches Teams when the workspace fails', async () => {
    const teams = recording();
    const failing = recording(new RetryableSendError('database busy'));
    await expect(new WorkspaceAndTeamsSender(failing, () => teams).send(message)).rejects.toThrow(
      'database busy',
    );
    expect(teams.sent).toEqual([]);
  });
});
