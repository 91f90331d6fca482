// The LucidLines WebSocket protocol, defined once for the server, the web viewer and the client library.
// This file must stay free of Node imports: the viewer bundles it for the browser.

export const PROCESS_STATUSES = ['starting', 'running', 'stopped', 'error'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export const OUTPUT_STREAMS = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

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
  /** Extension (access, issue 15): true while a stop is under way and the process has not exited yet. */
  stopping?: boolean;
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
  /** Extension (access, issue 15): what this client may do; absent from servers that predate it (control). */
  access?: Access;
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
  /** Extension (access, issue 15): see `ProcessInfo.stopping`. */
  stopping?: boolean;
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
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorMessage {
  type: 'error';
  message: string;
  process?: string;
  code?: ErrorCode;
  timestamp: number;
}

export type ServerMessage = InfoMessage | ProcessOutputMessage | StatusMessage | ErrorMessage;

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

export type CommandMessage =
  | { type: 'command'; action: TargetedAction; target: string }
  | { type: 'command'; action: GlobalAction };

export type ClientMessage = CommandMessage;

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
  if (data.type !== 'command') {
    return fail('UNKNOWN_TYPE', `Unknown message type ${JSON.stringify(data.type)}; expected "command".`);
  }
  const { action, target } = data;
  if (typeof action !== 'string') return fail('INVALID_MESSAGE', 'The field "action" must be a string.');
  if (includes(GLOBAL_ACTIONS, action)) return { ok: true, value: { type: 'command', action } };
  if (includes(TARGETED_ACTIONS, action)) {
    if (typeof target !== 'string' || target.length === 0) {
      return fail('INVALID_MESSAGE', `The action "${action}" needs a "target" naming a process.`);
    }
    return { ok: true, value: { type: 'command', action, target } };
  }
  const known = [...TARGETED_ACTIONS, ...GLOBAL_ACTIONS].join(', ');
  return fail('UNKNOWN_ACTION', `Unknown action ${JSON.stringify(action)}; expected one of ${known}.`);
}

function isOptionalNumberOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'number';
}

function isOptionalStringOrNull(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
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
    (value.stopping === undefined || typeof value.stopping === 'boolean')
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
  if (!isRecord(data) || typeof data.timestamp !== 'number') {
    return fail('INVALID_MESSAGE', 'The server sent a message without a numeric timestamp.');
  }
  switch (data.type) {
    case 'process':
      if (
        typeof data.name === 'string' &&
        typeof data.output === 'string' &&
        (data.stream === undefined || includes(OUTPUT_STREAMS, data.stream)) &&
        (data.replay === undefined || typeof data.replay === 'boolean')
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
        (data.stopping === undefined || typeof data.stopping === 'boolean')
      ) {
        return { ok: true, value: data as unknown as StatusMessage };
      }
      break;
    case 'error':
      if (
        typeof data.message === 'string' &&
        (data.process === undefined || typeof data.process === 'string') &&
        (data.code === undefined || typeof data.code === 'string')
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
        (data.access === undefined || includes(ACCESS_LEVELS, data.access))
      ) {
        return { ok: true, value: data as unknown as InfoMessage };
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
