// A field's place in the config, as a list of keys and array indexes, and how it is named in messages.

import { echo } from './problems.js';

export type FieldPath = readonly (string | number)[];

/** Like `processes[1].env["A=B"]`: the form people see, with long keys cut so a message stays readable. */
export function pathText(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment) && segment.length <= 80)
      text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(echo(segment))}]`;
  }
  return text === '' ? '(root)' : text;
}

/** A key for maps of paths; distinct paths always give distinct keys. */
export function pathKey(path: FieldPath): string {
  return JSON.stringify(path);
}
