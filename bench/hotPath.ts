/**
 * bench/hotPath: the KMS hot path alone, for profiling (`node --cpu-prof --import tsx bench/hotPath.ts`).
 * In-process Encrypt+Decrypt pairs against raw AES-256-GCM pairs, in alternating rounds of the same
 * run (the ratio is what counts on a shared machine). The root secret lives in a memory keychain:
 * the keychain is not on the hot path.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Keychain } from '../main/keychain/keychain.js';
import { openVault } from '../main/vault/openVault.js';
import type { VaultService } from '../main/vault/vaultService.js';
import { median } from './report.js';

function memoryKeychain(): Keychain {
  const secrets = new Map<string, Buffer>();
  return {
    getSecret: async (account: string) => secrets.get(account) ?? null,
    setSecret: async (account: string, secret: Buffer) => void secrets.set(account, Buffer.from(secret)),
    deleteSecret: async (account: string) => secrets.delete(account),
  } as unknown as Keychain;
}

/** Pairs per second through the service for `ms` milliseconds. */
export async function servicePairs(service: VaultService, keyId: string, plaintext: string, ms: number): Promise<number> {
  let pairs = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  while (performance.now() < end) {
    for (let j = 0; j < 200; j++) {
      const e = await service.encrypt({ KeyId: keyId, Plaintext: plaintext });
      await service.decrypt({ CiphertextBlob: e.CiphertextBlob });
    }
    pairs += 200;
  }
  return pairs / ((performance.now() - t0) / 1000);
}

/** Raw AES-256-GCM encrypt+decrypt pairs per second of the same plaintext size. */
export function rawPairs(size: number, ms: number): number {
  const key = randomBytes(32);
  const pt = randomBytes(size);
  let pairs = 0;
  const t0 = performance.now();
  const end = t0 + ms;
  while (performance.now() < end) {
    for (let j = 0; j < 500; j++) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(pt), c.final()]);
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAuthTag(c.getAuthTag());
      Buffer.concat([d.update(ct), d.final()]);
    }
    pairs += 500;
  }
  return pairs / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyvault-hotpath-'));
  const service = await openVault({ dir, keychain: memoryKeychain() });
  try {
    const keyId = (await service.createKey({ Description: 'hot path' })).KeyMetadata.KeyId;
    const plaintext = randomBytes(256).toString('base64');
    const rounds = Number(process.argv[2] ?? 5);
    const ours: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(await servicePairs(service, keyId, plaintext, 1000));
      if (process.argv[3] !== 'service') raw.push(rawPairs(256, 1000));
    }
    const o = median(ours);
    const r = raw.length > 0 ? median(raw) : NaN;
    console.log(`service ${o.toFixed(0)} pairs/s, raw AES-GCM ${r.toFixed(0)} pairs/s, ratio ${(o / r).toFixed(2)}`);
  } finally {
    service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
