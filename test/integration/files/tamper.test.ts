/** Any flipped, truncated, appended or reordered byte gives a typed error and no output file. */
import assert from 'node:assert/strict';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { job, newKey, rejectsWith, strayFiles, writeRandom } from '../../support/fileTestKit.js';

const PAYLOAD_NONCE = 16;
const CHUNK = 65536 + 16;

describe('tampered files', () => {
  let tv: TempVault;
  let dir: string;
  let sealed: Buffer;
  let headerSize: number;

  before(async () => {
    tv = await createTempVault();
    const keyId = await newKey(tv.service);
    await tv.service.addRecoveryRecipient({ Recipient: 'age1gsf97evm7uzcrl38agwaq88a2388t9s3xykvw5vc2hecflrlgdpskx8vwu' });
    dir = tempDir();
    const input = join(dir, 'plain.bin');
    writeRandom(input, 3 * 65536 + 1000);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, OutputPath: join(dir, 'good.age') });
    sealed = readFileSync(join(dir, 'good.age'));
    headerSize = (await job(tv.service, { Operation: 'Inspect', InputPath: join(dir, 'good.age') })).Inspection!.HeaderSize;
  });
  after(async () => {
    await tv.cleanup();
  });

  async function refuses(bytes: Buffer, what: string, ...types: Parameters<typeof rejectsWith>[1][]): Promise<void> {
    const file = join(dir, 'bad.age');
    writeFileSync(file, bytes);
    const out = join(dir, 'out.bin');
    await rejectsWith(
      job(tv.service, { Operation: 'Decrypt', InputPath: file, OutputPath: out }),
      ...(types.length > 0 ? types : ['InvalidCiphertextException' as const]),
    );
    assert.deepEqual(strayFiles(dir, ['plain.bin', 'good.age', 'bad.age']), [], `no output after: ${what}`);
  }

  test('every flipped bit position in the header is refused', async () => {
    for (let i = 0; i < headerSize; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 0x01;
      // A flipped key or version id may still be a well-formed id: that key is then not found.
      await refuses(bad, `header byte ${i}`, 'InvalidCiphertextException', 'NotFoundException');
    }
  });

  test('flipped bytes across the payload (nonce, chunk bodies, tags, last chunk) are refused', async () => {
    const payload = sealed.length - headerSize;
    const offsets = [
      0,
      PAYLOAD_NONCE - 1,
      PAYLOAD_NONCE,
      PAYLOAD_NONCE + 100,
      PAYLOAD_NONCE + CHUNK - 1,
      PAYLOAD_NONCE + CHUNK,
      payload - 17,
      payload - 16,
      payload - 1,
    ];
    for (const o of offsets) {
      const bad = Buffer.from(sealed);
      bad[headerSize + o] = bad[headerSize + o]! ^ 0x80;
      await refuses(bad, `payload byte ${o}`);
    }
  });

  test('truncated files are refused (inside the header, at chunk boundaries, one byte short)', async () => {
    for (const n of [0, 10, headerSize - 1, headerSize, headerSize + 8, headerSize + PAYLOAD_NONCE, headerSize + PAYLOAD_NONCE + CHUNK, sealed.length - 1]) {
      await refuses(sealed.subarray(0, n), `truncated to ${n}`);
    }
  });

  test('appended bytes are refused', async () => {
    await refuses(Buffer.concat([sealed, Buffer.from([0])]), 'one byte appended');
    await refuses(Buffer.concat([sealed, sealed.subarray(headerSize + PAYLOAD_NONCE, headerSize + PAYLOAD_NONCE + CHUNK)]), 'a chunk appended');
  });

  test('reordered chunks and reordered stanzas are refused', async () => {
    const p = headerSize + PAYLOAD_NONCE;
    const c = CHUNK;
    const swapped = Buffer.concat([sealed.subarray(0, p), sealed.subarray(p + c, p + 2 * c), sealed.subarray(p, p + c), sealed.subarray(p + 2 * c)]);
    await refuses(swapped, 'chunks 0 and 1 swapped');

    const text = sealed.subarray(0, headerSize).toString('latin1');
    const lines = text.split('\n');
    // version, vault stanza (3 lines: args, full body line, empty line), X25519 stanza (2 lines), MAC
    const reordered = [lines[0], lines[4], lines[5], lines[1], lines[2], lines[3], ...lines.slice(6)].join('\n');
    assert.equal(reordered.length, text.length);
    await refuses(Buffer.concat([Buffer.from(reordered, 'latin1'), sealed.subarray(headerSize)]), 'stanzas reordered');
  });

  test('the untouched file still decrypts (the fixture is sound)', async () => {
    await job(tv.service, { Operation: 'Decrypt', InputPath: join(dir, 'good.age'), OutputPath: join(dir, 'ok.bin') });
    assert.ok(readFileSync(join(dir, 'ok.bin')).equals(readFileSync(join(dir, 'plain.bin'))));
    unlinkSync(join(dir, 'ok.bin'));
  });
});
