import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { baseFields, type ProfileInput, profileSchema } from '../../../src/domain/profile.ts';
import { commonDeclineReasons, commonLadder } from '../../../src/protocols/common.ts';
import { hackneyProfile } from '../../../src/protocols/hackney.ts';
import { haltonProfile } from '../../../src/protocols/halton.ts';
import {
  builtInProfile,
  formatZodIssues,
  loadProfile,
  ProfileError,
  profileNames,
  UnknownProfileError,
} from '../../../src/protocols/index.ts';
import { manchesterProfile } from '../../../src/protocols/manchester.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stepwise-profiles-'));
});

async function writeProfile(name: string, content: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, content, 'utf8');
  return file;
}

/** A deep copy with no shared objects (the profiles share some pieces between routes). */
const clone = (p: ProfileInput): ProfileInput => JSON.parse(JSON.stringify(p));

describe('built-in profiles', () => {
  it('lists the five councils in order', () => {
    expect(profileNames).toEqual(['hackney', 'lambeth', 'somerset', 'halton', 'manchester']);
  });

  for (const name of profileNames) {
    it(`${name} parses with the profile schema`, () => {
      const profile = builtInProfile(name);
      expect(profile.id).toBe(name);
      expect(profile.routes.length).toBeGreaterThan(0);
    });
  }

  it('caches each parsed profile and protects it from changes', () => {
    const a = builtInProfile('somerset');
    expect(builtInProfile('somerset')).toBe(a);
    expect(Object.isFrozen(a.routes[0])).toBe(true);
  });

  it('every profile uses the default Europe/London Mon-Fri 09:00-17:00 calendar with England-and-Wales bank holidays', () => {
    for (const name of profileNames) {
      expect(builtInProfile(name).calendar).toEqual({
        timeZone: 'Europe/London',
        workingDays: [1, 2, 3, 4, 5],
        workingHours: { start: '09:00', end: '17:00' },
        bankHolidays: { country: 'GB', region: 'ENG' },
        extraClosures: [],
      });
    }
  });

  it('every profile offers the common decline reasons, "other" needing text', () => {
    for (const name of profileNames) {
      const reasons = builtInProfile(name).declineReasons;
      for (const common of commonDeclineReasons) expect(reasons.map((r) => r.id)).toContain(common.id);
      expect(reasons.find((r) => r.id === 'other')?.needsText).toBe(true);
    }
  });

  it('no route repeats a field every request already has', () => {
    const base = new Set([...baseFields.map((f) => f.id), 'child_age']);
    for (const name of profileNames) {
      for (const route of builtInProfile(name).routes) {
        for (const field of route.fields)
          expect(base.has(field.id), `${name}/${route.id}/${field.id}`).toBe(false);
      }
    }
  });

  it('every profile has an emergency route with a phone number, and 999', () => {
    for (const name of profileNames) {
      const { emergency } = builtInProfile(name);
      expect(emergency.phones.map((p) => p.number)).toContain('999');
    }
  });

  it('every route has a decision time, or says why not (notify-only routes)', () => {
    for (const name of profileNames) {
      for (const route of builtInProfile(name).routes) {
        if (route.decision.mode === 'decide') expect(route.decision.due, `${name}/${route.id}`).toBeDefined();
      }
    }
  });

  it('profiles whose source is silent on escalation use the common ladder and say so', () => {
    for (const name of ['hackney', 'lambeth', 'halton'] as const) {
      const profile = builtInProfile(name);
      expect(profile.defaultLadder).toBe('common');
      expect(profile.ladders[0]).toMatchObject({ id: commonLadder.id, stages: commonLadder.stages });
      expect(profile.notes.some((n) => n.startsWith('Escalation:') && n.includes('common ladder'))).toBe(
        true,
      );
    }
  });

  it('the common ladder: team managers, then service managers / heads of service, then the director level, 2 working days each', () => {
    const ladder = builtInProfile('hackney').ladders[0];
    expect(ladder?.stages.map((s) => [s.roles.sending, s.roles.receiving, s.timeLimit])).toEqual([
      [['team_manager'], ['team_manager'], { amount: 2, unit: 'working_days' }],
      [
        ['service_manager', 'head_of_service'],
        ['service_manager', 'head_of_service'],
        { amount: 2, unit: 'working_days' },
      ],
      [['director'], ['director'], { amount: 2, unit: 'working_days' }],
    ]);
  });

  it('rejects an unknown name with the list of built-in names', () => {
    expect(() => builtInProfile('kent')).toThrow(UnknownProfileError);
    expect(() => builtInProfile('kent')).toThrow(
      'unknown protocol "kent": expected one of hackney, lambeth, somerset, halton, manchester, or a path to a profile file',
    );
  });
});

describe('loadProfile', () => {
  it('returns a built-in profile by name', async () => {
    expect(await loadProfile('halton')).toBe(builtInProfile('halton'));
  });

  it('loads a good YAML file', async () => {
    const file = await writeProfile('hackney-copy.yaml', stringify(hackneyProfile));
    const profile = await loadProfile(file);
    expect(profile).toEqual(builtInProfile('hackney'));
  });

  it('loads a good .yml and a good JSON file', async () => {
    const custom = { ...clone(manchesterProfile), id: 'manchester-test' };
    const yml = await writeProfile('m.yml', stringify(custom));
    const json = await writeProfile('m.json', JSON.stringify(custom));
    expect((await loadProfile(yml)).id).toBe('manchester-test');
    expect((await loadProfile(json)).routes).toEqual(builtInProfile('manchester').routes);
  });

  it('names the file, each failing path and what was expected, one line per issue', async () => {
    const bad = clone(manchesterProfile) as unknown as {
      levels: { rank: unknown }[];
      routes: { kind: unknown; consent: { required: unknown } }[];
    };
    (bad.levels[0] as { rank: unknown }).rank = 'one';
    (bad.routes[0] as { kind: unknown }).kind = 'sideways';
    (bad.routes[1] as { consent: { required: unknown } }).consent.required = 'yes';
    const file = await writeProfile('bad-types.yaml', stringify(bad));
    const error = await loadProfile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileError);
    const lines = (error as ProfileError).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toContain(`${file}: levels.0.rank: expected number, received string`);
    expect(
      lines.find((l) => l.startsWith(`${file}: routes.0.kind: expected one of "step-up"`)),
    ).toBeDefined();
    expect(lines).toContain(`${file}: routes.1.consent.required: expected boolean, received string`);
    expect((error as ProfileError).file).toBe(file);
  });

  it('reports references to things the profile does not have, with the dotted path', async () => {
    const bad = clone(manchesterProfile);
    const route = bad.routes[2];
    if (!route) throw new Error('fixture');
    route.consent.notSoughtReasons = ['nope'];
    route.to.service = 'eh-hub-east';
    const file = await writeProfile('bad-refs.yaml', stringify(bad));
    const message = await loadProfile(file).then(
      () => '',
      (e: Error) => e.message,
    );
    const lines = message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: routes\\.2\\.to\\.service: unknown service "eh-hub-east"`,
      ),
    );
    expect(lines).toContain(
      `${file}: routes.2.consent.notSoughtReasons.0: unknown consent reason "nope" (expected one of: child-protection-concern)`,
    );
  });

  it('explains a mistyped condition inside a union by its closest form', async () => {
    const bad = clone(manchesterProfile);
    const via = bad.routes[0]?.receiveVia?.[0];
    if (!via) throw new Error('fixture');
    via.when = { field: 'hub', equals: ['central'] } as unknown as typeof via.when;
    const file = await writeProfile('bad-union.yaml', stringify(bad));
    const message = await loadProfile(file).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(message).toBe(
      `${file}: routes.0.receiveVia.0.when.equals: expected string | number | boolean, received array`,
    );
  });

  it('says when a YAML file is not YAML at all', async () => {
    const file = await writeProfile('broken.yaml', 'id: [unclosed\n  council: x');
    await expect(loadProfile(file)).rejects.toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid YAML`),
    );
  });

  it('says when the file does not exist or is not a profile file type', async () => {
    await expect(loadProfile(join(dir, 'missing.yaml'))).rejects.toThrow(
      /missing\.yaml: cannot read the profile file \(no such file\)/,
    );
    await expect(loadProfile(join(dir, 'profile.txt'))).rejects.toThrow(
      /expected a \.json, \.yaml or \.yml profile file/,
    );
  });

  it('rejects a name that is neither built in nor a path', async () => {
    await expect(loadProfile('kent')).rejects.toThrow(UnknownProfileError);
    await expect(loadProfile('kent')).rejects.toThrow(
      'unknown protocol "kent": expected one of hackney, lambeth, somerset, halton, manchester, or a path to a profile file',
    );
  });

  it('a meeting outcome may record only a date field the route has', async () => {
    const bad = clone(haltonProfile) as unknown as {
      routes: { id: string; meetings: { outcomes?: { records?: string }[] }[] }[];
    };
    const route = bad.routes.find((r) => r.id === 'csc-to-map');
    const outcomes = route?.meetings[0]?.outcomes;
    if (!route || !outcomes?.[0] || !outcomes[1]) throw new Error('fixture');
    const i = bad.routes.indexOf(route);
    outcomes[0].records = 'no_such_field';
    outcomes[1].records = 'work_synopsis';
    const file = await writeProfile('bad-records.yaml', stringify(bad));
    const lines = ((await loadProfile(file).catch((e: unknown) => e)) as ProfileError).message.split('\n');
    expect(
      lines.find((l) =>
        l.startsWith(
          `${file}: routes.${i}.meetings.0.outcomes.0.records: unknown field "no_such_field" (expected one of: `,
        ),
      ),
    ).toBeDefined();
    expect(lines).toContain(
      `${file}: routes.${i}.meetings.0.outcomes.1.records: "work_synopsis" is a textarea field; an outcome records a date field`,
    );
  });

  it('formatZodIssues marks problems at the top level', () => {
    const result = profileSchema.safeParse('not a profile');
    if (result.success) throw new Error('expected a failure');
    expect(formatZodIssues('x.yaml', result.error)).toBe(
      'x.yaml: (top level): expected object, received string',
    );
  });
});
