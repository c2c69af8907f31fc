/**
 * Bounded reads of flag values (issue 13.3) and JSON error positions that never quote the input
 * (issue 9): real devices, a real FIFO, a real over-long file.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { InputError, readInputFile } from '../../../main/cli/boundedInput.js';
import { jsonErrorPosition } from '../../../main/cli/jsonErrorPosition.js';
import { parseArguments, UsageError } from '../../../main/cli/parseArguments.js';
import type { CommandSpec } from '../../../main/cli/commandSpec.js';

const dir = mkdtempSync(join(tmpdir(), 'kv-bounded-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('readInputFile', () => {
  test('a character device is refused before any read', () => {
    assert.throws(
      () => readInputFile('/dev/zero'),
      (e: unknown) => e instanceof InputError && /not a regular file/.test(e.message),
    );
  });

  test('a directory is refused', () => {
    assert.throws(
      () => readInputFile(dir),
      (e: unknown) => e instanceof InputError && /directory/.test(e.message),
    );
  });

  test('a regular file is read whole up to the bound, and refused past it', () => {
    const f = join(dir, 'f.bin');
    writeFileSync(f, Buffer.alloc(100, 1));
    assert.equal(readInputFile(f, 100).length, 100);
    assert.throws(() => readInputFile(f, 99), /larger than 99 bytes/);
  });

  test('an endless pipe stops at the bound', async () => {
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const writer = spawn('sh', ['-c', `exec yes > '${fifo}'`]);
    try {
      assert.throws(() => readInputFile(fifo, 4096), /larger than 4096 bytes/);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('JSON error positions', () => {
  const cases: [string, number | undefined][] = [
    ['{"a":1}', undefined],
    ['[1,{"b":[null,true,"x\\u00e9"]}]', undefined],
    ['{"secret":hunter2}', 10],
    ['{"a":1,}', 7],
    ['[1 2]', 3],
    ['', 0],
    ['"x" y', 4],
  ];
  for (const [text, at] of cases) {
    test(`${JSON.stringify(text)} → ${String(at)}`, () => {
      assert.equal(jsonErrorPosition(text), at);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(valid, at === undefined, 'agrees with JSON.parse on validity');
    });
  }

  test('deep nesting does not overflow', () => {
    assert.equal(jsonErrorPosition('['.repeat(1_000_000)), 1_000_000);
  });
});

test('only one flag may read standard input', () => {
  const command: CommandSpec = {
    name: 'two-blobs',
    summary: '',
    operation: 'Test',
    flags: [
      { name: 'a', kind: 'blob', help: '' },
      { name: 'b', kind: 'blob', help: '' },
    ],
    run: async () => ({}),
  };
  assert.throws(
    () => parseArguments(['two-blobs', '--a', '-', '--b', '-'], [command]),
    (e: unknown) => e instanceof UsageError && /Only one flag can read standard input/.test(e.message),
  );
});
