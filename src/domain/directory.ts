/**
 * The directory: which real teams provide the profile's services, and who is in them with which roles.
 * Identity is the directory, not the chat channel: being in a channel never grants a decision.
 */
import { z } from 'zod';
import type { ProtocolProfile } from './profile.ts';
import { type Role, roleSchema } from './roles.ts';

const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'an id of letters, digits, ".", "-" or "_"')
  .max(64);

export const directoryFileSchema = z.strictObject({
  teams: z
    .array(
      z.strictObject({
        id,
        service: z.string().min(1),
        name: z.string().min(1).max(120),
        slack_channel: z
          .string()
          .regex(/^[CG][A-Z0-9]+$/, 'a Slack channel id such as C0MASH00')
          .optional(),
        teams_channel: z.string().min(3).optional(),
      }),
    )
    .min(1),
  people: z.array(
    z.strictObject({
      id,
      name: z.string().min(1).max(120),
      team: z.string().min(1),
      roles: z.array(roleSchema).min(1),
      email: z.email().optional(),
      slack_user: z
        .string()
        .regex(/^[UW][A-Z0-9]+$/, 'a Slack user id such as U0SAM000')
        .optional(),
      teams_user: z.string().min(3).optional(),
    }),
  ),
});
export type DirectoryFile = z.infer<typeof directoryFileSchema>;

export interface Team {
  id: string;
  service: string;
  name: string;
  slackChannel: string | null;
  teamsChannel: string | null;
}
export interface Person {
  id: string;
  name: string;
  teamId: string;
  roles: Role[];
  email: string | null;
  slackUser: string | null;
  teamsUser: string | null;
}

export interface DirectoryIssue {
  path: string;
  message: string;
}

/** Cross-checks a parsed directory file against the profile: services exist, teams exist, ids unique. */
export function checkDirectory(file: DirectoryFile, profile: ProtocolProfile): DirectoryIssue[] {
  const issues: DirectoryIssue[] = [];
  const services = new Set(profile.services.map((s) => s.id));
  const teamIds = new Set<string>();
  file.teams.forEach((t, i) => {
    if (teamIds.has(t.id)) issues.push({ path: `teams.${i}.id`, message: `duplicate team id "${t.id}"` });
    teamIds.add(t.id);
    if (!services.has(t.service)) {
      issues.push({
        path: `teams.${i}.service`,
        message: `unknown service "${t.service}" for the ${profile.id} protocol (expected one of: ${[...services].join(', ')})`,
      });
    }
  });
  const personIds = new Set<string>();
  const emails = new Map<string, string>();
  file.people.forEach((p, i) => {
    if (personIds.has(p.id))
      issues.push({ path: `people.${i}.id`, message: `duplicate person id "${p.id}"` });
    personIds.add(p.id);
    if (!teamIds.has(p.team)) issues.push({ path: `people.${i}.team`, message: `unknown team "${p.team}"` });
    const email = p.email?.toLowerCase();
    if (email && emails.has(email)) {
      issues.push({ path: `people.${i}.email`, message: `e-mail also used by "${emails.get(email)}"` });
    }
    if (email) emails.set(email, p.id);
  });
  return issues;
}

/** Converts a directory file into the stored shape. */
export function directoryFromFile(file: DirectoryFile): { teams: Team[]; people: Person[] } {
  return {
    teams: file.teams.map((t) => ({
      id: t.id,
      service: t.service,
      name: t.name,
      slackChannel: t.slack_channel ?? null,
      teamsChannel: t.teams_channel ?? null,
    })),
    people: file.people.map((p) => ({
      id: p.id,
      name: p.name,
      teamId: p.team,
      roles: p.roles,
      email: p.email?.toLowerCase() ?? null,
      slackUser: p.slack_user ?? null,
      teamsUser: p.teams_user ?? null,
    })),
  };
}

/** An in-memory, read-only view of the directory used to authorise every action. */
export class Directory {
  private readonly teamsById = new Map<string, Team>();
  private readonly peopleById = new Map<string, Person>();

  constructor(teams: Team[], people: Person[]) {
    for (const t of teams) this.teamsById.set(t.id, t);
    for (const p of people) this.peopleById.set(p.id, p);
  }

  get teams(): Team[] {
    return [...this.teamsById.values()];
  }
  get people(): Person[] {
    return [...this.peopleById.values()];
  }
  team(teamId: string): Team | undefined {
    return this.teamsById.get(teamId);
  }
  person(personId: string): Person | undefined {
    return this.peopleById.get(personId);
  }
  byEmail(email: string): Person | undefined {
    const e = email.toLowerCase();
    return this.people.find((p) => p.email === e);
  }
  bySlackUser(user: string): Person | undefined {
    return this.people.find((p) => p.slackUser === user);
  }
  byTeamsUser(user: string): Person | undefined {
    return this.people.find((p) => p.teamsUser === user);
  }
  teamsProviding(service: string): Team[] {
    return this.teams.filter((t) => t.service === service);
  }
  members(teamId: string, roles?: readonly Role[]): Person[] {
    return this.people.filter(
      (p) => p.teamId === teamId && (!roles || p.roles.some((r) => roles.includes(r))),
    );
  }
  hasRole(person: Person, roles: readonly Role[]): boolean {
    return person.roles.some((r) => roles.includes(r));
  }
  /**
   * Holders of the roles nearest a team: in the team, else in teams providing the same service. Only the
   * council-wide roles (head of service, director) are looked for anywhere: another service's team managers
   * are not this team's, and must not be chased, or given the say, in its place. Empty: nobody holds them.
   */
  nearest(teamId: string, roles: readonly Role[]): Person[] {
    const own = this.members(teamId, roles);
    if (own.length) return own;
    const service = this.team(teamId)?.service;
    const same = this.people.filter(
      (p) => this.team(p.teamId)?.service === service && this.hasRole(p, roles),
    );
    if (same.length) return same;
    const councilWide = roles.filter((r) => r === 'head_of_service' || r === 'director');
    return councilWide.length ? this.people.filter((p) => this.hasRole(p, councilWide)) : [];
  }
}
