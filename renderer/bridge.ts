/**
 * The renderer's only door to main: `window.vault` (typed in preload/contract.ts), plus how its
 * errors are turned into plain words that still name the exception.
 */
import type { VaultBridge } from '../preload/contract';

export function vault(): VaultBridge {
  const bridge = (window as Partial<Window>).vault;
  if (!bridge) {
    throw Object.assign(new Error('The vault bridge (window.vault) is not available in this window.'), {
      __type: 'BridgeUnavailable',
    });
  }
  return bridge;
}

export interface ShownError {
  /** The exception name, e.g. NotFoundException. */
  name: string;
  /** The service's own message. */
  message: string;
  /** One sentence a person can act on. */
  plain: string;
}

const PLAIN_WORDS: Record<string, string> = {
  NotFoundException: 'That key or item does not exist (any more).',
  InvalidArnException: 'That key identifier is not well formed.',
  DisabledException: 'The key is disabled; enable it first.',
  KMSInvalidStateException: 'The key is not in a state that allows this.',
  UnsupportedOperationException: 'This key does not support that operation.',
  InvalidCiphertextException: 'The data is not a valid ciphertext for this vault, or it was damaged.',
  IncorrectKeyException: 'The data was encrypted under a different key.',
  ValidationException: 'Some input is not valid.',
  AlreadyExistsException: 'Something with that name already exists.',
  DependencyTimeoutException: 'The vault did not answer in time (is the keychain locked?).',
  KMSInternalException: 'The vault hit an internal problem.',
  CancelledException: 'The job was cancelled.',
  VaultIntegrityException: 'The vault file was changed outside Key Vault, so it can no longer be trusted.',
  BridgeUnavailable: 'The app could not reach the vault service.',
};

export function toShownError(err: unknown): ShownError {
  let name = 'Error';
  let message = String(err);
  if (typeof err === 'object' && err !== null) {
    const typed = err as { __type?: unknown; name?: unknown; message?: unknown };
    if (typeof typed.__type === 'string') name = typed.__type;
    else if (typeof typed.name === 'string' && typed.name !== '') name = typed.name;
    if (typeof typed.message === 'string') message = typed.message;
  }
  const plain = PLAIN_WORDS[name] ?? 'Something went wrong.';
  return { name, message, plain };
}
