/**
 * ReEncrypt of many files of one folder as one batch (re-encrypt-files): each file is planned as
 * the single ReEncrypt job would (reEncryptFile.ts), the in-place ones are written together under
 * one journal and one durability round (rewrapBatch.ts), and each file gets its own audit line, as
 * a job of its own would. A file whose new header does not fit in place (armored, or of another
 * length) is handed back for the whole-file job.
 */
import { basename } from 'node:path';
import { toKmsError, type KmsError } from '../core/errors.js';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { looksArmored, parseHeader } from '../crypto/age/index.js';
import type { FileHeader } from './fileHeader.js';
import { typedFileJobError } from './fileJobErrors.js';
import { peekKeyId } from './fileKeys.js';
import { planRewrap } from './reEncryptFile.js';
import { MAX_BATCH_FILES, repairBatch, rewriteBatchInPlace, type BatchRewrite } from './rewrapBatch.js';
import { repairRewrap } from './rewrapJournal.js';
import type { VaultPort } from './vaultPort.js';

export { MAX_BATCH_FILES };

export type BatchOutcome =
  | { path: string; kind: 'current'; keyId: string; keyVersionId: string }
  /** Rewrapped in place: `header` is the header now on disk, `size` the file's (unchanged) size. */
  | { path: string; kind: 'rewrapped'; keyId: string; keyVersionId: string; header: Buffer; size: number }
  /** Not in place: run the ReEncrypt job on it. */
  | { path: string; kind: 'whole' }
  /** Left as it was: the run was cancelled before the batch was written. */
  | { path: string; kind: 'skipped' }
  | { path: string; kind: 'failed'; error: KmsError };

type Planned = { kind: 'in-place'; rewrite: BatchRewrite; from: string | undefined; keyId: string; keyVersionId: string } | BatchOutcome;

const FIRST_READ = 4096;

/**
 * The header of a binary age file whose header fits in its first 4 KiB (nearly all), read with
 * synchronous calls: microseconds, where each promise call is a thread-pool round trip that costs
 * more than the rest of the planning. Null for anything else (armored, larger, not a regular file),
 * which the ReEncrypt job handles whole.
 */
function readSmallHeader(path: string): { header: FileHeader; size: number } | null {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const buf = Buffer.allocUnsafe(Math.min(FIRST_READ, st.size));
    const n = readSync(fd, buf, 0, buf.length, 0);
    const head = buf.subarray(0, n);
    if (looksArmored(head)) return null;
    const parsed = parseHeader(head);
    if (!parsed.complete) return null;
    return { header: { parsed, raw: Buffer.from(head.subarray(0, parsed.payloadOffset)), armored: false }, size: st.size };
  } finally {
    closeSync(fd);
  }
}

async function plan(vault: VaultPort, path: string): Promise<Planned | { kind: 'error'; error: unknown }> {
  try {
    await repairRewrap(path, vault.journalKey); // a per-file journal left by an older run
    const small = readSmallHeader(path);
    if (small === null) return { path, kind: 'whole' };
    const { header, size } = small;
    const p = await planRewrap(vault, header, undefined);
    const ids = { keyId: p.target.keyId, keyVersionId: p.target.keyVersionId };
    if (p.newHeader === null) return { path, kind: 'current', ...ids };
    if (p.newHeader.length !== header.raw.length) return { path, kind: 'whole' };
    return { kind: 'in-place', rewrite: { path, size, oldHeader: header.raw, newHeader: p.newHeader }, from: p.from, ...ids };
  } catch (error) {
    return { kind: 'error', error };
  }
}

/**
 * Rewraps `paths` (files of `dir`, at most MAX_BATCH_FILES) to their keys' primary versions. A file
 * reported 'rewrapped' is durably so; every file not reported so is as it was.
 */
export async function reEncryptInPlace(vault: VaultPort, dir: string, paths: readonly string[], signal?: AbortSignal): Promise<BatchOutcome[]> {
  const audit = async (path: string, keyRef: string | undefined, error?: unknown): Promise<KmsError | undefined> =>
    vault
      .audited(
        'ReEncryptFile',
        keyRef,
        async () => {
          if (error !== undefined) throw typedFileJobError(error, path, path);
        },
        basename(path),
      )
      .then(
        () => undefined,
        (err: unknown) => toKmsError(err),
      );
  const failed = async (path: string, keyRef: string | undefined, error: unknown): Promise<BatchOutcome> => ({
    path,
    kind: 'failed',
    error: (await audit(path, keyRef ?? (await peekKeyId(path)), error)) ?? toKmsError(error),
  });
  try {
    await repairBatch(dir, vault.journalKey);
  } catch (error) {
    return Promise.all(paths.map((p) => failed(p, undefined, error)));
  }
  const planned = await Promise.all(paths.map((p) => plan(vault, p)));
  if (signal?.aborted) return paths.map((path) => ({ path, kind: 'skipped' }));
  const inPlace = planned.flatMap((p) => (p.kind === 'in-place' ? [p] : []));
  let written: (Error | null)[];
  try {
    written = await rewriteBatchInPlace(
      dir,
      inPlace.map((p) => p.rewrite),
      vault.journalKey,
    );
  } catch (error) {
    written = inPlace.map(() => (error instanceof Error ? error : new Error(String(error))));
  }
  const outcomes: BatchOutcome[] = [];
  let next = 0;
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!;
    const path = paths[i]!;
    if (p.kind === 'in-place') {
      const error = written[next++];
      if (error) outcomes.push(await failed(path, p.from, error));
      else {
        await audit(path, p.from);
        outcomes.push({ path, kind: 'rewrapped', keyId: p.keyId, keyVersionId: p.keyVersionId, header: p.rewrite.newHeader, size: p.rewrite.size });
      }
    } else if (p.kind === 'error') outcomes.push(await failed(path, undefined, p.error));
    else {
      if (p.kind === 'current') await audit(path, p.keyId);
      outcomes.push(p);
    }
  }
  return outcomes;
}
