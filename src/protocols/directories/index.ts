import { fromRoot } from '../../paths.ts';
import type { ProfileName } from '../index.ts';

/** The absolute path of a built-in profile's demo directory file (YAML, fictional data). */
export function demoDirectoryPath(name: ProfileName): string {
  return fromRoot('src', 'protocols', 'directories', `${name}.yaml`);
}
