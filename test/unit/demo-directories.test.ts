/**
 * The demo directories shipped with the five built-in profiles: each parses, passes the cross-check against its
 * profile, gives every service a team, and staffs every rung of every escalation ladder on both sides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  checkDirectory,
  Directory,
  type DirectoryFile,
  directoryFileSchema,
  directoryFromFile,
  type Person,
} from '../../src/domain/directory.ts';
import type { ProtocolProfile, Route } from '../../src/domain/profile.ts';
import { defaultDeciders, type Role } from '../../src/domain/roles.ts';
import { demoDirectoryPath } from '../../src/protocols/directories/index.ts';
import { builtInProfile, profileNames } from '../../src/protocols/index.ts';

const teamLevelRoles: Role[] = ['practitioner', 'senior', 'team_manager'];

function load(name: (typeof profileNames)[number]): {
  text: string;
  file: DirectoryFile;
  directory: Directory;
} {
  const text = readFileSync(demoDirectoryPath(name), 'utf8');
  const file = directoryFileSchema.parse(parseYaml(text));
  const { teams, people } = directoryFromFile(file);
  return { text, file, directory: new Directory(teams, people) };
}

/** The services a route's request can come from, and the ones it can land in. */
function sides(route: Route): { sending: string[]; receiving: string[] } {
  return {
    sending: route.from.services,
    receiving: [route.to.service, ...route.receiveVia.map((v) => v.service)],
  };
}

/** As the workflow finds a rung's people for one side: that service's holders of the roles, else anyone's. */
function rungPeople(directory: Directory, service: string, roles: readonly Role[]): Person[] {
  const holders = directory.people.filter((p) => directory.hasRole(p, roles));
  const sameService = holders.filter((p) => directory.team(p.teamId)?.service === service);
  return sameService.length ? sameService : holders;
}

function ladderOf(profile: ProtocolProfile, route: Route) {
  const id = route.ladder ?? profile.defaultLadder;
  const ladder = profile.ladders.find((l) => l.id === id);
  if (!ladder) throw new Error(`no ladder "${id}"`);
  return ladder;
}

describe('demo directories', () => {
  for (const name of profileNames) {
    describe(name, () => {
      const profile = builtInProfile(name);

      it(`${name}: demoDirectoryPath gives an absolute path to an existing file`, () => {
        const path = demoDirectoryPath(name);
        expect(isAbsolute(path)).toBe(true);
        expect(path.endsWith(`${name}.yaml`)).toBe(true);
        expect(existsSync(path)).toBe(true);
      });

      it(`${name}: parses with directoryFileSchema and says at the top that it is fictional`, () => {
        const text = readFileSync(demoDirectoryPath(name), 'utf8');
        const result = directoryFileSchema.safeParse(parseYaml(text));
        expect(result.success, result.error?.message).toBe(true);
        expect(text.split('\n')[0]).toMatch(/^#/);
        expect(text.split('\n').slice(0, 5).join('\n')).toMatch(/fictional/i);
      });

      it(`${name}: passes checkDirectory against the ${name} profile with no issues`, () => {
        const { file } = load(name);
        expect(checkDirectory(file, profile)).toEqual([]);
      });

      it(`${name}: every service of the profile has a team`, () => {
        const { directory } = load(name);
        const missing = profile.services
          .filter((s) => directory.teamsProviding(s.id).length === 0)
          .map((s) => s.id);
        expect(missing).toEqual([]);
      });

      it(`${name}: every team has a practitioner, a senior and a team manager, and a Slack and a Teams channel`, () => {
        const { directory } = load(name);
        for (const team of directory.teams) {
          for (const role of teamLevelRoles) {
            expect(directory.members(team.id, [role]).length, `${team.id} has no ${role}`).toBeGreaterThan(0);
          }
          expect(team.slackChannel, team.id).toMatch(/^C[A-Z0-9]+$/);
          expect(team.teamsChannel, team.id).toMatch(/^19:.+@thread\.tacv2$/);
        }
      });

      it(`${name}: has an administrator`, () => {
        const { directory } = load(name);
        expect(directory.people.filter((p) => p.roles.includes('admin')).length).toBeGreaterThan(0);
      });

      it(`${name}: people are findable by e-mail, Slack and Teams id, each of which is unique and made up`, () => {
        const { directory } = load(name);
        const unique = (values: (string | null)[]) => new Set(values).size === values.length;
        expect(unique(directory.people.map((p) => p.slackUser))).toBe(true);
        expect(unique(directory.people.map((p) => p.teamsUser))).toBe(true);
        expect(unique(directory.teams.map((t) => t.slackChannel))).toBe(true);
        expect(unique(directory.teams.map((t) => t.teamsChannel))).toBe(true);
        for (const p of directory.people) {
          expect(p.email, p.id).toMatch(/@example\.gov\.uk$/);
          expect(p.slackUser, p.id).toMatch(/^U[A-Z0-9]+$/);
          expect(p.teamsUser, p.id).toMatch(/^29:/);
          expect(directory.byEmail(p.email?.toUpperCase() ?? '')?.id).toBe(p.id);
          expect(directory.bySlackUser(p.slackUser ?? '')?.id).toBe(p.id);
          expect(directory.byTeamsUser(p.teamsUser ?? '')?.id).toBe(p.id);
        }
      });

      it(`${name}: every ladder stage's roles are held by someone, on the sending and the receiving side`, () => {
        const { directory } = load(name);
        for (const ladder of profile.ladders) {
          for (const stage of ladder.stages) {
            for (const side of ['sending', 'receiving'] as const) {
              const holders = directory.people.filter((p) => directory.hasRole(p, stage.roles[side]));
              expect(
                holders.length,
                `${ladder.id}/${stage.id} ${side}: nobody holds ${stage.roles[side]}`,
              ).toBeGreaterThan(0);
            }
          }
        }
      });

      it(`${name}: on every route, each rung of its ladder finds people on both sides; team-level rungs within the service`, () => {
        const { directory } = load(name);
        for (const route of profile.routes) {
          const ladder = ladderOf(profile, route);
          const { sending, receiving } = sides(route);
          for (const stage of ladder.stages) {
            for (const [side, services] of [
              ['sending', sending],
              ['receiving', receiving],
            ] as const) {
              const roles = stage.roles[side];
              const teamLevel = roles.every((r) => teamLevelRoles.includes(r));
              for (const service of services) {
                const people = rungPeople(directory, service, roles);
                const where = `${route.id} ${ladder.id}/${stage.id} ${side} ${service}`;
                expect(people.length, where).toBeGreaterThan(0);
                if (teamLevel) {
                  expect(
                    people.every((p) => directory.team(p.teamId)?.service === service),
                    `${where}: team-level roles should be found in the service itself`,
                  ).toBe(true);
                }
              }
            }
          }
        }
      });

      it(`${name}: every team that can receive a request has someone who may decide on it`, () => {
        const { directory } = load(name);
        for (const route of profile.routes.filter((r) => r.decision.mode === 'decide')) {
          const deciders = route.decision.deciders ?? defaultDeciders;
          for (const service of sides(route).receiving) {
            for (const team of directory.teamsProviding(service)) {
              expect(directory.members(team.id, deciders).length, `${route.id}: ${team.id}`).toBeGreaterThan(
                0,
              );
            }
          }
        }
      });

      it(`${name}: the upper rungs of the ladders (service managers or heads of service, directors) are staffed on more than one side`, () => {
        const { directory } = load(name);
        const serviceOf = (p: Person) => directory.team(p.teamId)?.service;
        for (const roles of [['service_manager', 'head_of_service'], ['director']] as Role[][]) {
          const services = new Set(
            directory.people.filter((p) => directory.hasRole(p, roles)).map(serviceOf),
          );
          expect(services.size, `${roles.join('/')} in only ${[...services].join(', ')}`).toBeGreaterThan(1);
        }
      });
    });
  }
});
