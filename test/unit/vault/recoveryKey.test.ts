/** The printed recovery key: 160 random bits, groups with check symbols that catch every single typo. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { InvalidCiphertextException, ValidationException } from '../../../main/core/errors.js';
import {
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  RECOVERY_KEY_BYTES,
  unwrapRootSecretWithKey,
  wrapRootSecretWithKey,
} from '../../../main/vault/recoveryKey.js';
import { renderRecoverySheet } from '../../../main/vault/recoverySheet.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

test('a key is 160 random bits printed as 8 groups of 5 unambiguous symbols, and reads back', () => {
  assert.ok(RECOVERY_KEY_BYTES * 8 >= 128);
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const { key, text } = generateRecoveryKey();
    assert.match(text, /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){7}$/);
    assert.deepEqual(parseRecoveryKey(text), key);
    seen.add(text);
  }
  assert.equal(seen.size, 50);
});

test('case, spaces, line breaks and the look-alikes O, I and L do not matter', () => {
  const { key, text } = generateRecoveryKey();
  assert.deepEqual(parseRecoveryKey(` ${text.toLowerCase().replaceAll('-', ' ')}\n`), key);
  assert.deepEqual(parseRecoveryKey(text.replaceAll('-', '').replace(/(.{20})/, '$1\n')), key);
  const withZeros = formatRecoveryKey(Buffer.alloc(RECOVERY_KEY_BYTES));
  assert.deepEqual(parseRecoveryKey(withZeros.replaceAll('0', 'O').replaceAll('1', 'l')), Buffer.alloc(RECOVERY_KEY_BYTES));
});

test('every single mistyped symbol, at every position, is caught by the check symbols and names its group', () => {
  for (let round = 0; round < 5; round++) {
    const text = generateRecoveryKey().text;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '-') continue;
      for (const other of ALPHABET) {
        if (other === text[i]) continue;
        const typo = text.slice(0, i) + other + text.slice(i + 1);
        const group = Math.floor(i / 6) + 1;
        assert.throws(
          () => parseRecoveryKey(typo),
          (err: unknown) => err instanceof ValidationException && err.message.includes(`Group ${group} `),
          typo,
        );
      }
    }
  }
});

test('two groups swapped, a missing group and a stray symbol are caught', () => {
  const groups = generateRecoveryKey().text.split('-');
  const swapped = [groups[1], groups[0], ...groups.slice(2)].join('-');
  assert.throws(() => parseRecoveryKey(swapped), ValidationException);
  assert.throws(() => parseRecoveryKey(groups.slice(1).join('-')), /8 groups of 5 symbols/);
  assert.throws(() => parseRecoveryKey(`${groups.join('-')}U`), ValidationException);
  assert.throws(() => parseRecoveryKey('x'.repeat(10_000)), /far too long/);
  assert.throws(() => parseRecoveryKey(42), ValidationException);
});

test('the wrapped root secret opens with its key and vault id only; a well-formed wrong key is InvalidCiphertextException', () => {
  const secret = randomBytes(32);
  const { key } = generateRecoveryKey();
  const wrapped = wrapRootSecretWithKey(secret, key, 'vault-a');
  assert.deepEqual(unwrapRootSecretWithKey(wrapped, key, 'vault-a'), secret);
  assert.throws(() => unwrapRootSecretWithKey(wrapped, generateRecoveryKey().key, 'vault-a'), InvalidCiphertextException);
  assert.throws(() => unwrapRootSecretWithKey(wrapped, key, 'vault-b'), InvalidCiphertextException);
  assert.notEqual(wrapRootSecretWithKey(secret, key, 'vault-a'), wrapped, 'a fresh salt and nonce each time');
});

test('the sheet is one self-contained page with the key in groups, the vault id, the date and how to use it', () => {
  const { text } = generateRecoveryKey();
  const html = renderRecoverySheet({ RecoveryKey: text, VaultId: '0d3c<b>', CreationDate: '2026-11-30T12:00:00.000Z' });
  for (const group of text.split('-')) assert.ok(html.includes(`<span class="group">${group}</span>`));
  assert.ok(html.includes('0d3c&lt;b&gt;'), 'text is escaped');
  assert.ok(html.includes('2026-11-30'));
  assert.match(html, /keyvault recover --recovery-key-file/);
  assert.doesNotMatch(html, /<script|https?:\/\/|src=/i, 'no scripts or outside resources');
});
