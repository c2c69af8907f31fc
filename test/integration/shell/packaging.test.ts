/**
 * electron-builder.yml as electron-builder itself would read it: valid against app-builder-lib's
 * own JSON schema (ajv and js-yaml come with electron-builder), `.age` files associated with the
 * app, and the tray icons packaged next to the app icon (main/app/index.ts loads assets/tray.png).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { load as parseYaml } from 'js-yaml';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface BuilderConfig {
  files: string[];
  fileAssociations?: { ext: string | string[]; name?: string; role?: string; mimeType?: string }[];
}

const config = parseYaml(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it("is valid against electron-builder's schema", () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    assert.equal(validate(config), true, JSON.stringify(validate.errors));
  });

  it('associates .age files with the app (Editor: it writes them too), with a MIME type for Linux', () => {
    const age = config.fileAssociations?.find((a) => a.ext === 'age' || (Array.isArray(a.ext) && a.ext.includes('age')));
    assert.ok(age, 'an association for .age');
    assert.equal(age.role, 'Editor');
    assert.ok(age.name && age.name.length > 0);
    assert.match(String(age.mimeType), /^application\/[a-z0-9.+-]+$/);
  });

  it('packages the tray icons the app loads, and they exist', () => {
    for (const icon of ['assets/tray.png', 'assets/tray@2x.png']) {
      assert.ok(config.files.includes(icon), `${icon} is in files`);
      assert.ok(existsSync(join(ROOT, icon)), `${icon} exists`);
      const png = readFileSync(join(ROOT, icon));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    }
  });
});
