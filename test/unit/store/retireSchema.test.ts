/** The store schema for version states and the file inventory (issue 12): additive and strict. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { KMSInternalException } from '../../../main/core/errors.js';
import type { FileInventoryRecord } from '../../../main/core/fileInventory.js';
import { MAX_INVENTORY_FILES } from '../../../main/core/fileInventory.js';
import type { KeyVersionRecord } from '../../../main/core/keyModel.js';
import { parseVaultDocument } from '../../../main/store/documentSchema.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';

const T = '2026-01-01T00:00:00.000Z';

function doc(): VaultDocument {
  return JSON.parse(JSON.stringify(sampleVault(1, 2))) as VaultDocument;
}
function oldVersion(d: VaultDocument): KeyVersionRecord {
  return Object.values(d.Keys)[0]!.Versions[0]!;
}
function fileRecord(d: VaultDocument, path = '/home/me/a.age'): FileInventoryRecord {
  const key = Object.values(d.Keys)[0]!;
  return {
    Path: path,
    Size: 300,
    KeyId: key.KeyId,
    KeyVersionId: key.Versions[0]!.KeyVersionId,
    HeaderDigest: Buffer.alloc(32, 1).toString('base64'),
    LastSeenDate: T,
  };
}
function refused(d: unknown, fragment: string): void {
  assert.throws(
    () => parseVaultDocument(d, 'vault.json'),
    (e: unknown) => e instanceof KMSInternalException && e.message.includes(fragment),
  );
}

test('a document without any of the new fields is still valid', () => {
  assert.doesNotThrow(() => parseVaultDocument(doc(), 'vault.json'));
});

test('each version state is accepted with its own fields', () => {
  const d = doc();
  const v = oldVersion(d);
  v.KeyVersionState = 'Disabled';
  parseVaultDocument(d, 'vault.json');
  Object.assign(v, { KeyVersionState: 'PendingDestruction', DestructionDate: T, DestructionScheduledDate: T });
  parseVaultDocument(d, 'vault.json');
  delete v.SealedMaterial;
  delete v.DestructionDate;
  delete v.DestructionScheduledDate;
  Object.assign(v, { KeyVersionState: 'Destroyed', DestroyedDate: T });
  parseVaultDocument(d, 'vault.json');
});

test('a destroyed version that still carries material is refused', () => {
  const d = doc();
  Object.assign(oldVersion(d), { KeyVersionState: 'Destroyed', DestroyedDate: T });
  refused(d, 'SealedMaterial');
});

test('a live version without material, an unknown state, or a pending destruction without a date is refused', () => {
  const a = doc();
  delete oldVersion(a).SealedMaterial;
  refused(a, 'SealedMaterial');
  const b = doc();
  (oldVersion(b) as unknown as Record<string, unknown>).KeyVersionState = 'Shredded';
  refused(b, 'KeyVersionState');
  const c = doc();
  oldVersion(c).KeyVersionState = 'PendingDestruction';
  refused(c, 'DestructionDate');
});

test('inventory records are checked field by field', () => {
  const d = doc();
  const f = fileRecord(d);
  d.Files = { [f.Path]: f };
  parseVaultDocument(d, 'vault.json');
  d.Files = { '/elsewhere.age': f };
  refused(d, 'Path');
  d.Files = { [f.Path]: { ...f, Size: -1 } };
  refused(d, 'Size');
  d.Files = { [f.Path]: { ...f, KeyVersionId: 'v1' } };
  refused(d, 'KeyVersionId');
  d.Files = { [f.Path]: { ...f, Extra: 1 } as FileInventoryRecord };
  refused(d, 'Extra');
});

test('the inventory is bounded', () => {
  const d = doc();
  const base = fileRecord(d);
  const files: Record<string, FileInventoryRecord> = {};
  for (let i = 0; i <= MAX_INVENTORY_FILES; i++) {
    const p = `/f/${randomUUID()}`;
    files[p] = { ...base, Path: p };
  }
  d.Files = files;
  refused(d, 'more than');
});
