// Writes what is derived from the field declarations in src/config/fields.ts for people and editors:
// schema.json, and the config and flag tables of README.md (between their marker comments). Run it with
// `npm run schema` after changing a field; test/unit/config-docs.test.ts fails while either is out of date.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { CONFIG_FILE, type Declaration, type Field } from '../src/config/fields.js';
import { FLAG_HELP, flagOf } from '../src/config/flags.js';
import { defaultsOf, isRequired } from '../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SCHEMA_FILE = `${ROOT}schema.json`;
export const README_FILE = `${ROOT}README.md`;

function description(key: string, declaration: Declaration): string {
  const flag = flagOf(key);
  return flag === undefined ? declaration.description : `${declaration.description} Overridden by ${flag}.`;
}

function documented(key: string, declaration: Declaration): v.GenericSchema {
  const describe = <T extends v.GenericSchema>(schema: T) =>
    v.pipe(schema, v.description(description(key, declaration)));
  const entries = (fields: Record<string, Declaration>) =>
    Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, documented(name, field)]));
  switch (declaration.kind) {
    case 'field': {
      const schema = describe(declaration.schema);
      if (isRequired(declaration)) return schema;
      return declaration.default === undefined || declaration.default === null
        ? v.optional(schema)
        : v.optional(schema, declaration.default);
    }
    case 'group':
      return v.optional(
        describe(v.strictObject(entries(declaration.fields))),
        defaultsOf(declaration.fields),
      );
    case 'list':
      return describe(v.pipe(v.array(v.strictObject(entries(declaration.item))), v.minLength(1)));
  }
}

/** The JSON Schema of the config file, as schema.json holds it. */
export function configJsonSchema(): Record<string, unknown> {
  const converted = toJsonSchema(
    v.strictObject(
      Object.fromEntries(
        Object.entries(CONFIG_FILE).map(([key, declaration]) => [key, documented(key, declaration)]),
      ),
    ),
    {
      // Checks written as code (origins, names, env names) have no JSON Schema form; fields that use them
      // carry a pattern in their metadata where one helps editors.
      ignoreActions: ['raw_check', 'check'],
      // A pipe of two schemas is `custom` (no arrays where objects belong) then the object schema; the
      // JSON type "object" already excludes arrays, so the last schema says it all.
      typeMode: 'output',
    },
  );
  const { $schema, ...rest } = converted;
  return {
    $schema,
    $id: 'https://unpkg.com/lucidlines/schema.json',
    title: 'lucidlines config',
    description: 'The processes lucidlines runs, and how its browser viewer is served.',
    ...rest,
  };
}

function defaultCell(field: Field): string {
  if (field.defaultText !== undefined) return field.defaultText;
  if (field.default === undefined || field.default === null) return '—';
  return `\`${JSON.stringify(field.default)}\``;
}

function rows(prefix: string, fields: Record<string, Declaration>): string[] {
  return Object.entries(fields).flatMap(([key, declaration]) => {
    const name = `${prefix}${key}`;
    // Only top-level settings have flags; a nested field may share a name with one (like `lines`).
    const flag = prefix === '' ? flagOf(key) : undefined;
    const meaning = declaration.description.replaceAll('|', '\\|');
    if (declaration.kind === 'field') {
      const flagCell = flag === undefined ? '' : `\`${flag}\``;
      return [
        `| \`${name}\` | ${declaration.shape} | ${defaultCell(declaration)} | ${flagCell} | ${meaning} |`,
      ];
    }
    const [children, childPrefix] =
      declaration.kind === 'group' ? [declaration.fields, `${name}.`] : [declaration.item, `${name}[].`];
    const defaultText = declaration.kind === 'list' ? '—' : '';
    return [
      `| \`${name}\` | ${declaration.shape} | ${defaultText} | | ${meaning} |`,
      ...rows(childPrefix, children),
    ];
  });
}

/** The README's config reference table: processes first, as a reader needs them first. */
export function configTable(): string {
  const { processes, ...rest } = CONFIG_FILE;
  return [
    '| field | type | default | flag | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows('', { processes }),
    ...rows('', rest),
  ].join('\n');
}

/** The README's flag table, the same lines as `lucidlines --help`. */
export function flagTable(): string {
  return [
    '| flag | meaning |',
    '| --- | --- |',
    ...FLAG_HELP.map((flag) => `| \`${flag.flags}\` | ${flag.description.replaceAll('|', '\\|')} |`),
  ].join('\n');
}

export const README_SECTIONS = { 'config-table': configTable, 'flag-table': flagTable } as const;

/** The text between `<!-- name:start -->` and `<!-- name:end -->`, without the newlines next to the markers. */
export function readmeSection(readme: string, name: string): string | null {
  const match = new RegExp(`<!-- ${name}:start -->\\n?([\\s\\S]*?)\\n?<!-- ${name}:end -->`).exec(readme);
  return match?.[1] ?? null;
}

function writeAll(): void {
  writeFileSync(SCHEMA_FILE, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  // Biome formats every JSON file of the repository; writing its layout keeps `npm run lint` green.
  execFileSync(
    process.execPath,
    [`${ROOT}node_modules/@biomejs/biome/bin/biome`, 'format', '--write', SCHEMA_FILE],
    {
      stdio: 'inherit',
    },
  );
  let readme = readFileSync(README_FILE, 'utf8');
  for (const [name, render] of Object.entries(README_SECTIONS)) {
    if (readmeSection(readme, name) === null)
      throw new Error(`README.md has no <!-- ${name}:start/end --> markers.`);
    readme = readme.replace(
      new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`),
      () => `<!-- ${name}:start -->\n${render()}\n<!-- ${name}:end -->`,
    );
  }
  writeFileSync(README_FILE, readme);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeAll();
