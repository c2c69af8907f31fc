/** The vault document may record when a backup was last exported (the 30-day reminder reads it). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KMSInternalException } from '../../../main/core/errors.js';
import { parseVaultDocument } from '../../../main/store/documentSchema.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';

const FILE = '/vaults/test/vault.json';
const doc = (): VaultDocument => JSON.parse(JSON.stringify(sampleVault(1, 1))) as VaultDocument;

test('LastBackupDate is optional and, when present, an ISO date', () => {
  assert.equal(parseVaultDocument(doc(), FILE).LastBackupDate, undefined);
  const dated = { ...doc(), LastBackupDate: '2026-11-30T12:00:00.000Z' };
  assert.equal(parseVaultDocument(dated, FILE).LastBackupDate, '2026-11-30T12:00:00.000Z');
  for (const bad of ['yesterday', 42, '']) {
    assert.throws(
      () => parseVaultDocument({ ...doc(), LastBackupDate: bad }, FILE),
      (err: unknown) => err instanceof KMSInternalException && err.message.includes('LastBackupDate'),
    );
  }
});
