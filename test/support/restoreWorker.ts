/**
 * A child process for the restore crash tests: runs restoreBackup and, at the step named `killAt`,
 * prints {"op":"ready","step":...} and waits there (holding whatever the restore holds at that
 * moment, the vault lock included) for the parent's SIGKILL. Other steps print {"op":"step"}.
 *
 *   node restoreWorker.mjs '{"dir": "...", "inPath": "...", "passphrase": "...", "force": true, "killAt": "keychain-written"}'
 */
import { KmsError } from '../../main/core/errors.js';
import { restoreBackup, type RestoreStep } from '../../main/vault/backupRestore.js';

interface Args {
  dir: string;
  inPath: string;
  passphrase: string;
  force: boolean;
  killAt: RestoreStep;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const emit = (line: Record<string, unknown>): boolean => process.stdout.write(`${JSON.stringify(line)}\n`);

try {
  const res = await restoreBackup({
    dir: args.dir,
    inPath: args.inPath,
    passphrase: args.passphrase,
    force: args.force,
    onStep: async (step) => {
      if (step !== args.killAt) {
        emit({ op: 'step', step });
        return;
      }
      emit({ op: 'ready', step });
      await new Promise<never>(() => setInterval(() => undefined, 60_000));
    },
  });
  emit({ op: 'done', res });
} catch (err) {
  emit({ op: 'error', type: err instanceof KmsError ? err.__type : 'untyped', message: err instanceof Error ? err.message : String(err) });
}
