/**
 * The audit log as an attacker or a full disk leaves it: edited, deleted and reordered lines are
 * found by verify-vault and refused at open; a torn last line is repaired on the next open (and the
 * repair is logged); on a full disk an append writes whole lines or nothing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revisionAccountForVault } from '../../../main/keychain/revisionRecord.js';
import { openVault } from '../../../main/vault/openVault.js';
import { verifyChain } from '../../../main/vault/auditChain.js';
import { AuditLog, readLogTail } from '../../../main/vault/auditLog.js';
import { verifyVaultDirectory } from '../../../main/vault/vaultVerifier.js';
import { rejectsWith } from '../../support/recoverySupport.js';
import { createTempVault, type TempVault } from '../../support/tempVault.js';
import { vaultFile } from '../../support/vaultFileEdits.js';

const vaults: { v: TempVault; vaultId: string }[] = [];
after(async () => {
  for (const { v, vaultId } of vaults) {
    await v.keychain.deleteSecret(revisionAccountForVault(vaultId)).catch(() => false);
    await v.cleanup();
  }
});

/** A vault with a dozen audit lines, closed. */
async function vaultWithHistory(): Promise<TempVault> {
  const v = await createTempVault();
  vaults.push({ v, vaultId: v.service.vaultId });
  for (let i = 0; i < 6; i++) {
    const keyId = (await v.service.createKey({ Description: `k${i}` })).KeyMetadata.KeyId;
    await v.service.disableKey({ KeyId: keyId });
  }
  v.service.close();
  return v;
}

function auditLines(v: TempVault): string[] {
  return readFileSync(join(v.dir, 'audit.log'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

function writeAudit(v: TempVault, lines: string[]): void {
  writeFileSync(join(v.dir, 'audit.log'), lines.map((l) => `${l}\n`).join(''));
}

async function refused(v: TempVault, problem: RegExp): Promise<void> {
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, false);
  assert.ok(
    report.Problems.some((p) => problem.test(p.Problem)),
    JSON.stringify(report.Problems),
  );
  const before = readFileSync(vaultFile(v.dir));
  await rejectsWith(openVault({ dir: v.dir, keychain: v.keychain, create: false }), 'VaultIntegrityException', /audit log/);
  assert.deepEqual(readFileSync(vaultFile(v.dir)), before, 'nothing is written');
}

test('an edited audit line is found by verify-vault and refused at open', async () => {
  const v = await vaultWithHistory();
  const lines = auditLines(v);
  lines[5] = lines[5]!.replace('"Success"', '"Failure"');
  writeAudit(v, lines);
  await refused(v, /edited/);
});

test('a deleted audit line is found by verify-vault and refused at open', async () => {
  const v = await vaultWithHistory();
  const lines = auditLines(v);
  lines.splice(4, 1);
  writeAudit(v, lines);
  await refused(v, /deleted or moved/);
});

test('reordered audit lines are found by verify-vault and refused at open', async () => {
  const v = await vaultWithHistory();
  const lines = auditLines(v);
  [lines[3], lines[4]] = [lines[4]!, lines[3]!];
  writeAudit(v, lines);
  await refused(v, /deleted or moved/);
});

test('a line edited inside a sealed batch of Encrypt/Decrypt lines is found by verify-vault and refused at open', async () => {
  const v = await createTempVault();
  vaults.push({ v, vaultId: v.service.vaultId });
  const keyId = (await v.service.createKey({})).KeyMetadata.KeyId;
  for (let i = 0; i < 5; i++) {
    const e = await v.service.encrypt({ KeyId: keyId, Plaintext: Buffer.from(`secret ${i}`).toString('base64') });
    await v.service.decrypt({ CiphertextBlob: e.CiphertextBlob });
  }
  v.service.close();
  const lines = auditLines(v);
  const seal = lines.findIndex((l) => l.startsWith('{"Sealed":'));
  assert.ok(seal > 0, 'the deferred lines were written as a sealed batch');
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
  lines[seal - 2] = lines[seal - 2]!.replace('"Success"', '"Failure"');
  writeAudit(v, lines);
  await refused(v, /edited/);
});

test('a batch torn by a crash is a warning for verify-vault, and the next open cuts it whole', async () => {
  const v = await createTempVault();
  vaults.push({ v, vaultId: v.service.vaultId });
  await v.service.createKey({});
  v.service.close();
  const file = join(v.dir, 'audit.log');
  const whole = readFileSync(file, 'utf8');
  const entry = (i: number) => JSON.stringify({ Time: new Date().toISOString(), Operation: 'Encrypt', Outcome: 'Success', Detail: `torn ${i}` });
  appendFileSync(file, `${entry(1)}\n${entry(2)}\n{"Sealed":3,"Pr`);
  const before = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(before.Ok, true, JSON.stringify(before.Problems));
  assert.ok(
    before.Warnings.some((w) => /incomplete.*2 lines of its batch/.test(w.Problem)),
    JSON.stringify(before.Warnings),
  );
  const s = await v.reopen();
  s.close();
  const after = readFileSync(file, 'utf8');
  assert.ok(after.startsWith(whole) && !after.includes('torn 1'), 'the torn batch is gone, the lines before it are kept');
  assert.match(after.slice(whole.length), /RepairAuditLog/);
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
});

test('a torn last audit line (a crash mid-write) is removed at the next open, which logs the repair', async () => {
  const v = await vaultWithHistory();
  appendFileSync(join(v.dir, 'audit.log'), '{"Time":"2026-01-01T00:00:00.000Z","Operation":"Crea');
  const s = await v.reopen();
  await s.createKey({});
  const events = (await s.listAuditEvents({})).Events;
  assert.ok(events.some((e) => e.Operation === 'RepairAuditLog' && /incomplete last line/.test(e.Detail ?? '')));
  s.close();
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
  assert.ok(!report.Warnings.some((w) => /incomplete/.test(w.Problem)));
});

function tmpfsUnavailable(): string | false {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a small tmpfs needs root';
  return false;
}

test('on a full disk an audit append writes whole lines or none, and later appends are whole', { skip: tmpfsUnavailable() }, (t) => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'kv-fulldisk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
  if (mounted.status !== 0) {
    rmSync(mountPoint, { recursive: true, force: true });
    t.skip(`mount -t tmpfs failed: ${mounted.stderr.toString().trim()}`);
    return;
  }
  // The append failure's warning is expected here; keep it off the test output.
  const onWarning = (): void => undefined;
  process.on('warning', onWarning);
  const dir = join(mountPoint, 'vault');
  mkdirSync(dir);
  const key = randomBytes(32);
  const file = join(dir, 'audit.log');
  const log = new AuditLog(file, key);
  try {
    const entry = (i: number) => ({
      Time: new Date().toISOString(),
      Operation: 'Encrypt',
      Outcome: 'Success' as const,
      Detail: `entry ${i} ${'x'.repeat(150)}`,
    });
    log.append(entry(0));
    // Fill the rest of the file system.
    const filler = join(mountPoint, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(1024));
    } catch {
      // ENOSPC: full
    } finally {
      closeSync(fd);
    }
    // Append until the disk refuses: each append is a whole line or nothing.
    for (let i = 1; i < 200; i++) log.append(entry(i));
    const full = readFileSync(file, 'utf8');
    assert.ok(full.endsWith('\n'), 'no half line is left at the end');
    const kept = full.split('\n').length - 1;
    assert.ok(kept < 200, `the disk filled up before all 200 entries were written (${kept} were)`);
    for (const line of full.split('\n').slice(0, -1)) assert.doesNotThrow(() => JSON.parse(line), 'every line is whole');
    // Space comes back; later entries are whole and the chain holds.
    rmSync(filler);
    log.append(entry(1000));
    log.close();
    const tail = readLogTail(file, 1 << 20)!;
    const lines = tail.lines.filter((l) => l !== '');
    assert.deepEqual(verifyChain(lines, key, true), { malformed: 0, altered: 0, unlinked: 0, unchained: 0, legacy: 0 });
    assert.match(lines[lines.length - 1]!, /entry 1000/);
  } finally {
    log.close();
    process.off('warning', onWarning);
    spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});
