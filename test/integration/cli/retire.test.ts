/**
 * Retiring a key version through the built CLI, with faketime for the waiting period: states in
 * list-key-versions, the refusal while files use the version, re-encrypt-files, list-files,
 * scan-files, and destruction at the catch-up of a later run (never early, never backwards).
 *
 * One timeline, in order: t0, then +6d, +8d, then back to t0.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import type * as R from '../../../main/core/retireApi.js';
import { b64, CliVault, assertBuilt, type RunOptions } from './cliHarness.js';

const vault = new CliVault('kv-cli-retire-');
const at = (days: number): RunOptions => ({ faketime: `${days >= 0 ? '+' : ''}${days}d` });
let keyId = '';
let oldVersion = '';
let blob = '';
let file = '';
let dir = '';

before(async () => {
  assertBuilt();
  assert.ok(existsSync('/usr/bin/faketime'), 'faketime is installed');
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'retiring'])).KeyMetadata.KeyId;
  const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('old secret')]);
  oldVersion = enc.KeyVersionId;
  blob = enc.CiphertextBlob;
  dir = join(vault.dir, 'files');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'doc.txt'), 'a document');
  file = (await vault.ok<Api.FileJobResult>(['encrypt-file', '--key-id', keyId, '--in', join(dir, 'sub', 'doc.txt')])).OutputPath!;
  await vault.ok(['rotate-key-on-demand', '--key-id', keyId]);
});
after(() => vault.destroy());

const versions = async (opts?: RunOptions): Promise<Api.KeyVersionEntry[]> =>
  (await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', keyId], opts)).KeyVersions;

test('list-key-versions shows KeyVersionState for every version', async () => {
  assert.deepEqual(
    (await versions()).map((v) => v.KeyVersionState),
    ['Enabled', 'Enabled'],
  );
});

test('disable-key-version stops decryption with KMSInvalidStateException naming the version; enable-key-version restores it', async () => {
  const r = await vault.ok<R.KeyVersionStateResponse>(['disable-key-version', '--key-id', keyId, '--key-version-id', oldVersion]);
  assert.equal(r.KeyVersionState, 'Disabled');
  const err = await vault.fails(['decrypt', '--ciphertext-blob', blob], 'KMSInvalidStateException');
  assert.ok(err.message.includes(oldVersion));
  await vault.ok(['enable-key-version', '--key-id', keyId, '--key-version-id', oldVersion]);
  await vault.ok(['decrypt', '--ciphertext-blob', blob]);
});

test('the primary version cannot be disabled', async () => {
  const primary = (await versions()).find((v) => v.IsPrimary)!.KeyVersionId;
  await vault.fails(['disable-key-version', '--key-id', keyId, '--key-version-id', primary], 'KMSInvalidStateException');
});

test('list-files and scan-files know the encrypted file and that it is stale', async () => {
  const stale = await vault.ok<R.ListFilesResponse>(['list-files', '--stale']);
  assert.deepEqual(
    stale.Files.map((f) => [f.Path, f.KeyVersionId, f.Status]),
    [[file, oldVersion, 'Present']],
  );
  assert.deepEqual(await vault.ok<R.ScanFilesResponse>(['scan-files', '--dir', dir]), { Scanned: 1, Found: 1, Added: 0, Updated: 1 });
  await vault.fails(['scan-files', '--dir', join(dir, 'none')], 'ValidationException');
});

test('scheduling destruction is refused while the file uses the version, naming how many', async () => {
  const err = await vault.fails(
    ['schedule-key-version-destruction', '--key-id', keyId, '--key-version-id', oldVersion, '--pending-window-in-days', '7'],
    'KMSInvalidStateException',
  );
  assert.match(err.message, /^1 known file/);
  await vault.fails(
    ['schedule-key-version-destruction', '--key-id', keyId, '--key-version-id', oldVersion, '--pending-window-in-days', '6'],
    'ValidationException',
  );
});

test('re-encrypt-files moves the file forward; then scheduling is accepted', async () => {
  assert.deepEqual(await vault.ok<R.ReEncryptFilesResponse>(['re-encrypt-files', '--key-id', keyId]), {
    ReEncrypted: 1,
    AlreadyCurrent: 0,
    Missing: 0,
    Failed: [],
  });
  assert.deepEqual((await vault.ok<R.ListFilesResponse>(['list-files', '--stale'])).Files, []);
  const s = await vault.ok<R.KeyVersionStateResponse>([
    'schedule-key-version-destruction',
    '--key-id',
    keyId,
    '--key-version-id',
    oldVersion,
    '--pending-window-in-days',
    '7',
  ]);
  assert.equal(s.KeyVersionState, 'PendingDestruction');
  assert.ok(s.DestructionDate);
});

test('at +6d the version is still pending destruction (never early)', async () => {
  const v = (await versions(at(6))).find((x) => x.KeyVersionId === oldVersion)!;
  assert.equal(v.KeyVersionState, 'PendingDestruction');
});

test('at +8d the catch-up destroys it: decrypting under it says it was destroyed, the file still opens', async () => {
  const v = (await versions(at(8))).find((x) => x.KeyVersionId === oldVersion)!;
  assert.equal(v.KeyVersionState, 'Destroyed');
  const err = await vault.fails(['decrypt', '--ciphertext-blob', blob], 'KMSInvalidStateException', at(8));
  assert.match(err.message, /destroyed/);
  await vault.ok(['decrypt-file', '--in', file, '--out', join(dir, 'back.txt')], at(8));
});

test('back at t0 (clock moved back) the version stays destroyed', async () => {
  const v = (await versions()).find((x) => x.KeyVersionId === oldVersion)!;
  assert.equal(v.KeyVersionState, 'Destroyed');
  await vault.fails(['cancel-key-version-destruction', '--key-id', keyId, '--key-version-id', oldVersion], 'KMSInvalidStateException');
});
