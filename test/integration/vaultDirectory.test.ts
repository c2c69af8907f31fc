/**
 * The vault directory is private (0700): an existing one found open to other users is tightened
 * when the vault opens, and the audit log says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { createTempVault } from '../support/tempVault.js';

const asRoot = process.getuid?.() === 0;

test('a vault directory left open to other users is tightened to 0700 at open, and the audit log says so', async (t) => {
  const tv = await createTempVault();
  t.after(() => tv.cleanup());
  tv.service.close();
  chmodSync(tv.dir, 0o755);
  const service = await tv.reopen();
  assert.equal(statSync(tv.dir).mode & 0o7777, 0o700);
  const lines = service.audit.read().filter((e) => e.Operation === 'TightenVaultDirectory');
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.Outcome, 'Success');
  assert.match(lines[0]!.Detail ?? '', /mode 0755.*tightened to 0700/);
});

test('another user cannot list or read a vault directory once the vault has opened it', { skip: !asRoot && 'needs root to act as nobody' }, async (t) => {
  const tv = await createTempVault();
  t.after(() => tv.cleanup());
  tv.service.close();
  chmodSync(tv.dir, 0o777); // as a careless restore or sync tool might leave it
  await tv.reopen();
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'ls', tv.dir], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, `nobody listed the vault: ${r.stdout}`);
  assert.match(r.stderr, /Permission denied/);
});

test('a private vault directory is left as it is, with nothing in the audit log', async (t) => {
  const tv = await createTempVault();
  t.after(() => tv.cleanup());
  assert.equal(statSync(tv.dir).mode & 0o777, 0o700);
  const service = await tv.reopen();
  assert.deepEqual(
    service.audit.read().filter((e) => e.Operation === 'TightenVaultDirectory'),
    [],
  );
});
