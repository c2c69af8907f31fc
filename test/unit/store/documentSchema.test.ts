import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { KMSInternalException } from '../../../main/core/errors.js';
import type { KeyRecord } from '../../../main/core/keyModel.js';
import { parseVaultDocument } from '../../../main/store/documentSchema.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { sampleVault, sampleVersion } from '../../fixtures/store/sampleVault.js';

const FILE = '/vaults/test/vault.json';

/** A JSON round trip of a valid document, as a mutable plain value. */
function validJson(keys = 2, versions = 2): VaultDocument {
  return JSON.parse(JSON.stringify(sampleVault(keys, versions))) as VaultDocument;
}

function firstKey(doc: VaultDocument): KeyRecord {
  const key = Object.values(doc.Keys)[0];
  assert.ok(key);
  return key;
}

function loose(value: object): Record<string, unknown> {
  return value as Record<string, unknown>;
}

function assertProblem(doc: unknown, pathFragment: string, problem?: RegExp): void {
  assert.throws(
    () => parseVaultDocument(doc, FILE),
    (err: unknown) => {
      assert.ok(err instanceof KMSInternalException, `expected KMSInternalException, got ${String(err)}`);
      assert.ok(err.message.includes(FILE), err.message);
      assert.ok(err.message.includes(pathFragment), `"${err.message}" should name ${pathFragment}`);
      if (problem) assert.match(err.message, problem);
      return true;
    },
  );
}

test('a valid document is returned as the same object', () => {
  const doc = validJson();
  assert.equal(parseVaultDocument(doc, FILE), doc);
});

test('optional fields may be absent or present', () => {
  const doc = validJson();
  const key = firstKey(doc);
  key.KeyState = 'PendingDeletion';
  key.DeletionDate = '2025-02-01T00:00:00.000Z';
  key.DeletionScheduledDate = '2025-01-02T00:00:00Z';
  doc.Recovery = {
    WrappedRootSecret: '-----BEGIN AGE ENCRYPTED FILE-----\nabc\n-----END AGE ENCRYPTED FILE-----\n',
    CreationDate: '2025-01-01T00:00:00+02:00',
  };
  doc.Secrets.push({ Id: randomUUID(), Kind: 'X25519Identity', Label: 'age1xyz', CreationDate: '2025-01-01T00:00:00Z', Sealed: 'AAAA' });
  doc.RecoveryRecipients.push('age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq');
  assert.equal(parseVaultDocument(doc, FILE), doc);
});

test('a key pending import may have no versions and no primary version', () => {
  const doc = validJson();
  const key = firstKey(doc);
  key.KeyState = 'PendingImport';
  key.Origin = 'EXTERNAL';
  key.Versions = [];
  delete key.PrimaryKeyVersionId;
  assert.equal(parseVaultDocument(doc, FILE), doc);
});

test('something other than an object is rejected', () => {
  assertProblem([], '(document)', /expected an object/);
  assertProblem(null, '(document)');
});

test('an unknown top-level field is rejected', () => {
  assertProblem({ ...validJson(), Extra: 1 }, 'Extra', /not a known field/);
});

test('an unknown field inside a key version is rejected', () => {
  const doc = validJson();
  const key = firstKey(doc);
  loose(key.Versions[0]!).Plaintext = 'oops';
  assertProblem(doc, `Keys["${key.KeyId}"].Versions[0].Plaintext`, /not a known field/);
});

test('a missing required field is named', () => {
  const doc = validJson();
  delete loose(doc).RootKeyCheck;
  assertProblem(doc, 'RootKeyCheck', /expected a string, got nothing/);
});

test('a VaultId that is not a UUID is rejected', () => {
  assertProblem({ ...validJson(), VaultId: 'not-a-uuid' }, 'VaultId', /UUID/);
});

test('a date that is not ISO-8601 is rejected', () => {
  const doc = validJson();
  const key = firstKey(doc);
  key.CreationDate = 'Tue, 01 Jan 2025 00:00:00 GMT';
  assertProblem(doc, `Keys["${key.KeyId}"].CreationDate`, /ISO-8601/);
});

test('an impossible month in a date is rejected', () => {
  assertProblem({ ...validJson(), CreationDate: '2025-13-01T00:00:00Z' }, 'CreationDate');
});

test('sealed material that is not base64 is rejected', () => {
  const doc = validJson();
  const key = firstKey(doc);
  key.Versions[1]!.SealedMaterial = 'not base64!';
  assertProblem(doc, `Keys["${key.KeyId}"].Versions[1].SealedMaterial`, /base64/);
});

test('empty sealed material is rejected', () => {
  const doc = validJson();
  firstKey(doc).Versions[0]!.SealedMaterial = '';
  assertProblem(doc, 'SealedMaterial');
});

test('an unknown key state is rejected', () => {
  const doc = validJson();
  loose(firstKey(doc)).KeyState = 'Exploded';
  assertProblem(doc, 'KeyState', /expected one of/);
});

test('a fractional or negative Revision is rejected', () => {
  assertProblem({ ...validJson(), Revision: 1.5 }, 'Revision');
  assertProblem({ ...validJson(), Revision: -1 }, 'Revision');
});

test('a FormatVersion newer than this build is rejected', () => {
  assertProblem({ ...validJson(), FormatVersion: 99 }, 'FormatVersion', /newer/);
});

test('a key filed under another id than its KeyId is rejected', () => {
  const doc = validJson(1, 1);
  const key = firstKey(doc);
  doc.Keys = { [randomUUID()]: key };
  assertProblem(doc, 'KeyId', /map key/);
});

test('a primary version that is not among the versions is rejected', () => {
  const doc = validJson();
  const key = firstKey(doc);
  key.PrimaryKeyVersionId = randomUUID();
  assertProblem(doc, `Keys["${key.KeyId}"].PrimaryKeyVersionId`, /not one of the key's versions/);
});

test('a key with versions but no primary version is rejected', () => {
  const doc = validJson();
  delete firstKey(doc).PrimaryKeyVersionId;
  assertProblem(doc, 'PrimaryKeyVersionId', /required/);
});

test('a version id used twice is rejected', () => {
  const doc = validJson(2, 1);
  const [a, b] = Object.values(doc.Keys);
  b!.Versions[0]!.KeyVersionId = a!.Versions[0]!.KeyVersionId;
  b!.PrimaryKeyVersionId = a!.Versions[0]!.KeyVersionId;
  assertProblem(doc, 'KeyVersionId', /more than one key version/);
});

test('an alias whose target key does not exist is rejected', () => {
  const doc = validJson();
  doc.Aliases['alias/test']!.TargetKeyId = randomUUID();
  assertProblem(doc, 'Aliases["alias/test"].TargetKeyId', /not a key of this vault/);
});

test('an alias filed under another name than its AliasName is rejected', () => {
  const doc = validJson();
  const alias = doc.Aliases['alias/test']!;
  doc.Aliases = { 'alias/other': alias };
  assertProblem(doc, 'Aliases["alias/other"].AliasName', /map key/);
});

test('a key pending deletion without a deletion date is rejected', () => {
  const doc = validJson();
  firstKey(doc).KeyState = 'PendingDeletion';
  assertProblem(doc, 'DeletionDate', /PendingDeletion/);
});

test('validating a 10,000-key, 50,000-version vault costs no more than parsing its JSON', () => {
  const text = JSON.stringify(sampleVault(10_000, 5));
  const doc = JSON.parse(text) as VaultDocument;
  // Alternate the two measurements and keep the best of each, so load bursts hit both alike.
  let parse = Infinity;
  let validate = Infinity;
  for (let i = 0; i < 7; i++) {
    let start = performance.now();
    JSON.parse(text);
    parse = Math.min(parse, performance.now() - start);
    start = performance.now();
    parseVaultDocument(doc, FILE);
    validate = Math.min(validate, performance.now() - start);
  }
  // Measured on a quiet 2-core machine: JSON.parse ~63 ms, validation ~58 ms (zod: 85-170 ms).
  // The reference is measured in the same run so the bound holds on slow or busy machines.
  assert.ok(validate < 3 * parse, `validation ${validate.toFixed(1)} ms vs JSON.parse ${parse.toFixed(1)} ms`);
});

test('a new version appended by a rotation still validates', () => {
  const doc = validJson();
  const key = firstKey(doc);
  const version = sampleVersion();
  key.Versions.push(version);
  key.PrimaryKeyVersionId = version.KeyVersionId;
  assert.equal(parseVaultDocument(doc, FILE), doc);
});
