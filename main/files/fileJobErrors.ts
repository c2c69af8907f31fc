/**
 * File jobs fail on full disks, read-only mounts, permissions, long names and directories in odd
 * places. This turns the raw errno error into the typed error of core/fileSystemErrors.ts naming
 * the file the user knows (the output, never our hidden `.keyvault-part` name); the errno code
 * stays in the message for the audit log.
 */
import { basename, resolve } from 'node:path';
import { isKmsError, KMSInternalException, type KmsError } from '../core/errors.js';
import { errnoCode, fileSystemError } from '../core/fileSystemErrors.js';
import { PART_SUFFIX } from './fileIo.js';

/** `err` typed when it is a file-system condition; anything else is returned unchanged. */
export function typedFileJobError(thrown: unknown, input: string, output: string | undefined): unknown {
  // The audit wrapper has already made an untyped error a KMSInternalException around it.
  const err = thrown instanceof KMSInternalException && errnoCode(thrown.cause) !== undefined ? thrown.cause : thrown;
  if (isKmsError(err) || errnoCode(err) === undefined) return thrown;
  const raw = typeof (err as { path?: unknown }).path === 'string' ? (err as { path: string }).path : undefined;
  let path: string;
  let action: string;
  if (raw === input) {
    path = input;
    action = 'read';
  } else if (raw === undefined || raw.endsWith(PART_SUFFIX) || raw === output) {
    // A write to the partial output, or its move into place.
    path = output ?? input;
    action = 'write';
  } else {
    path = raw;
    action = 'use';
  }
  const typed: KmsError | undefined = fileSystemError(err, action, path);
  return typed ?? thrown;
}

/** The output a job writes (as fileService derives it), for naming it in errors. */
export function defaultOutputPath(op: string, input: string, requested: string | undefined): string | undefined {
  if (requested !== undefined && requested !== '') return resolve(requested);
  if (op === 'Encrypt') return `${input}.age`;
  if (op === 'Decrypt') return input.endsWith('.age') && basename(input).length > 4 ? input.slice(0, -4) : `${input}.decrypted`;
  if (op === 'ReEncrypt') return input;
  return undefined;
}
