import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maintenanceClock } from '../../../main/vault/maintenanceClock.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';

const NOW = new Date('2025-06-01T00:00:00.000Z');

test('one pass finds a version whose destruction is due, only where the clock allows destruction', () => {
  const doc = sampleVault(3, 2);
  doc.LastSeenDate = '2025-05-31T00:00:00.000Z';
  assert.equal(maintenanceClock(doc, NOW, false).versionsDue, false, 'nothing pending destruction');
  const key = Object.values(doc.Keys)[2]!;
  Object.assign(key.Versions[0]!, {
    KeyVersionState: 'PendingDestruction',
    DestructionScheduledDate: '2025-05-01T00:00:00.000Z',
    DestructionDate: '2025-05-08T00:00:00.000Z',
  });
  const clock = maintenanceClock(doc, NOW, false);
  assert.equal(clock.destructionAllowed, true);
  assert.equal(clock.versionsDue, true);
  assert.equal(maintenanceClock(doc, new Date('2025-05-07T00:00:00.000Z'), true).versionsDue, false, 'its window has not passed');
  // A clock that jumped more than a year past what the vault has seen may not destroy anything
  // until the date is confirmed, so nothing is due.
  doc.LastSeenDate = '2024-01-01T00:00:00.000Z';
  const wrong = maintenanceClock(doc, NOW, false);
  assert.equal(wrong.destructionAllowed, false);
  assert.equal(wrong.versionsDue, false);
});
