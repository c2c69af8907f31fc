import tseslint from 'typescript-eslint';

/**
 * The layers of main/ (docs/architecture.md): each may import only the layers below it. A module
 * path is matched from its relative specifier: `../vault/x.js` from main/files, `../../vault/x.js`
 * from main/crypto/age.
 */
const fromLayer = (...layers) => `^(\\.\\./)+(${layers.join('|')})(/|$)`;
const noElectron = { name: 'electron', message: 'Electron belongs in main/app only.' };

/** no-restricted-imports for a layer: Electron and the given specifier patterns are refused. */
function layer(files, regex, message) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [{ regex, message }] }],
    },
  };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // core: pure domain types and rules; imports nothing of ours outside core.
  layer(['main/core/**'], '^\\.\\./', 'main/core imports nothing outside main/core.'),
  // crypto and keychain build only on core; the store also on crypto (it seals what it writes with
  // the document MAC; crypto is pure and imports only core, so no cycle can form).
  layer(['main/crypto/**'], fromLayer('vault', 'files', 'store', 'keychain', 'app', 'cli', 'preload'), 'main/crypto imports only main/core.'),
  layer(['main/store/**'], fromLayer('vault', 'files', 'keychain', 'app', 'cli', 'preload'), 'main/store imports only main/core and main/crypto.'),
  layer(['main/keychain/**'], fromLayer('vault', 'files', 'crypto', 'store', 'app', 'cli', 'preload'), 'main/keychain imports only main/core.'),
  // files: the file engine reaches the vault only through the VaultPort it is given.
  layer(['main/files/**'], fromLayer('vault', 'app', 'cli', 'preload'), 'main/files never imports the vault, the app, the CLI or the bridge: use the VaultPort (files/vaultPort.ts).'),
  // vault: the service; the shells (app, cli) and the bridge sit on top of it.
  layer(['main/vault/**'], fromLayer('app', 'cli', 'preload'), 'main/vault never imports the app, the CLI or the bridge (preload); shared types live in main/core.'),
  {
    // The CLI never imports Electron.
    files: ['main/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron] }],
    },
  },
  {
    // The renderer talks to main only through window.vault: no Electron, no Node; besides the
    // bridge's types it may import the pure core modules (limits, interval parsing).
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Use window.vault (preload/contract.ts).' }],
          patterns: [
            { group: ['node:*'], message: 'The renderer runs without Node.' },
            { regex: '^(\\.\\./)+main/(?!core/)', message: 'The renderer imports only types from preload/ and pure modules of main/core.' },
          ],
        },
      ],
    },
  },
  {
    // No raw ipcRenderer in the bridge beyond the one typed wrapper.
    files: ['preload/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='contextBridge'][property.name='exposeInMainWorld'] ~ * Identifier[name='ipcRenderer']", message: 'Never expose ipcRenderer.' },
      ],
    },
  },
);
