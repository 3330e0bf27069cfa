// Who is chased, and who may resolve at a ladder stage, when a team has nobody in the role: the same service's
// holders, and council-wide only for the council-wide roles. Pure: a directory built in memory.
import { describe, expect, it } from 'vitest';
import { Directory, type Person, type Team } from '../../src/domain/directory.ts';

const team = (id: string, service: string): Team => ({
  id,
  service,
  name: id,
  slackChannel: null,
  teamsChannel: null,
});
const person = (id: string, teamId: string, roles: Person['roles']): Person => ({
  id,
  name: id,
  teamId,
  roles,
  email: null,
  slackUser: null,
  teamsUser: null,
});

const directory = new Directory(
  [team('sw-north', 'area-sw'), team('sw-south', 'area-sw'), team('hub-north', 'eh-hub')],
  [
    person('nia', 'sw-north', ['practitioner']),
    person('sam', 'sw-south', ['team_manager']),
    person('hal', 'hub-north', ['service_manager', 'team_manager']),
    person('dee', 'hub-north', ['director']),
  ],
);

describe('the nearest holders of a role', () => {
  it('are the team’s own, else the same service’s', () => {
    expect(directory.nearest('sw-north', ['team_manager']).map((p) => p.id)).toEqual(['sam']);
  });

  it('are never another service’s team or service managers', () => {
    expect(directory.nearest('sw-north', ['service_manager'])).toEqual([]);
  });

  it('are found anywhere for the council-wide roles', () => {
    expect(directory.nearest('sw-north', ['director']).map((p) => p.id)).toEqual(['dee']);
  });
});
