/**
 * A child process for the fault tests: opens a vault in-process (real keychain) and runs a loop of
 * operations, printing one JSON line on stdout for each operation AFTER it returned — so a line the
 * parent received is a promise that the operation is durable.
 *
 *   node faultWorker.mjs '{"dir": "...", "mode": "crash" | "concurrent", "ops": 200, "worker": "a"}'
 *
 * - crash: loops until killed (the parent sends SIGKILL at a random moment). With `filesDir`, it
 *   also encrypts small files under vault keys and re-encrypts them (in place) to other keys.
 * - concurrent: runs `ops` operations, then prints {"op":"done"} and exits.
 * - commits: loops until killed doing nothing but small commits (policy changes, rotations), each
 *   reported as {"op":"commit","Revision":N}: the kills land inside commits as often as possible.
 * Errors: a typed KMS error prints {"op":"error","type":...}; anything else prints
 * {"op":"untyped-error",...} (the tests require there are none).
 */
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KmsError } from '../../main/core/errors.js';
import { openVault } from '../../main/vault/openVault.js';
import type { VaultService } from '../../main/vault/vaultService.js';

interface WorkerArgs {
  dir: string;
  mode: 'crash' | 'concurrent' | 'commits';
  ops?: number;
  worker?: string;
  /** Crash mode: where files are encrypted and re-encrypted (none when absent). */
  filesDir?: string;
  /** Open the vault as the app does: revision floor written after each commit returns. */
  settleInBackground?: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;

function emit(line: Record<string, unknown>): void {
  // Synchronous write: the line is in the pipe before the next operation starts.
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const pick = <T>(list: readonly T[]): T | undefined => (list.length === 0 ? undefined : list[randomInt(list.length)]);

/** Keys by role, from the description each was created with. */
function keysByRole(service: VaultService, role: string, states: readonly string[] = ['Enabled']): string[] {
  return Object.values(service.store.read().Keys)
    .filter((k) => k.Description === role && states.includes(k.KeyState))
    .map((k) => k.KeyId);
}

async function crashStep(s: VaultService): Promise<void> {
  const roll = randomInt(100);
  if (roll < 15) {
    const role = randomInt(3) === 0 ? 'doomed' : 'live';
    const rotating = randomInt(2) === 0;
    const res = await s.createKey({ Description: role, ...(rotating ? { EnableAutomaticRotation: true, RotationInterval: '30d' } : {}) });
    emit({ op: 'create', KeyId: res.KeyMetadata.KeyId, KeyVersionId: res.KeyMetadata.PrimaryKeyVersion, role });
  } else if (roll < 35) {
    const keyId = pick(keysByRole(s, 'live'));
    if (!keyId) return;
    const res = await s.rotateKeyOnDemand({ KeyId: keyId });
    emit({ op: 'rotate', KeyId: keyId, KeyVersionId: res.KeyVersionId });
  } else if (roll < 45) {
    const keyId = pick(keysByRole(s, 'doomed', ['Enabled', 'Disabled']));
    if (!keyId) return;
    await s.scheduleKeyDeletion({ KeyId: keyId, PendingWindowInDays: 7 });
    emit({ op: 'schedule-deletion', KeyId: keyId });
  } else if (roll < 55) {
    const keyId = pick(keysByRole(s, 'doomed', ['PendingDeletion']));
    if (!keyId) return;
    await s.cancelKeyDeletion({ KeyId: keyId });
    emit({ op: 'cancel-deletion', KeyId: keyId });
  } else if (args.filesDir && roll < 62) {
    await fileStep(s, args.filesDir);
  } else if (roll < 69) {
    const keyId = pick(keysByRole(s, 'live'));
    if (!keyId) return;
    await s.updateRotationPolicy({ KeyId: keyId, EnableAutomaticRotation: randomInt(2) === 0, RotationInterval: `${7 + randomInt(300)}d` });
    emit({ op: 'policy', KeyId: keyId });
  } else {
    const keyId = pick(keysByRole(s, 'live'));
    if (!keyId) return;
    const plaintext = randomBytes(1 + randomInt(64)).toString('base64');
    const res = await s.encrypt({ KeyId: keyId, Plaintext: plaintext });
    emit({ op: 'encrypt', KeyId: keyId, KeyVersionId: res.KeyVersionId, CiphertextBlob: res.CiphertextBlob, Plaintext: plaintext });
  }
}

async function fileStep(s: VaultService, dir: string): Promise<void> {
  const encrypted = readdirSync(dir).filter((n) => n.endsWith('.age'));
  const keyId = pick(keysByRole(s, 'live'));
  if (!keyId) return;
  if (encrypted.length === 0 || randomInt(3) === 0) {
    const name = `f-${randomUUID()}`;
    const plain = randomBytes(1 + randomInt(100_000));
    writeFileSync(join(dir, name), plain);
    const res = await s.runFileJob({
      JobId: randomUUID(),
      Operation: 'Encrypt',
      InputPath: join(dir, name),
      OutputPath: join(dir, `${name}.age`),
      KeyId: keyId,
    });
    emit({
      op: 'encrypt-file',
      Path: res.OutputPath,
      Sha256: createHash('sha256').update(plain).digest('hex'),
      KeyId: res.KeyId,
      KeyVersionId: res.KeyVersionId,
    });
  } else {
    const file = join(dir, pick(encrypted)!);
    const res = await s.runFileJob({ JobId: randomUUID(), Operation: 'ReEncrypt', InputPath: file, KeyId: keyId });
    emit({ op: 'reencrypt-file', Path: file, KeyId: res.KeyId, KeyVersionId: res.KeyVersionId });
  }
}

async function concurrentStep(s: VaultService, worker: string): Promise<void> {
  const roll = randomInt(100);
  const shared = keysByRole(s, 'shared', ['Enabled', 'Disabled']);
  if (roll < 20) {
    const res = await s.createKey({ Description: `own-${worker}` });
    emit({ op: 'create', KeyId: res.KeyMetadata.KeyId, KeyVersionId: res.KeyMetadata.PrimaryKeyVersion });
  } else if (roll < 45) {
    // Both processes rotate the same few keys: a lost update would lose a version.
    const keyId = pick(shared);
    if (!keyId) return;
    const res = await s.rotateKeyOnDemand({ KeyId: keyId });
    emit({ op: 'rotate', KeyId: keyId, KeyVersionId: res.KeyVersionId });
  } else if (roll < 55) {
    const keyId = pick(keysByRole(s, `own-${worker}`));
    if (!keyId) return;
    const res = await s.rotateKeyOnDemand({ KeyId: keyId });
    emit({ op: 'rotate', KeyId: keyId, KeyVersionId: res.KeyVersionId });
  } else if (roll < 62) {
    const keyId = pick(shared);
    if (!keyId) return;
    if (randomInt(2) === 0) await s.disableKey({ KeyId: keyId });
    else await s.enableKey({ KeyId: keyId });
    emit({ op: 'toggle', KeyId: keyId });
  } else if (roll < 68) {
    // Shared alias names: the second creator gets AlreadyExistsException.
    const keyId = pick(keysByRole(s, `own-${worker}`));
    if (!keyId) return;
    await s.createAlias({ AliasName: `alias/shared-${randomInt(20)}`, TargetKeyId: keyId });
    emit({ op: 'alias', KeyId: keyId });
  } else {
    const keyId = pick(shared);
    if (!keyId) return;
    const plaintext = randomBytes(16).toString('base64');
    const res = await s.encrypt({ KeyId: keyId, Plaintext: plaintext });
    emit({ op: 'encrypt', KeyId: keyId, KeyVersionId: res.KeyVersionId, CiphertextBlob: res.CiphertextBlob, Plaintext: plaintext });
  }
}

async function commitStep(s: VaultService): Promise<void> {
  let keyId = pick(keysByRole(s, 'live'));
  if (!keyId || randomInt(20) === 0) keyId = (await s.createKey({ Description: 'live' })).KeyMetadata.KeyId;
  if (randomInt(4) === 0) await s.rotateKeyOnDemand({ KeyId: keyId });
  else await s.updateRotationPolicy({ KeyId: keyId, EnableAutomaticRotation: randomInt(2) === 0, RotationInterval: `${7 + randomInt(300)}d` });
  emit({ op: 'commit', Revision: s.store.read().Revision });
}

async function main(): Promise<void> {
  const service = await openVault({ dir: args.dir, create: false, settleInBackground: args.settleInBackground ?? false });
  emit({ op: 'ready', pid: process.pid });
  const worker = args.worker ?? 'a';
  const total = args.mode === 'concurrent' ? (args.ops ?? 200) : Infinity;
  for (let i = 0; i < total; i++) {
    try {
      if (args.mode === 'concurrent') await concurrentStep(service, worker);
      else if (args.mode === 'commits') await commitStep(service);
      else await crashStep(service);
    } catch (err) {
      if (err instanceof KmsError) emit({ op: 'error', type: err.__type, message: err.message });
      else emit({ op: 'untyped-error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  service.close();
  emit({ op: 'done' });
}

main().catch((err: unknown) => {
  emit({ op: 'fatal', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  process.exit(3);
});
