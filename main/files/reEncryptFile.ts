/**
 * The ReEncrypt job: puts a file under another key (or the current primary version) by rewrapping
 * its file key. Only the header changes: in place and crash-safely (rewrapJournal.ts) when the new
 * header has the old one's length; otherwise a new file is written and renamed over the old one.
 */
import type { FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type * as Api from '../core/api.js';
import { ValidationException } from '../core/errors.js';
import { ArmorEncoder, formatHeader, type Stanza } from '../crypto/age/index.js';
import { sealVaultStanza, VAULT_STANZA_TYPE, type VaultStanzaRef } from '../crypto/vaultStanza.js';
import { binarySource, parts, readFileHeader, type FileHeader } from './fileHeader.js';
import { BlockWriter, openInput, TempOutput, throwIfAborted } from './fileIo.js';
import { unwrapForDecrypt } from './fileKeys.js';
import { describeHeader } from './inspectFile.js';
import { Progress } from './jobProgress.js';
import { repairBatch } from './rewrapBatch.js';
import { rewriteHeaderInPlace, repairRewrap } from './rewrapJournal.js';
import type { VaultPort } from './vaultPort.js';

/** Where a rewrap takes a file's header: its target version and new header (null: already there). */
export interface RewrapPlan {
  target: VaultStanzaRef;
  /** The key the file was under (from its vault stanza), for the audit line. */
  from: string | undefined;
  newHeader: Buffer | null;
}

/**
 * The header `header` gets when its file key is wrapped to `destination`'s primary version (or, by
 * default, to the primary version of the key it is under): one vault stanza, in the place of the
 * first one it had; every other stanza kept.
 */
export async function planRewrap(vault: VaultPort, header: FileHeader, destination: string | undefined): Promise<RewrapPlan> {
  const { stanzas } = header.parsed;
  if (stanzas.some((s) => s.type === 'scrypt')) {
    throw new ValidationException('A passphrase-encrypted age file cannot be put under a vault key (scrypt must be its only stanza).');
  }
  const { fileKey, opened } = await unwrapForDecrypt(vault, header.parsed);
  try {
    const to = destination ?? opened?.keyId;
    if (to === undefined) throw new ValidationException('The file is not under a vault key: give the destination key (KeyId).');
    const { key, version, material } = vault.materialForEncrypt(to);
    const target: VaultStanzaRef = { keyId: key.KeyId, keyVersionId: version.KeyVersionId };
    const current = stanzas.filter((s) => s.type === VAULT_STANZA_TYPE);
    if (current.length === 1 && opened && opened.keyId === target.keyId && opened.keyVersionId === target.keyVersionId) {
      return { target, from: opened.keyId, newHeader: null };
    }
    const fresh = sealVaultStanza(target, material, fileKey);
    const firstVault = stanzas.findIndex((s) => s.type === VAULT_STANZA_TYPE);
    const kept = stanzas.filter((s) => s.type !== VAULT_STANZA_TYPE);
    const next: Stanza[] = firstVault < 0 ? [fresh, ...kept] : [...kept.slice(0, firstVault), fresh, ...kept.slice(firstVault)];
    return { target, from: opened?.keyId, newHeader: formatHeader(next, fileKey) };
  } finally {
    fileKey.fill(0);
  }
}

export async function reEncryptFile(vault: VaultPort, jobId: string, input: string, req: Api.FileJobRequest, signal: AbortSignal): Promise<Api.FileJobResult> {
  if (req.OutputPath !== undefined && resolve(req.OutputPath) !== input) {
    throw new ValidationException('ReEncrypt rewrites the file in place; OutputPath is not accepted.');
  }
  await repairBatch(dirname(input), vault.journalKey);
  await repairRewrap(input, vault.journalKey);
  const { fh, size } = await openInput(input);
  let closed = false;
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  try {
    const header = await readFileHeader(fh, size);
    const { target, newHeader } = await planRewrap(vault, header, req.KeyId);
    const progress = new Progress(vault, jobId, size);
    const result = {
      JobId: jobId,
      Operation: 'ReEncrypt' as const,
      InputPath: input,
      OutputPath: input,
      KeyId: target.keyId,
      KeyVersionId: target.keyVersionId,
    };
    if (newHeader === null) {
      // Already under the destination's primary version: nothing to write.
      progress.finish();
      await close();
      const inspection = await describeHeader(vault, header, size);
      return { ...result, BytesProcessed: 0, AlreadyCurrent: true, Inspection: inspection };
    }
    throwIfAborted(signal);
    if (!header.armored && newHeader.length === header.raw.length) {
      await close();
      await rewriteHeaderInPlace(input, header.raw, newHeader, size, vault.journalKey);
      progress.finish();
      return { ...result, BytesProcessed: newHeader.length };
    }
    const written = await rewriteWholeFile(fh, input, header, newHeader, progress, signal);
    progress.finish();
    return { ...result, BytesProcessed: written };
  } finally {
    await close();
  }
}

/** The slow path of ReEncrypt: a new file with the new header and the same payload, renamed over the old. */
async function rewriteWholeFile(
  fh: FileHandle,
  input: string,
  header: FileHeader,
  newHeader: Buffer,
  progress: Progress,
  signal: AbortSignal,
): Promise<number> {
  let out: TempOutput | null = await TempOutput.create(input);
  try {
    await out.fh.chmod((await fh.stat()).mode & 0o7777);
    const writer = new BlockWriter(out.fh);
    const armorer = header.armored ? new ArmorEncoder() : null;
    const emit = (b: Buffer): Buffer[] => (armorer === null ? [Buffer.from(b)] : parts(armorer.push(b)));
    await writer.write(emit(newHeader));
    let skip = header.raw.length;
    for await (const block of binarySource(fh, header.armored)) {
      throwIfAborted(signal);
      const rest = skip >= block.length ? null : block.subarray(skip);
      skip = Math.max(0, skip - block.length);
      if (rest !== null) await writer.write(emit(rest));
      progress.add(block.length);
    }
    if (armorer !== null) await writer.write([armorer.final()]);
    await writer.flush();
    throwIfAborted(signal);
    const written = writer.position;
    await out.commit(true);
    out = null;
    return written;
  } finally {
    await out?.discard();
  }
}
