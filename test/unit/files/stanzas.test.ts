/** The vault stanza and the recovery stanzas, without a vault. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { DisabledException, isKmsError, NotFoundException } from '../../../main/core/errors.js';
import { decryptBuffer, encryptBuffer, formatHeader, parseHeader, X25519Identity } from '../../../main/crypto/age/index.js';
import {
  openVaultStanza,
  sealVaultStanza,
  VAULT_STANZA_BODY_BYTES,
  VAULT_STANZA_TYPE,
  VaultStanzaIdentity,
  VaultStanzaRecipient,
  type VaultKeyMaterialSource,
} from '../../../main/crypto/vaultStanza.js';
import { expectedRecoveryShare, RecoveryRecipient } from '../../../main/files/recoveryStanza.js';

const ref = { keyId: randomUUID(), keyVersionId: randomUUID() };
const material = randomBytes(32);

/** A stand-in for the vault: one key with one version, in a given state. */
function fakeVault(state: 'Enabled' | 'Disabled' | 'Gone' = 'Enabled'): VaultKeyMaterialSource {
  const use = () => {
    if (state === 'Disabled') throw new DisabledException(`Key ${ref.keyId} is disabled.`);
    if (state === 'Gone') throw new NotFoundException(`Key ${ref.keyId} is not in this vault.`);
    return { key: { KeyId: ref.keyId }, version: { KeyVersionId: ref.keyVersionId }, material };
  };
  return { materialForEncrypt: use, materialForDecrypt: use };
}

const errorType = (err: unknown): string => (isKmsError(err) ? err.__type : String(err));

describe('vault stanza', () => {
  test('wraps and unwraps the file key; its body always has the same size', () => {
    const fileKey = randomBytes(16);
    const s = sealVaultStanza(ref, material, fileKey);
    assert.equal(s.type, VAULT_STANZA_TYPE);
    assert.deepEqual(s.args, [ref.keyId, ref.keyVersionId]);
    assert.equal(s.body.length, VAULT_STANZA_BODY_BYTES);
    assert.ok(openVaultStanza(s, material).equals(fileKey));
  });

  test('a header rewrapped under another version has exactly the same length', () => {
    const fileKey = randomBytes(16);
    const a = formatHeader([sealVaultStanza(ref, material, fileKey)], fileKey);
    const b = formatHeader([sealVaultStanza({ keyId: randomUUID(), keyVersionId: randomUUID() }, randomBytes(32), fileKey)], fileKey);
    assert.equal(a.length, b.length);
  });

  test('the arguments are bound: a body moved to another version, or a flipped body bit, does not open', () => {
    const fileKey = randomBytes(16);
    const s = sealVaultStanza(ref, material, fileKey);
    const moved = { ...s, args: [ref.keyId, randomUUID()] };
    assert.throws(
      () => openVaultStanza(moved, material),
      (e) => errorType(e) === 'InvalidCiphertextException',
    );
    for (const i of [0, 16, 31, 47]) {
      const body = Buffer.from(s.body);
      body[i] = body[i]! ^ 1;
      assert.throws(
        () => openVaultStanza({ ...s, body }, material),
        (e) => errorType(e) === 'InvalidCiphertextException',
      );
    }
    assert.throws(
      () => openVaultStanza(s, randomBytes(32)),
      (e) => errorType(e) === 'InvalidCiphertextException',
    );
  });

  test('malformed stanzas (bad ids, wrong body length) are header errors', () => {
    const s = sealVaultStanza(ref, material, randomBytes(16));
    for (const bad of [
      { ...s, args: ['not-a-uuid', ref.keyVersionId] },
      { ...s, args: [ref.keyId] },
      { ...s, body: s.body.subarray(1) },
    ]) {
      assert.throws(
        () => openVaultStanza(bad, material),
        (e) => errorType(e) === 'InvalidCiphertextException',
      );
    }
  });

  test('as age recipient and identity, through the vault: key state errors come through typed', async () => {
    const plain = Buffer.from('hello');
    const recipient = new VaultStanzaRecipient(fakeVault(), ref.keyId);
    const file = await encryptBuffer(plain, [recipient]);
    assert.deepEqual(recipient.used, ref);
    assert.deepEqual(await decryptBuffer(file, [new VaultStanzaIdentity(fakeVault())]), plain);
    await assert.rejects(decryptBuffer(file, [new VaultStanzaIdentity(fakeVault('Disabled'))]), (e) => errorType(e) === 'DisabledException');
    const gone = new VaultStanzaIdentity(fakeVault('Gone'));
    await assert.rejects(decryptBuffer(file, [gone]), (e) => errorType(e) === 'InvalidCiphertextException');
    assert.equal(gone.missing?.__type, 'NotFoundException', 'the missing key is remembered for the caller to report');
  });
});

describe('recovery stanza', () => {
  test('is a standard X25519 stanza that the recipient identity opens', async () => {
    const id = X25519Identity.generate();
    const file = await encryptBuffer(Buffer.from('recover me'), [new RecoveryRecipient(id.recipient)]);
    assert.equal((await decryptBuffer(file, [id])).toString(), 'recover me');
  });

  test('its ephemeral share is derived from the file key, so the vault can tell which recipient it is for', async () => {
    const a = X25519Identity.generate().recipient;
    const b = X25519Identity.generate().recipient;
    const fileKey = randomBytes(16);
    const [sa] = await new RecoveryRecipient(a).wrap(fileKey);
    assert.equal(sa!.args[0], expectedRecoveryShare(fileKey, a));
    assert.notEqual(sa!.args[0], expectedRecoveryShare(fileKey, b));
    assert.notEqual(sa!.args[0], expectedRecoveryShare(randomBytes(16), a), 'another file key, another share');
    const header = parseHeader(formatHeader([sa!], fileKey));
    assert.ok(header.complete);
  });
});
