/**
 * A child process for the retire fault test: on one vault, loops rotate -> re-encrypt-files ->
 * schedule destruction of the previous version -> (its own clock jumps 8 days) -> maintenance,
 * until killed. Prints one JSON line per step AFTER it returned (a line received is durable):
 *   {"op":"file","Path","Sha256"}  a file encrypted before the loop (its plaintext's digest)
 *   {"op":"ready"}                 the loop starts
 *   {"op":"rewrapped","KeyVersionId","ReEncrypted","Failed"}
 *   {"op":"destroyed","Versions":[...]}
 *
 *   node retireWorker.mjs '{"dir","filesDir","clockStart","files"}'
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../main/core/clock.js';
import { KmsError } from '../../main/core/errors.js';
import { openVault } from '../../main/vault/openVault.js';

interface Args {
  dir: string;
  filesDir: string;
  /** ms since the epoch: this process's clock starts here and jumps 8 days per destruction round. */
  clockStart: number;
  files: number;
}
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const emit = (line: Record<string, unknown>): boolean => process.stdout.write(`${JSON.stringify(line)}\n`);

let t = args.clockStart;
const clock: Clock = { now: () => new Date(t) };

async function main(): Promise<void> {
  const s = await openVault({ dir: args.dir, clock });
  let key = Object.values(s.store.read().Keys).find((k) => k.Description === 'retiring')?.KeyId;
  if (!key) {
    key = (await s.createKey({ Description: 'retiring' })).KeyMetadata.KeyId;
  }
  if (!readdirSync(args.filesDir).some((n) => n.endsWith('.age'))) {
    for (let i = 0; i < args.files; i++) {
      const plain = join(args.filesDir, `f${i}.bin`);
      const data = randomBytes(2000 + i);
      writeFileSync(plain, data);
      const out = (await s.runFileJob({ JobId: `enc-${i}`, Operation: 'Encrypt', InputPath: plain, KeyId: key })).OutputPath!;
      rmSync(plain);
      emit({ op: 'file', Path: out, Sha256: createHash('sha256').update(data).digest('hex') });
    }
  }
  emit({ op: 'ready' });
  for (;;) {
    const previous = s.store.read().Keys[key]!.PrimaryKeyVersionId!;
    const { KeyVersionId } = await s.rotateKeyOnDemand({ KeyId: key });
    const r = await s.reEncryptFiles({ KeyId: key });
    emit({ op: 'rewrapped', KeyVersionId, ReEncrypted: r.ReEncrypted, Failed: r.Failed });
    try {
      await s.scheduleKeyVersionDestruction({ KeyId: key, KeyVersionId: previous, PendingWindowInDays: 7 });
    } catch (err) {
      // Refused while known files use it (e.g. one was still being rewrapped by a killed life).
      if (!(err instanceof KmsError && err.__type === 'KMSInvalidStateException')) throw err;
    }
    t += 8 * 86_400_000;
    const m = await s.runMaintenance();
    emit({ op: 'destroyed', Versions: (m.Destroyed ?? []).map((d) => d.KeyVersionId) });
  }
}

main().catch((err: unknown) => {
  emit({ op: 'untyped-error', message: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
