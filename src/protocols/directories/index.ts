/** The demo directories (fictional teams and people) shipped with each built-in profile. */
import { fileURLToPath } from 'node:url';
import type { ProfileName } from '../index.ts';

/** The absolute path of a built-in profile's demo directory file (YAML, fictional data). */
export function demoDirectoryPath(name: ProfileName): string {
  return fileURLToPath(new URL(`./${name}.yaml`, import.meta.url));
}
