import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeytarKeychain, keychainAccountForVault } from '../../main/keychain/keychain.js';
import { finished, spawnFixture } from '../fixtures/store/childProcess.js';

const SERVICE = 'Key Vault tests';

function uniqueAccount(t: { after(fn: () => Promise<unknown>): void }): string {
  const account = `test-${randomUUID()}`;
  t.after(() => createKeytarKeychain({ service: SERVICE }).deleteSecret(account));
  return account;
}

test('a stored secret reads back byte for byte', async (t) => {
  const keychain = createKeytarKeychain({ service: SERVICE });
  const account = uniqueAccount(t);
  const secret = randomBytes(32);
  await keychain.setSecret(account, secret);
  const read = await keychain.getSecret(account);
  assert.ok(read);
  assert.equal(read.equals(secret), true);
});

test('setting a secret again replaces it', async (t) => {
  const keychain = createKeytarKeychain({ service: SERVICE });
  const account = uniqueAccount(t);
  await keychain.setSecret(account, Buffer.from('first'));
  await keychain.setSecret(account, Buffer.from('second'));
  assert.equal((await keychain.getSecret(account))?.toString(), 'second');
});

test('a missing entry reads as null', async () => {
  const keychain = createKeytarKeychain({ service: SERVICE });
  assert.equal(await keychain.getSecret(`missing-${randomUUID()}`), null);
});

test('deleting an entry removes it and reports true; deleting again reports false', async (t) => {
  const keychain = createKeytarKeychain({ service: SERVICE });
  const account = uniqueAccount(t);
  await keychain.setSecret(account, randomBytes(32));
  assert.equal(await keychain.deleteSecret(account), true);
  assert.equal(await keychain.getSecret(account), null);
  assert.equal(await keychain.deleteSecret(account), false);
});

test('entries of different services do not see each other', async (t) => {
  const account = uniqueAccount(t);
  await createKeytarKeychain({ service: SERVICE }).setSecret(account, randomBytes(32));
  assert.equal(await createKeytarKeychain({ service: `${SERVICE} (other)` }).getSecret(account), null);
});

test("a vault's root secret is filed under vault-<VaultId>", () => {
  assert.equal(keychainAccountForVault('8f14e45f-ceea-467f-a8f3-9c1e2f3a4b5c'), 'vault-8f14e45f-ceea-467f-a8f3-9c1e2f3a4b5c');
});

for (const operation of ['get', 'set', 'delete']) {
  test(`an unreachable keychain makes ${operation} fail with DependencyTimeoutException`, async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=/nonexistent/keyvault-${randomUUID()}` };
    delete env.DISPLAY; // no X11 autolaunch of a bus either
    const r = await finished(spawnFixture('keychainChild.ts', [operation, `test-${randomUUID()}`, '3000'], env));
    assert.equal(r.code, 0, r.stderr);
    const outcome = JSON.parse(r.stdout.trim()) as { ok: boolean; type?: string; message?: string };
    assert.equal(outcome.ok, false, r.stdout);
    assert.equal(outcome.type, 'DependencyTimeoutException');
    assert.match(outcome.message ?? '', /OS keychain/);
  });
}

test('a keychain call that does not answer in time is DependencyTimeoutException', { timeout: 30_000 }, async () => {
  // A bus that accepts the connection and never says a word: the call cannot answer, however fast
  // the machine (a real keyring could answer a 0 ms bound first, which made this test flaky).
  const dir = mkdtempSync(join(tmpdir(), 'kv-silent-bus-'));
  const path = join(dir, 'bus');
  const held: Socket[] = [];
  let answered = false;
  const hangUp = (): void => {
    answered = true;
    for (const socket of held) socket.destroy();
  };
  const silent = createServer((socket) => (answered ? socket.destroy() : void held.push(socket)));
  await new Promise<void>((resolve) => silent.listen(path, resolve));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path}` };
    delete env.DISPLAY;
    const child = spawnFixture('keychainChild.ts', ['get', `slow-${randomUUID()}`, '0'], env);
    // Once the child has its answer, the bus hangs up: the thread still waiting on it ends, so the child can exit.
    child.stdout?.once('data', hangUp);
    const r = await finished(child);
    assert.equal(r.code, 0, r.stderr);
    const outcome = JSON.parse(r.stdout.trim()) as { ok: boolean; type?: string; message?: string };
    assert.equal(outcome.ok, false, r.stdout);
    assert.equal(outcome.type, 'DependencyTimeoutException');
    assert.match(outcome.message ?? '', /did not answer within 0s/);
  } finally {
    hangUp();
    await new Promise((resolve) => silent.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
