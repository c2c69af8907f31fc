/**
 * `npm run bench`: every benchmark, each printing its figures and the ratio against a reference
 * measured in the same run. Needs the same keyring session as the tests (run-bench re-enters one).
 * Select suites with arguments: `npm run bench -- vault files ui`.
 */
import { report, meetsTarget, type BenchResult } from './report.js';

const suites: Record<string, () => Promise<BenchResult[]>> = {
  vault: async () => (await import('./vault.js')).runVaultBench(),
  files: async () => (await import('./files.js')).runFilesBench(),
  inventory: async () => (await import('./inventory.js')).runInventoryBench(),
  ui: async () => (await import('./ui/keysList.js')).runUiBench(),
  api: async () => (await import('./api.js')).runApiBench(),
};

const chosen = process.argv.slice(2).filter((a) => a in suites);
let missed = 0;
for (const name of chosen.length > 0 ? chosen : Object.keys(suites)) {
  try {
    const results = await suites[name]!();
    report(name, results);
    missed += results.filter((r) => meetsTarget(r) === false).length;
  } catch (err) {
    console.log(`\n== bench/${name}: could not run: ${err instanceof Error ? err.message : String(err)}`);
    missed++;
  }
}
console.log(missed === 0 ? '\nall targets met' : `\n${missed} figure(s) missed their target or could not run`);
