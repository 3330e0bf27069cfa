// Which Teams mode the settings give, and the settings refused with one clear line.
import { describe, expect, it } from 'vitest';
import { readConfig, teamsBesideWorkspace, teamsConfig } from '../../src/config.ts';

const appId = '00000000-0000-4000-8000-000000000001';

describe('Teams settings', () => {
  it('an app id and its secret turn Teams on with the token check; the authority is passed on', () => {
    const config = readConfig({
      MICROSOFT_APP_ID: appId,
      MICROSOFT_APP_PASSWORD: 'secret',
      MICROSOFT_APP_AUTHORITY: 'https://login.microsoftonline.us',
    });
    expect(teamsConfig(config)).toMatchObject({ appId, authority: 'https://login.microsoftonline.us' });
    expect(teamsBesideWorkspace(config)).toBe(false);
  });

  it('nothing configured: local mode beside the workspace, on a loopback HOST only, never in production', () => {
    expect(teamsConfig(readConfig({}))).toBeNull();
    expect(teamsBesideWorkspace(readConfig({}))).toBe(true);
    expect(teamsBesideWorkspace(readConfig({ HOST: '0.0.0.0' }))).toBe(false);
    expect(teamsBesideWorkspace(readConfig({ NODE_ENV: 'production' }))).toBe(false);
    expect(
      teamsBesideWorkspace(
        readConfig({ SLACK_SIGNING_SECRET: 'signing-secret', SLACK_BOT_TOKEN: 'xoxb-token' }),
      ),
    ).toBe(false);
  });

  it('STEPWISE_TEAMS=local off a loopback HOST, or in production, is refused with the reason', () => {
    expect(teamsConfig(readConfig({ STEPWISE_TEAMS: 'local' }))).toMatchObject({ appId: undefined });
    expect(() => teamsConfig(readConfig({ STEPWISE_TEAMS: 'local', HOST: '0.0.0.0' }))).toThrow(
      'STEPWISE_TEAMS=local: local mode (no MICROSOFT_APP_ID) takes unauthenticated requests, so it is served only on a loopback HOST, not 0.0.0.0',
    );
    expect(() => teamsConfig(readConfig({ STEPWISE_TEAMS: 'local', NODE_ENV: 'production' }))).toThrow(
      'does not run with NODE_ENV=production',
    );
    // With an app id the token is checked, so any HOST will do.
    expect(
      teamsConfig(readConfig({ MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 's', HOST: '0.0.0.0' })),
    ).not.toBeNull();
  });

  it('a half-configured Teams, or Teams beside Slack, is refused', () => {
    expect(() => teamsConfig(readConfig({ MICROSOFT_APP_ID: appId }))).toThrow(
      'MICROSOFT_APP_PASSWORD is not',
    );
    expect(() =>
      teamsConfig(
        readConfig({
          MICROSOFT_APP_ID: appId,
          MICROSOFT_APP_PASSWORD: 's',
          SLACK_SIGNING_SECRET: 'signing-secret',
          SLACK_BOT_TOKEN: 'xoxb-token',
        }),
      ),
    ).toThrow('one chat platform per server');
  });
});
