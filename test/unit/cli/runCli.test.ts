/**
 * The CLI front door without a vault: help and usage errors never open a vault, print where they
 * should and exit with the documented codes. Also checks that help and docs/cli.md cover every
 * command and flag of the table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { COMMANDS } from '../../../main/cli/commandTable.js';
import { commandHelp, generalHelp } from '../../../main/cli/helpText.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, reportError, runCli } from '../../../main/cli/runCli.js';
import { DisabledException } from '../../../main/core/errors.js';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env });
  return { code, stdout, stderr };
}

function captureError(err: unknown, env: NodeJS.ProcessEnv = {}): Captured {
  let stderr = '';
  const code = reportError(err, { stdout: () => undefined, stderr: (t) => (stderr += t), env });
  return { code, stdout: '', stderr };
}

describe('usage errors', () => {
  test('an unknown command exits 252 with a UsageError JSON and a help hint on stderr', async () => {
    const r = await cli(['frobnicate']);
    assert.equal(r.code, EXIT_USAGE);
    assert.equal(r.code, 252);
    assert.equal(r.stdout, '');
    const err = JSON.parse(r.stderr) as { __type: string; message: string; hint: string };
    assert.equal(err.__type, 'UsageError');
    assert.match(err.message, /frobnicate/);
    assert.match(err.hint, /keyvault help/);
  });

  test('a missing required flag exits 252 and the hint names the command', async () => {
    const r = await cli(['create-alias', '--alias-name', 'alias/x']);
    assert.equal(r.code, 252);
    const err = JSON.parse(r.stderr) as { message: string; hint: string };
    assert.match(err.message, /--target-key-id/);
    assert.match(err.hint, /keyvault help create-alias/);
  });
});

describe('help', () => {
  test('--help prints the command list on stdout and exits 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, EXIT_OK);
    assert.equal(r.stderr, '');
    for (const c of COMMANDS) assert.ok(r.stdout.includes(c.name), `general help lists ${c.name}`);
  });

  test('help <command> and <command> --help print the same flag list', async () => {
    const a = await cli(['help', 'generate-data-key']);
    const b = await cli(['generate-data-key', '--help']);
    assert.equal(a.code, 0);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, /--number-of-bytes/);
    assert.match(a.stdout, /AES_256, AES_128/);
  });

  test('every flag of every command appears in its help with required ones marked', () => {
    for (const c of COMMANDS) {
      const text = commandHelp(c);
      for (const f of c.flags) {
        assert.ok(text.includes(`--${f.name}`), `${c.name} help shows --${f.name}`);
        if (f.required) assert.match(text, new RegExp(`--${f.name}\\s+\\(required\\)`));
      }
    }
    assert.ok(generalHelp(COMMANDS).includes('252'));
  });
});

describe('error output', () => {
  test('a KMS exception is printed as its __type and message and exits 254', () => {
    const r = captureError(new DisabledException('Key k is disabled.'));
    assert.equal(r.code, EXIT_FAILED);
    assert.deepEqual(JSON.parse(r.stderr), { __type: 'DisabledException', message: 'Key k is disabled.' });
  });

  test('any other exception is a KMSInternalException without a stack trace', () => {
    const r = captureError(new TypeError('boom'));
    assert.equal(r.code, 254);
    assert.deepEqual(JSON.parse(r.stderr), { __type: 'KMSInternalException', message: 'boom' });
    assert.doesNotMatch(r.stderr, /at .*:\d+:\d+/);
  });

  test('KEYVAULT_DEBUG=1 adds the stack trace after the JSON line', () => {
    const r = captureError(new TypeError('boom'), { KEYVAULT_DEBUG: '1' });
    const [first, ...rest] = r.stderr.split('\n');
    assert.deepEqual(JSON.parse(first!), { __type: 'KMSInternalException', message: 'boom' });
    assert.match(rest.join('\n'), /TypeError: boom\n\s+at /);
  });
});

describe('documentation', () => {
  const doc = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

  test('docs/cli.md has a section for every command listing each of its flags', () => {
    for (const c of COMMANDS) {
      const start = doc.indexOf(`### ${c.name}\n`);
      assert.ok(start >= 0, `docs/cli.md has a "### ${c.name}" section`);
      const next = doc.indexOf('\n### ', start + 1);
      const section = doc.slice(start, next === -1 ? undefined : next);
      for (const f of c.flags) assert.ok(section.includes(`--${f.name}`), `docs for ${c.name} mention --${f.name}`);
    }
  });

  test('docs/cli.md states the exit codes', () => {
    for (const code of ['252', '254']) assert.ok(doc.includes(code));
  });
});
