/**
 * Errors of the protocol itself (authentication, guards, framing), with the AWS names SDKs
 * recognise. Errors of the operations are the vault's KmsError classes.
 */
export type ApiErrorName =
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'AccessDeniedException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'RequestEntityTooLargeException'
  | 'RequestTimeoutException';

export class ApiError extends Error {
  constructor(
    readonly __type: ApiErrorName,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = __type;
  }
}
