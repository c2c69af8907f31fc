/**
 * Typed failures of the age format. Every failure to read a file is an
 * InvalidCiphertextException (the KMS name the CLI and GUI show); `stage` says which layer
 * rejected it so tests and diagnostics can tell a parse error from a wrong key.
 */
import { InvalidCiphertextException, ValidationException } from '../../core/errors.js';

/**
 * - `armor`: the ASCII armor is malformed.
 * - `header`: the header is malformed, or a stanza addressed to one of our identities is invalid.
 * - `no-match`: the header is well formed but none of the identities could unwrap the file key.
 * - `hmac`: a file key was unwrapped but the header MAC does not verify.
 * - `payload`: the STREAM payload is truncated, tampered with, or has trailing data.
 */
export type AgeFailureStage = 'armor' | 'header' | 'no-match' | 'hmac' | 'payload';

export class AgeDecryptionError extends InvalidCiphertextException {
  readonly stage: AgeFailureStage;
  constructor(stage: AgeFailureStage, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.stage = stage;
  }
}

export const armorError = (message: string): AgeDecryptionError => new AgeDecryptionError('armor', message);
export const headerError = (message: string, cause?: unknown): AgeDecryptionError =>
  new AgeDecryptionError('header', message, cause === undefined ? undefined : { cause });
export const payloadError = (message: string): AgeDecryptionError => new AgeDecryptionError('payload', message);

/** A recipient, identity or passphrase supplied by the user is unusable. */
export const invalidInput = (message: string): InstanceType<typeof ValidationException> => new ValidationException(message);
