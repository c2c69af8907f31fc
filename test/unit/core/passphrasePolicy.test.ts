/** The one passphrase policy: a real strength estimate for new passphrases, one length cap for all. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationException } from '../../../main/core/errors.js';
import { checkNewPassphrase, checkPassphraseLength, MAX_PASSPHRASE_CHARACTERS } from '../../../main/core/passphrasePolicy.js';

async function refusal(passphrase: string): Promise<string> {
  let message = '';
  await assert.rejects(checkNewPassphrase(passphrase, 'backup passphrase'), (err: unknown) => {
    assert.ok(err instanceof ValidationException);
    message = err.message;
    return true;
  });
  return message;
}

test('common passwords, keyboard walks, repeats and product words are refused with the estimator reason and advice', async () => {
  assert.match(await refusal('password1'), /too easy to guess.*commonly used password.*Add more words/);
  assert.match(await refusal('qwertyuiop'), /too easy to guess/);
  assert.match(await refusal('aaaaaaaaaaaaaaaa'), /too easy to guess.*Repeated characters/);
  assert.match(await refusal('keyvault2026!'), /too easy to guess/);
  assert.match(await refusal('Summer2024'), /too easy to guess/);
});

test('a short passphrase is refused for its length before any estimate', async () => {
  assert.match(await refusal('x9#Lq'), /at least 8 characters/);
});

test('strong passphrases are accepted unchanged', async () => {
  for (const p of ['wobbly-lantern-orbit-sauce', 'correct horse battery staple', 'Tr0ub4dor&3 with a tail', 'ünïcödé pässphräse wörds']) {
    assert.equal(await checkNewPassphrase(p, 'backup passphrase'), p);
  }
});

test('one cap for every passphrase: 1,024 characters pass the length check, 1,025 and 10 MB do not', () => {
  const max = 'ab'.repeat(MAX_PASSPHRASE_CHARACTERS / 2);
  assert.equal(checkPassphraseLength(max, 'passphrase'), max);
  assert.throws(() => checkPassphraseLength(`${max}c`, 'passphrase'), ValidationException);
  const started = performance.now();
  assert.throws(() => checkPassphraseLength('x'.repeat(10 * 1024 * 1024), 'passphrase'), /at most 1024 characters/);
  assert.ok(performance.now() - started < 100, 'the cap is checked without walking 10 MB of characters');
  // Counted in characters, not UTF-16 units: 1,024 emoji are within the cap.
  assert.equal([...checkPassphraseLength('🔑'.repeat(1024), 'passphrase')].length, 1024);
  assert.throws(() => checkPassphraseLength('', 'passphrase'), /required/);
  assert.throws(() => checkPassphraseLength(42, 'passphrase'), /required/);
});
