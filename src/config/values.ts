// Building blocks for field declarations: valibot schemas that carry lucidlines' wording. Each gives one
// message per field, naming what is allowed and what was found, whichever check failed; the constraints
// (minimum, pattern, length) are valibot actions so that schema.json states them too.

import * as v from 'valibot';
import { describeValue } from './problems.js';

type Issue = v.BaseIssue<unknown>;

/** A message that ends with what the value actually was, for checks that only see a wrong type or range. */
const found =
  (expectation: string) =>
  (issue: Issue): string =>
    `${expectation}, but is ${describeValue(issue.input)}.`;

export function integer(min: number, max: number, meaning: string) {
  const message = found(`must be ${meaning}`);
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
}

export function atLeastOne() {
  const message = found('must be a whole number of at least 1');
  return v.pipe(v.number(message), v.integer(message), v.minValue(1, message));
}

export function boolean() {
  return v.boolean(found('must be true or false'));
}

export function string() {
  return v.string(found('must be a string'));
}

/** A string that must match `pattern`; `rule` says in words what the pattern allows. */
export function matching(pattern: RegExp, rule: string) {
  return v.pipe(string(), v.regex(pattern, rule));
}

/** A string checked by code, for rules a pattern cannot state readably; `problem` returns null when fine. */
export function checked(problem: (text: string) => string | null) {
  return v.pipe(
    string(),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const message = problem(dataset.value);
      if (message !== null) addIssue({ message });
    }),
  );
}

/** A non-empty string, or a non-empty array of them, as for a field that takes one file or several. */
export function oneOrMore(meaning: string) {
  const message = found(`must be ${meaning}`);
  const one = v.pipe(v.string(message), v.minLength(1, message));
  return v.union([one, v.pipe(v.array(one, message), v.minLength(1, message))], message);
}

export function listOf<const TItem extends v.GenericSchema>(item: TItem, shape: string) {
  return v.array(item, `must be an array of ${shape}.`);
}

/**
 * valibot's object and record schemas accept arrays (they are objects to `typeof`), but `[]` where an
 * object belongs is a mistake worth naming, so the value is checked to be a plain object first.
 */
export function plainObject<T extends v.GenericSchema>(
  schema: T,
  message: string | ((issue: Issue) => string),
) {
  return v.pipe(
    v.custom<unknown>(
      (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
      message,
    ),
    schema,
  );
}
