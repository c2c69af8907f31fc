/** The words the app uses for keys: which keys are the person's, rotation sentences, errors by name. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayMonth, explainKeyError, rotationWords, yourKeys } from '../../../renderer/format.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const ID = '5671e77a-1b2c-4d5e-8f90-123456789abc';

describe('yourKeys', () => {
  it('leaves out the vault-managed default key', () => {
    const keys = [
      { KeyId: 'a', KeyManager: 'VAULT' },
      { KeyId: 'b', KeyManager: 'CUSTOMER' },
    ];
    assert.deepEqual(
      yourKeys(keys).map((k) => k.KeyId),
      ['b'],
    );
  });
});

describe('rotationWords', () => {
  const base = { KeyState: 'Enabled', AutomaticRotation: 'Enabled', RotationInterval: `${30 * 86400}s` };
  it('says the interval and the next date in plain words', () => {
    assert.equal(rotationWords({ ...base, NextRotationDate: '2027-01-12T09:00:00Z' }, NOW), 'Rotates every 30 days · next on 12 Jan 2027');
    assert.equal(rotationWords({ ...base, NextRotationDate: '2026-12-30T09:00:00Z' }, NOW), 'Rotates every 30 days · next on 30 Dec');
    assert.equal(rotationWords({ ...base, NextRotationDate: '2026-11-29T09:00:00Z' }, NOW), 'Rotates every 30 days · due now');
  });
  it('explains a paused or absent rotation', () => {
    assert.equal(rotationWords({ ...base, AutomaticRotation: 'Suspended', KeyState: 'Disabled' }, NOW), 'Rotation paused while the key is disabled');
    assert.equal(rotationWords({ ...base, AutomaticRotation: 'Suspended', KeyState: 'PendingDeletion' }, NOW), 'Rotation paused: deletion is scheduled');
    assert.equal(rotationWords({ ...base, AutomaticRotation: 'Disabled' }, NOW), 'Does not rotate automatically');
  });
  it('dayMonth refuses what is not a date', () => {
    assert.equal(dayMonth('soon', NOW), undefined);
    assert.equal(dayMonth(undefined, NOW), undefined);
  });
});

describe('explainKeyError', () => {
  const keys = [{ KeyId: ID, Aliases: ['alias/tax-returns'], KeyState: 'Disabled' }];
  it('names a disabled key by its alias and offers to enable it', () => {
    const out = explainKeyError({ name: 'DisabledException', message: `Key ${ID} is disabled.` }, keys);
    assert.equal(out.message, 'Key “tax-returns” is disabled.');
    assert.equal(out.key, 'tax-returns');
    assert.deepEqual(out.fix, { label: 'Enable', keyId: ID });
  });
  it('offers to cancel a scheduled deletion', () => {
    const out = explainKeyError({ name: 'KMSInvalidStateException', message: `Key ${ID} is pending deletion.` }, [
      { ...keys[0]!, KeyState: 'PendingDeletion' },
    ]);
    assert.deepEqual(out.fix, { label: 'Cancel deletion', keyId: ID });
  });
  it('leaves unknown ids and enabled keys without a fix', () => {
    const other = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    assert.deepEqual(explainKeyError({ name: 'NotFoundException', message: `Key ${other} not found.` }, keys), { message: `Key ${other} not found.` });
    const enabled = explainKeyError({ name: 'ValidationException', message: `Key ${ID} bad.` }, [{ ...keys[0]!, KeyState: 'Enabled' }]);
    assert.equal(enabled.fix, undefined);
    assert.equal(enabled.message, 'Key “tax-returns” bad.');
  });
});
