/**
 * bench/hotPath: the KMS hot path alone, for profiling (`node --cpu-prof --import tsx bench/hotPath.ts`).
 * In-process Encrypt+Decrypt pairs against raw AES-256-GCM pairs, in short alternating rounds of
 * the same run, counted per second of wall time and per second of this process's CPU time (on a
 * shared, loaded machine the CPU figure is the steadier one). The root secret lives in a memory
 * keychain: the keychain is not on the hot path. `node bench/hotPath.ts [rounds] [service]`.
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

export interface Rate {
  wall: number;
  cpu: number;
}

/** Runs `batch` (which does `n` pairs) for `ms` milliseconds: pairs per wall second and per CPU second. */
async function measure(ms: number, n: number, batch: () => Promise<void> | void): Promise<Rate> {
  let pairs = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() < t0 + ms) {
    await batch();
    pairs += n;
  }
  const c = process.cpuUsage(c0);
  return { wall: pairs / ((performance.now() - t0) / 1000), cpu: pairs / ((c.user + c.system) / 1e6) };
}

/** Encrypt+Decrypt pairs through the service. */
export function servicePairs(service: VaultService, keyId: string, plaintext: string, ms: number): Promise<Rate> {
  return measure(ms, 200, async () => {
    for (let j = 0; j < 200; j++) {
      const e = await service.encrypt({ KeyId: keyId, Plaintext: plaintext });
      await service.decrypt({ CiphertextBlob: e.CiphertextBlob });
    }
  });
}

/** Raw AES-256-GCM encrypt+decrypt pairs of the same plaintext size (as bench/vault.ts does them). */
export function rawPairs(size: number, ms: number): Promise<Rate> {
  const key = randomBytes(32);
  const pt = randomBytes(size);
  return measure(ms, 500, () => {
    for (let j = 0; j < 500; j++) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(pt), c.final()]);
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAuthTag(c.getAuthTag());
      Buffer.concat([d.update(ct), d.final()]);
    }
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'keyvault-hotpath-'));
  const service = await openVault({ dir, keychain: memoryKeychain() });
  try {
    const keyId = (await service.createKey({ Description: 'hot path' })).KeyMetadata.KeyId;
    const plaintext = randomBytes(256).toString('base64');
    const rounds = Number(process.argv[2] ?? 10);
    const ours: Rate[] = [];
    const raw: Rate[] = [];
    await servicePairs(service, keyId, plaintext, 300); // warm-up
    for (let i = 0; i < rounds; i++) {
      ours.push(await servicePairs(service, keyId, plaintext, 300));
      if (process.argv[3] !== 'service') raw.push(await rawPairs(256, 300));
    }
    const line = (what: keyof Rate): string => {
      const o = median(ours.map((r) => r[what]));
      const r = raw.length > 0 ? median(raw.map((x) => x[what])) : Number.NaN;
      return `per ${what} second: service ${o.toFixed(0)} pairs/s, raw AES-GCM ${r.toFixed(0)} pairs/s, ratio ${(o / r).toFixed(2)}`;
    };
    console.log(`${line('wall')}\n${line('cpu')}`);
  } finally {
    service.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
