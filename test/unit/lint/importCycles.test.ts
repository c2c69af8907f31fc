/** The module graph has no import cycle, and the checker does find one when there is. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../../support/tempVault.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(root, 'scripts', 'import-cycles.mjs');

function check(dir?: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...(dir ? [dir] : [])], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('main/, preload/ and renderer/ have no import cycle', () => {
  const { status, out } = check();
  assert.equal(status, 0, out);
  assert.match(out, / 0 import cycle\(s\)/);
});

test('the checker reports a cycle through a type-only import', (t) => {
  const dir = tempDir('kv-cycles-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'main', 'a'), { recursive: true });
  mkdirSync(join(dir, 'main', 'b'), { recursive: true });
  writeFileSync(join(dir, 'main', 'a', 'one.ts'), "import { two } from '../b/two.js';\nexport const one = two + 1;\n");
  writeFileSync(join(dir, 'main', 'b', 'two.ts'), "import type { Three } from './three.js';\nexport const two: Three = 2;\n");
  writeFileSync(join(dir, 'main', 'b', 'three.ts'), "import { one } from '../a/one.js';\nexport type Three = number;\nexport const unused = one;\n");
  const { status, out } = check(dir);
  assert.equal(status, 1, out);
  assert.match(out, /cycle: main\/a\/one\.ts <-> main\/b\/three\.ts <-> main\/b\/two\.ts/);
});
