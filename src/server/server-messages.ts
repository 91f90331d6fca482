import type { ProcessSnapshot, RunStart } from '../process/events.js';
import {
  BINARY_OUTPUT_QUERY,
  type ErrorCode,
  type ErrorMessage,
  type ProcessInfo,
  type RunMessage,
  type ServerMessage,
  type StatusMessage,
} from '../protocol.js';

export function processInfo(snapshot: ProcessSnapshot): ProcessInfo {
  const info: ProcessInfo = {
    name: snapshot.name,
    status: snapshot.status,
    command: snapshot.command,
    exitCode: snapshot.exitCode,
    signal: snapshot.signal,
    restarts: snapshot.restarts,
    startedAt: snapshot.startedAt,
  };
  if (snapshot.pid !== null) info.pid = snapshot.pid;
  const waitingFor = waitingForOf(snapshot);
  if (waitingFor !== undefined) info.waitingFor = waitingFor;
  if (snapshot.facts.stopping === true) info.stopping = true;
  if (snapshot.facts.urls !== undefined) info.urls = [...snapshot.facts.urls];
  if (snapshot.stdin === true) info.stdin = true;
  addRunFacts(info, snapshot);
  return info;
}

/** The extensions about runs, present only when they say something. */
function addRunFacts(target: ProcessInfo | StatusMessage, snapshot: ProcessSnapshot): void {
  if (snapshot.reason !== null) target.reason = snapshot.reason;
  if (snapshot.facts.restartAt !== undefined) target.restartAt = snapshot.facts.restartAt;
  if (snapshot.facts.health !== undefined) target.health = snapshot.facts.health;
}

export function runMessage(start: RunStart, replay: boolean): RunMessage {
  const message: RunMessage = {
    type: 'run',
    name: start.name,
    run: start.run,
    pid: start.pid,
    reason: start.reason,
    timestamp: start.timestamp,
  };
  if (replay) message.replay = true;
  return message;
}

/** Sent only while there is something to wait for, so a status without it means "waiting for nothing". */
function waitingForOf(snapshot: ProcessSnapshot): string[] | undefined {
  const names = snapshot.facts.waitingFor;
  return names === undefined || names.length === 0 ? undefined : [...names];
}

export function statusMessage(snapshot: ProcessSnapshot, timestamp: number): StatusMessage {
  const message: StatusMessage = {
    type: 'status',
    name: snapshot.name,
    status: snapshot.status,
    pid: snapshot.pid,
    timestamp,
    exitCode: snapshot.exitCode,
    signal: snapshot.signal,
    restarts: snapshot.restarts,
  };
  const waitingFor = waitingForOf(snapshot);
  if (waitingFor !== undefined) message.waitingFor = waitingFor;
  if (snapshot.facts.stopping === true) message.stopping = true;
  if (snapshot.facts.urls !== undefined) message.urls = [...snapshot.facts.urls];
  addRunFacts(message, snapshot);
  return message;
}

export function errorMessage(code: ErrorCode | undefined, message: string, process?: string): ErrorMessage {
  const error: ErrorMessage = { type: 'error', message, timestamp: Date.now() };
  if (code !== undefined) error.code = code;
  if (process !== undefined) error.process = process;
  return error;
}

/** The bytes of one WebSocket frame and whether it is a binary frame (else a text frame). */
export interface Encoded {
  data: Buffer;
  binary: boolean;
}

/**
 * Encodes a message as the seed's JSON text frame. A message is encoded once per encoding in use; the same
 * bytes go to every client of that encoding, so fan-out costs no per-client encoding.
 */
export function encode(message: ServerMessage): Encoded {
  return { data: Buffer.from(JSON.stringify(message), 'utf8'), binary: false };
}

const FRAME_HEADER_END = 0x0a;

/**
 * Encodes a message for a client that asked for binary output frames (see `BINARY_OUTPUT_QUERY` in
 * protocol.ts): output as a binary frame with its text as raw UTF-8, anything else as JSON text.
 */
export function encodeWithBinaryOutput(message: ServerMessage): Encoded {
  if (message.type !== 'process') return encode(message);
  const { output, ...fields } = message;
  const header = JSON.stringify(fields);
  const headerBytes = Buffer.byteLength(header);
  const data = Buffer.allocUnsafe(headerBytes + 1 + Buffer.byteLength(output));
  data.write(header, 0);
  data[headerBytes] = FRAME_HEADER_END;
  data.write(output, headerBytes + 1);
  return { data, binary: true };
}

/** Whether the upgrade request's target (`/ws?…`) asks for binary output frames. */
export function wantsBinaryOutput(target: string): boolean {
  const query = target.indexOf('?');
  if (query === -1) return false;
  return (
    new URLSearchParams(target.slice(query + 1)).get(BINARY_OUTPUT_QUERY.name) === BINARY_OUTPUT_QUERY.value
  );
}
