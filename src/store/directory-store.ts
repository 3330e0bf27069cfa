/**
 * Loading the directory file into the database (replacing what was there, in one transaction) and reading it
 * back into the in-memory Directory the workflow authorises with.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import {
  checkDirectory,
  Directory,
  directoryFileSchema,
  directoryFromFile,
  type Person,
  type Team,
} from '../domain/directory.ts';
import type { ProtocolProfile } from '../domain/profile.ts';
import type { Role } from '../domain/roles.ts';
import { formatZodIssues } from '../protocols/index.ts';
import type { Database } from './database.ts';

/** A directory file that cannot be used; the message names the file, the field and what was expected. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
}

export async function parseDirectoryFile(path: string, profile: ProtocolProfile) {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new DirectoryError(
      `${path}: cannot read the directory file (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new DirectoryError(`${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = directoryFileSchema.safeParse(raw);
  if (!parsed.success) throw new DirectoryError(formatZodIssues(path, parsed.error));
  const issues = checkDirectory(parsed.data, profile);
  if (issues.length) {
    throw new DirectoryError(issues.map((i) => `${path}: ${i.path}: ${i.message}`).join('\n'));
  }
  return directoryFromFile(parsed.data);
}

/** Validates the whole file first; only then replaces the stored directory. Nothing is written on error. */
export async function loadDirectoryFile(
  db: Database,
  path: string,
  profile: ProtocolProfile,
): Promise<{ teams: number; people: number }> {
  const { teams, people } = await parseDirectoryFile(path, profile);
  // People leave first and teams last: someone kept but moved to a new team still points at their old one
  // until their row is updated, so the old team can only go once everyone is in place.
  await db.prisma.$transaction(async (tx) => {
    await tx.person.deleteMany({ where: { id: { notIn: people.map((p) => p.id) } } });
    // A channel linked with `/transfer link` or a Slack user matched by e-mail is kept unless the file names one.
    for (const t of teams) {
      const update = {
        ...t,
        slackChannel: t.slackChannel ?? undefined,
        teamsChannel: t.teamsChannel ?? undefined,
      };
      await tx.team.upsert({ where: { id: t.id }, create: t, update });
    }
    for (const p of people) {
      const update = { ...p, slackUser: p.slackUser ?? undefined, teamsUser: p.teamsUser ?? undefined };
      await tx.person.upsert({ where: { id: p.id }, create: p, update });
    }
    await tx.team.deleteMany({ where: { id: { notIn: teams.map((t) => t.id) } } });
  });
  return { teams: teams.length, people: people.length };
}

export async function readDirectory(db: Database): Promise<Directory> {
  const [teams, people] = await Promise.all([db.prisma.team.findMany(), db.prisma.person.findMany()]);
  return new Directory(
    teams.map(
      (t): Team => ({
        id: t.id,
        service: t.service,
        name: t.name,
        slackChannel: t.slackChannel,
        teamsChannel: t.teamsChannel,
      }),
    ),
    people.map(
      (p): Person => ({
        id: p.id,
        name: p.name,
        teamId: p.teamId,
        roles: p.roles as Role[],
        email: p.email,
        slackUser: p.slackUser,
        teamsUser: p.teamsUser,
      }),
    ),
  );
}

/** Links a chat channel to a directory team (`/transfer link <team id>` run in that channel). */
export async function linkTeamChannel(
  db: Database,
  teamId: string,
  surface: 'slack' | 'teams',
  channel: string,
): Promise<void> {
  await db.prisma.team.update({
    where: { id: teamId },
    data: surface === 'slack' ? { slackChannel: channel } : { teamsChannel: channel },
  });
}

/** Remembers a person's chat user id once they were matched by e-mail, so the next match needs no lookup. */
export async function linkPersonUser(
  db: Database,
  personId: string,
  surface: 'slack' | 'teams',
  user: string,
): Promise<void> {
  await db.prisma.person.update({
    where: { id: personId },
    data: surface === 'slack' ? { slackUser: user } : { teamsUser: user },
  });
}
