// `.env` files for processes: read, checked line by line, parsed by Node, and merged in a fixed order.
//
// Node's util.parseEnv does the parsing, but it accepts anything: a line without `=` is glued to the next line
// as part of a key ("garbage\nKEY=1" yields the key "garbage\nKEY"), and text after a closing quote is dropped.
// So every logical line is checked first, with the same rules parseEnv uses to find values and closing quotes,
// and only a file without problems reaches parseEnv, with its comment and blank lines emptied (see below). `${VAR}` references are not expanded: values are literal.

import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';

export type EnvValues = Record<string, string>;

export interface EnvLineProblem {
  /** 1-based line number. */
  line: number;
  /** The line as written. */
  text: string;
  message: string;
}

export type EnvFile =
  | { kind: 'loaded'; file: string; values: EnvValues }
  | { kind: 'missing'; file: string }
  | { kind: 'unreadable'; file: string; reason: string }
  | { kind: 'invalid'; file: string; problems: EnvLineProblem[] };

export type EnvFileFailure = Exclude<EnvFile, { kind: 'loaded' }>;

export async function readEnvFile(file: string): Promise<EnvFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing', file };
    return { kind: 'unreadable', file, reason: error instanceof Error ? error.message : String(error) };
  }
  const parsed = parseEnvText(text);
  return parsed.kind === 'parsed' ? { kind: 'loaded', file, values: parsed.values } : { ...parsed, file };
}

/**
 * Several files for one layer (`"envFile": [".env", ".env.local"]`): later files win. Every failing file is
 * reported at once, so one run shows all there is to fix.
 */
export async function readEnvFiles(
  files: readonly string[],
): Promise<{ kind: 'loaded'; values: EnvValues } | { kind: 'failed'; failures: EnvFileFailure[] }> {
  const results = await Promise.all(files.map(readEnvFile));
  const failures = results.filter((result): result is EnvFileFailure => result.kind !== 'loaded');
  if (failures.length > 0) return { kind: 'failed', failures };
  const values: EnvValues = {};
  for (const result of results) if (result.kind === 'loaded') Object.assign(values, result.values);
  return { kind: 'loaded', values };
}

export function parseEnvText(
  text: string,
): { kind: 'parsed'; values: EnvValues } | { kind: 'invalid'; problems: EnvLineProblem[] } {
  // parseEnv would make a byte order mark part of the first key, and drops every carriage return anyway.
  const lines = text
    .replace(/^\uFEFF/, '')
    .replaceAll('\r', '')
    .split('\n');
  const { problems, betweenEntries } = checkLines(lines);
  if (problems.length > 0) return { kind: 'invalid', problems };
  // Node 20's parseEnv glues an indented comment or a line of only spaces onto the next key ("  # x\nA=1"
  // yields the key "# x\nA"), so those lines reach it empty, which every Node version skips.
  const entries = lines.map((line, index) => (betweenEntries.has(index) ? '' : line)).join('\n');
  const values: EnvValues = {};
  for (const [key, value] of Object.entries(parseEnv(entries))) if (value !== undefined) values[key] = value;
  return { kind: 'parsed', values };
}

export interface EnvLayers {
  /** The environment lucidlines itself was started with. */
  inherited: NodeJS.ProcessEnv;
  /** The top-level `envFile` values. */
  topLevelFile: EnvValues;
  /** The process's own `envFile` values. */
  processFile: EnvValues;
  /** The process's `env` field. */
  processEnv: EnvValues;
}

/** The environment of a process: each layer overrides the ones before it, in the order of the fields. */
export function mergeEnvLayers({ inherited, topLevelFile, processFile, processEnv }: EnvLayers): EnvValues {
  const merged: EnvValues = {};
  for (const [key, value] of Object.entries(inherited)) if (value !== undefined) merged[key] = value;
  return { ...merged, ...topLevelFile, ...processFile, ...processEnv };
}

/** `KEY=value` as parseEnv reads it: one `export ` (with exactly one space), a name, then `=`. */
const ASSIGNMENT = /^\s*(?:export )?[\w.-]+\s*=\s*(.*)$/;

const QUOTE_NAMES: Record<string, string> = { '"': 'double quote', "'": 'single quote', '`': 'backtick' };

/**
 * The problems of each logical line, and the comment and blank lines between entries (a `#` line inside a
 * multi-line quoted value is part of the value, not one of them).
 */
function checkLines(lines: readonly string[]): { problems: EnvLineProblem[]; betweenEntries: Set<number> } {
  const problems: EnvLineProblem[] = [];
  const betweenEntries = new Set<number>();
  const report = (index: number, message: string) =>
    problems.push({ line: index + 1, text: lines[index] ?? '', message });
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      betweenEntries.add(index);
      index++;
      continue;
    }
    const value = ASSIGNMENT.exec(line)?.[1];
    if (value === undefined) {
      report(index, notAssignmentMessage(trimmed));
      index++;
      continue;
    }
    const quote = value[0] ?? '';
    const quoteName = QUOTE_NAMES[quote];
    if (quoteName === undefined) {
      index++;
      continue;
    }
    const closing = findClosingQuote(lines, index, line.length - value.length + 1, quote);
    if (closing === null) {
      report(
        index,
        `opens a value with a ${quoteName} that is never closed. Close it, or leave the quote out for a one-line value.`,
      );
      index++;
      continue;
    }
    const rest = (lines[closing.line] ?? '').slice(closing.column + 1).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      const opened = closing.line === index ? '' : ` opened on line ${index + 1}`;
      report(
        closing.line,
        `has text after the closing ${quoteName}${opened}: ${JSON.stringify(rest)} would be dropped. ` +
          `A ${quoteName} cannot be escaped inside the same quotes: use another kind of quote around the value.`,
      );
    }
    index = closing.line + 1;
  }
  return { problems, betweenEntries };
}

/** Like parseEnv: the first later occurrence of the same quote closes the value, on this line or a later one. */
function findClosingQuote(
  lines: readonly string[],
  lineIndex: number,
  fromColumn: number,
  quote: string,
): { line: number; column: number } | null {
  for (let index = lineIndex; index < lines.length; index++) {
    const column = (lines[index] ?? '').indexOf(quote, index === lineIndex ? fromColumn : 0);
    if (column !== -1) return { line: index, column };
  }
  return null;
}

function notAssignmentMessage(trimmed: string): string {
  if (/^[\w.-]+\s*:/.test(trimmed)) return 'uses ":"; write KEY=value.';
  if (!trimmed.includes('=')) return 'has no "=": write KEY=value, or start the line with # for a comment.';
  return 'is not KEY=value: a name is letters, digits, "_", "." or "-", and "export " takes exactly one space.';
}
