/**
 * The rotation lifecycle across a whole-process clock move: the server and the client both run
 * under faketime 400 days ahead. The server's start-up catch-up rotates the overdue key once,
 * the schedule moves on, old ciphertexts still decrypt, and an unmoved client is refused.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as K from '@aws-sdk/client-kms';
import { assertBuilt, ROOT } from '../cli/cliHarness.js';
import type { Credentials } from './apiHarness.js';
import { errorName, ServedVault } from './apiHarness.js';

const served = new ServedVault();
let creds: Credentials;
const DAY = 86_400_000;

before(async () => {
  assertBuilt();
  await served.start();
  creds = await served.credentials();
});
after(() => served.destroy());

/** One SDK call in a child process under faketime. */
function movedCall<T>(faketime: string, operation: string, input: object): Promise<T & { error?: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/faketime',
      ['-f', faketime, process.execPath, join(ROOT, 'test/fixtures/api/kmsCall.mjs'), served.endpoint, served.region, operation, JSON.stringify(input)],
      { cwd: ROOT, env: { ...process.env, KV_ACCESS_KEY_ID: creds.AccessKeyId, KV_SECRET_ACCESS_KEY: creds.SecretAccessKey } },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(JSON.parse(stdout) as T & { error?: string })),
    );
  });
}

test('400 days later (server and client moved) the key has rotated once, on schedule, and old data decrypts', async () => {
  const kms = served.client(creds);
  const key = (await kms.send(new K.CreateKeyCommand({}))).KeyMetadata!;
  await kms.send(new K.EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 365 }));
  const before = await kms.send(new K.GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
  const old = await kms.send(new K.EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('written today') }));
  assert.equal(await served.stop(), 0);

  await served.start({ faketime: '+400d' });
  const rotations = await movedCall<{ Rotations: { RotationType: string; RotationDate: string }[] }>('+400d', 'ListKeyRotations', { KeyId: key.KeyId });
  assert.equal(rotations.error, undefined, rotations.error);
  assert.deepEqual(
    rotations.Rotations.map((r) => r.RotationType),
    ['AUTOMATIC'],
  );
  assert.ok(Math.abs(Date.parse(rotations.Rotations[0]!.RotationDate) - (Date.now() + 400 * DAY)) < 10 * 60_000, 'rotated at the moved start-up');

  const status = await movedCall<{ NextRotationDate: string; RotationPeriodInDays: number }>('+400d', 'GetKeyRotationStatus', { KeyId: key.KeyId });
  assert.equal(status.RotationPeriodInDays, 365);
  const next = Date.parse(status.NextRotationDate);
  assert.ok(next > before.NextRotationDate!.getTime() + 300 * DAY, 'the schedule moved on by a period');
  assert.ok(Math.abs(next - (Date.now() + 765 * DAY)) < 10 * 60_000);

  const decrypted = await movedCall<{ Plaintext: string }>('+400d', 'Decrypt', { CiphertextBlob: Buffer.from(old.CiphertextBlob!).toString('base64') });
  assert.equal(Buffer.from(decrypted.Plaintext, 'base64').toString(), 'written today');

  // A client whose clock was not moved is 400 days off: its signature has expired.
  assert.equal(await errorName(served.client(creds).send(new K.ListKeysCommand({}))), 'InvalidSignatureException');
});
