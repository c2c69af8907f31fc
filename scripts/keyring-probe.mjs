// Exits 0 when keytar can reach a Secret Service that answers, 1 otherwise.
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const timer = setTimeout(() => process.exit(1), 3000);
try {
  const keytar = require('keytar');
  await keytar.findCredentials('keyvault-probe');
  clearTimeout(timer);
  process.exit(0);
} catch {
  process.exit(1);
}
