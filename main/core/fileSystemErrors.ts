/**
 * Turns a file-system errno into a typed error that names the file and says what to do, instead of
 * a KMSInternalException carrying raw errno text. The errno code stays in the message (and the
 * original error in `cause`), so the audit log and bug reports keep it.
 */
import {
  FileAccessDeniedException,
  FileNameTooLongException,
  KMSInternalException,
  NotARegularFileException,
  ReadOnlyStorageException,
  StorageFullException,
} from './errors.js';
import type { KmsError } from './errors.js';

export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * The typed error for `err` raised while doing `action` (e.g. "write", "read") on `path`, or
 * undefined when the errno has no specific meaning here (the caller keeps its own message).
 */
export function fileSystemError(err: unknown, action: string, path: string): KmsError | undefined {
  const code = errnoCode(err);
  const options = { cause: err };
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageFullException(`Cannot ${action} ${path}: the disk (or your quota) is full (${code}). Free some space and try again.`, options);
    case 'EROFS':
      return new ReadOnlyStorageException(`Cannot ${action} ${path}: it is on a read-only file system (${code}).`, options);
    case 'EACCES':
    case 'EPERM':
      return new FileAccessDeniedException(`Cannot ${action} ${path}: permission denied (${code}).`, options);
    case 'ENAMETOOLONG':
      return new FileNameTooLongException(`Cannot ${action} ${path}: the file name is too long for the file system (${code}).`, options);
    case 'EISDIR':
      return new NotARegularFileException(`Cannot ${action} ${path}: it is a directory, not a file (${code}).`, options);
    default:
      return undefined;
  }
}

/** fileSystemError, falling back to a KMSInternalException that still names the file. */
export function fileSystemErrorOrInternal(err: unknown, action: string, path: string): KmsError {
  return (
    fileSystemError(err, action, path) ??
    new KMSInternalException(`Cannot ${action} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  );
}
