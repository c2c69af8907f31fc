// Draws the Key Vault icon (a rounded square with a key) as an RGBA PNG, 512x512 by default.
// Run: node assets/make-icon.mjs assets/icon.png           (the app icon)
//      node assets/make-icon.mjs assets/tray.png 32        (the tray icon; 16 px is also used at 2x)
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
const N = Number(process.argv[3] ?? 512);
// The drawing is laid out on a 512 grid; S scales it to N.
const S = N / 512;
const px = Buffer.alloc(N * N * 4);
const set = (x, y, [r, g, b, a]) => { const i = (y * N + x) * 4; px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a; };
const inRounded = (x, y, m, rad) => {
  const lo = m + rad, hi = N - 1 - m - rad;
  const cx = Math.min(Math.max(x, lo), hi), cy = Math.min(Math.max(y, lo), hi);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad && x >= m && y >= m && x < N - m && y < N - m;
};
const bowC = [200 * S, 256 * S], bowR = 96 * S, holeR = 40 * S;
for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) {
  if (!inRounded(x, y, 16 * S, 96 * S)) { set(x, y, [0, 0, 0, 0]); continue; }
  const t = y / N;
  let c = [Math.round(30 + 20 * t), Math.round(60 + 40 * t), Math.round(120 + 60 * t), 255];
  const d = Math.hypot(x - bowC[0], y - bowC[1]);
  const onBow = d <= bowR && d >= holeR;
  const onShaft = x >= bowC[0] + bowR - 8 * S && x <= 430 * S && Math.abs(y - 256 * S) <= 22 * S;
  const onTeeth = (x >= 360 * S && x <= 386 * S && y > 256 * S && y <= 320 * S) || (x >= 404 * S && x <= 430 * S && y > 256 * S && y <= 300 * S);
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
