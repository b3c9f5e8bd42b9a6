// Golden cases: test/golden/cases/<case>/{input.yaml, config.yaml?, expected.yaml}.
// Each input says in its first comment which Traefik behaviour it pins. Regenerate with
// `UPDATE_GOLDEN=1 npm test` (or `npm test -- --update`) and review the diff: regeneration proves nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { runGoldenCase } from './run-case';
import { assertValidEnvoy } from '../helpers/envoy-check';

const CASES = path.join(__dirname, 'cases');
const UPDATE = process.env.UPDATE_GOLDEN === '1' || process.argv.includes('--update');

describe('golden cases', () => {
  const names = fs.readdirSync(CASES).filter((n) => fs.statSync(path.join(CASES, n)).isDirectory()).sort();
  it('has cases', () => assert.ok(names.length > 0));
  for (const name of names) {
    it(name, () => {
      const dir = path.join(CASES, name);
      const input = fs.readFileSync(path.join(dir, 'input.yaml'), 'utf8');
      assert.match(input, /^#/, 'input.yaml must start with a comment naming the Traefik behaviour it pins');
      const { doc, resources } = runGoldenCase(dir);
      // Every output is checked against Envoy's protos, validation rules and consistency, whatever it is.
      assertValidEnvoy(resources);
      const expectedFile = path.join(dir, 'expected.yaml');
      const actualText = stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
      if (UPDATE) {
        fs.writeFileSync(expectedFile, actualText);
        return;
      }
      assert.ok(fs.existsSync(expectedFile), `${name}: expected.yaml is missing: run UPDATE_GOLDEN=1 npm test and review the new file`);
      const expected = parse(fs.readFileSync(expectedFile, 'utf8'));
      assert.deepStrictEqual(JSON.parse(JSON.stringify(doc)), expected);
    });
  }
});
