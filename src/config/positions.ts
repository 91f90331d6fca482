// One streaming pass over the config text (jsonc-parser's visitor) that finds the line and column of the
// fields messages talk about, and warns about unknown and repeated keys on the way. Streaming keeps memory
// proportional to the nesting depth rather than to the size of the file.

import { visit } from 'jsonc-parser';
import { closest } from '../did-you-mean.js';
import type { FieldPath } from './field-path.js';
import { CappedList, type Position } from './problems.js';
import { knownKeysAt } from './schema.js';

export interface KeyWarning {
  path: FieldPath;
  message: string;
  position: Position;
}

export interface Located {
  /** The position of the value at `path`, or of its nearest ancestor present in the file. */
  valueAt(path: FieldPath): Position;
  /** The position of the key that names the value at `path`, or of the value when it has no key. */
  keyAt(path: FieldPath): Position;
  warnings: CappedList<KeyWarning>;
}

/** Compact keys built one segment at a time while visiting; NUL cannot appear in a path segment's prefix. */
const childKey = (parent: string, segment: string | number) =>
  typeof segment === 'number' ? `${parent}\0#${segment}` : `${parent}\0${segment}`;

function keyOf(path: FieldPath): string {
  return path.reduce<string>((key, segment) => childKey(key, segment), '');
}

interface Container {
  kind: 'object' | 'array';
  key: string;
  path: FieldPath;
  /** Keys this object may have; null where any key goes. */
  known: readonly string[] | null;
  seen: Set<string>;
  nextIndex: number;
  pendingValue: { key: string; path: FieldPath } | null;
}

export function locate(text: string, wanted: readonly FieldPath[]): Located {
  // Ancestors are wanted too: a missing field is shown at the object that lacks it.
  const requested = new Set<string>();
  for (const path of wanted)
    for (let length = 0; length <= path.length; length++) requested.add(keyOf(path.slice(0, length)));
  const values = new Map<string, Position>();
  const keys = new Map<string, Position>();
  const warnings = new CappedList<KeyWarning>();
  const stack: Container[] = [];

  const at = (line: number, character: number): Position => ({ line: line + 1, column: character + 1 });

  /** Called at the start of every value; returns where the value sits. */
  function enterValue(line: number, character: number): { key: string; path: FieldPath } {
    const parent = stack.at(-1);
    let place: { key: string; path: FieldPath };
    if (parent === undefined) place = { key: '', path: [] };
    else if (parent.kind === 'array') {
      const index = parent.nextIndex++;
      place = { key: childKey(parent.key, index), path: [...parent.path, index] };
    } else place = parent.pendingValue ?? { key: parent.key, path: parent.path };
    // With a repeated key the last value wins, as in the parsed config, so its position wins too.
    if (requested.has(place.key)) values.set(place.key, at(line, character));
    return place;
  }

  function enterContainer(kind: Container['kind'], line: number, character: number): void {
    const place = enterValue(line, character);
    stack.push({
      kind,
      ...place,
      known: kind === 'object' ? knownKeysAt(place.path) : null,
      seen: new Set(),
      nextIndex: 0,
      pendingValue: null,
    });
  }

  visit(
    text,
    {
      onObjectBegin: (_offset, _length, line, character) => enterContainer('object', line, character),
      onArrayBegin: (_offset, _length, line, character) => enterContainer('array', line, character),
      onObjectEnd: () => {
        stack.pop();
      },
      onArrayEnd: () => {
        stack.pop();
      },
      onLiteralValue: (_value, _offset, _length, line, character) => {
        enterValue(line, character);
      },
      onObjectProperty: (property, _offset, _length, line, character) => {
        const object = stack.at(-1);
        if (object === undefined) return;
        const key = childKey(object.key, property);
        const path = [...object.path, property];
        object.pendingValue = { key, path };
        if (requested.has(key)) keys.set(key, at(line, character));
        if (object.known === null) return;
        if (!object.known.includes(property)) {
          const suggestion = closest(property, object.known);
          const hint =
            suggestion === null
              ? `Known fields: ${object.known.join(', ')}.`
              : `Did you mean "${suggestion}"?`;
          warnings.add({
            path,
            message: `is not a known field and is ignored. ${hint}`,
            position: at(line, character),
          });
          return;
        }
        if (object.seen.has(property)) {
          warnings.add({
            path,
            message: `"${property}" appears more than once; the last one is used.`,
            position: at(line, character),
          });
        }
        object.seen.add(property);
      },
    },
    { allowTrailingComma: true, disallowComments: false },
  );

  function valueAt(path: FieldPath): Position {
    for (let length = path.length; length >= 0; length--) {
      const found = values.get(keyOf(path.slice(0, length)));
      if (found !== undefined) return found;
    }
    return { line: 1, column: 1 };
  }
  return {
    valueAt,
    keyAt: (path) => keys.get(keyOf(path)) ?? valueAt(path),
    warnings,
  };
}
