/** Look-ups shared by the profile data tests: a missing id fails with the ids that do exist. */
import { builtInProfile, type ProfileName } from '../../../src/protocols/index.ts';

export function byId<T extends { id: string }>(items: readonly T[], id: string): T {
  const found = items.find((i) => i.id === id);
  if (!found) throw new Error(`no "${id}" in [${items.map((i) => i.id).join(', ')}]`);
  return found;
}

export function gateRequire(gate: { kind: string; require?: unknown }): unknown {
  if (gate.kind !== 'require') throw new Error(`not a require gate: ${gate.kind}`);
  return gate.require;
}

export function profileOf(name: ProfileName) {
  const p = builtInProfile(name);
  return { p, route: (id: string) => byId(p.routes, id) };
}
