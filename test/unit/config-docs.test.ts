// schema.json and the README's tables are generated from src/config/fields.ts by `npm run schema`; these
// tests fail while either is out of date, so a field can never be documented differently from how it works.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  configJsonSchema,
  README_FILE,
  README_SECTIONS,
  readmeSection,
  SCHEMA_FILE,
} from '../../scripts/config-docs.js';
import { DEFAULT_SETTINGS } from '../../src/config/schema.js';

test('schema.json is what the field declarations generate (run `npm run schema` to update it)', () => {
  assert.deepEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')), configJsonSchema());
});

test('schema.json states the same defaults as the loader', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
  for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
    if (value === null) assert.equal(schema.properties[key].default, undefined, key);
    else assert.deepEqual(schema.properties[key].default, value, key);
  }
});

test("the README's config and flag tables are what the declarations generate (run `npm run schema`)", () => {
  const readme = readFileSync(README_FILE, 'utf8');
  for (const [name, render] of Object.entries(README_SECTIONS)) {
    assert.equal(readmeSection(readme, name), render(), name);
  }
});
