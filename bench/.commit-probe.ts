import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultStore } from '../main/store/vaultStore.js';
import { memoryRevisionLedger, keychainRevisionLedger } from '../main/keychain/revisionRecord.js';
import { createKeytarKeychain } from '../main/keychain/keychain.js';
import { sampleVault } from '../test/fixtures/store/sampleVault.js';
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
for (const kind of ['memory', 'keychain', 'memory', 'keychain']) {
  const dir = mkdtempSync(join(tmpdir(), 'kv-probe-'));
  const doc = sampleVault(10_000, 5);
  const store = await VaultStore.open(dir);
  const ledger = kind === 'memory' ? memoryRevisionLedger() : keychainRevisionLedger(createKeytarKeychain(), doc.VaultId);
  store.attachIntegrity({ vaultId: doc.VaultId, macKey: randomBytes(32), ledger });
  await store.create(doc);
  const ids = Object.keys(doc.Keys);
  const c: number[] = [], raw: number[] = [];
  const bytes = readFileSync(store.file);
  for (let i = 0; i < 11; i++) {
    let t = performance.now();
    await store.transact((d) => { d.Keys[ids[i]!]!.Description = `x${i}`; });
    c.push(performance.now() - t);
    t = performance.now();
    const fd = openSync(join(dir, 'r.tmp'), 'w'); writeSync(fd, bytes); fsyncSync(fd); closeSync(fd); renameSync(join(dir, 'r.tmp'), join(dir, 'r.json'));
    const dfd = openSync(dir, 'r'); fsyncSync(dfd); closeSync(dfd);
    raw.push(performance.now() - t);
  }
  console.log(kind, 'commit', med(c).toFixed(1), 'bare', med(raw).toFixed(1), 'ratio', (med(c) / med(raw)).toFixed(2));
  store.close();
  if (kind === 'keychain') await createKeytarKeychain().deleteSecret(`vault-${doc.VaultId}-revision`);
  rmSync(dir, { recursive: true, force: true });
}
