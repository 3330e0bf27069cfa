#!/usr/bin/env node
// Draws the Teams app icons in manifests/teams/: color.png (192x192, a white up/down arrow pair on
// Stepwise blue) and outline.png (32x32, the same arrows in white on transparent). No image library:
// the shapes are polygons, sampled 8x8 per pixel, and written as PNG with node:zlib.
// Run it again only to change the design: node scripts/teams-icons.mjs
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const BLUE = [0x14, 0x32, 0x5c];

// The symbol, in a unit square (y down): an up arrow on the left, a down arrow on the right.
const shapes = [
  [
    [0.3, 0.06],
    [0.54, 0.38],
    [0.39, 0.38],
    [0.39, 0.8],
    [0.21, 0.8],
    [0.21, 0.38],
    [0.06, 0.38],
  ],
  [
    [0.7, 0.94],
    [0.46, 0.62],
    [0.61, 0.62],
    [0.61, 0.2],
    [0.79, 0.2],
    [0.79, 0.62],
    [0.94, 0.62],
  ],
];

function inside(poly, x, y) {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** Coverage (0..1) of the symbol over each pixel of a size x size image, the symbol in [from, to). */
function coverage(size, from, to) {
  const n = 8;
  const out = new Float64Array(size * size);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n - from) / (to - from);
          const y = (py + (sy + 0.5) / n - from) / (to - from);
          if (shapes.some((s) => inside(s, x, y))) hits++;
        }
      }
      out[py * size + px] = hits / (n * n);
    }
  }
  return out;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A PNG of 8-bit samples: colourType 2 (RGB) or 6 (RGBA); pixels row by row. */
function png(size, colourType, pixels) {
  const channels = colourType === 6 ? 4 : 3;
  const raw = Buffer.alloc(size * (1 + size * channels));
  for (let y = 0; y < size; y++) {
    const row = y * (1 + size * channels);
    raw[row] = 0; // filter: none
    pixels.copy(raw, row + 1, y * size * channels, (y + 1) * size * channels);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const dir = join(import.meta.dirname, '../manifests/teams');

// color.png: the symbol in the middle 112 px of a 192 px blue square.
{
  const size = 192;
  const cov = coverage(size, 40, 152);
  const px = Buffer.alloc(size * size * 3);
  cov.forEach((a, i) => {
    for (let c = 0; c < 3; c++) px[i * 3 + c] = Math.round(BLUE[c] + (255 - BLUE[c]) * a);
  });
  writeFileSync(join(dir, 'color.png'), png(size, 2, px));
}

// outline.png: white, with the coverage as alpha, on transparent; 2 px of padding.
{
  const size = 32;
  const cov = coverage(size, 2, 30);
  const px = Buffer.alloc(size * size * 4);
  cov.forEach((a, i) => {
    px.set([255, 255, 255, Math.round(255 * a)], i * 4);
  });
  writeFileSync(join(dir, 'outline.png'), png(size, 6, px));
}

console.log(`Wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}`);
