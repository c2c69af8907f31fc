/**
 * `--limit` / `--marker` on the CLI's list commands: pages that together are the whole list,
 * `Truncated` and `NextMarker`, and InvalidMarkerException for a marker Key Vault did not print.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertBuilt, CliVault } from '../cli/cliHarness.js';

const vault = new CliVault('kv-cli-paging-');
type Page<F extends string, T> = Record<F, T[]> & { Truncated: boolean; NextMarker?: string };

before(async () => {
  assertBuilt();
  for (let i = 0; i < 3; i++) await vault.ok(['create-key', '--alias-name', `alias/page-${i}`]);
});
after(() => vault.destroy());

async function allPages<F extends string, T>(field: F, args: string[], limit: number): Promise<Page<F, T>[]> {
  const pages: Page<F, T>[] = [];
  let marker: string | undefined;
  do {
    const page = await vault.ok<Page<F, T>>([...args, '--limit', String(limit), ...(marker ? ['--marker', marker] : [])]);
    pages.push(page);
    marker = page.NextMarker;
    assert.equal(page.Truncated, marker !== undefined);
  } while (marker);
  return pages;
}

test('list-keys without --limit prints every key and Truncated false; with --limit 2 the pages add up to the same list', async () => {
  const whole = await vault.ok<Page<'Keys', { KeyId: string }>>(['list-keys']);
  assert.equal(whole.Keys.length, 4);
  assert.equal(whole.Truncated, false);
  assert.equal(whole.NextMarker, undefined);
  const pages = await allPages<'Keys', { KeyId: string }>('Keys', ['list-keys'], 2);
  assert.deepEqual(
    pages.map((p) => p.Keys.length),
    [2, 2],
  );
  assert.deepEqual(
    pages.flatMap((p) => p.Keys),
    whole.Keys,
  );
});

test('list-aliases pages by alias name', async () => {
  const pages = await allPages<'Aliases', { AliasName: string }>('Aliases', ['list-aliases'], 3);
  assert.deepEqual(
    pages.flatMap((p) => p.Aliases.map((a) => a.AliasName)),
    ['alias/keyvault/default', 'alias/page-0', 'alias/page-1', 'alias/page-2'],
  );
});

test('list-key-rotations and list-key-versions page oldest first', async () => {
  for (let i = 0; i < 3; i++) await vault.ok(['rotate-key-on-demand', '--key-id', 'alias/page-0']);
  const rotations = await allPages<'Rotations', { KeyVersionId: string }>('Rotations', ['list-key-rotations', '--key-id', 'alias/page-0'], 2);
  assert.deepEqual(
    rotations.map((p) => p.Rotations.length),
    [2, 1],
  );
  const versions = await allPages<'KeyVersions', { KeyVersionId: string; IsPrimary: boolean }>(
    'KeyVersions',
    ['list-key-versions', '--key-id', 'alias/page-0'],
    3,
  );
  const flat = versions.flatMap((p) => p.KeyVersions);
  assert.equal(flat.length, 4);
  assert.equal(flat.at(-1)!.IsPrimary, true);
  assert.deepEqual(
    flat.slice(1).map((v) => v.KeyVersionId),
    rotations.flatMap((p) => p.Rotations.map((r) => r.KeyVersionId)),
  );
});

test('a made-up marker is InvalidMarkerException; a limit out of range is ValidationException', async () => {
  await vault.fails(['list-keys', '--marker', 'bm90LW91cnM'], 'InvalidMarkerException');
  await vault.fails(['list-aliases', '--limit', '101'], 'ValidationException');
});
