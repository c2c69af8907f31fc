/**
 * Through the CLI: a vault.json edited behind the vault's back makes every command fail with
 * VaultIntegrityException and exit code 254, saying what to do, without writing anything; the
 * standalone verify-vault reports it (exit 0, Ok false).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createKeytarKeychain } from '../../../main/keychain/keychain.js';
import { revisionAccountForVault } from '../../../main/keychain/revisionRecord.js';
import { assertBuilt, CliVault } from '../cli/cliHarness.js';
import { editKeepingMac, vaultFile } from '../../support/vaultFileEdits.js';

let vault: CliVault;
let vaultId = '';
before(() => {
  assertBuilt();
  vault = new CliVault();
});
after(async () => {
  if (vaultId)
    await createKeytarKeychain()
      .deleteSecret(revisionAccountForVault(vaultId))
      .catch(() => false);
  await vault?.destroy();
});

test('an edited vault.json: every command exits 254 with VaultIntegrityException and changes nothing', async () => {
  const created = await vault.ok<{ KeyMetadata: { KeyId: string } }>(['create-key']);
  const keyId = created.KeyMetadata.KeyId;
  await vault.ok(['disable-key', '--key-id', keyId]);
  vaultId = vault.vaultId() ?? '';
  editKeepingMac(vault.dir, (doc) => {
    doc.Keys[keyId]!.KeyState = 'Enabled';
  });
  const before = readFileSync(vaultFile(vault.dir));
  for (const args of [['list-keys'], ['encrypt', '--key-id', keyId, '--plaintext', 'aGk='], ['rotate-key-on-demand', '--key-id', keyId]]) {
    const r = await vault.run(args);
    assert.equal(r.code, 254, `${args[0]}: ${r.stderr}`);
    const err = JSON.parse(r.stderr.split('\n')[0]!) as { __type: string; message: string };
    assert.equal(err.__type, 'VaultIntegrityException');
    assert.match(err.message, /restore-backup/);
  }
  assert.deepEqual(readFileSync(vaultFile(vault.dir)), before, 'nothing was written');
  const report = await vault.ok<{ Ok: boolean; Problems: { Problem: string }[] }>(['verify-vault']);
  assert.equal(report.Ok, false);
  assert.ok(
    report.Problems.some((p) => /MAC/.test(p.Problem)),
    JSON.stringify(report.Problems),
  );
});

test('a CLI command that commits ends only once the keychain records its revision: a copy from before it is refused next time', async (t) => {
  const fresh = new CliVault();
  t.after(() => fresh.destroy());
  const created = await fresh.ok<{ KeyMetadata: { KeyId: string } }>(['create-key']);
  const id = fresh.vaultId() ?? '';
  t.after(() =>
    createKeytarKeychain()
      .deleteSecret(revisionAccountForVault(id))
      .catch(() => false),
  );
  const older = readFileSync(vaultFile(fresh.dir));
  const revisionOnDisk = (JSON.parse(older.toString('utf8')) as { Revision: number }).Revision;
  await fresh.ok(['rotate-key-on-demand', '--key-id', created.KeyMetadata.KeyId]);
  const record = await createKeytarKeychain().getSecret(revisionAccountForVault(id));
  assert.equal((JSON.parse(String(record)) as { Revision: number }).Revision, revisionOnDisk + 1, 'the floor is the rotation commit');
  writeFileSync(vaultFile(fresh.dir), older);
  const r = await fresh.run(['list-keys']);
  assert.equal(r.code, 254, r.stderr);
  assert.match(r.stderr, /older copy of the vault/);
});
