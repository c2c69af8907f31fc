import tseslint from 'typescript-eslint';

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
  {
    // Core, crypto, store, keychain, vault, files and cli never import Electron.
    files: ['main/core/**', 'main/crypto/**', 'main/store/**', 'main/keychain/**', 'main/vault/**', 'main/files/**', 'main/cli/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Electron belongs in main/app only.' }] }],
    },
  },
  {
    // The renderer talks to main only through window.vault: no Electron, no Node.
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'Use window.vault (preload/contract.ts).' }],
          patterns: [{ group: ['node:*', '../main/*', '../../main/*'], message: 'The renderer imports only types from preload/.' }],
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
