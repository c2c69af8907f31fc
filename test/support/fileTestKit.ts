/** Helpers shared by the file-engine integration tests. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type * as Api from '../../main/core/api.js';
import { isKmsError, type KmsExceptionName } from '../../main/core/errors.js';
import type { VaultService } from '../../main/vault/vaultService.js';
import { createTempVault, type TempVault } from './tempVault.js';

export const AGE = '/usr/bin/age';
export const AGE_KEYGEN = '/usr/bin/age-keygen';
export const hasAge = existsSync(AGE) && existsSync(AGE_KEYGEN);

export function job(service: VaultService, req: Omit<Api.FileJobRequest, 'JobId'> & { JobId?: string }): Promise<Api.FileJobResult> {
  return service.runFileJob({ JobId: randomUUID(), ...req });
}

export async function newKey(service: VaultService): Promise<string> {
  return (await service.createKey({ Description: 'files test' })).KeyMetadata.KeyId;
}

export function writeRandom(path: string, size: number): Buffer {
  const data = randomBytes(size);
  writeFileSync(path, data);
  return data;
}

/** Rejects with a KmsError of one of the given types. */
export async function rejectsWith(p: Promise<unknown>, ...types: KmsExceptionName[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isKmsError(err), `expected a typed KMS error, got ${String(err)}`);
    assert.ok(types.includes(err.__type), `expected ${types.join(' or ')}, got ${err.__type}: ${err.message}`);
    return true;
  });
}

/** The names in a directory other than the ones expected (temporaries and partial outputs). */
export function strayFiles(dir: string, expected: string[]): string[] {
  return readdirSync(dir).filter((n) => !expected.includes(n));
}

/** A fresh age X25519 identity made by age-keygen: [identity file path, age1 recipient]. */
export function ageKeygen(dir: string, name = 'recovery.key'): { identityFile: string; recipient: string } {
  const identityFile = join(dir, name);
  const r = spawnSync(AGE_KEYGEN, ['-o', identityFile], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const recipient = spawnSync(AGE_KEYGEN, ['-y', identityFile], { encoding: 'utf8' }).stdout.trim();
  return { identityFile, recipient };
}

/**
 * For the tests of the enclosing describe: a temporary vault with two keys, made before them and
 * removed after; `use` receives the vault and the two key ids.
 */
export function twoKeyVault(use: (tv: TempVault, keyA: string, keyB: string) => void): void {
  let tv: TempVault | undefined;
  before(async () => {
    tv = await createTempVault();
    use(tv, await newKey(tv.service), await newKey(tv.service));
  });
  after(async () => {
    await tv?.cleanup();
  });
}
