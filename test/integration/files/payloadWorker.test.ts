/**
 * The payload worker (main/crypto/age/chunkWorker.ts, chunkWorkerClient.ts): blocks sealed and
 * opened on it are the same bytes and fail with the same errors as on the main thread, across
 * block boundaries; a worker that cannot start leaves the job on one thread; and the process's
 * worker starts from its .ts source under tsx without keeping the process alive.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  CHUNK_SIZE,
  ChunkWorker,
  ENCRYPTED_CHUNK_SIZE,
  findChunkWorkerFile,
  PAYLOAD_NONCE_SIZE,
  PLAIN_BLOCK_SIZE,
  SEALED_BLOCK_SIZE,
} from '../../../main/crypto/age/index.js';
import { decryptPayload, encryptPayload } from '../../../main/files/payloadPipeline.js';
import { tempDir } from '../../support/tempVault.js';

const fileKey = Buffer.alloc(16, 3);
const nonce = Buffer.alloc(PAYLOAD_NONCE_SIZE, 5);
const HEADER = 100;

async function runJob(kind: 'enc' | 'dec', input: string, output: string, worker: ChunkWorker | null): Promise<number> {
  const inFh = await open(input, 'r');
  const outFh = await open(output, 'w+');
  try {
    const job = {
      input: inFh,
      output: outFh,
      inputStart: kind === 'dec' ? HEADER : 0,
      outputStart: 0,
      signal: new AbortController().signal,
      onInput: () => undefined,
      worker,
    };
    return kind === 'enc' ? await encryptPayload(job, Buffer.from(fileKey), nonce, Buffer.alloc(HEADER, 1)) : await decryptPayload(job, Buffer.from(fileKey));
  } finally {
    await inFh.close();
    await outFh.close();
  }
}

/** The error a decrypt ends with (null: none). */
async function decryptError(file: string, out: string, worker: ChunkWorker | null): Promise<Error | null> {
  try {
    await runJob('dec', file, out, worker);
    return null;
  } catch (err) {
    return err as Error;
  }
}

describe('payload worker', () => {
  let worker: ChunkWorker;
  before(async () => {
    const file = findChunkWorkerFile();
    assert.ok(file, 'the worker source is found next to its client');
    worker = new ChunkWorker(file);
    assert.equal(await worker.ready, true, 'the .ts worker loads under tsx');
  });
  after(async () => {
    await worker.stop();
  });

  for (const size of [
    PLAIN_BLOCK_SIZE + 1,
    2 * PLAIN_BLOCK_SIZE,
    2 * PLAIN_BLOCK_SIZE + 1,
    3 * PLAIN_BLOCK_SIZE - 1,
    4 * PLAIN_BLOCK_SIZE + CHUNK_SIZE,
    5 * PLAIN_BLOCK_SIZE,
  ]) {
    test(`${size} bytes: the same file with and without the worker, and it decrypts back either way`, async () => {
      const dir = tempDir();
      const plain = join(dir, 'plain.bin');
      const data = randomBytes(size);
      writeFileSync(plain, data);
      const before = worker.blocksDone;
      assert.equal(await runJob('enc', plain, join(dir, 'w.age'), worker), size);
      assert.ok(worker.blocksDone > before, 'the worker sealed blocks');
      assert.equal(await runJob('enc', plain, join(dir, 'plain.age'), null), size);
      const sealed = readFileSync(join(dir, 'w.age'));
      assert.ok(sealed.equals(readFileSync(join(dir, 'plain.age'))), 'same bytes');
      const opened = worker.blocksDone;
      assert.equal(await runJob('dec', join(dir, 'w.age'), join(dir, 'back.bin'), worker), size);
      assert.ok(worker.blocksDone > opened, 'the worker opened blocks');
      assert.ok(readFileSync(join(dir, 'back.bin')).equals(data));
      assert.equal(await runJob('dec', join(dir, 'w.age'), join(dir, 'back2.bin'), null), size);
      assert.ok(readFileSync(join(dir, 'back2.bin')).equals(data));
    });
  }

  describe('damage is refused with the same error as on one thread', () => {
    let dir: string;
    let sealed: Buffer;
    const payloadAt = HEADER + PAYLOAD_NONCE_SIZE;
    before(async () => {
      dir = tempDir();
      writeFileSync(join(dir, 'plain.bin'), randomBytes(6 * PLAIN_BLOCK_SIZE + 77));
      await runJob('enc', join(dir, 'plain.bin'), join(dir, 'good.age'), null);
      sealed = readFileSync(join(dir, 'good.age'));
    });

    async function sameRefusal(name: string, bytes: Buffer): Promise<void> {
      const file = join(dir, `${name}.age`);
      writeFileSync(file, bytes);
      const onWorker = await decryptError(file, join(dir, `${name}-w.out`), worker);
      const onOne = await decryptError(file, join(dir, `${name}-1.out`), null);
      assert.ok(onWorker !== null && onOne !== null, 'refused');
      assert.equal(onWorker.constructor, onOne.constructor);
      assert.equal(onWorker.message, onOne.message);
    }

    // Blocks go in pairs: block 0 (and 2, 4) to the worker, block 1 (and 3, 5) here.
    for (const block of [0, 1, 2, 3]) {
      test(`a flipped byte in chunk 5 of block ${block}`, async () => {
        const bad = Buffer.from(sealed);
        const at = payloadAt + block * SEALED_BLOCK_SIZE + 5 * ENCRYPTED_CHUNK_SIZE + 1000;
        bad[at] = (bad[at] ?? 0) ^ 0x40;
        await sameRefusal(`flip${block}`, bad);
      });
    }

    test('two chunks swapped inside a worker block', async () => {
      const bad = Buffer.from(sealed);
      const a = payloadAt + 2 * ENCRYPTED_CHUNK_SIZE;
      const b = payloadAt + 3 * ENCRYPTED_CHUNK_SIZE;
      sealed.copy(bad, a, b, b + ENCRYPTED_CHUNK_SIZE);
      sealed.copy(bad, b, a, a + ENCRYPTED_CHUNK_SIZE);
      await sameRefusal('swap', bad);
    });

    for (const blocks of [2, 3, 4]) {
      test(`truncated after ${blocks} whole blocks`, async () => {
        await sameRefusal(`cut${blocks}`, sealed.subarray(0, payloadAt + blocks * SEALED_BLOCK_SIZE));
      });
    }
  });

  test('a worker that cannot load is never used, and the job runs on one thread', async () => {
    const dir = tempDir();
    assert.equal(findChunkWorkerFile(pathToFileURL(join(dir, 'client.mjs'))), null, 'no worker file next to a bundle without one');
    const broken = join(dir, 'chunkWorker.mjs');
    writeFileSync(broken, "throw new Error('broken worker');\n");
    const bad = new ChunkWorker(pathToFileURL(broken));
    assert.equal(await bad.ready, false);
    assert.equal(bad.available, false);
    const data = randomBytes(3 * PLAIN_BLOCK_SIZE + 5);
    writeFileSync(join(dir, 'plain.bin'), data);
    assert.equal(await runJob('enc', join(dir, 'plain.bin'), join(dir, 'x.age'), bad), data.length);
    assert.equal(await runJob('dec', join(dir, 'x.age'), join(dir, 'back.bin'), bad), data.length);
    assert.ok(readFileSync(join(dir, 'back.bin')).equals(data));
    assert.equal(bad.blocksDone, 0);
  });

  test("the process's worker starts for a large file under tsx and does not keep the process alive", () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain.bin'), randomBytes(12 * PLAIN_BLOCK_SIZE));
    const pipeline = pathToFileURL(join(process.cwd(), 'main/files/payloadPipeline.ts')).href;
    const crypto = pathToFileURL(join(process.cwd(), 'main/crypto/age/index.ts')).href;
    // The job waits for the worker to be ready first, so that it is used for this small file.
    const script = `
      import { open } from 'node:fs/promises';
      import { encryptPayload } from ${JSON.stringify(pipeline)};
      import { sharedChunkWorker } from ${JSON.stringify(crypto)};
      const worker = sharedChunkWorker();
      if (!(await worker?.ready)) throw new Error('no worker');
      const input = await open(${JSON.stringify(join(dir, 'plain.bin'))}, 'r');
      const output = await open(${JSON.stringify(join(dir, 'out.age'))}, 'w+');
      await encryptPayload({ input, output, inputStart: 0, outputStart: 0, signal: new AbortController().signal, onInput() {} }, Buffer.alloc(16, 1), Buffer.alloc(16, 2));
      await input.close();
      await output.close();
      console.log(worker.blocksDone);
    `;
    const r = spawnSync(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Number(r.stdout.trim()) > 0, 'the worker sealed blocks');
  });
});
