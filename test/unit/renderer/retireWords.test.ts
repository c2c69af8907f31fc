/** The words of retiring versions: states, counts, and the sentences after a run or a scan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bringUpToDateText,
  countByVersion,
  inventoryStatusText,
  reEncryptResultText,
  scanResultText,
  staleCount,
  versionStateText,
} from '../../../renderer/retireWords';

const NOW = new Date('2026-11-30T12:00:00.000Z');

test('version states in words, with their dates', () => {
  assert.equal(versionStateText({ KeyVersionState: 'Enabled' }, NOW), 'In use');
  assert.equal(versionStateText({ KeyVersionState: 'Disabled' }, NOW), 'Disabled: cannot open files');
  assert.equal(
    versionStateText({ KeyVersionState: 'PendingDestruction', DestructionDate: '2026-12-30T10:00:00.000Z' }, NOW),
    'Destroyed on 30 Dec unless cancelled',
  );
  assert.equal(versionStateText({ KeyVersionState: 'Destroyed', DestroyedDate: '2025-12-30T10:00:00.000Z' }, NOW), 'Destroyed on 30 Dec 2025');
});

test('known files are counted per version without the missing ones; stale ones are those off the primary', () => {
  const counts = countByVersion([
    { KeyVersionId: 'a', Status: 'Present' },
    { KeyVersionId: 'a', Status: 'Changed' },
    { KeyVersionId: 'a', Status: 'Missing' },
    { KeyVersionId: 'b', Status: 'Present' },
  ]);
  assert.deepEqual(counts, { a: 2, b: 1 });
  assert.equal(
    staleCount(
      [
        { KeyVersionId: 'a', IsPrimary: false },
        { KeyVersionId: 'b', IsPrimary: true },
      ],
      counts,
    ),
    2,
  );
  assert.equal(bringUpToDateText(2), 'Bring 2 files up to date');
  assert.equal(bringUpToDateText(1), 'Bring 1 file up to date');
  assert.equal(bringUpToDateText(0), 'All known files are up to date');
});

test('a run in one sentence: done, nothing to do, stopped, problems', () => {
  assert.equal(
    reEncryptResultText({ ReEncrypted: 3, AlreadyCurrent: 0, Missing: 0, Failed: [] }, 'tax-returns'),
    'Done: 3 files now on the current version of tax-returns.',
  );
  assert.equal(reEncryptResultText({ ReEncrypted: 0, AlreadyCurrent: 0, Missing: 0, Failed: [] }, 'k'), 'Nothing to do: no known file is on an older version.');
  assert.equal(
    reEncryptResultText({ ReEncrypted: 1, AlreadyCurrent: 1, Missing: 2, Failed: [{ Path: '/x', __type: 'KMSInvalidStateException', message: 'm' }] }, 'k'),
    'Done: 1 file now on the current version of k, 1 was already up to date, 2 files were not found where they used to be, 1 file could not be rewrapped.',
  );
  assert.equal(
    reEncryptResultText({ ReEncrypted: 2, AlreadyCurrent: 0, Missing: 0, Failed: [], Cancelled: true, FolderName: 'taxes' }, 'k'),
    'Stopped in taxes: 2 files now on the current version of k. The other files are as they were; run it again to carry on.',
  );
});

test('a scan in one sentence', () => {
  assert.equal(scanResultText({ FolderName: 'docs', Scanned: 0, Found: 0, Added: 0, Updated: 0 }), 'Scanned docs: it holds no encrypted (age) files.');
  assert.equal(
    scanResultText({ FolderName: 'docs', Scanned: 1, Found: 0, Added: 0, Updated: 0 }),
    'Scanned docs: its one encrypted file is not from this vault.',
  );
  assert.equal(
    scanResultText({ FolderName: 'docs', Scanned: 12, Found: 0, Added: 0, Updated: 0 }),
    'Scanned docs: none of its 12 encrypted files is from this vault.',
  );
  assert.equal(
    scanResultText({ FolderName: 'docs', Scanned: 1200, Found: 3, Added: 2, Updated: 1 }),
    'Scanned docs: 3 of 1,200 encrypted files are from this vault (2 new, 1 updated).',
  );
  assert.equal(
    scanResultText({ FolderName: 'docs', Scanned: 5, Found: 1, Added: 0, Updated: 0 }),
    'Scanned docs: 1 of 5 encrypted files is from this vault (all already known).',
  );
  assert.equal(
    scanResultText({ FolderName: 'docs', Scanned: 1, Found: 1, Added: 1, Updated: 0 }),
    'Scanned docs: its encrypted file is from this vault (1 new).',
  );
  assert.equal(
    scanResultText({ FolderName: 'docs', Scanned: 4, Found: 4, Added: 0, Updated: 4 }),
    'Scanned docs: all 4 encrypted files are from this vault (4 updated).',
  );
  assert.equal(inventoryStatusText('Missing'), 'Missing (moved or deleted)');
});
