/** Argument parsing of the `keyvault` CLI: what is accepted, and what is a usage error. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { COMMANDS } from '../../../main/cli/commandTable.js';
import type { Invocation } from '../../../main/cli/parseArguments.js';
import { parseArguments, UsageError } from '../../../main/cli/parseArguments.js';

const KEY = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

function run(argv: string[]): Extract<Invocation, { kind: 'run' }> {
  const inv = parseArguments(argv, COMMANDS);
  assert.equal(inv.kind, 'run');
  return inv;
}

function usageError(argv: string[]): UsageError {
  try {
    parseArguments(argv, COMMANDS);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${argv.join(' ')} to be a usage error`);
}

const dir = mkdtempSync(join(tmpdir(), 'kv-cli-parse-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('flag syntax', () => {
  test('--flag value and --flag=value give the same value', () => {
    const spaced = run(['describe-key', '--key-id', KEY]);
    const joined = run(['describe-key', `--key-id=${KEY}`]);
    assert.equal(spaced.flags.text('key-id'), KEY);
    assert.equal(joined.flags.text('key-id'), KEY);
  });

  test('only the first = separates the name from the value', () => {
    const inv = run(['encrypt', '--key-id', KEY, '--plaintext=aGk=', '--encryption-context={"k":"a=b"}']);
    assert.equal(inv.flags.text('plaintext'), 'aGk=');
    assert.deepEqual(inv.flags.json('encryption-context'), { k: 'a=b' });
  });

  test('an empty value after = is kept as an empty string', () => {
    const inv = run(['create-key', '--description=']);
    assert.equal(inv.flags.text('description'), '');
  });

  test('a switch flag is true when present and absent otherwise', () => {
    assert.equal(run(['create-key', '--enable-automatic-rotation']).flags.boolean('enable-automatic-rotation'), true);
    assert.equal(run(['create-key']).flags.has('enable-automatic-rotation'), false);
  });

  test('a switch flag given a value is a usage error', () => {
    assert.match(usageError(['create-key', '--enable-automatic-rotation=true']).message, /takes no value/);
  });

  test('update-rotation-policy --enable-automatic-rotation takes true or false', () => {
    assert.equal(run(['update-rotation-policy', '--key-id', KEY, '--enable-automatic-rotation', 'false']).flags.boolean('enable-automatic-rotation'), false);
    assert.equal(run(['update-rotation-policy', '--key-id', KEY, '--enable-automatic-rotation=TRUE']).flags.boolean('enable-automatic-rotation'), true);
    assert.match(usageError(['update-rotation-policy', '--key-id', KEY, '--enable-automatic-rotation', 'yes']).message, /true or false/);
  });

  test('integer flags take decimal whole numbers, including negative ones for the service to judge', () => {
    assert.equal(run(['schedule-key-deletion', '--key-id', KEY, '--pending-window-in-days', '7']).flags.integer('pending-window-in-days'), 7);
    assert.equal(run(['list-audit-events', '--limit', '-1']).flags.integer('limit'), -1);
  });

  test('an integer flag with a non-number value is a usage error', () => {
    assert.match(usageError(['schedule-key-deletion', '--key-id', KEY, '--pending-window-in-days', '7.5']).message, /whole number/);
    assert.match(usageError(['list-audit-events', '--limit=ten']).message, /whole number/);
  });

  test('a choice flag outside its choices is a usage error', () => {
    assert.match(usageError(['create-key', '--origin', 'AWS_KMS']).message, /VAULT, EXTERNAL/);
    assert.equal(run(['generate-data-key', '--key-id', KEY, '--key-spec', 'AES_128']).flags.text('key-spec'), 'AES_128');
  });

  test('malformed JSON in --encryption-context is a usage error', () => {
    assert.match(usageError(['encrypt', '--key-id', KEY, '--plaintext', 'aGk=', '--encryption-context', '{a:b}']).message, /not valid JSON/);
  });

  test('well-formed JSON of the wrong shape is passed on for the service to refuse', () => {
    assert.deepEqual(run(['encrypt', '--key-id', KEY, '--plaintext', 'aGk=', '--encryption-context', '[1]']).flags.json('encryption-context'), [1]);
  });
});

describe('file values', () => {
  test('fileb:// reads raw bytes and hands them on base64-encoded', () => {
    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x0a]);
    const path = join(dir, 'raw.bin');
    writeFileSync(path, bytes);
    assert.equal(run(['encrypt', '--key-id', KEY, '--plaintext', `fileb://${path}`]).flags.text('plaintext'), bytes.toString('base64'));
  });

  test('file:// on a blob flag reads base64 text, ignoring the trailing newline', () => {
    const path = join(dir, 'blob.b64');
    writeFileSync(path, 'aGVsbG8=\n');
    assert.equal(run(['decrypt', '--ciphertext-blob', `file://${path}`]).flags.text('ciphertext-blob'), 'aGVsbG8=');
  });

  test('file:// reads text for text and JSON flags', () => {
    const desc = join(dir, 'desc.txt');
    const context = join(dir, 'ctx.json');
    writeFileSync(desc, 'line one\nline two');
    writeFileSync(context, '{ "project": "x" }\n');
    assert.equal(run(['create-key', '--description', `file://${desc}`]).flags.text('description'), 'line one\nline two');
    assert.deepEqual(run(['encrypt', '--key-id', KEY, '--plaintext', 'aGk=', `--encryption-context=file://${context}`]).flags.json('encryption-context'), {
      project: 'x',
    });
  });

  test('a file that cannot be read is a usage error naming the path', () => {
    const missing = join(dir, 'nope.bin');
    const err = usageError(['encrypt', '--key-id', KEY, '--plaintext', `fileb://${missing}`]);
    assert.ok(err.message.includes(missing));
    assert.match(err.message, /no such file/);
  });

  test('fileb:// on a text flag is a usage error', () => {
    assert.match(usageError(['create-key', '--description', `fileb://${join(dir, 'raw.bin')}`]).message, /file:\/\//);
  });
});

describe('commands and required flags', () => {
  test('a missing required flag is a usage error naming it', () => {
    const err = usageError(['encrypt', '--key-id', KEY]);
    assert.match(err.message, /--plaintext/);
    assert.equal(err.command, 'encrypt');
  });

  test('a flag without its value is a usage error', () => {
    assert.match(usageError(['describe-key', '--key-id']).message, /needs a value/);
    assert.match(usageError(['describe-key', '--key-id', '--limit', '3']).message, /needs a value/);
  });

  test('an unknown command is a usage error suggesting the nearest one', () => {
    const err = usageError(['decribe-key', '--key-id', KEY]);
    assert.match(err.message, /Unknown command "decribe-key"/);
    assert.match(err.message, /describe-key/);
  });

  test('no command at all is a usage error', () => {
    assert.match(usageError([]).message, /No command/);
  });

  test('an unknown flag is a usage error', () => {
    assert.match(usageError(['list-keys', '--page-size', '3']).message, /Unknown flag --page-size for list-keys/);
  });

  test('a positional argument is a usage error', () => {
    assert.match(usageError(['describe-key', KEY]).message, /Unexpected argument/);
  });

  test('a flag given twice is a usage error', () => {
    assert.match(usageError(['describe-key', '--key-id', KEY, '--key-id', KEY]).message, /more than once/);
  });

  test('--vault-dir is accepted before or after the command', () => {
    assert.equal(run(['--vault-dir', '/tmp/a', 'list-keys']).vaultDir, '/tmp/a');
    assert.equal(run(['--vault-dir=/tmp/b', 'list-keys']).vaultDir, '/tmp/b');
    assert.equal(run(['list-keys', '--vault-dir', '/tmp/c']).vaultDir, '/tmp/c');
    assert.equal(run(['list-keys']).vaultDir, undefined);
  });

  test('an option other than --vault-dir before the command is a usage error', () => {
    assert.match(usageError(['--key-id', KEY, 'describe-key']).message, /before the command/);
  });
});

describe('help', () => {
  test('--help anywhere asks for help, even with required flags missing or unknown flags', () => {
    assert.deepEqual(parseArguments(['--help'], COMMANDS), { kind: 'help' });
    const forEncrypt = parseArguments(['encrypt', '--bogus', '--help'], COMMANDS);
    assert.equal(forEncrypt.kind, 'help');
    assert.equal(forEncrypt.kind === 'help' ? forEncrypt.command?.name : undefined, 'encrypt');
  });

  test('help <command> asks for that command and help with an unknown one is a usage error', () => {
    const inv = parseArguments(['help', 're-encrypt'], COMMANDS);
    assert.equal(inv.kind === 'help' ? inv.command?.name : undefined, 're-encrypt');
    assert.match(usageError(['help', 'nonsense']).message, /Unknown command/);
  });
});
