/**
 * Where the vault lives when no directory is given: `$KEYVAULT_HOME`, else the desktop app's data
 * directory (what Electron's app.getPath('userData') gives for the product name "Key Vault") + /vault.
 * The CLI and the app therefore share one vault by default.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Key Vault';

export function appDataDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), PRODUCT_NAME);
}

export function defaultVaultDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KEYVAULT_HOME) return env.KEYVAULT_HOME;
  return join(appDataDirectory(env, platform), 'vault');
}
