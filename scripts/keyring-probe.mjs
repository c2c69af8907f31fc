// Exits 0 when keytar can reach a Secret Service that stores, reads and deletes a secret (an
// unlocked collection), 1 otherwise. Reading alone is not enough: a locked keyring answers reads.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const timer = setTimeout(() => process.exit(1), 3000);
try {
  const keytar = require('keytar');
  const account = `probe-${process.pid}`;
  await keytar.setPassword('keyvault-probe', account, 'probe');
  const ok = (await keytar.getPassword('keyvault-probe', account)) === 'probe';
  await keytar.deletePassword('keyvault-probe', account);
  clearTimeout(timer);
  process.exit(ok ? 0 : 1);
} catch {
  process.exit(1);
}
