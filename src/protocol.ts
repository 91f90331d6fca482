// The LucidLines WebSocket protocol, defined once for the server, the web viewer and the client library.
// This file must stay free of Node imports: the viewer bundles it for the browser.

export const PROCESS_STATUSES = ['starting', 'running', 'stopped', 'error'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

/**
 * Why a run of a process began. `start` is the first start of a session (or an explicit start); the others
 * are restarts, which the viewer, the terminal and the log files mark with a separator naming the reason.
 */
export const START_REASONS = [
  'start',
  'manual',
  'auto-restart',
  'watch',
  'config-change',
  'dependency',
  // Liveness and memory limits (issue 15): an unhealthy check with `restart: true`, a tree over `maxMemory`.
  'health-check',
  'memory-limit',
] as const;
export type StartReason = (typeof START_REASONS)[number];

/**
 * Extension (liveness, issue 15): what a process's `healthCheck` found about its current run; see
 * docs/protocol.md. Absent on a process without a check, before the first decision, and once the run ended.
 */
export const HEALTH_STATES = ['healthy', 'unhealthy'] as const;
export type Health = (typeof HEALTH_STATES)[number];

/** One entry of `info.processes`. `pid` is present while the process has one. */
export interface ProcessInfo {
  name: string;
  status: ProcessStatus;
  command: string;
  pid?: number;
  /** Extensions beyond the seed contract. */
  exitCode?: number | null;
  signal?: string | null;
  restarts?: number;
  /** Extension: the dependencies a `starting` process waits for before it is spawned; absent when none. */
  waitingFor?: string[];
  /** Extension: Unix ms of the last start; null before the first (uptime = now - startedAt while it runs). */
  startedAt?: number | null;
  /** Extension (access, issue 15): true while a stop is under way and the process has not exited yet. */
  stopping?: boolean;
  /** Extension: the URLs the process announced (see StatusMessage.urls). */
  urls?: string[];
  /** Extension: present and true when the process accepts the `input` command. */
  stdin?: boolean;
  /** Extension: why the current (or last) run began; absent before the first start. */
  reason?: StartReason;
  /** Extension: Unix ms when a scheduled automatic restart is due; absent when none is. */
  restartAt?: number;
  /** Extension (liveness, issue 15): see `HEALTH_STATES`. */
  health?: Health;
}

/**
 * Extension (access, issue 15): what a client may do. `control` may send commands; `view` (a client that
 * presented the view token) may watch, and every command it sends is answered with a `FORBIDDEN` error.
 */
export const ACCESS_LEVELS = ['control', 'view'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export interface InfoMessage {
  type: 'info';
  version: string;
  processes: ProcessInfo[];
  timestamp: number;
  /** Extension: limits the server asks viewers to respect. */
  limits?: { viewerLines: number };
  /**
   * Extension: how many `process` messages with `replay: true` follow, so that a client that wants only the
   * scrollback (`lucidlines logs`) knows when it has all of it.
   */
  replayMessages?: number;
  /** Extension (access, issue 15): what this client may do; absent from servers that predate it (control). */
  access?: Access;
  /**
   * Extension (runtime processes, issue 15): present and true when the config allows the `add` and `remove`
   * commands (`allowRuntimeProcesses`); a control client may then use them.
   */
  runtimeProcesses?: boolean;
}

export interface ProcessOutputMessage {
  type: 'process';
  name: string;
  /** Raw text with its ANSI escape codes; a stream, so it may end in the middle of a line. */
  output: string;
  timestamp: number;
  /** Extension: which pipe the text came from. */
  stream?: OutputStream;
  /** Extension: true on messages that replay retained scrollback to a client that just connected. */
  replay?: boolean;
  /**
   * Extension (history, issue 15): the position of the message's first chunk of output. Strictly increasing
   * per process (positions of different processes interleave); a `history` request's `before` is one.
   */
  seq?: number;
}

export interface StatusMessage {
  type: 'status';
  name: string;
  status: ProcessStatus;
  pid: number | null;
  timestamp: number;
  exitCode?: number | null;
  signal?: string | null;
  restarts?: number;
  /**
   * Extension: the `id`s of the receiving client's commands that this status settles. Such a status is sent
   * to that client alone, right after the broadcast status it repeats.
   */
  ids?: string[];
  /** Extension (access, issue 15): see `ProcessInfo.stopping`. */
  stopping?: boolean;
  /** Extension: why the current (or last) run began. */
  reason?: StartReason;
  /** Extension: Unix ms when a scheduled automatic restart is due; absent when none is. */
  restartAt?: number;
  /** Extension: as in `ProcessInfo`; a status without it waits for nothing. */
  waitingFor?: string[];
  /**
   * Extension: the URLs the current run printed (a dev server's "Local: http://localhost:5173/"), deduplicated,
   * at most MAX_URLS; absent until one was found, and empty again once the run ended.
   */
  urls?: string[];
  /** Extension (liveness, issue 15): see `HEALTH_STATES`; a status without it has no health to report. */
  health?: Health;
}

/** How many detected URLs one process carries at most. */
export const MAX_URLS = 8;

/** Extension: one process's resource use, summed over its whole process tree. */
export interface ProcessMetrics {
  name: string;
  /** Percent of one core over the last interval (200 = two cores busy); null where it cannot be measured. */
  cpu: number | null;
  /** Resident memory of the tree in bytes; null where it cannot be measured. */
  memory: number | null;
  /** Milliseconds since the current run started; 0 when it is not running. */
  uptime: number;
  restarts: number;
}

/** Extension: sent every few seconds while clients are connected; see docs/protocol.md. */
export interface MetricsMessage {
  type: 'metrics';
  processes: ProcessMetrics[];
  timestamp: number;
}

/**
 * Extension: a run of a process began (its child was spawned). Sent live, and in the replay at its place
 * among the output, so a client can draw a separator between two runs' output.
 */
export interface RunMessage {
  type: 'run';
  name: string;
  /** Counts the process's runs in this session: 1 for the first. */
  run: number;
  /** Null when the spawn failed before the operating system gave the child a pid. */
  pid: number | null;
  reason: StartReason;
  timestamp: number;
  /** True when the message replays retained scrollback. */
  replay?: boolean;
}

export const ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_MESSAGE',
  'BINARY_FRAME',
  'UNKNOWN_TYPE',
  'UNKNOWN_ACTION',
  'UNKNOWN_PROCESS',
  'RATE_LIMIT',
  'SPAWN_FAILED',
  'PROCESS_EXITED',
  'NOT_READY',
  // Access (issue 15): a command from a client that presented the view token.
  'FORBIDDEN',
  // A config edit was not applied: invalid, or it changes a setting only a restart of lucidlines applies.
  'CONFIG_INVALID',
  'CONFIG_NEEDS_RESTART',
  'STDIN_DISABLED',
  'NOT_RUNNING',
  'STDIN_FULL',
  'RESTARTS_EXHAUSTED',
  // Runtime processes (issue 15): `add` or `remove` while the config does not allow them; `add` of a taken name.
  'RUNTIME_PROCESSES_DISABLED',
  'NAME_TAKEN',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorMessage {
  type: 'error';
  message: string;
  process?: string;
  code?: ErrorCode;
  timestamp: number;
  /** Extension: the `id` of the command this error refuses, when it carried one. */
  ids?: string[];
}

/**
 * Extension: the list of processes changed while connected (a config reload added, removed, changed or
 * reordered processes). The full list in config order; output of processes still listed is kept.
 */
export interface ProcessesMessage {
  type: 'processes';
  processes: ProcessInfo[];
  timestamp: number;
}

/**
 * Extension (lifecycle events, issue 15): the kinds of lucidlines' own events about the processes and the
 * config, as the lifecycle log derives them from the engine (see src/lifecycle-log.ts).
 */
export const LIFECYCLE_EVENTS = [
  'started',
  'restarted',
  'ready',
  'exited',
  'stopped',
  'crashed',
  'failed',
  'gave-up',
  'unhealthy',
  'healthy',
  'memory-limit',
  'config-reloaded',
  'config-rejected',
] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** Extension (lifecycle events, issue 15): the probes a process can become ready by (see `EventMessage`). */
export const READY_PROBES = ['pattern', 'url', 'port'] as const;

/**
 * Extension (lifecycle events, issue 15): one entry of lucidlines' lifecycle log, sent live as it happens and
 * replayed (`replay: true`) to a client that connects, oldest first. `message` says it for a person; the
 * other fields say it for a program, each only where the kind has it.
 */
export interface EventMessage {
  type: 'event';
  event: LifecycleEvent;
  message: string;
  timestamp: number;
  /** The process it is about; absent for the config events. */
  process?: string;
  /** `started`, `restarted`: the new child's pid. */
  pid?: number;
  /** `started`, `restarted`: counts the process's runs in this session, as `RunMessage.run`. */
  run?: number;
  /** `restarted`: why. */
  reason?: StartReason;
  /** `ready`: by which probe. */
  readyBy?: (typeof READY_PROBES)[number];
  /** `exited`, `stopped`, `crashed`: the exit code, or null when a signal ended it. */
  exitCode?: number | null;
  signal?: string | null;
  /** `failed`, `gave-up`, `config-rejected`: the code of the `error` message that reported it. */
  errorCode?: ErrorCode;
  /** `config-reloaded`: the processes the edit added, removed and changed. */
  added?: string[];
  removed?: string[];
  changed?: string[];
  /** True when the message replays the log to a client that just subscribed to `event`. */
  replay?: boolean;
}

/**
 * Extension (subscriptions, issue 15): the server message types a subscription can name in `types`. `info` is
 * not among them: it is sent once, before any subscription can arrive; nor are replies to the client itself
 * (a `subscription`, an `error` answering its message, a status settling its command ids), which always go.
 */
export const SUBSCRIBABLE_TYPES = [
  'process',
  'status',
  'run',
  'error',
  'processes',
  'metrics',
  'system',
  'event',
] as const;
export type SubscribableType = (typeof SUBSCRIBABLE_TYPES)[number];

/**
 * Extension (subscriptions, issue 15): types only a client that sent `subscribe` receives. A client that never
 * subscribed (or sent a bare `unsubscribe`) receives exactly what the seed's client receives, so new kinds of
 * message must not reach it unasked.
 */
export const SUBSCRIBER_ONLY_TYPES: readonly SubscribableType[] = ['system', 'event'];

/** Extension (subscriptions, issue 15): the bounds `interval` is clamped to, in milliseconds. */
export const SUBSCRIPTION_INTERVAL_MS = { min: 500, max: 60_000 } as const;

/**
 * Extension (subscriptions, issue 15): the answer to every `subscribe` and `unsubscribe`, to the sender only,
 * stating the filter now in force (after the clamp of `interval`). `processes: null` means every process,
 * except those in `exceptProcesses` (present only then, and only when not empty); `types: null` means every
 * type in SUBSCRIBABLE_TYPES, the subscriber-only ones included.
 */
export interface SubscriptionMessage {
  type: 'subscription';
  processes: string[] | null;
  exceptProcesses?: string[];
  types: SubscribableType[] | null;
  /** The interval of this client's `metrics` and `system` messages, in milliseconds. */
  interval: number;
  timestamp: number;
}

/**
 * Extension (system metrics, issue 15): the host's CPU, memory and load, sent only to clients that subscribed
 * to `system`, at their interval, and only when a value changed at the precision given here.
 */
export interface SystemMessage {
  type: 'system';
  /** Percent of the whole machine's CPU time spent busy since the previous reading, whole numbers 0–100. */
  cpu: number | null;
  /** The number of logical CPUs, to read `load` against. */
  cores: number;
  /** Bytes of memory in use (total minus available), to the MiB. */
  memoryUsed: number;
  /** Bytes of memory the host has, to the MiB. */
  memoryTotal: number;
  /** The 1, 5 and 15 minute load averages, to two decimals; zeros where the OS has none (Windows). */
  load: [number, number, number];
  timestamp: number;
}

/** Extension (history, issue 15): one retained piece of output in a `history` reply. */
export interface HistoryChunk {
  stream: OutputStream;
  output: string;
  /** Its position; see `ProcessOutputMessage.seq`. */
  seq: number;
  timestamp: number;
}

/** Extension (history, issue 15): a run start within the range of a `history` reply (see `RunMessage`). */
export interface HistoryRun {
  run: number;
  pid: number | null;
  reason: StartReason;
  timestamp: number;
  /** Its position among the chunks: it came after every chunk of a smaller `seq`. */
  seq: number;
}

/**
 * Extension (history, issue 15): the answer to a `history` request, sent to the requester only. `chunks` are
 * the newest retained chunks older than the request's `before`, oldest first, whole (as the scrollback keeps
 * them); `runs` the run starts among them; `more` whether older output is still retained.
 */
export interface HistoryMessage {
  type: 'history';
  process: string;
  chunks: HistoryChunk[];
  runs: HistoryRun[];
  more: boolean;
  timestamp: number;
  /** The request's `id`, when it carried one. */
  id?: string;
}

export type ServerMessage =
  | InfoMessage
  | ProcessOutputMessage
  | StatusMessage
  | ErrorMessage
  | ProcessesMessage
  | MetricsMessage
  | RunMessage
  | EventMessage
  | SubscriptionMessage
  | SystemMessage
  | HistoryMessage;

export const TARGETED_ACTIONS = [
  'restart',
  'stop',
  'start',
  // Kill (issue 15): SIGKILL to the whole tree at once, for a process that hangs on SIGTERM.
  'kill',
] as const;
export const GLOBAL_ACTIONS = ['restart-all', 'stop-all'] as const;
export type TargetedAction = (typeof TARGETED_ACTIONS)[number];
export type GlobalAction = (typeof GLOBAL_ACTIONS)[number];

/** Extension: writes `data` to the stdin of a process whose config has `"stdin": true`. */
export interface InputCommand {
  type: 'command';
  action: 'input';
  target: string;
  data: string;
}

/** The longest `data` of one `input` command, in UTF-16 code units: a pasted line, not a file. */
export const MAX_INPUT_LENGTH = 4096;

/** The longest command `id` the server accepts; an id names a request, it does not carry data. */
export const COMMAND_ID_MAX_LENGTH = 128;

/**
 * Extension (runtime processes, issue 15): a process entry as the config file's `processes` list has them,
 * with `name` and `command` and any of the other per-process fields (see the README's field table). The server
 * validates it with the config's own rules; this type names the common fields, and allows the others.
 */
export interface RuntimeProcessFields {
  name: string;
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * Extension (runtime processes, issue 15): adds a process and starts it. Only the shape is checked here (the
 * `process` is an object); its fields are validated by the server with the config file's rules.
 */
export interface AddCommand {
  type: 'command';
  action: 'add';
  process: Readonly<Record<string, unknown>>;
  id?: string;
}

/** Extension (runtime processes, issue 15): stops a process's tree and drops the process. */
export interface RemoveCommand {
  type: 'command';
  action: 'remove';
  target: string;
  id?: string;
}

/**
 * `id` (extension, optional, on the lifecycle commands): any string of 1 to COMMAND_ID_MAX_LENGTH characters,
 * echoed in the `ids` of the `status` or `error` that settles the command, so a client can tell its own
 * results from everyone else's.
 */
export type CommandMessage =
  | { type: 'command'; action: TargetedAction; target: string; id?: string }
  | { type: 'command'; action: GlobalAction; id?: string }
  | InputCommand
  | AddCommand
  | RemoveCommand;

/**
 * Extension (subscriptions, issue 15): narrows what this client receives. `subscribe` replaces the client's
 * filter: omitted `processes` or `types` mean all, an omitted `interval` the default. `unsubscribe` removes
 * the named processes and types from it; one naming neither restores the state of a client that never
 * subscribed. `interval` (either message) sets the client's `metrics` and `system` interval, clamped to
 * SUBSCRIPTION_INTERVAL_MS. Process names need not exist yet: a process may appear later.
 */
export interface SubscriptionRequest {
  type: 'subscribe' | 'unsubscribe';
  processes?: string[];
  types?: SubscribableType[];
  interval?: number;
}

/**
 * Extension (history, issue 15): asks for one process's retained output older than `before` (a `seq`; omitted:
 * the newest), at most `limit` lines (default HISTORY_DEFAULT_LIMIT, clamped to HISTORY_MAX_LIMIT). Answered
 * with a `history` message to the sender alone, or an `error` (UNKNOWN_PROCESS, INVALID_MESSAGE).
 */
export interface HistoryRequest {
  type: 'history';
  target: string;
  before?: number;
  limit?: number;
  /** Echoed in the reply, so a client can match answers to requests; 1 to COMMAND_ID_MAX_LENGTH characters. */
  id?: string;
}

/** Lines in a `history` page when the request names no `limit`. */
export const HISTORY_DEFAULT_LIMIT = 500;
/** The most lines one `history` page holds; a larger `limit` is clamped to it. */
export const HISTORY_MAX_LIMIT = 5_000;
/**
 * The most UTF-8 bytes of output one `history` page holds, whatever its `limit`: 500 lines of a minified
 * bundle must not become a 100 MB frame. A page always holds at least one chunk, so paging back always
 * progresses; one chunk is bounded by the scrollback's own limits.
 */
export const HISTORY_MAX_BYTES = 1024 * 1024;

export type ClientMessage = CommandMessage | SubscriptionRequest | HistoryRequest;

/** The `type`s a client may send; see CLIENT_MESSAGE_DECODERS for how each is validated. */
export const CLIENT_MESSAGE_TYPES = ['command', 'subscribe', 'unsubscribe', 'history'] as const;
export type ClientMessageType = (typeof CLIENT_MESSAGE_TYPES)[number];

/** WebSocket close codes the server uses, beyond the standard 1000/1001. */
export const CLOSE_CODES = {
  /** The frame exceeded the server's maxPayload. */
  MESSAGE_TOO_BIG: 1009,
  /** The client fell too far behind (its send buffer passed the limit). */
  TRY_AGAIN_LATER: 1013,
  /** The server is shutting down. */
  GOING_AWAY: 1001,
} as const;

export type Decoded<T> =
  | { ok: true; value: T }
  /** `ignorable`: a well-formed message of a type this build does not know (see decodeServerMessage). */
  | { ok: false; code: ErrorCode; message: string; ignorable?: true };

function fail<T>(code: ErrorCode, message: string): Decoded<T> {
  return { ok: false, code, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

/**
 * Validates a text frame from a client. Nothing from `JSON.parse` is trusted: every field is checked, and
 * unknown extra fields are ignored so newer clients keep working against older servers.
 */
export function decodeClientMessage(text: string): Decoded<ClientMessage> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('INVALID_JSON', 'The message is not valid JSON.');
  }
  if (!isRecord(data)) return fail('INVALID_MESSAGE', 'A message must be a JSON object.');
  if (typeof data.type !== 'string') return fail('INVALID_MESSAGE', 'The field "type" must be a string.');
  const decode = Object.hasOwn(CLIENT_MESSAGE_DECODERS, data.type)
    ? CLIENT_MESSAGE_DECODERS[data.type as ClientMessageType]
    : undefined;
  if (decode === undefined) {
    const known = CLIENT_MESSAGE_TYPES.map((type) => JSON.stringify(type)).join(', ');
    return fail(
      'UNKNOWN_TYPE',
      `Unknown message type ${JSON.stringify(data.type)}; expected one of ${known}.`,
    );
  }
  return decode(data);
}

/**
 * One decoder per client message type: a new kind of request is its interface above, one decoder and one line
 * here. Each gets the parsed object with `type` already checked.
 */
const CLIENT_MESSAGE_DECODERS: Record<
  ClientMessageType,
  (data: Record<string, unknown>) => Decoded<ClientMessage>
> = {
  command: decodeCommand,
  subscribe: decodeSubscriptionRequest,
  unsubscribe: decodeSubscriptionRequest,
  history: decodeHistoryRequest,
};

/** Extension (subscriptions, issue 15): both messages share their fields; see SubscriptionRequest. */
function decodeSubscriptionRequest(data: Record<string, unknown>): Decoded<ClientMessage> {
  const type = data.type as SubscriptionRequest['type'];
  const request: SubscriptionRequest = { type };
  const { processes, types, interval } = data;
  if (processes !== undefined) {
    if (!Array.isArray(processes) || !processes.every((name) => typeof name === 'string' && name !== '')) {
      return fail('INVALID_MESSAGE', `The field "processes" of ${type} must be a list of process names.`);
    }
    request.processes = processes;
  }
  if (types !== undefined) {
    const known = SUBSCRIBABLE_TYPES.map((name) => JSON.stringify(name)).join(', ');
    if (!Array.isArray(types)) {
      return fail(
        'INVALID_MESSAGE',
        `The field "types" of ${type} must be a list of message types: ${known}.`,
      );
    }
    const unknown = types.find((name) => !includes(SUBSCRIBABLE_TYPES, name));
    if (unknown !== undefined) {
      return fail(
        'INVALID_MESSAGE',
        `The field "types" of ${type} names ${JSON.stringify(unknown)}, which is not a message type one can subscribe to; expected some of ${known}.`,
      );
    }
    request.types = types as SubscribableType[];
  }
  if (interval !== undefined) {
    if (typeof interval !== 'number' || !Number.isFinite(interval)) {
      return fail('INVALID_MESSAGE', `The field "interval" of ${type} must be a number of milliseconds.`);
    }
    request.interval = interval;
  }
  return { ok: true, value: request };
}

function decodeCommand(data: Record<string, unknown>): Decoded<ClientMessage> {
  const { action, target, id } = data;
  if (typeof action !== 'string') return fail('INVALID_MESSAGE', 'The field "action" must be a string.');
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > COMMAND_ID_MAX_LENGTH)) {
    return fail(
      'INVALID_MESSAGE',
      `The field "id" must be a string of 1 to ${COMMAND_ID_MAX_LENGTH} characters when present.`,
    );
  }
  const withId = id === undefined ? {} : { id };
  if (includes(GLOBAL_ACTIONS, action)) return { ok: true, value: { type: 'command', action, ...withId } };
  if (action === 'input') return decodeInput(target, data.data);
  if (action === 'add') return decodeAdd(data.process, withId);
  if (action === 'remove') return decodeRemove(target, withId);
  if (includes(TARGETED_ACTIONS, action)) {
    if (typeof target !== 'string' || target.length === 0) {
      return fail('INVALID_MESSAGE', `The action "${action}" needs a "target" naming a process.`);
    }
    return { ok: true, value: { type: 'command', action, target, ...withId } };
  }
  const known = [...TARGETED_ACTIONS, ...GLOBAL_ACTIONS, 'input', 'add', 'remove'].join(', ');
  return fail('UNKNOWN_ACTION', `Unknown action ${JSON.stringify(action)}; expected one of ${known}.`);
}

/** Extension (history, issue 15): see `HistoryRequest`. */
function decodeHistoryRequest(data: Record<string, unknown>): Decoded<ClientMessage> {
  const { target, before, limit, id } = data;
  if (typeof target !== 'string' || target.length === 0) {
    return fail('INVALID_MESSAGE', 'A "history" request needs a "target" naming a process.');
  }
  if (before !== undefined && !(Number.isSafeInteger(before) && (before as number) >= 0)) {
    return fail(
      'INVALID_MESSAGE',
      'The field "before" must be a whole number from 0 (a "seq") when present.',
    );
  }
  if (limit !== undefined && !(Number.isSafeInteger(limit) && (limit as number) >= 1)) {
    return fail('INVALID_MESSAGE', 'The field "limit" must be a whole number from 1 when present.');
  }
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > COMMAND_ID_MAX_LENGTH)) {
    return fail(
      'INVALID_MESSAGE',
      `The field "id" must be a string of 1 to ${COMMAND_ID_MAX_LENGTH} characters when present.`,
    );
  }
  const request: HistoryRequest = { type: 'history', target };
  if (before !== undefined) request.before = before as number;
  if (limit !== undefined) request.limit = Math.min(limit as number, HISTORY_MAX_LIMIT);
  if (id !== undefined) request.id = id;
  return { ok: true, value: request };
}

function decodeInput(target: unknown, data: unknown): Decoded<ClientMessage> {
  if (typeof target !== 'string' || target.length === 0) {
    return fail('INVALID_MESSAGE', 'The action "input" needs a "target" naming a process.');
  }
  if (typeof data !== 'string' || data.length === 0) {
    return fail('INVALID_MESSAGE', 'The action "input" needs a non-empty string "data" to write.');
  }
  if (data.length > MAX_INPUT_LENGTH) {
    return fail('INVALID_MESSAGE', `The "data" of an input is limited to ${MAX_INPUT_LENGTH} characters.`);
  }
  return { ok: true, value: { type: 'command', action: 'input', target, data } };
}

function decodeAdd(process: unknown, withId: { id?: string }): Decoded<ClientMessage> {
  if (!isRecord(process)) {
    return fail(
      'INVALID_MESSAGE',
      'The action "add" needs a "process" object, like { "name": "web", "command": "npm run dev" }.',
    );
  }
  return { ok: true, value: { type: 'command', action: 'add', process, ...withId } };
}

function decodeRemove(target: unknown, withId: { id?: string }): Decoded<ClientMessage> {
  if (typeof target !== 'string' || target.length === 0) {
    return fail('INVALID_MESSAGE', 'The action "remove" needs a "target" naming a process.');
  }
  return { ok: true, value: { type: 'command', action: 'remove', target, ...withId } };
}

function isOptionalNumberOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'number';
}

function isOptionalStringOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function isOptionalStringList(value: unknown): boolean {
  return value === undefined || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
}

function isProcessMetrics(value: unknown): value is ProcessMetrics {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    (value.cpu === null || typeof value.cpu === 'number') &&
    (value.memory === null || typeof value.memory === 'number') &&
    typeof value.uptime === 'number' &&
    typeof value.restarts === 'number'
  );
}

function isHistoryChunk(value: unknown): value is HistoryChunk {
  return (
    isRecord(value) &&
    includes(OUTPUT_STREAMS, value.stream) &&
    typeof value.output === 'string' &&
    typeof value.seq === 'number' &&
    typeof value.timestamp === 'number'
  );
}

function isHistoryRun(value: unknown): value is HistoryRun {
  return (
    isRecord(value) &&
    typeof value.run === 'number' &&
    (value.pid === null || typeof value.pid === 'number') &&
    includes(START_REASONS, value.reason) &&
    typeof value.timestamp === 'number' &&
    typeof value.seq === 'number'
  );
}

/** The extensions `status` and `info` share about a process's runs. */
function hasValidRunFacts(value: Record<string, unknown>): boolean {
  return (
    (value.reason === undefined || includes(START_REASONS, value.reason)) &&
    (value.restartAt === undefined || typeof value.restartAt === 'number') &&
    (value.health === undefined || includes(HEALTH_STATES, value.health))
  );
}

function isProcessInfo(value: unknown): value is ProcessInfo {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    includes(PROCESS_STATUSES, value.status) &&
    typeof value.command === 'string' &&
    (value.pid === undefined || typeof value.pid === 'number') &&
    isOptionalNumberOrNull(value.exitCode) &&
    isOptionalStringOrNull(value.signal) &&
    (value.restarts === undefined || typeof value.restarts === 'number') &&
    isOptionalNumberOrNull(value.startedAt) &&
    (value.stopping === undefined || typeof value.stopping === 'boolean') &&
    isOptionalStringList(value.urls) &&
    (value.stdin === undefined || typeof value.stdin === 'boolean') &&
    hasValidRunFacts(value) &&
    isOptionalStringList(value.waitingFor)
  );
}

/** Extension (lifecycle events, issue 15): the fields of an `event` message, each checked where present. */
function isEventMessage(data: Record<string, unknown>): boolean {
  return (
    includes(LIFECYCLE_EVENTS, data.event) &&
    typeof data.message === 'string' &&
    (data.process === undefined || typeof data.process === 'string') &&
    (data.pid === undefined || typeof data.pid === 'number') &&
    (data.run === undefined || typeof data.run === 'number') &&
    (data.reason === undefined || includes(START_REASONS, data.reason)) &&
    (data.readyBy === undefined || includes(READY_PROBES, data.readyBy)) &&
    isOptionalNumberOrNull(data.exitCode) &&
    isOptionalStringOrNull(data.signal) &&
    (data.errorCode === undefined || includes(ERROR_CODES, data.errorCode)) &&
    isOptionalStringList(data.added) &&
    isOptionalStringList(data.removed) &&
    isOptionalStringList(data.changed) &&
    (data.replay === undefined || typeof data.replay === 'boolean')
  );
}

/** Validates a frame from the server, for the viewer and the client library. */
export function decodeServerMessage(text: string): Decoded<ServerMessage> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return fail('INVALID_JSON', 'The server sent a frame that is not valid JSON.');
  }
  return validateServerMessage(data);
}

/**
 * Extension: the query parameter with which a client asks for binary output frames. Without it a client
 * gets exactly the seed's JSON text frames. With it, every `process` message comes as a binary frame: the
 * message without `output` as UTF-8 JSON, one "\n" byte (which JSON text never contains), then `output` as
 * UTF-8 bytes. Every other message stays a JSON text frame. The output then needs neither JSON escaping
 * (every ESC of a coloured log costs six characters in JSON) nor JSON parsing on either side.
 */
export const BINARY_OUTPUT_QUERY = { name: 'output', value: 'binary' } as const;

const FRAME_HEADER_END = 0x0a;
const utf8 = new TextDecoder();

/** Validates a binary output frame from the server (see `BINARY_OUTPUT_QUERY`). */
export function decodeBinaryOutputFrame(frame: Uint8Array): Decoded<ServerMessage> {
  const headerEnd = frame.indexOf(FRAME_HEADER_END);
  if (headerEnd === -1) return fail('INVALID_MESSAGE', 'The server sent a binary frame without a header.');
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(frame.subarray(0, headerEnd)));
  } catch {
    return fail('INVALID_JSON', 'The server sent a binary frame whose header is not valid JSON.');
  }
  if (!isRecord(header) || header.type !== 'process' || 'output' in header) {
    return fail('INVALID_MESSAGE', 'A binary frame from the server must carry a "process" message.');
  }
  header.output = utf8.decode(frame.subarray(headerEnd + 1));
  return validateServerMessage(header);
}

function validateServerMessage(data: unknown): Decoded<ServerMessage> {
  if (!isRecord(data) || typeof data.timestamp !== 'number') {
    return fail('INVALID_MESSAGE', 'The server sent a message without a numeric timestamp.');
  }
  switch (data.type) {
    case 'process':
      if (
        typeof data.name === 'string' &&
        typeof data.output === 'string' &&
        (data.stream === undefined || includes(OUTPUT_STREAMS, data.stream)) &&
        (data.replay === undefined || typeof data.replay === 'boolean') &&
        (data.seq === undefined || typeof data.seq === 'number')
      ) {
        return { ok: true, value: data as unknown as ProcessOutputMessage };
      }
      break;
    case 'status':
      if (
        typeof data.name === 'string' &&
        includes(PROCESS_STATUSES, data.status) &&
        (data.pid === null || typeof data.pid === 'number') &&
        isOptionalNumberOrNull(data.exitCode) &&
        isOptionalStringOrNull(data.signal) &&
        (data.restarts === undefined || typeof data.restarts === 'number') &&
        isOptionalStringList(data.ids) &&
        (data.stopping === undefined || typeof data.stopping === 'boolean') &&
        isOptionalStringList(data.urls) &&
        hasValidRunFacts(data) &&
        isOptionalStringList(data.waitingFor)
      ) {
        return { ok: true, value: data as unknown as StatusMessage };
      }
      break;
    case 'error':
      if (
        typeof data.message === 'string' &&
        (data.process === undefined || typeof data.process === 'string') &&
        (data.code === undefined || typeof data.code === 'string') &&
        isOptionalStringList(data.ids)
      ) {
        return { ok: true, value: data as unknown as ErrorMessage };
      }
      break;
    case 'info':
      if (
        typeof data.version === 'string' &&
        Array.isArray(data.processes) &&
        data.processes.every(isProcessInfo) &&
        (data.limits === undefined ||
          (isRecord(data.limits) && typeof data.limits.viewerLines === 'number')) &&
        (data.replayMessages === undefined || typeof data.replayMessages === 'number') &&
        (data.access === undefined || includes(ACCESS_LEVELS, data.access)) &&
        (data.runtimeProcesses === undefined || typeof data.runtimeProcesses === 'boolean')
      ) {
        return { ok: true, value: data as unknown as InfoMessage };
      }
      break;
    case 'processes':
      if (Array.isArray(data.processes) && data.processes.every(isProcessInfo)) {
        return { ok: true, value: data as unknown as ProcessesMessage };
      }
      break;
    case 'metrics':
      if (Array.isArray(data.processes) && data.processes.every(isProcessMetrics)) {
        return { ok: true, value: data as unknown as MetricsMessage };
      }
      break;
    case 'run':
      if (
        typeof data.name === 'string' &&
        typeof data.run === 'number' &&
        (data.pid === null || typeof data.pid === 'number') &&
        includes(START_REASONS, data.reason) &&
        (data.replay === undefined || typeof data.replay === 'boolean')
      ) {
        return { ok: true, value: data as unknown as RunMessage };
      }
      break;
    case 'event':
      if (isEventMessage(data)) return { ok: true, value: data as unknown as EventMessage };
      break;
    case 'subscription':
      if (
        (data.processes === null ||
          (Array.isArray(data.processes) && isOptionalStringList(data.processes))) &&
        isOptionalStringList(data.exceptProcesses) &&
        (data.types === null ||
          (Array.isArray(data.types) && data.types.every((name) => includes(SUBSCRIBABLE_TYPES, name)))) &&
        typeof data.interval === 'number'
      ) {
        return { ok: true, value: data as unknown as SubscriptionMessage };
      }
      break;
    case 'system':
      if (
        (data.cpu === null || typeof data.cpu === 'number') &&
        typeof data.cores === 'number' &&
        typeof data.memoryUsed === 'number' &&
        typeof data.memoryTotal === 'number' &&
        Array.isArray(data.load) &&
        data.load.length === 3 &&
        data.load.every((value) => typeof value === 'number')
      ) {
        return { ok: true, value: data as unknown as SystemMessage };
      }
      break;
    case 'history':
      if (
        typeof data.process === 'string' &&
        Array.isArray(data.chunks) &&
        data.chunks.every(isHistoryChunk) &&
        Array.isArray(data.runs) &&
        data.runs.every(isHistoryRun) &&
        typeof data.more === 'boolean' &&
        (data.id === undefined || typeof data.id === 'string')
      ) {
        return { ok: true, value: data as unknown as HistoryMessage };
      }
      break;
    default:
      // Newer servers add message types; an older client that treated them as errors would break on every
      // addition, so a typed message it does not know is reported as one it may ignore.
      if (typeof data.type === 'string') {
        return {
          ok: false,
          code: 'UNKNOWN_TYPE',
          message: `The server sent a message of a type this client does not know: ${JSON.stringify(data.type)}.`,
          ignorable: true,
        };
      }
      return fail('INVALID_MESSAGE', 'The server sent a message without a string "type".');
  }
  return fail('INVALID_MESSAGE', `The server sent a malformed "${String(data.type)}" message.`);
}
