/** Helpers for the recovery, backup and fault tests. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { KmsError } from '../../main/core/errors.js';
import type { VaultService } from '../../main/vault/vaultService.js';

/** A low scrypt work factor for tests (the product uses 20, which takes seconds per wrap). */
export const TEST_WORK_FACTOR = 10;

export function fastRecovery(service: VaultService): VaultService {
  service.recovery.workFactor = TEST_WORK_FACTOR;
  return service;
}

export async function rejectsWith(p: Promise<unknown>, type: string, messagePattern?: RegExp): Promise<KmsError> {
  let caught: KmsError | undefined;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof KmsError, `expected a KmsError, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    assert.equal(err.__type, type, err.message);
    if (messagePattern) assert.match(err.message, messagePattern);
    caught = err;
    return true;
  });
  return caught!;
}

export const AGE_BINARY = '/usr/bin/age';
export const SCRIPT_BINARY = '/usr/bin/script';

/** Why the stock age tool cannot be driven here, or false when it can. */
export function stockAgeUnavailable(): string | false {
  if (!existsSync(AGE_BINARY)) return 'the age binary is not installed';
  if (!existsSync(SCRIPT_BINARY)) return 'util-linux script (for a pseudo-terminal) is not installed';
  return false;
}

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Runs `age -d -o out in` with the passphrase typed on a pseudo-terminal (age reads passphrases
 * only from a terminal), via util-linux `script`.
 */
export function stockAgeDecrypt(inPath: string, outPath: string, passphrase: string): void {
  const command = [AGE_BINARY, '-d', '-o', outPath, inPath].map(quote).join(' ');
  const r = spawnSync(SCRIPT_BINARY, ['-qec', command, '/dev/null'], { input: `${passphrase}\n`, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`age -d under script failed (${String(r.status)}): ${r.stdout.toString()}${r.stderr.toString()}`);
}
