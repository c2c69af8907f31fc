/**
 * The layer rules of eslint.config.js (docs/architecture.md), proven on the real config: a
 * wrong-way import is refused, the right-way imports of each layer pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The no-restricted-imports messages for one import line in a (virtual) file at `filePath`. */
async function restricted(filePath: string, specifier: string): Promise<string[]> {
  const code = `import { thing } from '${specifier}';\nexport const used = thing;\n`;
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  assert.ok(result, `no lint result for ${filePath}`);
  assert.equal(result.fatalErrorCount, 0, `${filePath} did not parse: ${JSON.stringify(result.messages)}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const wrongWay: ReadonlyArray<[file: string, specifier: string, why: RegExp]> = [
  ['main/core/example.ts', '../crypto/sealing.js', /main\/core imports nothing/],
  ['main/core/example.ts', '../vault/vaultService.js', /main\/core imports nothing/],
  ['main/crypto/example.ts', '../store/vaultStore.js', /main\/crypto imports only main\/core/],
  ['main/crypto/age/example.ts', '../../vault/vaultContext.js', /main\/crypto imports only main\/core/],
  ['main/store/example.ts', '../keychain/keychain.js', /main\/store imports only main\/core/],
  ['main/store/example.ts', '../vault/vaultService.js', /main\/store imports only main\/core/],
  ['main/keychain/example.ts', '../store/vaultStore.js', /main\/keychain imports only main\/core/],
  ['main/files/example.ts', '../vault/vaultService.js', /main\/files never imports the vault/],
  ['main/files/example.ts', '../app/ipcHandlers.js', /main\/files never imports/],
  ['main/vault/example.ts', '../../preload/contract.js', /main\/vault never imports the app, the CLI or the bridge/],
  ['main/vault/example.ts', '../app/ipcHandlers.js', /main\/vault never imports/],
  ['main/vault/example.ts', '../cli/commandTable.js', /main\/vault never imports/],
  ['main/vault/example.ts', 'electron', /Electron belongs in main\/app/],
  ['renderer/example.ts', '../main/vault/vaultService', /pure modules of main\/core/],
  ['renderer/components/Example.tsx', '../../main/store/vaultStore', /pure modules of main\/core/],
  ['renderer/example.ts', 'node:fs', /without Node/],
];

for (const [file, specifier, why] of wrongWay) {
  test(`lint refuses ${specifier} in ${file}`, async () => {
    const messages = await restricted(file, specifier);
    assert.equal(messages.length, 1, `expected one refusal, got ${JSON.stringify(messages)}`);
    assert.match(messages[0]!, why);
  });
}

const rightWay: ReadonlyArray<[file: string, specifier: string]> = [
  ['main/core/example.ts', './errors.js'],
  ['main/crypto/age/example.ts', '../../core/errors.js'],
  ['main/store/example.ts', '../core/keyModel.js'],
  ['main/store/example.ts', '../crypto/documentMac.js'],
  ['main/files/example.ts', '../crypto/age/index.js'],
  ['main/files/example.ts', '../store/durableFiles.js'],
  ['main/vault/example.ts', '../files/fileService.js'],
  ['main/vault/example.ts', '../store/vaultStore.js'],
  ['main/app/example.ts', '../../preload/contract.js'],
  ['main/cli/example.ts', '../vault/vaultService.js'],
  ['renderer/example.ts', '../main/core/limits'],
  ['renderer/components/Example.tsx', '../../main/core/rotationInterval'],
  ['renderer/components/Example.tsx', '../../preload/contract'],
];

for (const [file, specifier] of rightWay) {
  test(`lint accepts ${specifier} in ${file}`, async () => {
    assert.deepEqual(await restricted(file, specifier), []);
  });
}
