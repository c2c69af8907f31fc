/**
 * KMS exception classes. Each carries the AWS exception name in `__type`, which is what the CLI
 * prints and what the GUI shows next to a plain-words message.
 */
export const KMS_EXCEPTION_NAMES = [
  'NotFoundException',
  'InvalidArnException',
  'DisabledException',
  'KMSInvalidStateException',
  'UnsupportedOperationException',
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'ValidationException',
  'AlreadyExistsException',
  'DependencyTimeoutException',
  'KMSInternalException',
  'CancelledException',
  'VaultIntegrityException',

  'TagException',
  'InvalidMarkerException',
  'StorageFullException',
  'ReadOnlyStorageException',
  'FileAccessDeniedException',
  'FileNameTooLongException',
  'NotARegularFileException',
] as const;

export type KmsExceptionName = (typeof KMS_EXCEPTION_NAMES)[number];

export class KmsError extends Error {
  readonly __type: KmsExceptionName;
  constructor(type: KmsExceptionName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.__type = type;
    this.name = type;
  }
  toJSON(): { __type: KmsExceptionName; message: string } {
    return { __type: this.__type, message: this.message };
  }
}

export class NotFoundException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFoundException', message, options);
  }
}
export class InvalidArnException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArnException', message, options);
  }
}
export class DisabledException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DisabledException', message, options);
  }
}
export class KMSInvalidStateException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KMSInvalidStateException', message, options);
  }
}
export class UnsupportedOperationException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UnsupportedOperationException', message, options);
  }
}
export class InvalidCiphertextException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidCiphertextException', message, options);
  }
}
export class IncorrectKeyException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IncorrectKeyException', message, options);
  }
}
export class ValidationException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ValidationException', message, options);
  }
}
export class AlreadyExistsException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AlreadyExistsException', message, options);
  }
}
export class DependencyTimeoutException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DependencyTimeoutException', message, options);
  }
}
export class KMSInternalException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KMSInternalException', message, options);
  }
}
/** Not an AWS name: a file job the user cancelled. */
export class CancelledException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CancelledException', message, options);
  }
}

/**
 * Not an AWS name: vault.json (or the audit log) was changed, replaced by an older copy, or stripped
 * of its MAC behind the vault's back. Nothing is written, encrypted or rotated while it stands.
 */
export class VaultIntegrityException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('VaultIntegrityException', message, options);
  }
}

export class TagException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TagException', message, options);
  }
}
export class InvalidMarkerException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidMarkerException', message, options);
  }
}

/*
 * Not AWS names: file-system conditions a script can act on (free space, remount, fix permissions,
 * shorten a name, pick a file). Each message names the file; the errno stays in the message and
 * in `cause` for the audit log.
 */
export class StorageFullException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('StorageFullException', message, options);
  }
}
export class ReadOnlyStorageException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ReadOnlyStorageException', message, options);
  }
}
export class FileAccessDeniedException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FileAccessDeniedException', message, options);
  }
}
export class FileNameTooLongException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FileNameTooLongException', message, options);
  }
}
export class NotARegularFileException extends KmsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotARegularFileException', message, options);
  }
}

export function isKmsError(err: unknown): err is KmsError {
  return err instanceof KmsError;
}

/** Anything thrown that is not already typed becomes a KMSInternalException (never a raw crash). */
export function toKmsError(err: unknown): KmsError {
  if (err instanceof KmsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KMSInternalException(message, { cause: err });
}
