/**
 * PayloadWriter (main/files/payloadWriter.ts) against recording file handles: with a direct
 * handle only aligned runs at aligned offsets go through it, the held-back bytes arrive in order,
 * a direct handle that refuses with EINVAL hands the job to the page cache, and other errors
 * surface.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { test } from 'node:test';
import { PayloadWriter } from '../../../main/files/payloadWriter.js';

const ALIGN = 4096;

interface Recorded {
  handle: string;
  at: number;
  length: number;
}

/** A file in memory with two handles on it, each recording its writes; `direct` may fail. */
function fakeFile(directError?: string) {
  let bytes = Buffer.alloc(0);
  const writes: Recorded[] = [];
  const handle = (name: string, error?: string) =>
    ({
      async write(buf: Buffer, offset: number, length: number, position: number) {
        await new Promise((r) => setImmediate(r));
        if (error !== undefined) throw Object.assign(new Error(`${name}: ${error}`), { code: error });
        if (bytes.length < position + length) bytes = Buffer.concat([bytes, Buffer.alloc(position + length - bytes.length)]);
        buf.copy(bytes, position, offset, offset + length);
        writes.push({ handle: name, at: position, length });
        return { bytesWritten: length, buffer: buf };
      },
      async datasync() {},
    }) as unknown as FileHandle;
  return { fh: handle('fh'), direct: handle('direct', directError), writes, contents: () => bytes };
}

const noPool = { give: () => undefined };

/** Writes `lead`, then blocks of the given sizes through a writer, each placed at its headroom. */
async function writeAll(writer: PayloadWriter, lead: Buffer, sizes: number[]): Promise<Buffer> {
  await writer.lead(lead);
  const parts = [lead];
  for (const [i, size] of sizes.entries()) {
    const data = randomBytes(size);
    parts.push(data);
    const buf = Buffer.alloc(writer.headroom + size);
    data.copy(buf, writer.headroom);
    await writer.write(buf, size, i === sizes.length - 1);
  }
  await writer.flush();
  return Buffer.concat(parts);
}

test('direct runs are whole aligned pieces at aligned offsets, and the file holds every byte in order', async () => {
  for (const leadSize of [0, 100, ALIGN, ALIGN + 17]) {
    const file = fakeFile();
    const writer = new PayloadWriter(file.fh, file.direct, ALIGN, 0, noPool, 0);
    const expected = await writeAll(writer, randomBytes(leadSize), [ALIGN * 3 + 256, ALIGN * 3 + 256, 5000, 77]);
    assert.ok(file.contents().equals(expected), `lead ${leadSize}`);
    for (const w of file.writes.filter((x) => x.handle === 'direct')) {
      assert.equal(w.at % ALIGN, 0, 'aligned offset');
      assert.equal(w.length % ALIGN, 0, 'aligned length');
    }
    // Only the aligned part of the lead and the very end go through the page cache.
    const buffered = file.writes.filter((x) => x.handle === 'fh' && x.length > 0);
    assert.ok(buffered.length <= 2, `lead ${leadSize}: ${JSON.stringify(buffered)}`);
  }
});

test('without a direct handle nothing is held back and every write goes through the page cache', async () => {
  const file = fakeFile();
  const writer = new PayloadWriter(file.fh, null, ALIGN, 10, noPool, 0);
  assert.equal(writer.align, 1);
  await writer.write(Buffer.from('abc'), 3, false, false);
  assert.equal(writer.headroom, 0);
  await writer.write(Buffer.from('defg'), 4, true, false);
  await writer.flush();
  assert.equal(file.contents().subarray(10).toString(), 'abcdefg');
  assert.ok(file.writes.every((w) => w.handle === 'fh'));
});

test('a direct handle that refuses with EINVAL hands the rest of the job to the page cache, losing nothing', async () => {
  const file = fakeFile('EINVAL');
  const writer = new PayloadWriter(file.fh, file.direct, ALIGN, 0, noPool, 0);
  const expected = await writeAll(writer, randomBytes(300), [ALIGN * 2 + 256, ALIGN * 2 + 256, 10]);
  assert.ok(file.contents().equals(expected));
});

test('any other failure of a direct write is the job failure', async () => {
  const file = fakeFile('EIO');
  const writer = new PayloadWriter(file.fh, file.direct, ALIGN, 0, noPool, 0);
  await assert.rejects(writeAll(writer, randomBytes(300), [ALIGN * 2 + 256, 10]), (err: unknown) => (err as { code?: string }).code === 'EIO');
  await writer.settle();
});

test('a direct output must start at an aligned position', () => {
  const file = fakeFile();
  assert.throws(() => new PayloadWriter(file.fh, file.direct, ALIGN, 100, noPool, 0), RangeError);
});
