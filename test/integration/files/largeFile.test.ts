/**
 * A multi-GiB (sparse) input round-trips with bounded memory: offsets past 2^31 and 2^32 bits of
 * chunk counters and file positions are exercised. The size is 3 GiB unless KEYVAULT_LARGE_FILE_BYTES
 * says otherwise.
 */
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { job, newKey } from '../../support/fileTestKit.js';

const SIZE = Number(process.env.KEYVAULT_LARGE_FILE_BYTES ?? 3 * 1024 ** 3);

/** True when both files have the same bytes, read side by side in 4 MiB blocks. */
function sameContent(a: string, b: string): boolean {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  const ba = Buffer.allocUnsafe(4 << 20);
  const bb = Buffer.allocUnsafe(4 << 20);
  try {
    for (let pos = 0; ;) {
      const na = readSync(fa, ba, 0, ba.length, pos);
      const nb = readSync(fb, bb, 0, bb.length, pos);
      if (na !== nb) return false;
      if (na === 0) return true;
      if (!ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
      pos += na;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

describe('large files', () => {
  let tv: TempVault;
  let dir: string;
  before(async () => {
    tv = await createTempVault();
    dir = tempDir('keyvault-large-');
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await tv.cleanup();
  });

  test(`a ${(SIZE / 1024 ** 3).toFixed(2)} GiB sparse file round-trips (streamed compare)`, { timeout: 300_000 }, async () => {
    const keyId = await newKey(tv.service);
    const input = join(dir, 'sparse.bin');
    const fd = openSync(input, 'w');
    ftruncateSync(fd, SIZE);
    // Markers around the 2 GiB and 4 GiB marks and at both ends, so a misplaced chunk shows.
    for (const at of [0, 2 ** 31 - 3, 2 ** 31 + 65_536, 2 ** 32 - 1, SIZE - 7]) {
      if (at >= 0 && at + 7 <= SIZE) writeSync(fd, Buffer.from(`m${String(at % 997).padStart(6, '0')}`), 0, 7, at);
    }
    closeSync(fd);
    const enc = await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    assert.equal(enc.BytesProcessed, SIZE);
    const inspected = await job(tv.service, { Operation: 'Inspect', InputPath: `${input}.age` });
    assert.equal(inspected.Inspection?.PlaintextSize, SIZE);
    const out = join(dir, 'back.bin');
    const dec = await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: out });
    assert.equal(dec.BytesProcessed, SIZE);
    rmSync(`${input}.age`);
    assert.equal(statSync(out).size, SIZE);
    assert.ok(sameContent(input, out), 'the decrypted file equals the input');
  });
});
