/**
 * Size and range limits of the API, in one place: the service enforces them, the IPC schemas
 * reject oversized input before it reaches the service, the store's loader checks documents
 * against them, and the renderer's forms give early feedback. Pure constants (the renderer
 * imports this file).
 */

/** Largest plaintext Encrypt accepts, as in KMS: 4096 bytes. */
export const MAX_PLAINTEXT_BYTES = 4096;
/** A ciphertext blob is the plaintext plus a small header: generous headroom. */
export const MAX_CIPHERTEXT_BYTES = 12 * 1024;
export const MAX_KEY_ID_LENGTH = 2048;
export const MAX_DESCRIPTION_LENGTH = 8192;
export const MAX_ALIAS_LENGTH = 256;
export const MAX_PATH_LENGTH = 4096;
export const MAX_PASSPHRASE_LENGTH = 1024;
export const MAX_RECIPIENT_LENGTH = 8192;
export const MAX_IDENTITY_FILE_LENGTH = 64 * 1024;
export const MAX_CONTEXT_ENTRIES = 64;
/** A stored identity's or passphrase's label. */
export const MAX_LABEL_LENGTH = 200;

/** ScheduleKeyDeletion's waiting period, in days (as in KMS). */
export const MIN_PENDING_WINDOW_DAYS = 7;
export const MAX_PENDING_WINDOW_DAYS = 30;
export const DEFAULT_PENDING_WINDOW_DAYS = 30;

/** GenerateDataKey's NumberOfBytes. */
export const MIN_DATA_KEY_BYTES = 1;
export const MAX_DATA_KEY_BYTES = 1024;

/** ListAuditEvents' Limit. */
export const DEFAULT_AUDIT_LIMIT = 500;
export const MAX_AUDIT_LIMIT = 10_000;

/** Rotation intervals, in days (parsing and checking: rotationInterval.ts). */
export { MIN_ROTATION_DAYS, MAX_ROTATION_DAYS, DEFAULT_ROTATION_DAYS } from './rotationInterval.js';
