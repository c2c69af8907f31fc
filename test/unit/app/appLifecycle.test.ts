import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { DEFAULT_ROTATION_CHECK_MS, coalesce, rotationCheckIntervalMs, wireRotationTriggers } from '../../../main/app/rotationTriggers.js';
import { describeStartupError, resolveVaultDir, userDataOverride } from '../../../main/app/startup.js';
import { DependencyTimeoutException, KMSInvalidStateException } from '../../../main/core/errors.js';

describe('rotation triggers', () => {
  it('checks again on resume and on unlock-screen, and stops listening when disposed', async () => {
    const power = new EventEmitter();
    let ticks = 0;
    let stopped = false;
    const triggers = wireRotationTriggers({
      scheduler: { tick: async () => void ticks++, stop: () => (stopped = true) },
      powerMonitor: power,
    });
    power.emit('resume');
    await new Promise((r) => setImmediate(r));
    power.emit('unlock-screen');
    await new Promise((r) => setImmediate(r));
    assert.equal(ticks, 2);
    triggers.dispose();
    power.emit('resume');
    assert.equal(ticks, 2);
    assert.equal(stopped, true);
    assert.equal(power.listenerCount('resume'), 0);
  });

  it('joins overlapping checks into one tick', async () => {
    let ticks = 0;
    let release!: () => void;
    const tick = coalesce(() => {
      ticks++;
      return new Promise<void>((r) => (release = r));
    });
    const a = tick();
    const b = tick();
    release();
    await Promise.all([a, b]);
    assert.equal(ticks, 1);
    const c = tick();
    release();
    await c;
    assert.equal(ticks, 2, 'a call after the first finished starts a new tick');
  });

  it('reports a failing check instead of throwing', async () => {
    const errors: unknown[] = [];
    const triggers = wireRotationTriggers({
      scheduler: { tick: async () => Promise.reject(new Error('keychain locked')), stop: () => {} },
      powerMonitor: new EventEmitter(),
      log: (_m, e) => errors.push(e),
    });
    await triggers.checkNow('launch');
    assert.equal(errors.length, 1);
  });

  it('reads the check interval from KEYVAULT_ROTATION_CHECK_MS, within sane bounds', () => {
    assert.equal(rotationCheckIntervalMs({}), DEFAULT_ROTATION_CHECK_MS);
    assert.equal(rotationCheckIntervalMs({ KEYVAULT_ROTATION_CHECK_MS: '5000' }), 5000);
    assert.equal(rotationCheckIntervalMs({ KEYVAULT_ROTATION_CHECK_MS: '10' }), 1000);
    assert.equal(rotationCheckIntervalMs({ KEYVAULT_ROTATION_CHECK_MS: '-1' }), DEFAULT_ROTATION_CHECK_MS);
    assert.equal(rotationCheckIntervalMs({ KEYVAULT_ROTATION_CHECK_MS: 'soon' }), DEFAULT_ROTATION_CHECK_MS);
  });
});

describe('start-up', () => {
  it('puts the vault in $KEYVAULT_HOME when set, else under userData', () => {
    assert.equal(resolveVaultDir({ KEYVAULT_HOME: '/srv/vault' }, '/home/me/.config/Key Vault'), '/srv/vault');
    assert.equal(resolveVaultDir({}, '/home/me/.config/Key Vault'), '/home/me/.config/Key Vault/vault');
    assert.equal(resolveVaultDir({ KEYVAULT_HOME: '  ' }, '/u'), '/u/vault');
  });

  it('moves userData only when KEYVAULT_USER_DATA is set', () => {
    assert.equal(userDataOverride({}), undefined);
    assert.equal(userDataOverride({ KEYVAULT_USER_DATA: '/tmp/ud' }), '/tmp/ud');
  });

  it('explains a missing keychain entry and names the exception', () => {
    const d = describeStartupError(new KMSInvalidStateException('The OS keychain has no root secret for vault 42.'), '/v');
    assert.match(d.message, /^KMSInvalidStateException: /);
    assert.match(d.detail, /keyvault recover/);
    assert.match(d.detail, /Vault directory: \/v/);
  });

  it('explains an unreachable keychain', () => {
    const d = describeStartupError(new DependencyTimeoutException('The OS keychain did not answer within 5s.'), '/v');
    assert.match(d.detail, /unlocked/);
  });

  it('describes an unexpected error without pretending it is a KMS error', () => {
    const d = describeStartupError(new Error('EACCES'), '/v');
    assert.equal(d.title, 'Key Vault could not start');
    assert.match(d.message, /EACCES/);
  });
});
