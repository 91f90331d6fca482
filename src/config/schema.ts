// Turns the field declarations into the valibot schemas that validate a parsed config file, and derives
// the defaults and the keys each object may have. (schema.json is derived by scripts/config-docs.ts.)
// Unknown keys are not the schemas' business: they are warnings with a suggestion, found while positions
// are read (see positions.ts), so validation ignores them.

import * as v from 'valibot';
import { CONFIG_FILE, type Declaration, type Field, type List, SETTINGS, type Settings } from './fields.js';
import { describeValue } from './problems.js';
import { plainObject } from './values.js';

type Entries = Record<string, Declaration>;
type Issue = v.BaseIssue<unknown>;

export const isRequired = (declaration: Declaration) =>
  declaration.kind === 'list' || (declaration.kind === 'field' && declaration.missing !== undefined);

/**
 * The message of an object schema covers both a value that is not an object and a required key that is
 * absent (valibot reports the latter on the object, with the key as `expected`), so it tells them apart.
 */
function objectMessage(entries: Entries, notAnObject: (issue: Issue) => string) {
  return (issue: Issue): string => {
    const key = issue.expected?.startsWith('"') ? (JSON.parse(issue.expected) as string) : null;
    const declaration = key === null ? undefined : entries[key];
    if (declaration === undefined) return notAnObject(issue);
    if (declaration.kind === 'list') return declaration.missing;
    return declaration.kind === 'field' ? (declaration.missing ?? 'is missing.') : 'is missing.';
  };
}

function validationEntry(declaration: Declaration): v.GenericSchema {
  switch (declaration.kind) {
    case 'field':
      return declaration.missing === undefined ? v.optional(declaration.schema) : declaration.schema;
    case 'group':
      return v.optional(
        plainObject(
          v.object(
            mapEntries(declaration.fields, validationEntry),
            objectMessage(declaration.fields, () => declaration.notAnObject),
          ),
          () => declaration.notAnObject,
        ),
      );
    case 'list':
      // Items are validated one by one (see itemSchema), so that a list of a million broken items stops
      // costing memory once enough problems have been collected.
      return v.pipe(
        v.array(v.unknown(), (issue) => `${declaration.notAList}, but is ${describeValue(issue.input)}.`),
        v.minLength(1, declaration.empty),
      );
  }
}

const notAConfig = (issue: Issue) =>
  `The config must be a JSON object, but is ${describeValue(issue.input)}.`;

/** Validates a parsed config file, except the items of lists, which `itemSchema` validates. */
export const fileSchema = plainObject(
  v.object(mapEntries(CONFIG_FILE, validationEntry), objectMessage(CONFIG_FILE, notAConfig)),
  notAConfig,
);

function itemSchema(list: List) {
  const notAnItem = (issue: Issue) => `${list.notAnItem}, but is ${describeValue(issue.input)}.`;
  return plainObject(
    v.object(mapEntries(list.item, validationEntry), objectMessage(list.item, notAnItem)),
    notAnItem,
  );
}

export const processSchema = itemSchema(CONFIG_FILE.processes);

/** The default of every field that has one, nested like the config. */
export function defaultsOf(entries: Record<string, Field | Declaration>): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(entries)) {
    if (declaration.kind === 'group') defaults[key] = defaultsOf(declaration.fields);
    else if (declaration.kind === 'field') defaults[key] = declaration.default;
  }
  return defaults;
}

export const DEFAULT_SETTINGS = defaultsOf(SETTINGS) as Settings;

/**
 * The keys an object at `path` may have, or null where any key is allowed (like `env`) or where the path
 * is not an object the declarations describe. Array indexes in `path` are numbers.
 */
export function knownKeysAt(path: readonly (string | number)[]): readonly string[] | null {
  let entries: Entries = CONFIG_FILE;
  for (let index = 0; index < path.length; index++) {
    const declaration = entries[path[index] as string];
    if (declaration === undefined || typeof path[index] !== 'string') return null;
    if (declaration.kind === 'group') entries = declaration.fields;
    else if (declaration.kind === 'list' && typeof path[index + 1] === 'number') {
      entries = declaration.item;
      index++;
    } else return null;
  }
  return Object.keys(entries);
}

function mapEntries<T extends Record<string, unknown>, R>(
  entries: T,
  map: (value: T[keyof T]) => R,
): { [K in keyof T]: R } {
  return Object.fromEntries(
    Object.entries(entries).map(([key, value]) => [key, map(value as T[keyof T])]),
  ) as { [K in keyof T]: R };
}
