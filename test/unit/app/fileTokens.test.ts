import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FileTokenRegistry } from '../../../main/app/fileTokens.js';

const dir = mkdtempSync(join(tmpdir(), 'keyvault-tokens-'));
const file = join(dir, 'report.pdf');
writeFileSync(file, 'twelve bytes');
after(() => rmSync(dir, { recursive: true, force: true }));

async function rejectsWith(p: () => unknown, type: string): Promise<void> {
  await assert.rejects(
    async () => p(),
    (err: { __type?: string }) => err.__type === type,
  );
}

describe('file tokens', () => {
  it('maps a token back to the path for the window it was issued to, with name and size', async () => {
    const reg = new FileTokenRegistry();
    const [handle] = await reg.issue('contents:1', [file]);
    assert.ok(handle);
    assert.equal(handle.Name, 'report.pdf');
    assert.equal(handle.Size, 12);
    assert.match(handle.FileToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(handle.FileToken.includes('report'), false, 'the token says nothing about the path');
    assert.equal(reg.resolve('contents:1', handle.FileToken), file);
  });

  it('issues a different token each time, even for the same file', async () => {
    const reg = new FileTokenRegistry();
    const [a] = await reg.issue('w', [file]);
    const [b] = await reg.issue('w', [file]);
    assert.notEqual(a?.FileToken, b?.FileToken);
  });

  it("refuses a forged token, another window's token, and an expired token alike", async () => {
    let now = 1_000;
    const reg = new FileTokenRegistry({ ttlMs: 60_000, now: () => now });
    const [handle] = await reg.issue('contents:1', [file]);
    const token = handle?.FileToken ?? '';
    await rejectsWith(() => reg.resolve('contents:1', 'A'.repeat(43)), 'NotFoundException');
    await rejectsWith(() => reg.resolve('contents:2', token), 'NotFoundException');
    now += 60_000;
    await rejectsWith(() => reg.resolve('contents:1', token), 'NotFoundException');
  });

  it('forgets every token of a window that reloads', async () => {
    const reg = new FileTokenRegistry();
    const [handle] = await reg.issue('contents:1', [file]);
    reg.revokeOwner('contents:1');
    await rejectsWith(() => reg.resolve('contents:1', handle?.FileToken ?? ''), 'NotFoundException');
  });

  it('issues nothing for a relative path, a directory, a link or a missing file', async () => {
    const reg = new FileTokenRegistry();
    const sub = join(dir, 'folder');
    mkdirSync(sub);
    const link = join(dir, 'link-to-report');
    symlinkSync(file, link);
    await rejectsWith(() => reg.issue('w', ['report.pdf']), 'ValidationException');
    await rejectsWith(() => reg.issue('w', [sub]), 'ValidationException');
    await rejectsWith(() => reg.issue('w', [link]), 'ValidationException');
    await rejectsWith(() => reg.issue('w', [join(dir, 'missing')]), 'NotFoundException');
    assert.equal(reg.size, 0);
  });
});
