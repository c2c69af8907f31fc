/** The Inspect job: what an age file's header says, and which recovery recipients it is wrapped to. */
import type { FileHandle } from 'node:fs/promises';
import type * as Api from '../core/api.js';
import { AgeDecryptionError, payloadPlaintextSize, verifyHeaderMac, X25519Recipient } from '../crypto/age/index.js';
import { openVaultStanza, VAULT_STANZA_TYPE, vaultStanzaRef } from '../crypto/vaultStanza.js';
import { binarySource, readFileHeader, type FileHeader } from './fileHeader.js';
import { openInput } from './fileIo.js';
import { expectedRecoveryShare } from './recoveryStanza.js';
import { assertNoInterruptedRewrap } from './rewrapJournal.js';
import type { VaultPort } from './vaultPort.js';

export async function inspectFile(vault: VaultPort, jobId: string, input: string): Promise<Api.FileJobResult> {
  await assertNoInterruptedRewrap(input, vault.journalKey);
  const { fh, size } = await openInput(input);
  try {
    const header = await readFileHeader(fh, size);
    const inspection = await describeHeader(vault, header, size, fh);
    return {
      JobId: jobId,
      Operation: 'Inspect',
      InputPath: input,
      ...(inspection.KeyId ? { KeyId: inspection.KeyId } : {}),
      ...(inspection.KeyVersionId ? { KeyVersionId: inspection.KeyVersionId } : {}),
      BytesProcessed: 0,
      Inspection: inspection,
    };
  } finally {
    await fh.close();
  }
}

/** FileInspection from a header; recovery recipients are recognised when the vault can unwrap the file key. */
export async function describeHeader(vault: VaultPort, header: FileHeader, size: number, fh?: FileHandle): Promise<Api.FileInspection> {
  const { stanzas } = header.parsed;
  const vaultStanza = stanzas.find((s) => s.type === VAULT_STANZA_TYPE);
  const ref = vaultStanza ? vaultStanzaRef(vaultStanza) : null;
  const recovery: string[] = [];
  if (vaultStanza && ref) {
    let fileKey: Buffer | null = null;
    try {
      fileKey = openVaultStanza(vaultStanza, vault.materialForDecrypt(ref.keyId, ref.keyVersionId).material);
    } catch (err) {
      // A key that is disabled, pending deletion or gone: the recipients just are not named.
      if (err instanceof AgeDecryptionError) throw err;
    }
    if (fileKey !== null) {
      try {
        verifyHeaderMac(header.parsed, fileKey);
        const shares = new Set(stanzas.filter((s) => s.type === 'X25519' && s.args.length === 1).map((s) => s.args[0] as string));
        for (const r of vault.recoveryRecipients()) {
          if (shares.has(expectedRecoveryShare(fileKey, X25519Recipient.parse(r)))) recovery.push(r);
        }
      } finally {
        fileKey.fill(0);
      }
    }
  }
  let binarySize = size;
  if (header.armored && fh) {
    binarySize = 0;
    for await (const block of binarySource(fh, true)) binarySize += block.length;
  }
  let plaintextSize: number | undefined;
  if (!header.armored || fh) {
    try {
      plaintextSize = payloadPlaintextSize(binarySize - header.raw.length);
    } catch {
      plaintextSize = undefined;
    }
  }
  return {
    ...(ref ? { KeyId: ref.keyId, KeyVersionId: ref.keyVersionId, IsPrimaryVersion: vault.primaryVersionOf(ref.keyId) === ref.keyVersionId } : {}),
    RecoveryRecipients: recovery,
    Stanzas: stanzas.map((s) => ({ Type: s.type, Args: [...s.args] })),
    Armored: header.armored,
    Size: size,
    HeaderSize: header.raw.length,
    ...(plaintextSize !== undefined ? { PlaintextSize: plaintextSize } : {}),
  };
}
