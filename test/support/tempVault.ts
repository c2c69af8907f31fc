/** Test helpers: a fresh vault in a temp directory on the REAL OS keychain, cleaned up after. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../main/core/clock.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../main/keychain/keychain.js';
import type { Keychain } from '../../main/keychain/keychain.js';
import { openVault } from '../../main/vault/openVault.js';
import type { VaultService } from '../../main/vault/vaultService.js';

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
export const text = (b: string): string => Buffer.from(b, 'base64').toString('utf8');

export interface TempVault {
  dir: string;
  service: VaultService;
  keychain: Keychain;
  reopen(opts?: { clock?: Clock }): Promise<VaultService>;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = 'keyvault-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function createTempVault(opts: { clock?: Clock; dir?: string } = {}): Promise<TempVault> {
  const dir = opts.dir ?? tempDir();
  const keychain = createKeytarKeychain();
  const services: VaultService[] = [];
  const service = await openVault({ dir, keychain, ...(opts.clock ? { clock: opts.clock } : {}) });
  services.push(service);
  const vaultId = service.vaultId;
  return {
    dir,
    service,
    keychain,
    async reopen(o = {}) {
      const s = await openVault({ dir, keychain, create: false, ...(o.clock ? { clock: o.clock } : opts.clock ? { clock: opts.clock } : {}) });
      services.push(s);
      return s;
    },
    async cleanup() {
      for (const s of services) s.close();
      await keychain.deleteSecret(keychainAccountForVault(vaultId)).catch(() => false);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
