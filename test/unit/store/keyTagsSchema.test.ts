/** The optional Tags of a key record at the persistence boundary: additive, validated, bounded. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVaultDocument } from '../../../main/store/documentSchema.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';

const FILE = '/vaults/test/vault.json';
const docWithTags = (tags: unknown): VaultDocument => {
  const doc = JSON.parse(JSON.stringify(sampleVault(1, 1))) as VaultDocument;
  (Object.values(doc.Keys)[0] as unknown as Record<string, unknown>).Tags = tags;
  return doc;
};
const refused = (tags: unknown, fragment: RegExp) =>
  assert.throws(
    () => parseVaultDocument(docWithTags(tags), FILE),
    (err: Error) => err.name === 'KMSInternalException' && fragment.test(err.message),
  );

test('a key without Tags (every vault written before tags) and a key with valid tags both load', () => {
  const plain = JSON.parse(JSON.stringify(sampleVault(1, 1))) as VaultDocument;
  assert.equal(parseVaultDocument(plain, FILE), plain);
  const tagged = docWithTags([
    { TagKey: 'env', TagValue: '' },
    { TagKey: 'k'.repeat(128), TagValue: 'v'.repeat(256) },
  ]);
  assert.equal(parseVaultDocument(tagged, FILE), tagged);
});

test('tags beyond the AWS limits, malformed or repeated are refused with their path', () => {
  refused({ env: 'dev' }, /Tags: expected an array/);
  refused(
    Array.from({ length: 51 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' })),
    /Tags: has more than 50 tags/,
  );
  refused([{ TagKey: '', TagValue: 'x' }], /Tags\[0\]: TagKey must be/);
  refused([{ TagKey: 'a', TagValue: 'v'.repeat(257) }], /Tags\[0\]: TagValue/);
  refused([{ TagKey: 'a', TagValue: 'x', Extra: 1 }], /unknown field "Extra"/);
  refused(
    [
      { TagKey: 'a', TagValue: 'x' },
      { TagKey: 'a', TagValue: 'y' },
    ],
    /Tags\[1\]\.TagKey: "a" appears more than once/,
  );
});
