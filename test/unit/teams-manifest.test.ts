// The Teams app package: manifests/teams/manifest.json is valid against the official Teams manifest schema
// (from Microsoft's @microsoft/app-manifest package, no network), lists exactly the commands in src/channels/commands.ts
// for every scope, its icons are what Teams accepts, and `npm run package:teams` builds the zip the council's
// Teams admin uploads (or refuses, in one line, without a bot id).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { ManifestUtil, type TeamsAppManifest } from '@microsoft/teams-manifest';
import type { JSONSchemaType } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { commandDescriptions, slackCommands } from '../../src/channels/commands.ts';

const root = join(import.meta.dirname, '../..');
const teamsDir = join(root, 'manifests/teams');
const template = readFileSync(join(teamsDir, 'manifest.json'), 'utf8');
// The official schema, from Microsoft's @microsoft/app-manifest package (a dev dependency).
const schema = JSON.parse(
  readFileSync(
    join(
      root,
      'node_modules',
      '@microsoft',
      'app-manifest',
      'build',
      'json-schemas',
      'teams',
      'v1.30',
      'MicrosoftTeams.schema.json',
    ),
    'utf8',
  ),
);
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

const BOT_ID = '6e2b9a1c-3d4f-4a5b-8c7d-9e0f1a2b3c4d';
const APP_ID = 'b0b5e3c2-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
/** A placeholder as manifest.json writes it: ${{NAME}}. */
const token = (name: string) => `$${'{{'}${name}}}`;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Command = { title: string; description?: string };
type Manifest = TeamsAppManifest & {
  manifestVersion: string;
  bots: { botId: string; scopes: string[]; commandLists: { scopes: string[]; commands: Command[] }[] }[];
};

/** The manifest as packaged: the ${{...}} tokens replaced. */
function substituted(vars: Record<string, string>): Manifest {
  return JSON.parse(
    template.replace(/\$\{\{([A-Z0-9_]+)\}\}/g, (match, name: string) => vars[name] ?? match),
  ) as Manifest;
}
const manifest = substituted({
  MICROSOFT_APP_ID: BOT_ID,
  STEPWISE_TEAMS_APP_ID: APP_ID,
  PACKAGE_VERSION: version,
});
const validate = (m: Manifest) =>
  ManifestUtil.validateManifestAgainstSchema(
    m as TeamsAppManifest,
    schema as JSONSchemaType<TeamsAppManifest>,
  );

/** A minimal PNG reader: IHDR, and the pixels as RGBA for 8-bit RGB / RGBA, non-interlaced. */
function readPng(buf: Buffer) {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; data: Buffer }[] = [];
  for (let o = 8; o < buf.length; ) {
    const len = buf.readUInt32BE(o);
    chunks.push({ type: buf.toString('latin1', o + 4, o + 8), data: buf.subarray(o + 8, o + 8 + len) });
    o += 12 + len;
  }
  const ihdr = chunks[0];
  if (ihdr?.type !== 'IHDR') throw new Error('no IHDR');
  const width = ihdr.data.readUInt32BE(0);
  const height = ihdr.data.readUInt32BE(4);
  const [depth, colourType, , , interlace] = ihdr.data.subarray(8);
  const pixels = () => {
    const channels = colourType === 6 ? 4 : colourType === 2 ? 3 : 0;
    if (depth !== 8 || interlace !== 0 || !channels) throw new Error('not an 8-bit RGB(A) PNG');
    const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    const stride = width * channels;
    const px = Buffer.alloc(height * stride);
    const at = (b: Buffer, i: number) => b[i] ?? 0;
    for (let y = 0; y < height; y++) {
      const filter = at(raw, y * (stride + 1));
      for (let i = 0; i < stride; i++) {
        const a = i >= channels ? at(px, y * stride + i - channels) : 0;
        const b = y > 0 ? at(px, (y - 1) * stride + i) : 0;
        const c = y > 0 && i >= channels ? at(px, (y - 1) * stride + i - channels) : 0;
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        const pred = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
        if (pred === undefined) throw new Error(`bad filter ${filter}`);
        px[y * stride + i] = (at(raw, y * (stride + 1) + 1 + i) + pred) & 0xff;
      }
    }
    const rgba: [number, number, number, number][] = [];
    for (let i = 0; i < width * height; i++) {
      const s = i * channels;
      rgba.push([at(px, s), at(px, s + 1), at(px, s + 2), channels === 4 ? at(px, s + 3) : 255]);
    }
    return rgba;
  };
  return { width, height, colourType, pixels };
}

/** The entries of a zip, from its central directory, with their contents (stored or deflated). */
function readZip(buf: Buffer) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  expect(eocd).toBeGreaterThanOrEqual(0);
  const count = buf.readUInt16LE(eocd + 10);
  let o = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    expect(buf.readUInt32LE(o)).toBe(0x02014b50);
    const method = buf.readUInt16LE(o + 10);
    const compressed = buf.readUInt32LE(o + 20);
    const nameLen = buf.readUInt16LE(o + 28);
    const extraLen = buf.readUInt16LE(o + 30);
    const commentLen = buf.readUInt16LE(o + 32);
    const local = buf.readUInt32LE(o + 42);
    const name = buf.toString('utf8', o + 46, o + 46 + nameLen);
    const data = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const body = buf.subarray(data, data + compressed);
    entries.set(name, method === 8 ? inflateRawSync(body) : Buffer.from(body));
    o += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

describe('manifests/teams/manifest.json', () => {
  it('is valid against the official Teams manifest schema it names, once the ids are filled in', async () => {
    expect(manifest.manifestVersion).toBe(schema.properties.manifestVersion.const);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/en-us/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(Number(manifest.manifestVersion.split('.')[1])).toBeGreaterThanOrEqual(17);
    expect(await validate(manifest)).toEqual([]);
    // and the schema really is checking: a manifest that is not a GUID fails
    expect(await validate({ ...manifest, id: 'not-a-guid' })).not.toEqual([]);
  });

  it('fills in the bot id, the app id and the version from placeholders, never from fixed values', () => {
    const raw = JSON.parse(template) as Manifest;
    expect(raw.bots[0]?.botId).toBe(token('MICROSOFT_APP_ID'));
    expect(raw.id).toBe(token('STEPWISE_TEAMS_APP_ID'));
    expect(raw.version).toBe(token('PACKAGE_VERSION'));
    expect(manifest.bots[0]?.botId).toBe(BOT_ID);
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.version).toBe(version);
  });

  it('is a conversational bot in teams, personal chats and group chats, with no files', () => {
    expect(manifest.bots).toHaveLength(1);
    const bot = manifest.bots[0] as Manifest['bots'][number] & {
      supportsFiles: boolean;
      isNotificationOnly: boolean;
    };
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
    expect(manifest.name.short).toBe('Stepwise');
    expect(manifest.developer.name).toBe('Stepwise');
    for (const url of [
      manifest.developer.websiteUrl,
      manifest.developer.privacyUrl,
      manifest.developer.termsOfUseUrl,
    ])
      expect(new URL(url).protocol).toBe('https:');
    expect(manifest.description.full).toMatch(/Early Help/);
    expect(manifest.description.full).toMatch(/Children's Social Care/);
    expect(manifest.description.full).toMatch(/escalation ladder/);
  });

  it('lists exactly stepup, stepdown, stepin and transfer for each scope, as src/channels/commands.ts has them', () => {
    const bot = manifest.bots[0];
    if (!bot) throw new Error('no bot');
    const expected = slackCommands.map((c) => c.slice(1));
    expect(expected).toEqual(['stepup', 'stepdown', 'stepin', 'transfer']);
    for (const scope of bot.scopes) {
      const lists = bot.commandLists.filter((l) => l.scopes.includes(scope));
      expect(lists, scope).toHaveLength(1);
      const commands = lists[0]?.commands ?? [];
      expect(commands.map((c) => c.title)).toEqual(expected);
      const described = (name: string) => commands.find((c) => c.title === name)?.description ?? '';
      for (const c of commands) {
        expect(c.description?.length ?? 0).toBeGreaterThan(0);
        expect(c.description?.length ?? 0).toBeLessThanOrEqual(128); // Teams' command menu shows 128 at most
        expect(commandDescriptions[`/${c.title}` as (typeof slackCommands)[number]]).toBeDefined();
      }
      // the same meaning as the Slack descriptions: the direction of each request, and /transfer's words
      expect(described('stepup')).toMatch(/stepped up|step(ped)? .*up/i);
      expect(commandDescriptions['/stepup']).toMatch(/stepped up|step(ped)? .*up/i);
      expect(described('stepdown')).toMatch(/down/i);
      expect(commandDescriptions['/stepdown']).toMatch(/down/i);
      expect(described('stepin')).toMatch(/step a child in/i);
      expect(commandDescriptions['/stepin']).toMatch(/step a child in/i);
      for (const word of ['status', 'list', 'dispute', 'withdraw', 'help']) {
        expect(described('transfer')).toMatch(new RegExp(`\\b${word}\\b`));
        expect(commandDescriptions['/transfer']).toMatch(new RegExp(`\\b${word}\\b`));
      }
    }
    expect(bot.commandLists.flatMap((l) => l.scopes).sort()).toEqual([...bot.scopes].sort());
  });
});

describe('manifests/teams icons', () => {
  it('color.png is a 192x192 full-colour PNG', () => {
    const png = readPng(readFileSync(join(teamsDir, manifest.icons.color)));
    expect([png.width, png.height]).toEqual([192, 192]);
    const colours = new Set(png.pixels().map((p) => p.join(',')));
    expect(colours.has('20,50,92,255')).toBe(true); // the Stepwise blue, #14325c
    expect(colours.has('255,255,255,255')).toBe(true); // the white arrows
  });

  it('outline.png is 32x32, white on transparent and nothing else', () => {
    const png = readPng(readFileSync(join(teamsDir, manifest.icons.outline)));
    expect([png.width, png.height]).toEqual([32, 32]);
    expect(png.colourType).toBe(6); // RGBA: it has an alpha channel
    const px = png.pixels();
    const notWhite = px.filter(([r, g, b, a]) => a > 0 && (r !== 255 || g !== 255 || b !== 255));
    expect(notWhite).toEqual([]);
    expect(px.filter((p) => p[3] === 0).length).toBeGreaterThan(200); // a transparent background
    expect(px.filter((p) => p[3] === 255).length).toBeGreaterThan(100); // and a white shape
  });
});

describe('npm run package:teams (scripts/package-teams.mjs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-teams-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (env: Record<string, string>, ...args: string[]) => {
    const base = { ...process.env };
    for (const k of ['MICROSOFT_APP_ID', 'STEPWISE_TEAMS_APP_ID', 'STEPWISE_PUBLIC_URL', 'INIT_CWD'])
      delete base[k];
    return spawnSync(process.execPath, [join(root, 'scripts/package-teams.mjs'), ...args], {
      cwd: root,
      env: { ...base, ...env },
      encoding: 'utf8',
    });
  };
  const manifestIn = (zip: Map<string, Buffer>) => JSON.parse(String(zip.get('manifest.json'))) as Manifest;

  it('writes a zip of exactly manifest.json, color.png and outline.png, with the ids and version filled in', async () => {
    const out = join(dir, 'stepwise.zip');
    const r = run({ MICROSOFT_APP_ID: BOT_ID.toUpperCase() }, out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(out);
    expect(r.stdout).toContain('the path given');
    const zip = readZip(readFileSync(out));
    expect([...zip.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(zip.get('color.png')).toEqual(readFileSync(join(teamsDir, 'color.png')));
    expect(zip.get('outline.png')).toEqual(readFileSync(join(teamsDir, 'outline.png')));
    const packaged = manifestIn(zip);
    expect(packaged.bots[0]?.botId).toBe(BOT_ID);
    expect(packaged.version).toBe(version);
    expect(packaged.id).toMatch(GUID);
    expect(packaged.id).not.toBe(BOT_ID);
    expect(JSON.stringify(packaged)).not.toMatch(/\$\{\{/);
    expect(await validate(packaged)).toEqual([]);
    expect(readFileSync(out).length).toBeLessThan(10 * 1024 * 1024);

    // the app id is stable for a bot (so a new package updates the same app), and can be given
    const again = join(dir, 'again.zip');
    expect(run({ MICROSOFT_APP_ID: BOT_ID }, again).status).toBe(0);
    expect(manifestIn(readZip(readFileSync(again))).id).toBe(packaged.id);
    const given = join(dir, 'given.zip');
    expect(
      run(
        {
          MICROSOFT_APP_ID: BOT_ID,
          STEPWISE_TEAMS_APP_ID: APP_ID,
          STEPWISE_PUBLIC_URL: 'https://sw.council.gov.uk/',
        },
        given,
      ).status,
    ).toBe(0);
    const withHost = manifestIn(readZip(readFileSync(given)));
    expect(withHost.id).toBe(APP_ID);
    expect(withHost.validDomains).toEqual(['sw.council.gov.uk']);
  });

  it('without MICROSOFT_APP_ID, or with one that is not a GUID, exits 1 with one clear line and writes nothing', () => {
    for (const env of [
      {} as Record<string, string>,
      { MICROSOFT_APP_ID: '' },
      { MICROSOFT_APP_ID: 'my-bot' },
    ]) {
      const out = join(dir, 'refused.zip');
      const r = run(env, out);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^package-teams: MICROSOFT_APP_ID .*(not set|not a GUID)/);
      expect(() => readFileSync(out)).toThrow();
    }
  });
});
