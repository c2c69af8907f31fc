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

const make = (type: KmsExceptionName) =>
  class extends KmsError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(type, message, options);
    }
  };

export const NotFoundException = make('NotFoundException');
export const InvalidArnException = make('InvalidArnException');
export const DisabledException = make('DisabledException');
export const KMSInvalidStateException = make('KMSInvalidStateException');
export const UnsupportedOperationException = make('UnsupportedOperationException');
export const InvalidCiphertextException = make('InvalidCiphertextException');
export const IncorrectKeyException = make('IncorrectKeyException');
export const ValidationException = make('ValidationException');
export const AlreadyExistsException = make('AlreadyExistsException');
export const DependencyTimeoutException = make('DependencyTimeoutException');
export const KMSInternalException = make('KMSInternalException');
/** Not an AWS name: a file job the user cancelled. */
export const CancelledException = make('CancelledException');

export function isKmsError(err: unknown): err is KmsError {
  return err instanceof KmsError;
}

/** Anything thrown that is not already typed becomes a KMSInternalException (never a raw crash). */
export function toKmsError(err: unknown): KmsError {
  if (err instanceof KmsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new KMSInternalException(message, { cause: err });
}
