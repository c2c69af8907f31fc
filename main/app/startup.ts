/**
 * Start-up decisions that need no Electron: where the vault lives, and what the dialog says when
 * it cannot be opened.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { isKmsErrorLike } from './ipcHandlers.js';

/** `$KEYVAULT_HOME` when set (the CLI honours the same variable), else `<userData>/vault`. */
export function resolveVaultDir(env: Record<string, string | undefined>, userDataPath: string): string {
  const home = env.KEYVAULT_HOME?.trim();
  if (home) return isAbsolute(home) ? home : resolve(home);
  return join(userDataPath, 'vault');
}

/**
 * `$KEYVAULT_USER_DATA`, when set, replaces Electron's userData directory (set before `ready`).
 * Tests use it so a test instance neither meets the single-instance lock of a running app nor
 * touches its settings.
 */
export function userDataOverride(env: Record<string, string | undefined>): string | undefined {
  const dir = env.KEYVAULT_USER_DATA?.trim();
  if (!dir) return undefined;
  return isAbsolute(dir) ? dir : resolve(dir);
}

export interface StartupErrorDialog {
  title: string;
  message: string;
  detail: string;
}

const KEYCHAIN_ENTRY_HINT =
  'The vault is intact, but the OS keychain does not hold its root secret (it was reset, or the vault came from another machine or user). Key Vault never creates a new secret for an existing vault: recover it with `keyvault recover` and the recovery passphrase, or restore a backup.';

const HINTS: Partial<Record<string, string>> = {
  DependencyTimeoutException:
    'The OS keychain did not answer. Make sure it is unlocked (on Linux: a Secret Service such as GNOME Keyring or KWallet is running), then start Key Vault again.',
  KMSInvalidStateException:
    'The vault is in a state that does not allow opening it, for example held by another Key Vault or keyvault CLI process. Close the other process and try again.',
  ValidationException: 'The vault files look damaged or come from a newer version of Key Vault.',
};

/** The text of the error dialog shown when the vault cannot be opened. */
export function describeStartupError(err: unknown, vaultDir: string): StartupErrorDialog {
  if (isKmsErrorLike(err)) {
    const keychainEntry = err.__type !== 'DependencyTimeoutException' && /keychain/i.test(err.message);
    const hint = keychainEntry ? KEYCHAIN_ENTRY_HINT : HINTS[err.__type];
    return {
      title: 'Key Vault could not open the vault',
      message: `${err.__type}: ${err.message}`,
      detail: `${hint ?? 'See the application log for details.'}\n\nVault directory: ${vaultDir}`,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    title: 'Key Vault could not start',
    message: `Unexpected error: ${message}`,
    detail: `Nothing was changed. See the application log for details.\n\nVault directory: ${vaultDir}`,
  };
}
