// Checks a parsed config against the declarations and collects every problem, as paths and messages;
// the loader turns paths into lines and columns afterwards, in one pass over the text.

import * as v from 'valibot';
import { checkDependencies } from './dependency-check.js';
import type { FieldPath } from './field-path.js';
import { PROCESS, type ProcessFields, SETTINGS, type SettingsLayer } from './fields.js';
import { CappedList, type Position } from './problems.js';
import { fileSchema, processSchema } from './schema.js';
import { SAME_TOKENS_MESSAGE } from './view-token.js';

export interface FieldIssue {
  path: FieldPath;
  /** Whether the problem is the key itself (like an invalid environment variable name) or its value. */
  at: 'key' | 'value';
  /** Some messages name the position of another field, known only once positions are read. */
  message: string | ((positionOf: (path: FieldPath) => Position) => string);
  /** Paths, other than `path`, whose positions the message needs. */
  mentions?: FieldPath[];
}

export interface Validated {
  layer: SettingsLayer;
  /** The top-level env files as written (relative to the config file), in order; empty when there are none. */
  envFiles: string[];
  processes: ProcessFields[];
  issues: CappedList<FieldIssue>;
}

// One problem per field: without this, "1.5" for a minimum of 2 would be reported twice (integer, minimum).
const ONE_ISSUE_PER_PIPE = { abortPipeEarly: true } as const;

function toFieldIssue(issue: v.BaseIssue<unknown>, prefix: FieldPath): FieldIssue {
  const items = issue.path ?? [];
  const path = [...prefix, ...items.map((item) => item.key as string | number)];
  const last = items.at(-1) as { origin?: string } | undefined;
  return { path, at: last?.origin === 'key' ? 'key' : 'value', message: issue.message };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function validateFile(value: unknown): Validated {
  const issues = new CappedList<FieldIssue>();
  const root = v.safeParse(fileSchema, value, ONE_ISSUE_PER_PIPE);
  for (const issue of root.issues ?? []) issues.add(toFieldIssue(issue, []));
  if (root.success && root.output.viewToken !== undefined && root.output.viewToken === root.output.token) {
    issues.add({ path: ['viewToken'], at: 'value', message: SAME_TOKENS_MESSAGE });
  }

  const processes: ProcessFields[] = [];
  const items = isObject(value) && Array.isArray(value.processes) ? (value.processes as unknown[]) : [];
  const firstWithName = new Map<string, number>();
  for (const [index, item] of items.entries()) {
    // Past the cap nothing more would be shown, so the rest of a huge list is not even looked at.
    if (issues.omitted > 0) break;
    const result = v.safeParse(processSchema, item, ONE_ISSUE_PER_PIPE);
    if (result.success) processes.push(result.output as unknown as ProcessFields);
    else for (const issue of result.issues) issues.add(toFieldIssue(issue, ['processes', index]));

    const name = isObject(item) ? item.name : undefined;
    if (typeof name !== 'string' || !v.is(PROCESS.name.schema, name)) continue;
    const first = firstWithName.get(name);
    if (first === undefined) {
      firstWithName.set(name, index);
      continue;
    }
    const firstPath = ['processes', first, 'name'];
    issues.add({
      path: ['processes', index, 'name'],
      at: 'value',
      mentions: [firstPath],
      message: (positionOf) => {
        const { line, column } = positionOf(firstPath);
        return `"${name}" is already the name of processes[${first}] (${line}:${column}); names must be unique.`;
      },
    });
  }

  // The graph is only meaningful once every entry and name is valid; until then its problems would be noise.
  if (root.success && issues.total === 0) {
    for (const issue of checkDependencies(processes)) issues.add({ ...issue, at: 'value' });
  }

  const valid = root.success && issues.total === 0;
  return {
    layer: valid ? settingsOf(root.output) : {},
    envFiles: valid ? asList(root.output.envFile as string | string[] | undefined) : [],
    processes,
    issues,
  };
}

/** A field that takes one file or several, as a list. */
export function asList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

function settingsOf(output: Record<string, unknown>): SettingsLayer {
  const layer: Record<string, unknown> = {};
  for (const key of Object.keys(SETTINGS)) if (output[key] !== undefined) layer[key] = output[key];
  return layer as SettingsLayer;
}
