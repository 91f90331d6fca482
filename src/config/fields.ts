// Every config field, declared once: its value rule (a valibot schema), default, description, README shape
// and command-line flag. The validator, the TypeScript types, the flags, schema.json and the README tables
// are all derived from these declarations (see schema.ts, flags.ts and scripts/config-docs.ts), so a new
// field is added here and nowhere else.

import * as v from 'valibot';
import { closest } from '../did-you-mean.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  DEFAULT_HEALTH_CHECK_TIMING,
  DEFAULT_RESTART_TIMING,
  DEFAULT_WATCH_DEBOUNCE_MS,
} from '../process/spec.js';
import { parseByteSize } from './byte-size.js';
import { describeValue, echo } from './problems.js';
import {
  atLeastOne,
  boolean,
  checked,
  integer,
  listOf,
  matching,
  oneOrMore,
  plainObject,
  string,
} from './values.js';

/** A command-line flag for a field; its name is the field's name in kebab case (`wsPath` → `--ws-path`). */
export interface FlagDeclaration {
  /** Placeholder shown in help, like `<n>`; absent for a boolean, which gets `--x` and `--no-x`. */
  value?: string;
  /** A valid value, used in "needs a value, like --port 8081". */
  example?: string;
}

export interface Field<TSchema extends v.GenericSchema = v.GenericSchema, TDefault = unknown> {
  kind: 'field';
  schema: TSchema;
  /** One or two sentences for schema.json, the README and --help. */
  description: string;
  /** The README's "type" column. */
  shape: string;
  /** Absent for a required field; `null` when "not set" is a meaningful setting of its own. */
  default?: TDefault;
  /** The README's "default" column, when the default is not a plain value. */
  defaultText?: string;
  /** Said after the field's path when a required field is absent. */
  missing?: string;
  flag?: FlagDeclaration;
}

export interface Group<TFields extends Record<string, Field> = Record<string, Field>> {
  kind: 'group';
  fields: TFields;
  description: string;
  shape: string;
  /** Said when the value is not an object. */
  notAnObject: string;
}

export interface List<TFields extends Record<string, Field> = Record<string, Field>> {
  kind: 'list';
  item: TFields;
  description: string;
  shape: string;
  missing: string;
  empty: string;
  notAList: string;
  /** Said, followed by what was found, when an item is not an object. */
  notAnItem: string;
}

export type Declaration = Field | Group | List;

// `const` keeps each declaration's exact shape, so the types below can tell required fields (with
// `missing`) from optional ones and see each default.
const field = <const T extends Omit<Field, 'kind'>>(declaration: T): T & { kind: 'field' } => ({
  kind: 'field',
  ...declaration,
});

// The token travels in URLs and headers, so only visible ASCII is allowed; anything else would need escaping.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

function originProblem(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'must be an origin like "http://localhost:5173", but it is not a URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// origin.';
  if (url.origin !== origin) {
    return `must be exactly an origin (scheme, host and port, no path or trailing slash): write ${JSON.stringify(url.origin)}.`;
  }
  return null;
}

export const MAX_NAME_LENGTH = 50;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

// Names become URL paths and file names (logs, state), so a name must be one safe path segment.
function nameProblem(name: string): string | null {
  if (name.length === 0) return 'must not be empty.';
  if (INVISIBLE.test(name)) return 'must not contain control or invisible characters.';
  if (name.includes('/') || name.includes('\\')) return 'must not contain "/" or "\\".';
  if (name.startsWith('.')) return 'must not start with ".".';
  if (name.trim() !== name) return 'must not start or end with spaces.';
  // The name prefixes every terminal line, padded to the longest name.
  if (name.length > MAX_NAME_LENGTH) return `must be at most ${MAX_NAME_LENGTH} characters long.`;
  return null;
}

function envNameProblem(key: string): string | null {
  if (key.length === 0) return 'An environment variable name must not be empty.';
  if (key.includes('=') || key.includes('\0'))
    return 'An environment variable name must not contain "=" or NUL.';
  return null;
}

// A process name cannot be empty or contain a comma here; the names themselves are checked against the
// processes once the run is planned.
const SEPARATED_NAMES = /^[^,]+(,[^,]+)*$/;

// concurrently's success conditions, spelt as concurrently spells them.
const SUCCESS_CONDITION = /^(first|last|all|!?command-.+)$/;
// setTimeout turns any delay above 2^31-1 ms into 1 ms, which would turn a long wait into a crash loop.
const RESTART_MS = 'a whole number of milliseconds from 0 to 2147483647';

const ENV_FILES = oneOrMore('a file path like ".env", or a non-empty array of them');

const ENV_SHAPE = 'must be an object of strings, like { "PORT": "3000" }.';

const envValue = v.string((issue) =>
  typeof issue.input === 'number' || typeof issue.input === 'boolean'
    ? `must be a string: write "${String(issue.input)}" in quotes.`
    : 'must be a string.',
);

// Readiness and dependencies (src/behaviours/readiness.ts, dependencies.ts).

function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'must not be empty: give a regular expression like "ready in \\d+ ms".';
  try {
    new RegExp(pattern);
    return null;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}.`;
  }
}

function probeUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL like "http://localhost:3000/health", but it is not a URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL.';
  return null;
}

export const DEFAULT_READY_TIMEOUT_MS = 60_000;

const DEPENDENCY_CONDITIONS = ['ready', 'completed'] as const;

const dependencyName = v.pipe(
  v.string('must be a process name.'),
  v.minLength(1, 'must be a process name, not empty.'),
);

const DEPENDENCY_SHAPE = 'a process name, or an object like { "name": "build", "condition": "completed" }';

const dependency = v.union(
  [
    dependencyName,
    plainObject(
      v.object(
        {
          name: dependencyName,
          condition: v.optional(
            v.picklist(DEPENDENCY_CONDITIONS, 'must be "ready" (the default) or "completed".'),
          ),
        },
        `must be ${DEPENDENCY_SHAPE}, with a "name".`,
      ),
      `must be ${DEPENDENCY_SHAPE}.`,
    ),
  ],
  (issue) => dependencyProblem(issue.input),
);

/** The union's one message, naming the part of an object entry that is wrong. */
function dependencyProblem(input: unknown): string {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return `must be ${DEPENDENCY_SHAPE}, but is ${describeValue(input)}.`;
  }
  const entry = input as Record<string, unknown>;
  if (typeof entry.name !== 'string' || entry.name === '') {
    return `needs a "name" naming a process, like { "name": "build", "condition": "completed" }.`;
  }
  return `has "condition" ${describeValue(entry.condition)}, but it must be "ready" (the default) or "completed".`;
}

const READINESS_AND_DEPENDENCIES = {
  readyPattern: field({
    schema: checked(patternProblem),
    description:
      'Regular expression (JavaScript syntax, case-sensitive) matched against each line of output with its colours removed; the process is `starting` until a line matches, then `running`.',
    shape: 'string (regex)',
    defaultText: 'none',
  }),
  readyUrl: field({
    schema: v.pipe(checked(probeUrlProblem), v.metadata({ format: 'uri' })),
    description:
      'URL polled after each start; the process is `starting` until it answers with a 2xx or 3xx status, then `running`.',
    shape: 'string (URL)',
    defaultText: 'none',
  }),
  readyPort: field({
    schema: integer(1, 65_535, 'a port number from 1 to 65535'),
    description:
      'TCP port tried after each start; the process is `starting` until a connection to it is accepted, then `running`.',
    shape: 'integer 1–65535',
    defaultText: 'none',
  }),
  readyHost: field({
    schema: matching(/^[^\s/?#]+$/, 'must be a host name or IP address such as "127.0.0.1", without spaces.'),
    description:
      'Where "readyPort" is tried. By default both 127.0.0.1 and ::1, since a server that binds "localhost" may listen on either.',
    shape: 'string',
    defaultText: '127.0.0.1 and ::1',
  }),
  readyTimeout: field({
    // setTimeout turns any delay above 2^31-1 ms into 1 ms, which would fail every run at once.
    schema: integer(1, 2_147_483_647, 'a whole number of milliseconds from 1 to 2147483647'),
    default: DEFAULT_READY_TIMEOUT_MS,
    description:
      'Milliseconds a run may take to become ready (with "readyPattern", "readyUrl" or "readyPort"); after that its tree is stopped and it goes to `error`.',
    shape: 'integer ms',
  }),
  dependsOn: field({
    schema: listOf(dependency, 'process names or { "name", "condition" } objects'),
    description:
      'Processes that must be ready (`running`, after their probe if they have one) before this one starts; an entry { "name": "build", "condition": "completed" } waits until that one exited with code 0 instead. Shutdown and restart-all stop dependants first.',
    shape: 'array of names or objects',
    defaultText: 'none',
  }),
} as const satisfies Record<string, Field>;

// Liveness checks and memory limits (src/behaviours/health-check.ts, memory-limit.ts).

const HEALTH_CHECK_EXAMPLE = '{ "url": "http://localhost:3000/health" } or { "port": 5432 }';
const HEALTH_CHECK_KEYS = ['url', 'port', 'host', 'interval', 'timeout', 'failures', 'restart'] as const;
const HEALTH_CHECK_MS = 'a whole number of milliseconds from 1 to 2147483647';

/**
 * The check's own keys are not declarations of their own, so the unknown-key warnings of positions.ts do not
 * reach inside it; a misspelt "intreval" would silently leave the default in force, so it is refused here.
 */
function healthCheckKeysProblem(value: Record<string, unknown>): string | null {
  const unknown = Object.keys(value).find((key) => !(HEALTH_CHECK_KEYS as readonly string[]).includes(key));
  if (unknown === undefined) return null;
  const suggestion = closest(unknown, HEALTH_CHECK_KEYS);
  const hint =
    suggestion === null ? `Its keys are ${HEALTH_CHECK_KEYS.join(', ')}.` : `Did you mean "${suggestion}"?`;
  return `has an unknown key ${echo(JSON.stringify(unknown))}. ${hint}`;
}

const healthCheck = plainObject(
  v.pipe(
    v.custom<Record<string, unknown>>(() => true),
    v.rawCheck(({ dataset, addIssue }) => {
      const message = dataset.typed ? healthCheckKeysProblem(dataset.value) : null;
      if (message !== null) addIssue({ message });
    }),
    v.object({
      url: v.optional(v.pipe(checked(probeUrlProblem), v.metadata({ format: 'uri' }))),
      port: v.optional(integer(1, 65_535, 'a port number from 1 to 65535')),
      host: v.optional(
        matching(/^[^\s/?#]+$/, 'must be a host name or IP address such as "127.0.0.1", without spaces.'),
      ),
      interval: v.optional(integer(1, 2_147_483_647, HEALTH_CHECK_MS)),
      timeout: v.optional(integer(1, 2_147_483_647, HEALTH_CHECK_MS)),
      failures: v.optional(atLeastOne()),
      restart: v.optional(boolean()),
    }),
    v.check(
      (check) => (check.url === undefined) !== (check.port === undefined),
      `needs exactly one of "url" and "port", like ${HEALTH_CHECK_EXAMPLE}.`,
    ),
  ),
  (issue) => `must be an object like ${HEALTH_CHECK_EXAMPLE}, but is ${describeValue(issue.input)}.`,
);

const maxMemory = v.pipe(
  v.union(
    [v.number(), v.string()],
    (issue) =>
      `must be a number of bytes or a size like "512M" or "1G", but is ${describeValue(issue.input)}.`,
  ),
  v.check(
    (size) => parseByteSize(size) !== null,
    (issue) =>
      `must be a whole number of bytes of at least 1, or a size like "512M", "1.5G" or "300MiB" (K, M, G and T are powers of 1024), but is ${describeValue(issue.input)}.`,
  ),
);

const HEALTH_AND_MEMORY = {
  healthCheck: field({
    schema: healthCheck,
    description: `A liveness check while the process is \`running\`: { "url" } is healthy on a 2xx or 3xx answer, { "port", "host" } when a TCP connection is accepted ("host" defaults to both 127.0.0.1 and ::1). It runs every "interval" ms (${DEFAULT_HEALTH_CHECK_TIMING.intervalMs}), each check may take "timeout" ms (${DEFAULT_HEALTH_CHECK_TIMING.timeoutMs}); "failures" failed checks in a row (${DEFAULT_HEALTH_CHECK_TIMING.failures}) make it unhealthy, and with "restart": true (default false) it is then restarted (not after 3 restarts in a row that never brought a passing check). Checks begin when it goes \`running\`, at once without a readiness probe, so give a slow starter "readyUrl" or "readyPort" too.`,
    shape: '`{ url or port, host, interval, timeout, failures, restart }`',
    defaultText: 'none',
  }),
  maxMemory: field({
    schema: maxMemory,
    description:
      'Limit on the resident memory of the process and all its children together: bytes, or a size like "512M" or "1G" (powers of 1024). Checked every 2 s; a process over it is restarted. One that is over it again soon after each of 3 such restarts in a row is stopped instead.',
    shape: 'integer bytes or string',
    defaultText: 'none',
  }),
} as const satisfies Record<string, Field>;

/** The settings: every field that is not a process, each overridable by the layer above (flags > file). */
export const SETTINGS = {
  port: field({
    schema: integer(0, 65_535, 'a whole number from 0 to 65535 (0 picks a free port)'),
    default: 8080,
    description: 'Port of the browser viewer; 0 lets the system pick a free port.',
    shape: 'integer 0–65535',
    flag: { value: '<n>', example: '8081' },
  }),
  host: field({
    schema: matching(/^[^\s/?#]+$/, 'must be a host name or IP address such as "127.0.0.1", without spaces.'),
    default: '127.0.0.1',
    description:
      'Address the viewer listens on. Anything but loopback prints a warning and turns on a random token unless "token" is set.',
    shape: 'string',
    flag: { value: '<addr>', example: '127.0.0.1' },
  }),
  wsPath: field({
    schema: matching(/^\/[^\s?#]*$/, 'must start with "/" and contain no spaces, "?" or "#" (like "/ws").'),
    default: '/ws',
    description: 'Path of the WebSocket endpoint.',
    shape: 'string',
    flag: { value: '<path>', example: '/ws' },
  }),
  open: field({
    schema: boolean(),
    default: false,
    description: 'Open the viewer in the default browser at start.',
    shape: 'boolean',
    flag: {},
  }),
  token: field({
    schema: matching(VISIBLE_ASCII, 'must be non-empty and made of visible ASCII characters (no spaces).'),
    default: null,
    defaultText: 'none (random when `host` is not loopback)',
    description:
      'Access token every page load and WebSocket upgrade must carry as ?token= (the printed URL has it).',
    shape: 'string',
    flag: { value: '<t>', example: 'my-secret' },
  }),
  // Access (issue 15): a second token for watching without control.
  viewToken: field({
    schema: matching(VISIBLE_ASCII, 'must be non-empty and made of visible ASCII characters (no spaces).'),
    default: null,
    defaultText: 'none',
    description:
      'A second token that lets a page or client watch but not control (commands are refused with FORBIDDEN); lucidlines prints a view-only URL with it. Must differ from "token"; without "token", a random control token is made.',
    shape: 'string',
    flag: { value: '<t>', example: 'team-view' },
  }),
  allowedOrigins: field({
    schema: listOf(
      v.pipe(checked(originProblem), v.metadata({ format: 'uri', pattern: '^https?://[^/?#\\s]+$' })),
      'origins, like ["http://localhost:5173"]',
    ),
    default: [] as string[],
    description:
      'Extra web origins (scheme://host:port, like "http://localhost:5173") whose pages may connect to the WebSocket. The viewer\'s own origin is always allowed.',
    shape: 'array of origins',
  }),
  killTimeout: field({
    // setTimeout turns any delay above 2^31-1 ms into 1 ms, which would SIGKILL processes immediately.
    schema: integer(0, 2_147_483_647, 'a whole number of milliseconds from 0 to 2147483647'),
    default: DEFAULT_ENGINE_OPTIONS.killTimeoutMs,
    description: 'Milliseconds between SIGTERM and SIGKILL when a process tree is stopped.',
    shape: 'integer ms',
    flag: { value: '<ms>', example: '5000' },
  }),
  scrollback: {
    kind: 'group',
    description:
      'Output kept per process and replayed to a viewer that connects late; the oldest is dropped first.',
    shape: '`{ lines, bytes }`',
    notAnObject: 'must be an object like { "lines": 10000, "bytes": 8388608 }.',
    fields: {
      lines: field({
        schema: atLeastOne(),
        default: DEFAULT_ENGINE_OPTIONS.scrollback.maxLines,
        description: 'Lines kept per process.',
        shape: 'integer ≥ 1',
      }),
      bytes: field({
        schema: atLeastOne(),
        default: DEFAULT_ENGINE_OPTIONS.scrollback.maxBytes,
        description: 'Bytes kept per process.',
        shape: 'integer ≥ 1',
      }),
    },
  },
  viewerLines: field({
    schema: atLeastOne(),
    default: 100_000,
    description: 'Lines the browser viewer keeps per process before dropping the oldest.',
    shape: 'integer ≥ 1',
  }),
  // History (issue 15): older lines come by `history` request instead of with every connection.
  replayLines: field({
    schema: atLeastOne(),
    default: 1_000,
    description:
      'Lines per process replayed to a viewer or client that connects; older retained lines are loaded on request (scrolling up in the viewer).',
    shape: 'integer ≥ 1',
  }),
  maxClients: field({
    schema: atLeastOne(),
    default: 256,
    description: 'Viewers and other WebSocket clients connected at once; one more is refused with HTTP 503.',
    shape: 'integer ≥ 1',
    flag: { value: '<n>', example: '256' },
  }),
  // Processes added and removed at run time (issue 15, src/server/commands/add.ts and remove.ts).
  allowRuntimeProcesses: field({
    schema: boolean(),
    default: false,
    description:
      'Let control clients (the viewer\'s "Run a command…", the "add" and "remove" commands) add processes at run time and remove any process. Off by default: whoever may control lucidlines could then run any command. Nothing is written to this file.',
    shape: 'boolean',
    flag: {},
  }),

  // The terminal and CI mode (issue 14).
  viewer: field({
    schema: boolean(),
    default: true,
    description:
      'Serve the browser viewer. Off, no HTTP server runs at all and nothing listens, as CI usually wants.',
    shape: 'boolean',
    flag: {},
  }),
  only: field({
    schema: matching(SEPARATED_NAMES, 'must be process names separated by commas, like "web,api".'),
    default: null,
    defaultText: 'every process',
    description:
      'Comma-separated names of the processes whose output the terminal prints; the viewer still shows all.',
    shape: 'string',
    flag: { value: '<a,b>', example: 'web,api' },
  }),
  hide: field({
    schema: matching(SEPARATED_NAMES, 'must be process names separated by commas, like "web,api".'),
    default: null,
    defaultText: 'none',
    description:
      'Comma-separated names of the processes whose output the terminal does not print; the viewer still shows all.',
    shape: 'string',
    flag: { value: '<a,b>', example: 'worker' },
  }),
  timestamps: field({
    schema: boolean(),
    default: false,
    description: 'Start every terminal line with the local time it was written, as HH:MM:SS.mmm.',
    shape: 'boolean',
    flag: {},
  }),
  raw: field({
    schema: boolean(),
    default: false,
    description:
      "Print the processes' output exactly as written, without prefixes or status lines (concurrently's --raw).",
    shape: 'boolean',
    flag: {},
  }),
  color: field({
    schema: boolean(),
    default: null,
    defaultText: 'on in a terminal, off when piped (NO_COLOR and FORCE_COLOR are honoured)',
    description:
      "Colour lucidlines' own output, even when piped. Off also strips the colours from the processes' output in the terminal.",
    shape: 'boolean',
    flag: {},
  }),
  success: field({
    schema: matching(
      SUCCESS_CONDITION,
      'must be "first", "last", "all", "command-<name|index>" or "!command-<name|index>".',
    ),
    default: null,
    defaultText: 'none: keep running after the processes end',
    description:
      'CI mode: exit once every process has ended, with 0 when this condition holds, else with the exit code of the process that decided. "first"/"last": the first/last process to exit; "all": every process; "command-x": process x (a name or index); "!command-x": every process but x.',
    shape: 'string',
    flag: { value: '<cond>', example: 'command-e2e' },
  }),
  killOthers: field({
    schema: boolean(),
    default: false,
    description:
      'CI mode: when one process exits, stop all the others (then exit as "success" decides, "all" by default).',
    shape: 'boolean',
    flag: {},
  }),
  killOthersOnFail: field({
    schema: boolean(),
    default: false,
    description: 'CI mode: when one process exits with a non-zero code or by a signal, stop all the others.',
    shape: 'boolean',
    flag: {},
  }),
  // Persisted logs (src/output/log-files.ts).
  logDir: field({
    schema: v.pipe(
      checked((dir) => (dir.trim() === '' ? 'must not be empty (leave it out to keep no log files).' : null)),
      v.metadata({ minLength: 1 }),
    ),
    default: null,
    defaultText: 'none (no log files)',
    description:
      "Folder for one log file per process (`<name>.log`), relative to the config file's folder (or the project folder without one); created when missing. Appended across runs, with a separator line per start.",
    shape: 'string',
    flag: { value: '<dir>', example: 'logs' },
  }),
  logFormat: field({
    schema: v.picklist(
      ['text', 'ansi'],
      (issue) => `must be "text" or "ansi", but is ${describeValue(issue.input)}.`,
    ),
    default: 'text' as 'text' | 'ansi',
    description:
      'What the log files hold: "text" strips colours and other escape sequences, "ansi" keeps them.',
    shape: '"text" or "ansi"',
  }),
  logMaxBytes: field({
    schema: integer(1024, Number.MAX_SAFE_INTEGER, 'a whole number of bytes of at least 1024'),
    default: 10 * 1024 * 1024,
    description:
      'Size in bytes at which a log file is rotated: `<name>.log` becomes `<name>.1.log`, `<name>.1.log` becomes `<name>.2.log`, and so on.',
    shape: 'integer ≥ 1024',
  }),
  logKeep: field({
    schema: integer(0, 100, 'a whole number from 0 to 100'),
    default: 3,
    description: 'Rotated files kept per process (`<name>.1.log` … `<name>.<logKeep>.log`); 0 keeps none.',
    shape: 'integer 0–100',
  }),
} as const satisfies Record<string, Field | Group>;

/** One process to run. */
export const PROCESS = {
  name: field({
    schema: v.pipe(
      checked(nameProblem),
      v.metadata({
        minLength: 1,
        maxLength: MAX_NAME_LENGTH,
        pattern: '^(?![.\\s])[^/\\\\\\u0000-\\u001f\\u007f]+$',
      }),
    ),
    description:
      'Unique name, shown as the [name] prefix of every line and in the viewer: printable, at most 50 characters, no "/" or "\\", not starting with ".".',
    shape: 'string',
    missing: 'is missing: every process needs a name.',
  }),
  command: field({
    schema: v.pipe(
      checked((command) => (command.trim() === '' ? 'must not be empty.' : null)),
      v.metadata({ minLength: 1 }),
    ),
    description: 'Shell command to run (`sh -c` on POSIX, `cmd.exe` on Windows), such as "npm run dev".',
    shape: 'string',
    missing: 'is missing: give the shell command to run.',
  }),
  cwd: field({
    schema: v.pipe(
      checked((cwd) =>
        cwd.length === 0 ? 'must not be empty (leave it out to use the config directory).' : null,
      ),
      v.metadata({ minLength: 1 }),
    ),
    description:
      "Working directory, relative to the config file's folder. When it does not exist, this process goes to `error` and the others start.",
    shape: 'string',
    defaultText: "the config file's folder",
  }),
  env: field({
    schema: plainObject(v.record(checked(envNameProblem), envValue, ENV_SHAPE), ENV_SHAPE),
    default: {} as Record<string, string>,
    description:
      'Environment variables merged over the inherited environment and the env files; they win over both.',
    shape: 'object of strings',
  }),
  envFile: field({
    schema: ENV_FILES,
    description:
      'Env file(s) of this process in .env syntax, relative to the config file\'s folder, merged over the top-level "envFile" and under "env"; a later file wins. When one does not exist, this process goes to `error` and the others start.',
    shape: 'string or array',
    defaultText: 'none',
  }),
  // Watch-restart (src/behaviours/watch.ts).
  watch: field({
    schema: oneOrMore('a glob like "src/**", or a non-empty array of them'),
    description:
      'Restart this process when a file matching these globs changes (relative to its "cwd"; a folder means everything in it). node_modules and .git are never watched.',
    shape: 'string or array',
    defaultText: 'none',
  }),
  watchIgnore: field({
    schema: oneOrMore('a glob like "dist/**", or a non-empty array of them'),
    description:
      'Changes to files matching these globs (relative to "cwd") do not restart the process; matching folders are not even read.',
    shape: 'string or array',
    defaultText: 'none',
  }),
  watchDebounce: field({
    // setTimeout turns any delay above 2^31-1 ms into 1 ms.
    schema: integer(0, 2_147_483_647, 'a whole number of milliseconds from 0 to 2147483647'),
    default: DEFAULT_WATCH_DEBOUNCE_MS,
    description:
      'Milliseconds of quiet after the last watched change before the restart, so a burst of saves restarts once.',
    shape: 'integer ms',
  }),
  // Input from the viewer (src/server/commands/input.ts).
  stdin: field({
    schema: boolean(),
    default: false,
    description:
      'Let the browser viewer write to this process\'s stdin (an input line under its output, and the "input" command of the protocol). Off by default: anyone who can open the viewer could type into the process.',
    shape: 'boolean',
  }),
  // Automatic restarts (the restart-on-failure behaviour).
  restart: field({
    schema: v.picklist(
      ['no', 'on-failure', 'always'],
      (issue) => `must be "no", "on-failure" or "always", but is ${describeValue(issue.input)}.`,
    ),
    default: 'no',
    description:
      'Restart the process when it ends by itself: "on-failure" after a non-zero exit, a crash or a failed start, "always" also after exit code 0. A start, stop or restart you ask for cancels a scheduled restart.',
    shape: '"no", "on-failure" or "always"',
  }),
  restartDelay: field({
    schema: integer(0, 2_147_483_647, RESTART_MS),
    default: DEFAULT_RESTART_TIMING.delayMs,
    description:
      'Milliseconds before the first automatic restart; each further restart in a row waits twice as long.',
    shape: 'integer ms',
  }),
  restartMaxDelay: field({
    schema: integer(0, 2_147_483_647, RESTART_MS),
    default: DEFAULT_RESTART_TIMING.maxDelayMs,
    description: 'The longest wait between two automatic restarts, in milliseconds.',
    shape: 'integer ms',
  }),
  maxRestarts: field({
    schema: integer(0, 2_147_483_647, 'a whole number of 0 or more'),
    default: DEFAULT_RESTART_TIMING.maxRestarts,
    description:
      'Automatic restarts in a row before lucidlines gives up and leaves the process in `error` with a message saying so.',
    shape: 'integer ≥ 0',
  }),
  restartResetAfter: field({
    schema: integer(0, 2_147_483_647, RESTART_MS),
    default: DEFAULT_RESTART_TIMING.resetAfterMs,
    description:
      'Milliseconds a run must stay `running` for its exit to count as a new failure: the wait and the count of restarts in a row start over.',
    shape: 'integer ms',
  }),
  ...READINESS_AND_DEPENDENCIES,
  ...HEALTH_AND_MEMORY,
} as const satisfies Record<string, Field>;

/** The whole file: `$schema` for editors, the settings, and the processes. */
export const CONFIG_FILE = {
  $schema: field({
    schema: string(),
    description:
      'Path or URL of this schema, for editor completion: "./node_modules/lucidlines/schema.json".',
    shape: 'string',
  }),
  ...SETTINGS,
  envFile: field({
    schema: ENV_FILES,
    description:
      "Env file(s) for every process in .env syntax (quotes, comments, `export`, multi-line values), relative to the config file's folder; a later file wins. A missing file refuses the start. Variables like $VAR in values are not expanded.",
    shape: 'string or array',
    defaultText: 'none',
  }),
  processes: {
    kind: 'list',
    item: PROCESS,
    description: 'The processes to run, each through the shell, in this order.',
    shape: 'array, required',
    missing: 'is missing: list the processes to run, like [{ "name": "web", "command": "npm run dev" }].',
    empty: 'is empty: add at least one process, like { "name": "web", "command": "npm run dev" }.',
    notAList: 'must be an array of processes',
    notAnItem: 'must be an object with "name" and "command"',
  },
} as const satisfies Record<string, Declaration>;

type ValueOf<D> = D extends { kind: 'group'; fields: infer F }
  ? { -readonly [K in keyof F]: ValueOf<F[K]> }
  : D extends { schema: infer S extends v.GenericSchema }
    ? v.InferOutput<S> | (D extends { default: infer TDefault } ? TDefault : never)
    : never;

/** Settings after merging flags, file and defaults: every field has a value. */
export type Settings = { -readonly [K in keyof typeof SETTINGS]: ValueOf<(typeof SETTINGS)[K]> };

/** Settings given by one source (the file or the flags); absent fields fall through to the next source. */
export type SettingsLayer = {
  -readonly [K in keyof typeof SETTINGS]?: (typeof SETTINGS)[K] extends { kind: 'group'; fields: infer F }
    ? { -readonly [G in keyof F]?: ValueOf<F[G]> }
    : ValueOf<(typeof SETTINGS)[K]>;
};

type Process = typeof PROCESS;

/** One validated process entry: the fields with a `missing` message are required. */
export type ProcessFields = {
  -readonly [K in keyof Process as Process[K] extends { missing: string } ? K : never]: ValueOf<Process[K]>;
} & {
  -readonly [K in keyof Process as Process[K] extends { missing: string } ? never : K]?: ValueOf<Process[K]>;
};
