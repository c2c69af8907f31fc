/**
 * Other real clients against `keyvault serve`: the AWS Encryption SDK for JavaScript with a KMS
 * keyring on a vault key (encrypt, rotate, decrypt), and the `aws` CLI from Debian with a
 * credential_process profile made by `keyvault aws-config`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode } from '@aws-crypto/client-node';
import * as K from '@aws-sdk/client-kms';
import { assertBuilt } from '../cli/cliHarness.js';
import type { Credentials } from './apiHarness.js';
import { ServedVault } from './apiHarness.js';

const AWS = '/usr/bin/aws';
const served = new ServedVault();
let creds: Credentials;
const work = mkdtempSync(join(tmpdir(), 'kv-api-clients-'));

before(async () => {
  assertBuilt();
  await served.start();
  creds = await served.credentials();
});
after(async () => {
  await served.destroy();
  rmSync(work, { recursive: true, force: true });
});

describe('AWS Encryption SDK', () => {
  test('a KMS keyring on a vault key encrypts, the key rotates, and the message still decrypts', async () => {
    const kms = served.client(creds);
    const key = (await kms.send(new K.CreateKeyCommand({ Description: 'esdk' }))).KeyMetadata!;
    const clientProvider = getClient(KMS, {
      endpoint: served.endpoint,
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey },
    });
    const keyring = new KmsKeyringNode({ generatorKeyId: key.Arn, clientProvider });
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const plaintext = Buffer.from('a message protected by a vault key through the AWS Encryption SDK');
    const { result } = await encrypt(keyring, plaintext, { encryptionContext: { app: 'test' } });

    await kms.send(new K.RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    assert.equal((await kms.send(new K.ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.length, 1);

    const { plaintext: back, messageHeader } = await decrypt(keyring, result);
    assert.deepEqual(back, plaintext);
    assert.equal(messageHeader.encryptionContext.app, 'test');
    assert.equal(messageHeader.encryptedDataKeys[0]!.providerInfo, key.Arn);
  });
});

describe('aws CLI', { skip: existsSync(AWS) ? false : `${AWS} is not installed (apt-get install awscli)` }, () => {
  const aws = (args: string[], config: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      // Older aws CLI v2 releases (Debian's 2.9) ignore endpoint_url in the profile, so it is passed too.
      execFile(
        AWS,
        ['--profile', 'keyvault', '--endpoint-url', served.endpoint, '--output', 'json', ...args],
        {
          env: {
            PATH: process.env.PATH,
            HOME: work,
            AWS_CONFIG_FILE: config,
            AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
            DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS,
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });

  test('create-key, get-key-rotation-status and encrypt/decrypt with fileb:// through a credential_process profile', async () => {
    const doc = await served.cli.ok<{ Profile: string; Region: string }>(['aws-config', '--port', String(served.port)]);
    assert.match(doc.Profile, /credential_process = .*get-api-credentials/);
    assert.ok(!doc.Profile.includes(creds.SecretAccessKey), 'the profile holds no secret');
    const config = join(work, 'config');
    writeFileSync(config, doc.Profile);

    const created = await aws(['kms', 'create-key', '--description', 'from the aws cli'], config);
    assert.equal(created.code, 0, created.stderr);
    const arn = (JSON.parse(created.stdout) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
    assert.match(arn, /^arn:aws:kms:us-east-1:\d{12}:key\//);

    const status = await aws(['kms', 'get-key-rotation-status', '--key-id', arn], config);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { KeyRotationEnabled: boolean }).KeyRotationEnabled, false);

    const input = join(work, 'plain.bin');
    writeFileSync(input, Buffer.from([0, 1, 2, 250, 251, 252]));
    const enc = await aws(['kms', 'encrypt', '--key-id', arn, '--plaintext', `fileb://${input}`], config);
    assert.equal(enc.code, 0, enc.stderr);
    const blob = join(work, 'blob.bin');
    writeFileSync(blob, Buffer.from((JSON.parse(enc.stdout) as { CiphertextBlob: string }).CiphertextBlob, 'base64'));
    const dec = await aws(['kms', 'decrypt', '--ciphertext-blob', `fileb://${blob}`], config);
    assert.equal(dec.code, 0, dec.stderr);
    const out = JSON.parse(dec.stdout) as { Plaintext: string; KeyId: string };
    assert.deepEqual(Buffer.from(out.Plaintext, 'base64'), readFileSync(input));
    assert.equal(out.KeyId, arn);
  });
});
