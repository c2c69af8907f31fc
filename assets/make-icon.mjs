// Draws the Key Vault icon (a rounded square with a key) and writes assets/icon.png, 512x512 RGBA.
// Run: node assets/make-icon.mjs assets/icon.png
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
const N = 512;
const px = Buffer.alloc(N * N * 4);
const set = (x, y, [r, g, b, a]) => { const i = (y * N + x) * 4; px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a; };
const inRounded = (x, y, m, rad) => {
  const lo = m + rad, hi = N - 1 - m - rad;
  const cx = Math.min(Math.max(x, lo), hi), cy = Math.min(Math.max(y, lo), hi);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad && x >= m && y >= m && x < N - m && y < N - m;
};
const bowC = [200, 256], bowR = 96, holeR = 40;
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  if (!inRounded(x, y, 16, 96)) { set(x, y, [0, 0, 0, 0]); continue; }
  const t = y / N;
  let c = [Math.round(30 + 20 * t), Math.round(60 + 40 * t), Math.round(120 + 60 * t), 255];
  const d = Math.hypot(x - bowC[0], y - bowC[1]);
  const onBow = d <= bowR && d >= holeR;
  const onShaft = x >= bowC[0] + bowR - 8 && x <= 430 && Math.abs(y - 256) <= 22;
  const onTeeth = (x >= 360 && x <= 386 && y > 256 && y <= 320) || (x >= 404 && x <= 430 && y > 256 && y <= 300);
  if (onBow || onShaft || onTeeth) c = [245, 196, 66, 255];
  set(x, y, c);
}
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) { raw[y * (N * 4 + 1)] = 0; px.copy(raw, y * (N * 4 + 1) + 1, y * N * 4, (y + 1) * N * 4); }
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td)); return Buffer.concat([len, td, crc]); };
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
writeFileSync(process.argv[2], png);
