#!/usr/bin/env node
// Builds the Microsoft Teams app package that the council's Teams admin uploads (Teams admin center ->
// Teams apps -> Manage apps -> Upload new app): a zip of manifest.json, color.png and outline.png.
//
//   MICROSOFT_APP_ID=<bot's app id> npm run package:teams [-- <output.zip>]
//
// MICROSOFT_APP_ID (required, a GUID): the Microsoft App ID of the Azure Bot, the same value the server runs
// with. STEPWISE_TEAMS_APP_ID (optional, a GUID): the Teams app's own id; by default a stable id derived from
// the bot id, so packaging again for the same bot gives the same app, and uploading it updates that app.
// STEPWISE_PUBLIC_URL (optional): the server's https URL; its host goes into validDomains.
// The version is package.json's. The manifest is checked against the official schema from Microsoft's
// @microsoft/app-manifest package (no network), and the icons' sizes and colours against Teams' rules, before
// the zip is written. Needs the dev dependencies (`npm install`): @microsoft/teams-manifest and its ajv.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import teamsManifest from '@microsoft/teams-manifest';
import yazl from 'yazl';

const { ManifestUtil } = teamsManifest;
const root = join(import.meta.dirname, '..');
const teamsDir = join(root, 'manifests/teams');
const teamsSchemaPath = join(
  root,
  'node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json',
);
const defaultOut = 'test-output/stepwise-teams.zip';
/** Microsoft's limit on an app package (the Agents Toolkit refuses larger ones). */
const MAX_PACKAGE_BYTES = 10 * 1024 * 1024;
/** Namespace of the UUID v5 that turns a bot id into Stepwise's Teams app id. Never change it. */
const APP_ID_NAMESPACE = '127838e8-ac97-4a12-bbc5-803f63de1d9c';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class PackageError extends Error {}

/** UUID v5 (RFC 9562): SHA-1 of the namespace's bytes and the name, with the version and variant bits set. */
function uuidV5(name, namespace = APP_ID_NAMESPACE) {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const b = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function guidFromEnv(name, { required }) {
  const value = process.env[name]?.trim();
  if (!value) {
    if (!required) return undefined;
    throw new PackageError(
      `${name} is not set: set it to the bot's Microsoft App ID (a GUID from the Azure Bot resource), e.g. ${name}=00000000-0000-0000-0000-000000000000 npm run package:teams`,
    );
  }
  if (!GUID.test(value))
    throw new PackageError(
      `${name} is "${value}", which is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
    );
  return value.toLowerCase();
}

/** Replaces every ${{NAME}} in the manifest's strings; a token with no value is an error. */
function substitute(value, vars) {
  if (typeof value === 'string') {
    return value.replace(/\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g, (_, name) => {
      if (vars[name] === undefined)
        throw new PackageError(`manifest.json uses \${{${name}}}, which has no value`);
      return vars[name];
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  return value;
}

/** Decodes an 8-bit, non-interlaced PNG into RGBA (enough to check the icons; anything else is refused). */
function decodePng(buf, name) {
  if (!buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    throw new PackageError(`${name} is not a PNG file`);
  let width = 0;
  let height = 0;
  let depth = 0;
  let colourType = 0;
  let interlace = 0;
  let palette = Buffer.alloc(0);
  let trns = Buffer.alloc(0);
  const idat = [];
  for (let o = 8; o + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    const data = buf.subarray(o + 8, o + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      colourType = data[9];
      interlace = data[12];
    } else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    o += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType];
  if (depth !== 8 || interlace !== 0 || !channels)
    throw new PackageError(`${name}: save it as an 8-bit, non-interlaced PNG (RGB or RGBA) to be checked`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? px[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      if (predictor === undefined) throw new PackageError(`${name}: bad PNG filter ${filter}`);
      px[y * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = px.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, a] =
      colourType === 0
        ? [s[0], s[0], s[0], 255]
        : colourType === 2
          ? [s[0], s[1], s[2], 255]
          : colourType === 3
            ? [palette[s[0] * 3], palette[s[0] * 3 + 1], palette[s[0] * 3 + 2], trns[s[0]] ?? 255]
            : colourType === 4
              ? [s[0], s[0], s[0], s[1]]
              : [s[0], s[1], s[2], s[3]];
    rgba.set([r, g, b, a], i * 4);
  }
  return { width, height, rgba };
}

function checkIcon(file, { size, outline }) {
  let buf;
  try {
    buf = readFileSync(join(teamsDir, file));
  } catch {
    throw new PackageError(`the icon ${file} is missing from manifests/teams/`);
  }
  const { width, height, rgba } = decodePng(buf, file);
  if (width !== size || height !== size)
    throw new PackageError(`${file} is ${width}x${height}; Teams needs ${size}x${size}`);
  if (outline) {
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i + 3] !== 0 && (rgba[i] !== 255 || rgba[i + 1] !== 255 || rgba[i + 2] !== 255))
        throw new PackageError(`${file} must be white on transparent only; pixel ${i / 4} is not`);
    }
    if (rgba.every((v, i) => i % 4 !== 3 || v === 255))
      throw new PackageError(`${file} must have a transparent background`);
  }
  return buf;
}

async function main() {
  const outArg = process.argv[2];
  const out = resolve(process.env.INIT_CWD || process.cwd(), outArg ?? join(root, defaultOut));
  const botId = guidFromEnv('MICROSOFT_APP_ID', { required: true });
  const appId = guidFromEnv('STEPWISE_TEAMS_APP_ID', { required: false }) ?? uuidV5(botId);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const publicUrl = process.env.STEPWISE_PUBLIC_URL?.trim();
  let host;
  if (publicUrl) {
    try {
      host = new URL(publicUrl).host;
    } catch {
      throw new PackageError(`STEPWISE_PUBLIC_URL is "${publicUrl}", which is not a URL`);
    }
  }

  const template = JSON.parse(readFileSync(join(teamsDir, 'manifest.json'), 'utf8'));
  const manifest = substitute(template, {
    MICROSOFT_APP_ID: botId,
    STEPWISE_TEAMS_APP_ID: appId,
    PACKAGE_VERSION: version,
  });
  if (host && !manifest.validDomains.includes(host)) manifest.validDomains.push(host);

  // The official schema, from Microsoft's @microsoft/app-manifest package (a dev dependency): no network needed.
  const schema = JSON.parse(readFileSync(teamsSchemaPath, 'utf8'));
  if (schema.properties.manifestVersion.const !== manifest.manifestVersion)
    throw new PackageError(
      `manifest.json is manifestVersion ${manifest.manifestVersion} but the official schema in @microsoft/app-manifest is ${schema.properties.manifestVersion.const}`,
    );
  const errors = await ManifestUtil.validateManifestAgainstSchema(manifest, schema);
  if (errors.length)
    throw new PackageError(`manifest.json does not match the Teams schema:\n  ${errors.join('\n  ')}`);

  const icons = [
    [manifest.icons.color, checkIcon(manifest.icons.color, { size: 192, outline: false })],
    [manifest.icons.outline, checkIcon(manifest.icons.outline, { size: 32, outline: true })],
  ];
  if (manifest.icons.color32x32)
    icons.push([
      manifest.icons.color32x32,
      checkIcon(manifest.icons.color32x32, { size: 32, outline: false }),
    ]);

  const zip = new yazl.ZipFile();
  const mtime = new Date('2026-01-01T00:00:00Z'); // fixed, so the same inputs give the same zip
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', { mtime });
  for (const [name, buf] of icons) zip.addBuffer(buf, name, { mtime });
  zip.end();
  const chunks = [];
  for await (const c of zip.outputStream) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  if (bytes.length > MAX_PACKAGE_BYTES)
    throw new PackageError(`the package is ${bytes.length} bytes; Teams takes at most ${MAX_PACKAGE_BYTES}`);

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  const shown = relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out);
  console.log(
    `Wrote ${shown} (${outArg ? 'the path given' : 'the default path; give another as the first argument'}): ` +
      `${['manifest.json', ...icons.map(([n]) => n)].join(', ')}, ${bytes.length} bytes. ` +
      `Teams app id ${appId}, bot id ${botId}, version ${version}, manifest schema ${manifest.manifestVersion}.`,
  );
  console.log('Upload it in the Teams admin center: Teams apps > Manage apps > Upload new app.');
}

main().catch((e) => {
  console.error(e instanceof PackageError ? `package-teams: ${e.message}` : e);
  process.exit(1);
});
