// Finds, parses and validates lucidlines.config.json, then merges it with the command-line flags.
//
// The file is parsed by a small JSON parser of our own instead of JSON.parse, because every problem must
// point at the line and column of the field it concerns, and JSON.parse neither reports positions of values
// nor reports syntax errors the same way across Node versions.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { closest } from './did-you-mean.js';
import {
  type JsonNode,
  type ObjectNode,
  type Position,
  parseJson,
  plainValue,
} from './json-with-positions.js';

export type { Position } from './json-with-positions.js';

import { DEFAULT_ENGINE_OPTIONS, type EngineOptions, type ProcessSpec } from './process/spec.js';

const CONFIG_FILE_NAME = 'lucidlines.config.json';

/** The keys the loader accepts, per object; the schema test compares schema.json against these. */
export const CONFIG_KEYS = {
  root: [
    '$schema',
    'port',
    'host',
    'wsPath',
    'open',
    'token',
    'allowedOrigins',
    'killTimeout',
    'scrollback',
    'viewerLines',
    'processes',
  ],
  scrollback: ['lines', 'bytes'],
  process: ['name', 'command', 'cwd', 'env'],
} as const;

export interface Settings {
  port: number;
  host: string;
  wsPath: string;
  open: boolean;
  token: string | null;
  allowedOrigins: string[];
  /** Milliseconds between SIGTERM and SIGKILL. */
  killTimeout: number;
  scrollback: { lines: number; bytes: number };
  /** Lines the browser viewer retains per process. */
  viewerLines: number;
}

export const DEFAULT_SETTINGS: Settings = {
  port: 8080,
  host: '127.0.0.1',
  wsPath: '/ws',
  open: false,
  token: null,
  allowedOrigins: [],
  killTimeout: DEFAULT_ENGINE_OPTIONS.killTimeoutMs,
  scrollback: {
    lines: DEFAULT_ENGINE_OPTIONS.scrollback.maxLines,
    bytes: DEFAULT_ENGINE_OPTIONS.scrollback.maxBytes,
  },
  viewerLines: 100_000,
};

/** Settings given by one source (the file or the flags); absent fields fall through to the next source. */
export type SettingsLayer = Partial<Omit<Settings, 'scrollback'>> & {
  scrollback?: Partial<Settings['scrollback']>;
};

/** Flags as typed on the command line; `true` means the flag was given without a value. */
export interface RawFlags {
  config?: string | boolean;
  port?: string | boolean;
  host?: string | boolean;
  wsPath?: string | boolean;
  token?: string | boolean;
  open?: boolean;
  killTimeout?: string | boolean;
}

export interface LucidConfig {
  /** Absolute path of the config file. */
  file: string;
  settings: Settings;
  processes: ProcessSpec[];
  engine: EngineOptions;
}

export type ConfigProblem =
  | { kind: 'missing-file'; file: string; explicit: boolean }
  | { kind: 'unreadable'; file: string; message: string }
  | ({ kind: 'syntax'; file: string; message: string } & Position)
  | ({ kind: 'field'; file: string; path: string; message: string } & Position)
  | { kind: 'flag'; flag: string; message: string };

export type ConfigWarning = { file: string; path: string; message: string } & Position;

export type LoadResult =
  | { ok: true; config: LucidConfig; warnings: ConfigWarning[] }
  | { ok: false; problems: ConfigProblem[]; warnings: ConfigWarning[] };

export interface LoadOptions {
  /** The directory lucidlines was started in; the default config file is looked up here. */
  cwd: string;
  flags: RawFlags;
  /** Injected so unit tests can decide which directories exist. */
  isDirectory?: (absolutePath: string) => Promise<boolean>;
}

async function isExistingDirectory(absolutePath: string): Promise<boolean> {
  try {
    return (await stat(absolutePath)).isDirectory();
  } catch {
    return false;
  }
}

/** Shows a path relative to where the user is, so terminals and editors can open `file:line:col`. */
function displayPath(cwd: string, absolutePath: string): string {
  const relative = path.relative(cwd, absolutePath);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolutePath : relative;
}

export async function loadConfig(options: LoadOptions): Promise<LoadResult> {
  const { cwd, flags } = options;
  const flagResult = validateFlags(flags);
  const explicit = typeof flags.config === 'string';
  const absolute = path.resolve(cwd, explicit ? (flags.config as string) : CONFIG_FILE_NAME);
  const file = displayPath(cwd, absolute);
  const flagProblems = flagResult.problems;

  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem: ConfigProblem =
      code === 'ENOENT'
        ? { kind: 'missing-file', file, explicit }
        : { kind: 'unreadable', file, message: (error as Error).message };
    return { ok: false, problems: [...flagProblems, problem], warnings: [] };
  }

  const parsed = await parseConfigText(text, {
    file,
    baseDir: path.dirname(absolute),
    isDirectory: options.isDirectory ?? isExistingDirectory,
  });
  if (!parsed.ok) return { ...parsed, problems: [...flagProblems, ...parsed.problems] };
  if (flagProblems.length > 0) return { ok: false, problems: flagProblems, warnings: parsed.warnings };
  const settings = mergeSettings(parsed.layer, flagResult.layer);
  return {
    ok: true,
    warnings: parsed.warnings,
    config: { file: absolute, settings, processes: parsed.processes, engine: engineOptions(settings) },
  };
}

/** The single place where precedence is decided: flags override the file, the file overrides defaults. */
export function mergeSettings(file: SettingsLayer, flags: SettingsLayer): Settings {
  type Flat = Exclude<keyof Settings, 'scrollback'>;
  const pick = <K extends Flat>(key: K) => (flags[key] ?? file[key] ?? DEFAULT_SETTINGS[key]) as Settings[K];
  return {
    port: pick('port'),
    host: pick('host'),
    wsPath: pick('wsPath'),
    open: pick('open'),
    token: pick('token'),
    allowedOrigins: pick('allowedOrigins'),
    killTimeout: pick('killTimeout'),
    scrollback: { ...DEFAULT_SETTINGS.scrollback, ...file.scrollback, ...flags.scrollback },
    viewerLines: pick('viewerLines'),
  };
}

/** Whether only this machine can reach the host; any other host gets an access token by default. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

function engineOptions(settings: Settings): EngineOptions {
  return {
    ...DEFAULT_ENGINE_OPTIONS,
    killTimeoutMs: settings.killTimeout,
    scrollback: { maxLines: settings.scrollback.lines, maxBytes: settings.scrollback.bytes },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Value rules, shared by the file and the flags so both accept exactly the same values.

type RuleResult<T> = { ok: true; value: T } | { ok: false; message: string };
type Rule<T> = (value: unknown) => RuleResult<T>;

const ok = <T>(value: T): RuleResult<T> => ({ ok: true, value });
const bad = <T>(message: string): RuleResult<T> => ({ ok: false, message });

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}

function integerRule(min: number, max: number, meaning: string): Rule<number> {
  return (value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return bad(`must be ${meaning}, but is ${describe(value)}.`);
    }
    return ok(value);
  };
}

const portRule = integerRule(0, 65_535, 'a whole number from 0 to 65535 (0 picks a free port)');
// setTimeout turns any delay above 2^31-1 ms into 1 ms, which would SIGKILL processes immediately.
const killTimeoutRule = integerRule(0, 2_147_483_647, 'a whole number of milliseconds from 0 to 2147483647');
const positiveIntegerRule = integerRule(1, Number.MAX_SAFE_INTEGER, 'a whole number of at least 1');

const booleanRule: Rule<boolean> = (value) =>
  typeof value === 'boolean' ? ok(value) : bad(`must be true or false, but is ${describe(value)}.`);

function stringRule(check: (text: string) => string | null): Rule<string> {
  return (value) => {
    if (typeof value !== 'string') return bad(`must be a string, but is ${describe(value)}.`);
    const message = check(value);
    return message === null ? ok(value) : bad(message);
  };
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

const hostRule = stringRule((host) =>
  /^[^\s/?#]+$/.test(host) ? null : 'must be a host name or IP address such as "127.0.0.1", without spaces.',
);

const wsPathRule = stringRule((wsPath) =>
  /^\/[^\s?#]*$/.test(wsPath) ? null : `must start with "/" and contain no spaces, "?" or "#" (like "/ws").`,
);

// The token travels in URLs and headers, so only visible ASCII is allowed; anything else would need escaping.
const tokenRule = stringRule((token) =>
  /^[\x21-\x7e]+$/.test(token) ? null : 'must be non-empty and made of visible ASCII characters (no spaces).',
);

const originRule = stringRule((origin) => {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `must be an origin like "http://localhost:5173", but ${JSON.stringify(origin)} is not a URL.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// origin.';
  if (url.origin !== origin) {
    return `must be exactly an origin (scheme, host and port, no path or trailing slash): write ${JSON.stringify(url.origin)}.`;
  }
  return null;
});

const MAX_NAME_LENGTH = 50;

const nameRule = stringRule((name) => {
  if (name.length === 0) return 'must not be empty.';
  if (NON_PRINTABLE.test(name)) return 'must not contain control or invisible characters.';
  if (name.trim() !== name) return 'must not start or end with spaces.';
  // The name prefixes every terminal line, padded to the longest name.
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters long.`;
  return null;
});

const commandRule = stringRule((command) => (command.trim() === '' ? 'must not be empty.' : null));

const cwdRule = stringRule((cwd) =>
  cwd.length === 0 ? 'must not be empty (leave it out to use the config directory).' : null,
);

const envValueRule: Rule<string> = (value) => {
  if (typeof value === 'string') return ok(value);
  if (typeof value === 'number' || typeof value === 'boolean') {
    return bad(`must be a string: write "${String(value)}" in quotes.`);
  }
  return bad(`must be a string, but is ${describe(value)}.`);
};

function envKeyProblem(key: string): string | null {
  if (key.length === 0) return 'An environment variable name must not be empty.';
  if (key.includes('=') || key.includes('\0'))
    return 'An environment variable name must not contain "=" or NUL.';
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Flags.

/** Flags that take a number are parsed strictly: "8o80" or "1e3" are mistakes, not numbers. */
function flagNumber(raw: string): number | string {
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

const FLAG_RULES = {
  port: { flag: '--port', rule: portRule, numeric: true, example: '--port 8081' },
  host: { flag: '--host', rule: hostRule, numeric: false, example: '--host 127.0.0.1' },
  wsPath: { flag: '--ws-path', rule: wsPathRule, numeric: false, example: '--ws-path /ws' },
  token: { flag: '--token', rule: tokenRule, numeric: false, example: '--token my-secret' },
  killTimeout: {
    flag: '--kill-timeout',
    rule: killTimeoutRule,
    numeric: true,
    example: '--kill-timeout 5000',
  },
} as const;

function validateFlags(flags: RawFlags): { layer: SettingsLayer; problems: ConfigProblem[] } {
  const layer: SettingsLayer = {};
  const problems: ConfigProblem[] = [];
  if (flags.config === true || flags.config === '') {
    problems.push({ kind: 'flag', flag: '--config', message: 'needs a file path, like --config dev.json.' });
  }
  for (const key of Object.keys(FLAG_RULES) as (keyof typeof FLAG_RULES)[]) {
    const raw = flags[key];
    if (raw === undefined || raw === false) continue;
    const { flag, rule, numeric, example } = FLAG_RULES[key];
    if (raw === true) {
      problems.push({ kind: 'flag', flag, message: `needs a value, like ${example}.` });
      continue;
    }
    const result = rule(numeric ? flagNumber(raw) : raw);
    if (result.ok) (layer as Record<string, unknown>)[key] = result.value;
    else problems.push({ kind: 'flag', flag, message: result.message });
  }
  if (flags.open !== undefined) layer.open = flags.open;
  return { layer, problems };
}

// ---------------------------------------------------------------------------------------------------------
// The config file.

interface ParseContext {
  file: string;
  baseDir: string;
  isDirectory: (absolutePath: string) => Promise<boolean>;
}

type ParsedFile =
  | { ok: true; layer: SettingsLayer; processes: ProcessSpec[]; warnings: ConfigWarning[] }
  | { ok: false; problems: ConfigProblem[]; warnings: ConfigWarning[] };

/** Parses and validates the text of a config file; `file` is only used in messages. */
export async function parseConfigText(text: string, context: ParseContext): Promise<ParsedFile> {
  const { file } = context;
  const parsed = parseJson(text);
  if (!parsed.ok) {
    return {
      ok: false,
      problems: [{ kind: 'syntax', file, message: parsed.message, ...parsed.position }],
      warnings: [],
    };
  }
  const problems: ConfigProblem[] = [];
  const warnings: ConfigWarning[] = [];
  const problem = (node: { position: Position }, fieldPath: string, message: string) =>
    problems.push({ kind: 'field', file, path: fieldPath, message, ...node.position });
  const warn = (position: Position, fieldPath: string, message: string) =>
    warnings.push({ file, path: fieldPath, message, ...position });

  /** Applies a rule to a leaf node, reporting a problem at the node when the value is rejected. */
  function check<T>(node: JsonNode, fieldPath: string, rule: Rule<T>): T | undefined {
    const result = rule(plainValue(node));
    if (result.ok) return result.value;
    problem(node, fieldPath, result.message);
    return undefined;
  }

  /** Returns the entries of an object node by key, warning about unknown and repeated keys. */
  function fieldsOf(node: ObjectNode, fieldPath: string, known: readonly string[]): Map<string, JsonNode> {
    const fields = new Map<string, JsonNode>();
    for (const entry of node.entries) {
      const entryPath = joinPath(fieldPath, entry.key);
      if (!known.includes(entry.key)) {
        const suggestion = closest(entry.key, known);
        const hint =
          suggestion === null ? `Known fields: ${known.join(', ')}.` : `Did you mean "${suggestion}"?`;
        warn(entry.keyPosition, entryPath, `Unknown field "${entry.key}" is ignored. ${hint}`);
      } else if (fields.has(entry.key)) {
        warn(entry.keyPosition, entryPath, `"${entry.key}" appears more than once; the last one is used.`);
      }
      fields.set(entry.key, entry.value);
    }
    return fields;
  }

  if (parsed.node.kind !== 'object') {
    problem(
      parsed.node,
      '(root)',
      `The config must be a JSON object, but is ${describe(plainValue(parsed.node))}.`,
    );
    return { ok: false, problems, warnings };
  }
  const root = fieldsOf(parsed.node, '', CONFIG_KEYS.root);
  const layer: SettingsLayer = {};

  const scalarRules = {
    port: portRule,
    host: hostRule,
    wsPath: wsPathRule,
    open: booleanRule,
    token: tokenRule,
    killTimeout: killTimeoutRule,
    viewerLines: positiveIntegerRule,
  } as const;
  for (const key of Object.keys(scalarRules) as (keyof typeof scalarRules)[]) {
    const node = root.get(key);
    if (node === undefined) continue;
    const value = check<unknown>(node, key, scalarRules[key]);
    if (value !== undefined) (layer as Record<string, unknown>)[key] = value;
  }

  const schemaNode = root.get('$schema');
  if (schemaNode !== undefined)
    check(
      schemaNode,
      '$schema',
      stringRule(() => null),
    );

  const originsNode = root.get('allowedOrigins');
  if (originsNode !== undefined) {
    if (originsNode.kind !== 'array') {
      problem(originsNode, 'allowedOrigins', 'must be an array of origins, like ["http://localhost:5173"].');
    } else {
      const origins = originsNode.items.map((item, index) =>
        check(item, `allowedOrigins[${index}]`, originRule),
      );
      if (origins.every((origin) => origin !== undefined)) layer.allowedOrigins = origins as string[];
    }
  }

  const scrollbackNode = root.get('scrollback');
  if (scrollbackNode !== undefined) {
    if (scrollbackNode.kind !== 'object') {
      problem(scrollbackNode, 'scrollback', 'must be an object like { "lines": 10000, "bytes": 8388608 }.');
    } else {
      const fields = fieldsOf(scrollbackNode, 'scrollback', CONFIG_KEYS.scrollback);
      layer.scrollback = {};
      for (const key of CONFIG_KEYS.scrollback) {
        const node = fields.get(key);
        if (node === undefined) continue;
        const value = check(node, `scrollback.${key}`, positiveIntegerRule);
        if (value !== undefined) layer.scrollback[key] = value;
      }
    }
  }

  const processes: ProcessSpec[] = [];
  const processesNode = root.get('processes');
  if (processesNode === undefined) {
    problem(
      parsed.node,
      'processes',
      'is missing: list the processes to run, like [{ "name": "web", "command": "npm run dev" }].',
    );
  } else if (processesNode.kind !== 'array') {
    problem(
      processesNode,
      'processes',
      `must be an array of processes, but is ${describe(plainValue(processesNode))}.`,
    );
  } else if (processesNode.items.length === 0) {
    problem(
      processesNode,
      'processes',
      'is empty: add at least one process, like { "name": "web", "command": "npm run dev" }.',
    );
  } else {
    const seen = new Map<string, { path: string; position: Position }>();
    for (const [index, item] of processesNode.items.entries()) {
      const itemPath = `processes[${index}]`;
      if (item.kind !== 'object') {
        problem(
          item,
          itemPath,
          `must be an object with "name" and "command", but is ${describe(plainValue(item))}.`,
        );
        continue;
      }
      const fields = fieldsOf(item, itemPath, CONFIG_KEYS.process);
      const nameNode = fields.get('name');
      const commandNode = fields.get('command');
      const cwdNode = fields.get('cwd');
      const envNode = fields.get('env');

      let name: string | undefined;
      if (nameNode === undefined)
        problem(item, `${itemPath}.name`, 'is missing: every process needs a name.');
      else name = check(nameNode, `${itemPath}.name`, nameRule);
      if (name !== undefined && nameNode !== undefined) {
        const previous = seen.get(name);
        if (previous !== undefined) {
          const where = `${previous.position.line}:${previous.position.column}`;
          problem(
            nameNode,
            `${itemPath}.name`,
            `"${name}" is already the name of ${previous.path} (${where}); names must be unique.`,
          );
          name = undefined;
        } else {
          seen.set(name, { path: itemPath, position: nameNode.position });
        }
      }

      let command: string | undefined;
      if (commandNode === undefined)
        problem(item, `${itemPath}.command`, 'is missing: give the shell command to run.');
      else command = check(commandNode, `${itemPath}.command`, commandRule);

      let cwd: string | undefined = context.baseDir;
      if (cwdNode !== undefined) {
        const relative = check(cwdNode, `${itemPath}.cwd`, cwdRule);
        cwd = relative === undefined ? undefined : path.resolve(context.baseDir, relative);
        if (cwd !== undefined && !(await context.isDirectory(cwd))) {
          problem(
            cwdNode,
            `${itemPath}.cwd`,
            `is not an existing directory: ${cwd} (relative paths start at the config file's directory).`,
          );
          cwd = undefined;
        }
      }

      let env: Record<string, string> | undefined = {};
      if (envNode !== undefined) {
        if (envNode.kind !== 'object') {
          problem(envNode, `${itemPath}.env`, 'must be an object of strings, like { "PORT": "3000" }.');
          env = undefined;
        } else {
          for (const entry of envNode.entries) {
            const entryPath = joinPath(`${itemPath}.env`, entry.key);
            const keyProblem = envKeyProblem(entry.key);
            if (keyProblem !== null) {
              problems.push({
                kind: 'field',
                file,
                path: entryPath,
                message: keyProblem,
                ...entry.keyPosition,
              });
              env = undefined;
              continue;
            }
            const value = check(entry.value, entryPath, envValueRule);
            if (value === undefined) env = undefined;
            else if (env !== undefined) env[entry.key] = value;
          }
        }
      }

      if (name !== undefined && command !== undefined && cwd !== undefined && env !== undefined) {
        processes.push({ name, command, cwd, env });
      }
    }
  }

  if (problems.length > 0) return { ok: false, problems, warnings };
  return { ok: true, layer, processes, warnings };
}

function joinPath(parent: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return segment;
  return segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
}
