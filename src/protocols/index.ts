/**
 * The built-in protocol profiles, and loading a profile by name or from a file (STEPWISE_PROTOCOL,
 * `stepwise protocol check <file>`). Every profile, built-in or not, passes the domain's schema.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type ProfileInput, type ProtocolProfile, profileSchema } from '../domain/profile.ts';
import { hackneyProfile } from './hackney.ts';
import { haltonProfile } from './halton.ts';
import { lambethProfile } from './lambeth.ts';
import { manchesterProfile } from './manchester.ts';
import { somersetProfile } from './somerset.ts';

export const profileNames = ['hackney', 'lambeth', 'somerset', 'halton', 'manchester'] as const;
export type ProfileName = (typeof profileNames)[number];

const inputs: Record<ProfileName, ProfileInput> = {
  hackney: hackneyProfile,
  lambeth: lambethProfile,
  somerset: somersetProfile,
  halton: haltonProfile,
  manchester: manchesterProfile,
};

export class UnknownProfileError extends Error {
  override name = 'UnknownProfileError';
  constructor(readonly requested: string) {
    super(
      `unknown protocol "${requested}": expected one of ${profileNames.join(', ')}, or a path to a profile file`,
    );
  }
}

/** A profile file that cannot be read, parsed or validated. The message has one line per problem. */
export class ProfileError extends Error {
  override name = 'ProfileError';
  constructor(
    readonly file: string,
    message: string,
    readonly issues: z.core.$ZodIssue[] = [],
  ) {
    super(message);
  }
}

export function isProfileName(name: string): name is ProfileName {
  return (profileNames as readonly string[]).includes(name);
}

const cache = new Map<ProfileName, ProtocolProfile>();

/** A built-in profile, validated once and cached. Throws UnknownProfileError for any other name. */
export function builtInProfile(name: string): ProtocolProfile {
  if (!isProfileName(name)) throw new UnknownProfileError(name);
  let profile = cache.get(name);
  if (!profile) {
    const result = profileSchema.safeParse(inputs[name]);
    // A broken built-in is a programming error; say where, as for any file.
    const where = `src/protocols/${name}.ts`;
    if (!result.success)
      throw new ProfileError(where, formatZodIssues(where, result.error), result.error.issues);
    profile = deepFreeze(result.data);
    cache.set(name, profile);
  }
  return profile;
}

/**
 * A built-in profile by name, or a profile file (.json, .yaml or .yml). Invalid content throws ProfileError
 * naming the file, each failing path inside it and what was expected, one line per problem.
 */
export async function loadProfile(nameOrPath: string): Promise<ProtocolProfile> {
  if (isProfileName(nameOrPath)) return builtInProfile(nameOrPath);
  const ext = extname(nameOrPath).toLowerCase();
  const looksLikePath = /[\\/]/.test(nameOrPath) || ext !== '';
  if (!looksLikePath) throw new UnknownProfileError(nameOrPath);
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw new ProfileError(nameOrPath, `${nameOrPath}: expected a .json, .yaml or .yml profile file`);
  }
  let raw: string;
  try {
    raw = await readFile(nameOrPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ProfileError(nameOrPath, `${nameOrPath}: cannot read the profile file (${why})`);
  }
  let data: unknown;
  try {
    data = ext === '.json' ? JSON.parse(raw) : parseYaml(raw);
  } catch (err) {
    const kind = ext === '.json' ? 'JSON' : 'YAML';
    const detail = (err as Error).message.split('\n')[0];
    throw new ProfileError(nameOrPath, `${nameOrPath}: not valid ${kind}: ${detail}`);
  }
  const result = profileSchema.safeParse(data);
  if (!result.success)
    throw new ProfileError(nameOrPath, formatZodIssues(nameOrPath, result.error), result.error.issues);
  return result.data;
}

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/**
 * One line per problem: `<file>: <dotted.path>: <what was expected>`. Unions are opened up: the closest
 * alternative's own problems are reported, so a mistyped condition says which key or value is wrong.
 */
export function formatZodIssues(file: string, error: z.ZodError): string {
  const lines: string[] = [];
  for (const issue of error.issues) {
    for (const { path, message } of explain(issue, [])) {
      const at = path.length ? path.map((p) => String(p)).join('.') : '(top level)';
      lines.push(`${file}: ${at}: ${message}`);
    }
  }
  return [...new Set(lines)].join('\n');
}

function explain(issue: Issue, base: PathKey[]): { path: PathKey[]; message: string }[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branches = issue.errors;
    const fewest = Math.min(...branches.map((b) => b.length));
    const closest = branches.filter((b) => b.length === fewest);
    const only = closest[0];
    if (closest.length === 1 && only) return only.flatMap((i) => explain(i, path));
    // A value of the wrong type for a union of types: "expected string | number | boolean, received array".
    const types = closest.map((b) =>
      b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0 ? b[0] : null,
    );
    if (types.every((t) => t !== null)) {
      const received = /received (\w+)/.exec(types[0]?.message ?? '')?.[1] ?? 'something else';
      return [
        {
          path,
          message: `expected ${[...new Set(types.map((t) => t?.expected))].join(' | ')}, received ${received}`,
        },
      ];
    }
    // No single closest alternative: say what each would have needed.
    const alternatives = closest.slice(0, 4).map((b) =>
      b
        .flatMap((i) => explain(i, []))
        .map((e) =>
          e.path.length ? `${e.path.map(String).join('.')}: ${plain(e.message)}` : plain(e.message),
        )
        .join(', '),
    );
    const more = closest.length > 4 ? `; or ${closest.length - 4} other forms` : '';
    return [{ path, message: `matches none of the allowed forms: ${alternatives.join('; or ')}${more}` }];
  }
  return [{ path, message: plain(issue.message) }];
}

/** Zod's "Invalid input: expected string, received number" reads better as "expected string, received number". */
function plain(message: string): string {
  return message.replace(/^Invalid (input|option): /, '');
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
