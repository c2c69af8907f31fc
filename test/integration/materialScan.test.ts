/** The e2e suite's key-material scan really finds material, and passes ordinary responses. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { findKeyMaterial } from '../e2e/harness.js';
import { createTempVault, b64, type TempVault } from '../support/tempVault.js';

let v: TempVault;
before(async () => {
  v = await createTempVault();
});
after(async () => {
  await v.cleanup();
});

test('the material scan finds a key version material in base64 or hex anywhere in a response', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const { material } = v.service.materialForEncrypt(m.KeyId);
  assert.match(findKeyMaterial(v.service, [{ ok: true, value: { Deep: [{ X: material.toString('base64') }] } }]) ?? '', new RegExp(m.KeyId));
  assert.ok(findKeyMaterial(v.service, [{ Hex: `..${material.toString('hex')}..` }]));
});

test('the material scan passes real responses of the service', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const enc = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('hello') });
  const dk = await v.service.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_256' });
  const all = [m, enc, dk, await v.service.listKeyDetails(), await v.service.listKeyVersions({ KeyId: m.KeyId })];
  assert.equal(findKeyMaterial(v.service, all), null);
});
