/** The cryptographic operations on small data: Encrypt, Decrypt, ReEncrypt and the data keys. */
import { randomBytes } from 'node:crypto';
import type * as Api from '../core/api.js';
import { IncorrectKeyException, InvalidCiphertextException, NotFoundException, ValidationException } from '../core/errors.js';
import { MAX_DATA_KEY_BYTES, MAX_PLAINTEXT_BYTES, MIN_DATA_KEY_BYTES } from '../core/limits.js';
import { decryptBlob, encryptBlobBase64, withParsedBlob } from '../crypto/ciphertextBlob.js';
import { canonicalEncryptionContext, validateEncryptionContext } from '../crypto/encryptionContext.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { checkUsable, decodeBase64Field } from './keyRules.js';
import type { VaultContext } from './vaultContext.js';

/*
 * Each operation runs synchronously inside ctx.auditedCrypto (the async signature is the service's
 * API): an error becomes a rejected promise, as before, without an awaited closure per call.
 */
export async function encrypt(ctx: VaultContext, req: Api.EncryptRequest): Promise<Api.EncryptResponse> {
  return ctx.auditedCrypto('Encrypt', req?.KeyId, () => {
    const plaintext = decodeBase64Field(req?.Plaintext, 'Plaintext');
    if (plaintext.length < 1 || plaintext.length > MAX_PLAINTEXT_BYTES) {
      throw new ValidationException(`Plaintext must be 1 to ${MAX_PLAINTEXT_BYTES} bytes; got ${plaintext.length}.`);
    }
    const ctxMap = canonicalEncryptionContext(validateEncryptionContext(req.EncryptionContext));
    const doc = ctx.store.read();
    const { key, version, material } = ctx.primaryForUse(doc, req.KeyId);
    const blob = encryptBlobBase64(material, { keyId: key.KeyId, versionId: version.KeyVersionId }, plaintext, ctxMap);
    return { CiphertextBlob: blob, KeyId: ctx.arnOf(doc.VaultId, key.KeyId), KeyVersionId: version.KeyVersionId };
  });
}

export async function decrypt(ctx: VaultContext, req: Api.DecryptRequest): Promise<Api.DecryptResponse> {
  return ctx.auditedCrypto('Decrypt', req?.KeyId, () => {
    const doc = ctx.store.read();
    const { key, version, plaintext } = openBlob(ctx, doc, req?.CiphertextBlob, req?.EncryptionContext, req?.KeyId, 'KeyId', 'EncryptionContext');
    return { Plaintext: plaintext.toString('base64'), KeyId: ctx.arnOf(doc.VaultId, key.KeyId), KeyVersionId: version.KeyVersionId };
  });
}

export async function reEncrypt(ctx: VaultContext, req: Api.ReEncryptRequest): Promise<Api.ReEncryptResponse> {
  return ctx.auditedCrypto('ReEncrypt', req?.DestinationKeyId, () => {
    const doc = ctx.store.read();
    const destCtx = canonicalEncryptionContext(validateEncryptionContext(req?.DestinationEncryptionContext, 'DestinationEncryptionContext'));
    const source = openBlob(ctx, doc, req?.CiphertextBlob, req?.SourceEncryptionContext, req?.SourceKeyId, 'SourceKeyId', 'SourceEncryptionContext');
    try {
      const dest = ctx.primaryForUse(doc, req.DestinationKeyId);
      const blob = encryptBlobBase64(dest.material, { keyId: dest.key.KeyId, versionId: dest.version.KeyVersionId }, source.plaintext, destCtx);
      return {
        CiphertextBlob: blob,
        SourceKeyId: ctx.arnOf(doc.VaultId, source.key.KeyId),
        SourceKeyVersionId: source.version.KeyVersionId,
        KeyId: ctx.arnOf(doc.VaultId, dest.key.KeyId),
        KeyVersionId: dest.version.KeyVersionId,
      };
    } finally {
      source.plaintext.fill(0);
    }
  });
}

export async function generateDataKey(ctx: VaultContext, req: Api.GenerateDataKeyRequest): Promise<Api.GenerateDataKeyResponse> {
  return ctx.auditedCrypto('GenerateDataKey', req?.KeyId, () => makeDataKey(ctx, req, true));
}

export async function generateDataKeyWithoutPlaintext(
  ctx: VaultContext,
  req: Api.GenerateDataKeyRequest,
): Promise<Api.GenerateDataKeyWithoutPlaintextResponse> {
  return ctx.auditedCrypto('GenerateDataKeyWithoutPlaintext', req?.KeyId, () => {
    const { Plaintext: _omitted, ...rest } = makeDataKey(ctx, req, false);
    return rest;
  });
}

function openBlob(ctx: VaultContext, doc: VaultDocument, blobB64: unknown, ctxIn: unknown, expectKey: string | undefined, keyField: string, ctxField: string) {
  const encCtx = canonicalEncryptionContext(validateEncryptionContext(ctxIn, ctxField));
  return withParsedBlob(blobB64, (header, blob) => {
    const key = doc.Keys[header.keyId];
    if (!key) {
      throw new NotFoundException('The ciphertext names a key that is not in this vault (it was deleted, or the blob is damaged).');
    }
    if (expectKey !== undefined) {
      const expected = ctx.resolveKey(doc, expectKey);
      if (expected.KeyId !== key.KeyId) {
        throw new IncorrectKeyException(`The ciphertext was not encrypted under the key given in ${keyField} (${expectKey}).`);
      }
    }
    checkUsable(key);
    const version = key.Versions.find((v) => v.KeyVersionId === header.versionId);
    if (!version) throw new InvalidCiphertextException('The ciphertext names a key version that this key does not have.');
    const plaintext = decryptBlob(ctx.material(doc, key, version), blob, encCtx);
    return { key, version, plaintext };
  });
}

function makeDataKey(ctx: VaultContext, req: Api.GenerateDataKeyRequest, withPlaintext: boolean): Api.GenerateDataKeyResponse {
  const hasSpec = req?.KeySpec !== undefined;
  const hasBytes = req?.NumberOfBytes !== undefined;
  if (hasSpec === hasBytes) throw new ValidationException('Specify exactly one of KeySpec (AES_256 or AES_128) and NumberOfBytes.');
  let size: number;
  if (hasSpec) {
    if (req.KeySpec !== 'AES_256' && req.KeySpec !== 'AES_128')
      throw new ValidationException(`KeySpec must be AES_256 or AES_128, not "${String(req.KeySpec)}".`);
    size = req.KeySpec === 'AES_256' ? 32 : 16;
  } else {
    size = req.NumberOfBytes!;
    if (!Number.isInteger(size) || size < MIN_DATA_KEY_BYTES || size > MAX_DATA_KEY_BYTES) {
      throw new ValidationException(`NumberOfBytes must be ${MIN_DATA_KEY_BYTES} to ${MAX_DATA_KEY_BYTES}; got ${String(size)}.`);
    }
  }
  const encCtx = canonicalEncryptionContext(validateEncryptionContext(req.EncryptionContext));
  const doc = ctx.store.read();
  const { key, version, material } = ctx.primaryForUse(doc, req.KeyId);
  const dataKey = randomBytes(size);
  const blob = encryptBlobBase64(material, { keyId: key.KeyId, versionId: version.KeyVersionId }, dataKey, encCtx);
  const plaintext = withPlaintext ? dataKey.toString('base64') : '';
  dataKey.fill(0);
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: ctx.arnOf(doc.VaultId, key.KeyId), KeyVersionId: version.KeyVersionId };
}
