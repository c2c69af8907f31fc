/**
 * A VaultContext on a fresh vault document in a temp directory, with a ManualClock, for unit tests
 * of the operation modules. The root keys are derived in memory: nothing is written to the
 * keychain (the context is given the real one, which these tests do not reach).
 */
import { withTestIntegrity } from './storeIntegrity.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../main/core/clock.js';
import { deriveRootKeys, ROOT_SECRET_BYTES } from '../../main/crypto/rootKeys.js';
import { createKeytarKeychain } from '../../main/keychain/keychain.js';
import { VaultStore } from '../../main/store/vaultStore.js';
import { AuditLog } from '../../main/vault/auditLog.js';
import { newVaultDocument } from '../../main/vault/openVault.js';
import { VaultContext } from '../../main/vault/vaultContext.js';
import { tempDir } from './tempVault.js';

export interface ContextKit {
  ctx: VaultContext;
  clock: ManualClock;
  dir: string;
  /** Opens a second context on the same vault (another process, as far as the store can tell). */
  another(): Promise<VaultContext>;
  cleanup(): void;
}

export async function createTestContext(start = '2026-01-01T00:00:00.000Z'): Promise<ContextKit> {
  const dir = tempDir('keyvault-ctx-');
  const clock = new ManualClock(start);
  const secret = randomBytes(ROOT_SECRET_BYTES);
  const vaultId = randomUUID();
  const rootKeys = deriveRootKeys(secret, vaultId);
  const store = withTestIntegrity(await VaultStore.open(dir), vaultId);
  await store.create(newVaultDocument(vaultId, secret, clock.now()));
  secret.fill(0);
  const keychain = createKeytarKeychain();
  const contexts: VaultContext[] = [];
  const open = async (s?: VaultStore): Promise<VaultContext> => {
    const ctx = new VaultContext({
      store: s ?? withTestIntegrity(await VaultStore.open(dir), vaultId),
      keychain,
      clock,
      rootKeys,
      audit: new AuditLog(join(dir, 'audit.log')),
    });
    contexts.push(ctx);
    return ctx;
  };
  const ctx = await open(store);
  return {
    ctx,
    clock,
    dir,
    another: () => open(),
    cleanup() {
      for (const c of contexts) c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
