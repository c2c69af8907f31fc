/** The Files and Activity screens' words: results in sentences, key blocks, operation names. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileJobResult, KeyMetadata } from '../../../preload/contract.js';
import { activityWords, failureWords } from '../../../renderer/activityWords.js';
import { describeResult, keyBlock, keyBlockText, looksEncrypted, outputName, versionDateText, type KeyNames } from '../../../renderer/fileWords.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const names: KeyNames = {
  keyName: (id) => (({ k1: 'tax-returns' }) as Record<string, string>)[id],
  versionDate: (keyId, v) => (keyId === 'k1' && v === 'v1' ? '2026-11-30T09:00:00Z' : keyId === 'k1' && v === 'v0' ? '2025-03-02T09:00:00Z' : undefined),
};
const base = { JobId: 'j', InputPath: '/home/me/report.pdf', BytesProcessed: 232 };

describe('job results in sentences', () => {
  it('names the key by alias and the version by its date, never by id or operation name', () => {
    const enc: FileJobResult = { ...base, Operation: 'Encrypt', OutputPath: '/home/me/report.pdf.age', KeyId: 'k1', KeyVersionId: 'v1' };
    assert.equal(describeResult(enc, names, NOW).sentence, 'Encrypted under tax-returns (version of 30 Nov) as report.pdf.age.');
    const dec: FileJobResult = { ...base, Operation: 'Decrypt', OutputPath: '/home/me/report (2).pdf', KeyId: 'k1', KeyVersionId: 'v0' };
    assert.equal(describeResult(dec, names, NOW).sentence, 'Decrypted to report (2).pdf; it was under tax-returns (version of 2 Mar 2025).');
    const re: FileJobResult = { ...base, Operation: 'ReEncrypt', KeyId: 'k1', KeyVersionId: 'v1' };
    assert.equal(describeResult(re, names, NOW).sentence, 'Re-encrypted under tax-returns (version of 30 Nov), the current version.');
    const same: FileJobResult = { ...base, Operation: 'ReEncrypt', KeyId: 'k1', AlreadyCurrent: true, BytesProcessed: 0 };
    assert.equal(describeResult(same, names, NOW).sentence, 'Already under the current version of tax-returns; nothing was changed.');
  });

  it('an unknown version date or key is said plainly', () => {
    const enc: FileJobResult = { ...base, Operation: 'Encrypt', OutputPath: '/x/a.age', KeyId: 'k1', KeyVersionId: 'v9' };
    assert.equal(describeResult(enc, names, NOW).sentence, 'Encrypted under tax-returns as a.age.');
    const foreign: FileJobResult = { ...base, Operation: 'Decrypt', OutputPath: '/x/a', KeyId: 'zz', KeyVersionId: 'v9' };
    assert.equal(describeResult(foreign, names, NOW).sentence, 'Decrypted to a; it was under a key this vault does not hold.');
  });

  it('inspect says whether the file is on an older version and what to do, without recipient types', () => {
    const older: FileJobResult = {
      ...base,
      Operation: 'Inspect',
      Inspection: {
        KeyId: 'k1',
        KeyVersionId: 'v0',
        IsPrimaryVersion: false,
        RecoveryRecipients: ['age1x'],
        Stanzas: [{ Type: 'keyvault.local/cmk', Args: [] } as never],
        Armored: false,
        Size: 232,
        HeaderSize: 200,
      },
    };
    const words = describeResult(older, names, NOW);
    assert.equal(words.sentence, 'Encrypted under tax-returns (version of 2 Mar 2025), an older version.');
    assert.equal(words.note, 'It still opens; Re-encrypt moves it to the current version. Your recovery key can open it too.');
    assert.ok(!JSON.stringify(words).includes('keyvault.local'));
  });

  it('dates this year without the year, others with it', () => {
    assert.equal(versionDateText('2026-01-12T00:00:00Z', NOW), '12 Jan');
    assert.equal(versionDateText('2024-01-12T00:00:00Z', NOW), '12 Jan 2024');
  });
});

describe('a chosen key that cannot encrypt', () => {
  const key = (KeyId: string, KeyState: KeyMetadata['KeyState'], extra: Partial<KeyMetadata> = {}) =>
    ({ KeyId, KeyState, Aliases: [`alias/${KeyId}`], ...extra }) as KeyMetadata;
  const label = (k: KeyMetadata) => k.Aliases[0]!.replace('alias/', '');
  const keys = [
    key('tax-returns', 'Disabled'),
    key('old', 'PendingDeletion', { DeletionDate: '2026-12-07T00:00:00Z' }),
    key('hsm', 'PendingImport'),
    key('ok', 'Enabled'),
  ];

  it('gives the reason with the key name, and nothing for a usable key', () => {
    assert.equal(keyBlockText(keyBlock('tax-returns', keys, label), NOW), 'tax-returns is disabled, so nothing can be encrypted under it.');
    assert.equal(keyBlockText(keyBlock('old', keys, label), NOW), 'old is scheduled for deletion on 7 Dec, so nothing can be encrypted under it.');
    assert.equal(keyBlockText(keyBlock('hsm', keys, label), NOW), 'hsm has no key material yet, so nothing can be encrypted under it.');
    assert.deepEqual(keyBlock('ok', keys, label), { kind: 'none' });
    assert.deepEqual(keyBlock('gone', keys, label), { kind: 'missing' }, 'a chosen key that vanished is not replaced by another');
  });
});

describe('file names', () => {
  it('spots .age files and the names Encrypt and Decrypt write', () => {
    assert.ok(looksEncrypted('notes.txt.age') && looksEncrypted('X.AGE'));
    assert.ok(!looksEncrypted('.age') && !looksEncrypted('page'));
    assert.equal(outputName('Encrypt', 'a.pdf'), 'a.pdf.age');
    assert.equal(outputName('Decrypt', 'a.pdf.age'), 'a.pdf');
    assert.equal(outputName('Decrypt', 'a.bin'), 'a.bin.decrypted');
    assert.equal(outputName('Inspect', 'a.age'), undefined);
  });
});

describe('activity words', () => {
  it('says what happened, not the operation name', () => {
    assert.equal(activityWords({ Operation: 'CreateKey' }), 'Key created');
    assert.equal(activityWords({ Operation: 'EncryptFile' }), 'File encrypted');
    assert.equal(activityWords({ Operation: 'Rotation', RotationType: 'AUTOMATIC' }), 'Rotated on schedule');
    assert.equal(activityWords({ Operation: 'SomethingNew' }), 'Something new');
    assert.equal(failureWords('DisabledException'), 'Failed: disabled');
    assert.equal(failureWords('KMSInvalidStateException'), 'Failed: invalid state');
  });
});
