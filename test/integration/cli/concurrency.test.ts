/** Several `keyvault` processes writing one vault at once lose no update. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { CliVault, assertBuilt } from '../../support/cliHarness.js';

const vault = new CliVault('kv-cli-concurrency-');
const PER_WRITER = 20;

before(async () => {
  assertBuilt();
  await vault.ok(['list-keys']); // create the vault first, so both writers open the same one
});
after(() => vault.destroy());

async function writer(name: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < PER_WRITER; i++) {
    const k = await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', `${name}-${i}`]);
    ids.push(k.KeyMetadata.KeyId);
  }
  return ids;
}

test('two CLI processes creating 20 keys each in parallel leave 40 keys plus the default key', async () => {
  const [a, b] = await Promise.all([writer('a'), writer('b')]);
  const list = await vault.ok<Api.ListKeysResponse>(['list-keys']);
  assert.equal(list.Keys.length, 2 * PER_WRITER + 1);
  const listed = new Set(list.Keys.map((k) => k.KeyId));
  for (const id of [...a, ...b]) assert.ok(listed.has(id), `key ${id} survived`);
});
