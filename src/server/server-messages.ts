import type { ProcessSnapshot } from '../process/events.js';
import type { ErrorCode, ErrorMessage, ProcessInfo, ServerMessage, StatusMessage } from '../protocol.js';

export function processInfo(snapshot: ProcessSnapshot): ProcessInfo {
  const info: ProcessInfo = {
    name: snapshot.name,
    status: snapshot.status,
    command: snapshot.command,
    exitCode: snapshot.exitCode,
    signal: snapshot.signal,
    restarts: snapshot.restarts,
  };
  if (snapshot.pid !== null) info.pid = snapshot.pid;
  if (snapshot.facts.stopping === true) info.stopping = true;
  if (snapshot.facts.urls !== undefined) info.urls = [...snapshot.facts.urls];
  if (snapshot.stdin === true) info.stdin = true;
  return info;
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
  if (snapshot.facts.stopping === true) message.stopping = true;
  if (snapshot.facts.urls !== undefined) message.urls = [...snapshot.facts.urls];
  return message;
}

export function errorMessage(code: ErrorCode | undefined, message: string, process?: string): ErrorMessage {
  const error: ErrorMessage = { type: 'error', message, timestamp: Date.now() };
  if (code !== undefined) error.code = code;
  if (process !== undefined) error.process = process;
  return error;
}

/** Encodes a message once; the same bytes go to every client, so fan-out costs no per-client encoding. */
export function encode(message: ServerMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}
