// The environment's values refused in words a council's IT team can act on.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('an impossible closure date is one clear line, like a malformed one', () => {
    expect(() => readConfig({ STEPWISE_CLOSURES: '2026-12-24, 2026-02-30' })).toThrow(
      new ConfigError(
        'invalid environment: STEPWISE_CLOSURES.1: "2026-02-30" is not a real date (YYYY-MM-DD)',
      ),
    );
    expect(readConfig({ STEPWISE_CLOSURES: '2026-12-24, 2028-02-29' }).STEPWISE_CLOSURES).toEqual([
      '2026-12-24',
      '2028-02-29',
    ]);
  });

  it('a port that is not a number says what it should be', () => {
    for (const PORT of ['abc', '70000', '3.5'])
      expect(() => readConfig({ PORT })).toThrow(
        new ConfigError('invalid environment: PORT: a port number from 0 to 65535'),
      );
    expect(readConfig({ PORT: '8080' }).PORT).toBe(8080);
  });
});
