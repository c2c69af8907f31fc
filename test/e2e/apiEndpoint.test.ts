/**
 * Settings → AWS-compatible endpoint against the real service: off by default, turned on at a
 * port, serves a real SDK call (counted in the status), rotates credentials, turns off.
 * Screenshot: test-results/screenshots/settings-api-endpoint.png.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { ApiCredentialStore } from '../../main/api/apiCredentials.js';
import { attachApiEndpoint } from '../../main/app/apiEndpoint.js';
import { keychainAccountForApiCredentials } from '../../main/keychain/keychain.js';
import { REPO_ROOT } from './browser.js';
import { E2eEnvironment } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

test('the endpoint is off by default, turns on at the chosen port, serves an SDK call, rotates credentials and turns off', async () => {
  const app = await env.startApp({ viewport: { width: 1200, height: 1400 } });
  const { controller } = attachApiEndpoint(app.service, { cliCommand: [process.execPath, join(REPO_ROOT, 'bin', 'keyvault')] });
  try {
    const { page } = app;
    await app.navigate('settings');
    const panel = page.getByTestId('api-endpoint');
    await panel.getByTestId('api-endpoint-state').filter({ hasText: 'off' }).waitFor();
    // The profile is fetched after the status: wait for it to arrive.
    const profile = panel.getByTestId('api-endpoint-profile');
    for (let i = 0; i < 200 && (await profile.inputValue()) === ''; i++) await page.waitForTimeout(25);
    assert.match(await profile.inputValue(), /credential_process = .* get-api-credentials\nregion = us-east-1\nendpoint_url = http:\/\/127\.0\.0\.1:9631/);

    const port = await freePort();
    await panel.getByTestId('api-endpoint-port').fill(String(port));
    await panel.getByTestId('api-endpoint-on').click();
    await panel
      .getByTestId('api-endpoint-state')
      .filter({ hasText: `listening on http://127.0.0.1:${port}` })
      .waitFor();

    const creds = await new ApiCredentialStore(app.service.keychain, app.service.vaultId, app.dir).getOrCreate();
    const kms = new KMSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey },
    });
    assert.ok((await kms.send(new ListKeysCommand({}))).Keys!.length >= 1);
    await panel.getByRole('button', { name: 'Refresh status' }).click();
    await panel.getByTestId('api-endpoint-served').filter({ hasText: '1' }).waitFor();
    assert.ok(!(await panel.textContent())!.includes(creds.SecretAccessKey), 'the secret is never shown');
    await panel.scrollIntoViewIfNeeded();
    await app.screenshot('settings-api-endpoint');

    await panel.getByTestId('api-endpoint-rotate').click();
    await panel.getByTestId('api-endpoint-notice').filter({ hasText: 'the old ones no longer work' }).waitFor();
    await assert.rejects(kms.send(new ListKeysCommand({})), { name: 'UnrecognizedClientException' });

    await panel.getByTestId('api-endpoint-off').click();
    await panel.getByTestId('api-endpoint-state').filter({ hasText: 'off' }).waitFor();
    await assert.rejects(kms.send(new ListKeysCommand({})), /ECONNREFUSED/);
  } finally {
    await controller.close();
    await app.service.keychain.deleteSecret(keychainAccountForApiCredentials(app.service.vaultId)).catch(() => false);
    await app.close();
  }
});
