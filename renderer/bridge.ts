/**
 * The renderer's only door to main: `window.vault` (typed in preload/contract.ts), plus how its
 * errors are turned into plain words that still name the exception. A VaultIntegrityException
 * from any call, at start or later, is reported to one listener (the blocking state).
 */
import type { VaultBridge } from '../preload/contract';

let integrityListener: ((err: unknown) => void) | undefined;

/** Called whenever any call answers VaultIntegrityException, wherever it came from. */
export function onVaultIntegrityFailure(listener: (err: unknown) => void): void {
  integrityListener = listener;
}

function isIntegrityFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { __type?: unknown }).__type === 'VaultIntegrityException';
}

/** The same bridge, with every rejected call checked for an integrity failure on its way out. */
function watched(bridge: VaultBridge): VaultBridge {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(bridge)) {
    if (typeof member !== 'function') {
      out[name] = member;
      continue;
    }
    const method = member as (...args: unknown[]) => unknown;
    out[name] = (...args: unknown[]) => {
      const result = method(...args);
      if (typeof result !== 'object' || result === null || typeof (result as Promise<unknown>).then !== 'function') return result;
      return (result as Promise<unknown>).catch((err: unknown) => {
        if (isIntegrityFailure(err)) integrityListener?.(err);
        throw err;
      });
    };
  }
  return out as unknown as VaultBridge;
}

let cached: { from: VaultBridge; to: VaultBridge } | undefined;

export function vault(): VaultBridge {
  const bridge = (window as Partial<Window>).vault;
  if (!bridge) {
    throw Object.assign(new Error('The vault bridge (window.vault) is not available in this window.'), {
      __type: 'BridgeUnavailable',
    });
  }
  if (cached?.from !== bridge) cached = { from: bridge, to: watched(bridge) };
  return cached.to;
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
