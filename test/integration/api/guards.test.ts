/**
 * What stands before any operation: SigV4 (unknown key, bad or stale signature, missing or
 * malformed header), the browser guards (Host, Origin), the body size limit, credential rotation
 * under a running server, the audit trail, and SIGTERM with a request in flight.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as K from '@aws-sdk/client-kms';
import { assertBuilt } from '../cli/cliHarness.js';
import type { Credentials } from './apiHarness.js';
import { errorName, rawRequest, ServedVault, signedHeaders } from './apiHarness.js';

const served = new ServedVault();
let creds: Credentials;

before(async () => {
  assertBuilt();
  await served.start();
  creds = await served.credentials();
});
after(() => served.destroy());

const typeOf = (body: string) => (JSON.parse(body) as { __type: string }).__type;

describe('SigV4', () => {
  test('a signed request from the SDK is served', async () => {
    assert.ok((await served.client(creds).send(new K.ListKeysCommand({}))).Keys!.length >= 1);
  });

  test('an unknown access key id is UnrecognizedClientException', async () => {
    const kms = served.client({ AccessKeyId: 'AKKVNOTAKEY000000000', SecretAccessKey: creds.SecretAccessKey });
    assert.equal(await errorName(kms.send(new K.ListKeysCommand({}))), 'UnrecognizedClientException');
  });

  test('the right key id with the wrong secret is InvalidSignatureException', async () => {
    const kms = served.client({ ...creds, SecretAccessKey: 'x'.repeat(40) });
    assert.equal(await errorName(kms.send(new K.ListKeysCommand({}))), 'InvalidSignatureException');
  });

  test('a body changed after signing is InvalidSignatureException and nothing is encrypted', async () => {
    const kms = served.client(creds);
    kms.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { body: string | Uint8Array };
        req.body = Buffer.from(req.body).toString('utf8').replace('"Plaintext":"aGVsbG8="', '"Plaintext":"aGVsbG9="');
        return next(args);
      },
      { step: 'deserialize' },
    );
    assert.equal(
      await errorName(kms.send(new K.EncryptCommand({ KeyId: 'alias/keyvault/default', Plaintext: Buffer.from('hello') }))),
      'InvalidSignatureException',
    );
  });

  test('a request time more than 15 minutes off (either way) is InvalidSignatureException: signature expired', async () => {
    for (const offset of [-16 * 60_000, 16 * 60_000]) {
      const kms = served.client(creds, { systemClockOffset: offset });
      const err = await kms.send(new K.ListKeysCommand({})).then(
        () => assert.fail('should fail'),
        (e: Error) => e,
      );
      assert.equal(err.name, 'InvalidSignatureException');
      assert.match(err.message, /Signature expired/);
    }
    const within = served.client(creds, { systemClockOffset: -10 * 60_000 });
    assert.ok((await within.send(new K.ListKeysCommand({}))).Keys);
  });

  test('no Authorization header is MissingAuthenticationTokenException; a malformed one is IncompleteSignatureException', async () => {
    const host = `127.0.0.1:${served.port}`;
    const base = { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' };
    const missing = await rawRequest(served.port, base);
    assert.equal(missing.status, 400);
    assert.equal(typeOf(missing.body), 'MissingAuthenticationTokenException');
    for (const authorization of [
      'AWS4-HMAC-SHA256 Credential=AKKV/20250101/us-east-1/kms/aws4_request',
      'Basic dXNlcjpwdw==',
      'AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host, Signature=00',
    ]) {
      const r = await rawRequest(served.port, { ...base, authorization, 'x-amz-date': '20250101T000000Z' });
      assert.equal(typeOf(r.body), 'IncompleteSignatureException', authorization);
    }
  });

  test('a request signed by hand with the same rules is served (the signature is the standard one)', async () => {
    const body = '{"Limit":1}';
    const r = await rawRequest(served.port, signedHeaders({ port: served.port, target: 'ListKeys', body, creds, region: served.region }), body);
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as { Keys: unknown[] }).Keys.length, 1);
  });
});

describe('browser and size guards', () => {
  test('a Host that is not the bound address or localhost with the port is refused (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${served.port}`, '127.0.0.1', `127.0.0.1:${served.port + 1}`]) {
      const r = await rawRequest(served.port, { host, 'x-amz-target': 'TrentService.ListKeys' });
      assert.equal(r.status, 403, host);
      assert.equal(typeOf(r.body), 'AccessDeniedException');
    }
    const local = await rawRequest(served.port, { host: `localhost:${served.port}`, 'x-amz-target': 'TrentService.ListKeys' });
    assert.equal(typeOf(local.body), 'MissingAuthenticationTokenException', 'localhost:port passes the guard');
  });

  test('any Origin header is refused, even on a correctly signed request', async () => {
    const body = '{}';
    const headers = {
      ...signedHeaders({ port: served.port, target: 'ListKeys', body, creds, region: served.region }),
      origin: `http://127.0.0.1:${served.port}`,
    };
    const r = await rawRequest(served.port, headers, body);
    assert.equal(r.status, 403);
    assert.equal(typeOf(r.body), 'AccessDeniedException');
  });

  test('a body over 1 MiB is refused with 413 and the connection closed; the server keeps serving', async () => {
    const body = '{}';
    const headers = signedHeaders({ port: served.port, target: 'ListKeys', body, creds, region: served.region });
    const declared = await rawRequest(served.port, { ...headers, 'content-length': 2 * 1024 * 1024 }, (req) => req.flushHeaders());
    assert.equal(declared.status, 413);
    assert.equal(declared.closed, true);
    // 1.25 MiB in chunks, no length announced: refused once the limit is crossed.
    const chunked = await rawRequest(served.port, { ...headers, 'transfer-encoding': 'chunked' }, (req) => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 20; i++) req.write(chunk);
    });
    assert.equal(chunked.status, 413);
    assert.equal(chunked.closed, true);
    assert.ok((await served.client(creds).send(new K.ListKeysCommand({}))).Keys);
  });
});

describe('credentials and audit', () => {
  test('rotate-api-credentials: the old pair is refused at once by the running server, the new one works', async () => {
    const old = await served.credentials();
    assert.ok((await served.client(old).send(new K.ListKeysCommand({}))).Keys);
    const rotated = await served.cli.ok<{ AccessKeyId: string }>(['rotate-api-credentials']);
    assert.notEqual(rotated.AccessKeyId, old.AccessKeyId);
    assert.equal(await errorName(served.client(old).send(new K.ListKeysCommand({}))), 'UnrecognizedClientException');
    creds = await served.credentials();
    assert.equal(creds.AccessKeyId, rotated.AccessKeyId);
    assert.ok((await served.client(creds).send(new K.ListKeysCommand({}))).Keys);
  });

  test('credentials are not on disk in plain text: vault directory files never contain the secret', async () => {
    const { readdirSync } = await import('node:fs');
    for (const name of readdirSync(served.cli.dir)) {
      const text = readFileSync(join(served.cli.dir, name), 'utf8');
      assert.ok(!text.includes(creds.SecretAccessKey), `${name} holds the secret`);
    }
  });

  test('every API call is audited with operation, key, access key id and outcome, never data', async () => {
    const kms = served.client(creds);
    const e = await kms.send(new K.EncryptCommand({ KeyId: 'alias/keyvault/default', Plaintext: Buffer.from('top secret words') }));
    await errorName(served.client({ AccessKeyId: 'AKKVNOBODY0000000000', SecretAccessKey: 'x' }).send(new K.ListKeysCommand({})));
    await new Promise((r) => setTimeout(r, 100)); // deferred audit lines are written on the next turn
    const log = readFileSync(join(served.cli.dir, 'audit.log'), 'utf8');
    const lines = log
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const enc = lines.findLast((l) => l.Operation === 'Api:Encrypt')!;
    assert.equal(enc.Outcome, 'Success');
    assert.equal(enc.Detail, `AccessKeyId=${creds.AccessKeyId}`);
    assert.equal(e.KeyId!.endsWith(enc.KeyId!), true);
    const refused = lines.findLast((l) => l.Operation === 'Api:ListKeys' && l.Outcome === 'Failure')!;
    assert.deepEqual([refused.ErrorType, refused.Detail], ['UnrecognizedClientException', 'AccessKeyId=AKKVNOBODY0000000000']);
    assert.ok(!log.includes(Buffer.from('top secret words').toString('base64')) && !log.includes(Buffer.from(e.CiphertextBlob!).toString('base64')));
  });
});

describe('process', () => {
  test('serve refuses a non-loopback --host', async () => {
    const r = await served.cli.run(['serve', '--host', '0.0.0.0', '--port', '0']);
    assert.equal(r.code, 252, r.stderr);
  });

  test('SIGTERM lets a request in flight finish, then the process exits 0', async () => {
    const body = '{"Limit":1}';
    const headers = signedHeaders({ port: served.port, target: 'ListKeys', body, creds, region: served.region });
    let exited: Promise<number | null> | undefined;
    const response = rawRequest(served.port, { ...headers, 'content-length': body.length }, (req) => {
      req.write(body.slice(0, 3));
      setTimeout(() => {
        exited = served.stop('SIGTERM');
        setTimeout(() => req.end(body.slice(3)), 300);
      }, 200);
    });
    const r = await response;
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as { Keys: unknown[] }).Keys.length, 1);
    assert.equal(await exited, 0);
  });
});
