import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fromRoot } from '../../paths.ts';
import { type ProfileName, profileNames } from '../index.ts';

/** The absolute path of a built-in profile's demo directory file (YAML, fictional data). */
export function demoDirectoryPath(name: ProfileName): string {
  return fromRoot('src', 'protocols', 'directories', `${name}.yaml`);
}

/**
 * The built-in protocol whose demo directory has exactly these team ids, if any: a stored directory that is
 * one of the fictional demo directories (never a council's own) may be swapped for another protocol's.
 */
export function demoDirectoryWithTeams(teamIds: readonly string[]): ProfileName | undefined {
  const wanted = [...teamIds].sort().join('\n');
  return profileNames.find((name) => {
    const file = parse(readFileSync(demoDirectoryPath(name), 'utf8')) as { teams?: { id?: string }[] };
    return (
      (file.teams ?? [])
        .map((t) => String(t.id))
        .sort()
        .join('\n') === wanted
    );
  });
}
