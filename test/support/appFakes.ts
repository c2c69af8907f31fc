// Moved to test/support/ipcFakes.ts (one place for test helpers); this re-export keeps tests written
// against the old path working until they are updated.
export * from './ipcFakes.js';
