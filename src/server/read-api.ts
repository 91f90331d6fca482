// The read API: `GET /api/processes`, `GET /api/processes/<name>/logs` and `GET /api/events`, for scripts, `curl` and agents that
// want a snapshot without speaking the WebSocket protocol. It is read-only on purpose: commands stay on the
// WebSocket, where the rate limits and the Origin check apply.
//
// The Host check has already run (http.ts runs it on every request). The token is required here as on the page,
// from `?token=` or `Authorization: Bearer`. No CORS header is ever sent, so a page of another origin cannot read
// an answer even when no token is in force, and `Cross-Origin-Resource-Policy: same-origin` (set for every
// response) stops it from embedding one. Nothing a request carries is echoed back except a process name, so the
// token can never appear in an answer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlainTextStripper } from '../output/plain-text.js';
import type { OutputChunk, ProcessControl, ProcessSnapshot } from '../process/events.js';
import type { EventMessage, OutputStream } from '../protocol.js';
import { checkToken, type GuardConfig, tokenFromRequestTarget } from './request-guard.js';

export const API_PREFIX = '/api/';

/** The most lines one answer may ask for; the scrollback holds fewer than this by default anyway. */
export const MAX_LOG_LINES = 1_000_000;

const LOG_FORMATS = ['text', 'ansi', 'html'] as const;
type LogFormat = (typeof LOG_FORMATS)[number];

type ApiErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNKNOWN_PROCESS' | 'BAD_PARAMETER';

/** One process in the answer of `GET /api/processes`. */
export interface ApiProcess {
  name: string;
  status: ProcessSnapshot['status'];
  command: string;
  pid: number | null;
  exitCode: number | null;
  signal: string | null;
  restarts: number;
  /** Unix ms of the last start; null if never started. */
  startedAt: number | null;
  /** Milliseconds since the last start while the process has a pid; null otherwise. */
  uptimeMs: number | null;
}

// The page's policy forbids inline styles, which ansi-to-html colours with; the exported page needs them and
// nothing else, so its answer carries a policy of its own that still forbids every script and every load.
const HTML_EXPORT_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function sendJson(response: ServerResponse, status: number, body: unknown, head: boolean): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(head ? undefined : text);
}

function sendError(
  response: ServerResponse,
  status: number,
  code: ApiErrorCode,
  message: string,
  head: boolean,
): void {
  sendJson(response, status, { error: { code, message } }, head);
}

/** `Authorization: Bearer <token>` wins over `?token=`, so a script can keep the token out of URLs and logs. */
function providedToken(request: IncomingMessage, target: string): string | null {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return match?.[1] ?? '';
  }
  return tokenFromRequestTarget(target);
}

export function apiProcess(snapshot: ProcessSnapshot, now: number): ApiProcess {
  return {
    name: snapshot.name,
    status: snapshot.status,
    command: snapshot.command,
    pid: snapshot.pid,
    exitCode: snapshot.exitCode,
    signal: snapshot.signal,
    restarts: snapshot.restarts,
    startedAt: snapshot.startedAt,
    uptimeMs:
      snapshot.pid !== null && snapshot.startedAt !== null ? Math.max(0, now - snapshot.startedAt) : null,
  };
}

interface LogPiece {
  text: string;
  stream: OutputStream;
}

/**
 * The last `count` lines of the chunks (a final line without "\n" counts as one), cut at a line start. Escape
 * state from before the cut is not carried over: the first line shows in the default style, as in a replay.
 */
export function lastLines(chunks: readonly OutputChunk[], count: number): LogPiece[] {
  const last = chunks[chunks.length - 1];
  let newlinesToSkip = count + (last?.text.endsWith('\n') ? 1 : 0);
  for (let index = chunks.length - 1; index >= 0; index--) {
    const chunk = chunks[index] as OutputChunk;
    let at = chunk.text.length;
    while (at > 0) {
      at = chunk.text.lastIndexOf('\n', at - 1);
      if (at === -1) break;
      newlinesToSkip--;
      if (newlinesToSkip === 0) {
        const first = { text: chunk.text.slice(at + 1), stream: chunk.stream };
        const rest = chunks.slice(index + 1).map(({ text, stream }) => ({ text, stream }));
        return first.text === '' ? rest : [first, ...rest];
      }
    }
  }
  return chunks.map(({ text, stream }) => ({ text, stream }));
}

function plainText(pieces: readonly LogPiece[]): string {
  const strippers = new Map<OutputStream, PlainTextStripper>();
  return pieces
    .map((piece) => {
      let stripper = strippers.get(piece.stream);
      if (stripper === undefined) {
        stripper = new PlainTextStripper();
        strippers.set(piece.stream, stripper);
      }
      return stripper.strip(piece.text);
    })
    .join('');
}

type LogQuery = { ok: true; lines: number | null; format: LogFormat } | { ok: false; message: string };

function parseLogQuery(target: string): LogQuery {
  const query = target.indexOf('?');
  const params = new URLSearchParams(query === -1 ? '' : target.slice(query + 1));
  for (const key of new Set(params.keys())) {
    if (key !== 'lines' && key !== 'format' && key !== 'token') {
      return { ok: false, message: `Unknown parameter ${JSON.stringify(key)}: use "lines" and "format".` };
    }
    if (params.getAll(key).length > 1) return { ok: false, message: `"${key}" is given more than once.` };
  }
  const linesText = params.get('lines');
  let lines: number | null = null;
  if (linesText !== null) {
    lines = /^[0-9]{1,7}$/.test(linesText) ? Number(linesText) : Number.NaN;
    if (!(lines >= 1 && lines <= MAX_LOG_LINES)) {
      return { ok: false, message: `"lines" must be a whole number from 1 to ${MAX_LOG_LINES}.` };
    }
  }
  const format = params.get('format') ?? 'text';
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    return { ok: false, message: `"format" must be one of ${LOG_FORMATS.join(', ')}.` };
  }
  return { ok: true, lines, format: format as LogFormat };
}

/** A path segment decoded, or null when it is not valid percent-encoding. */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export type ReadApiHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  target: string,
  path: string,
) => void;

/** Answers every request whose path starts with `API_PREFIX`; the caller has checked Host and method. */
export function createReadApi(
  control: ProcessControl,
  guard: GuardConfig,
  /** The lifecycle log, oldest first (the hub's; see src/lifecycle-log.ts). */
  events: () => readonly EventMessage[],
  now: () => number = Date.now,
): ReadApiHandler {
  return (request, response, target, path) => {
    const head = request.method === 'HEAD';
    const token = checkToken(providedToken(request, target), guard);
    if (!token.ok) {
      sendError(
        response,
        token.status,
        token.status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN',
        token.reason,
        head,
      );
      return;
    }
    if (path === '/api/processes') {
      const time = now();
      const processes = control.list().map((snapshot) => apiProcess(snapshot, time));
      sendJson(response, 200, { processes }, head);
      return;
    }
    if (path === '/api/events') {
      // Replay markers belong to the WebSocket, where they tell a replayed entry from a live one.
      sendJson(response, 200, { events: events().map(({ replay, ...entry }) => entry) }, head);
      return;
    }
    const segments = path.split('/');
    // ['', 'api', 'processes', '<name>', 'logs']
    if (segments.length !== 5 || segments[2] !== 'processes' || segments[4] !== 'logs') {
      sendError(
        response,
        404,
        'NOT_FOUND',
        'No such API path: use /api/processes, /api/processes/<name>/logs or /api/events.',
        head,
      );
      return;
    }
    const name = decodeSegment(segments[3] ?? '');
    if (name === null) {
      sendError(response, 400, 'BAD_PARAMETER', 'The process name is not valid percent-encoding.', head);
      return;
    }
    if (!control.has(name)) {
      sendError(response, 404, 'UNKNOWN_PROCESS', `No process is named ${JSON.stringify(name)}.`, head);
      return;
    }
    const query = parseLogQuery(target);
    if (!query.ok) {
      sendError(response, 400, 'BAD_PARAMETER', query.message, head);
      return;
    }
    const chunks = control.scrollback(name);
    const pieces =
      query.lines === null
        ? chunks.map(({ text, stream }) => ({ text, stream }))
        : lastLines(chunks, query.lines);
    const send = (body: string, headers: Record<string, string>) => {
      response.writeHead(200, {
        'Cache-Control': 'no-store',
        ...headers,
        'Content-Length': Buffer.byteLength(body),
      });
      response.end(head ? undefined : body);
    };
    if (query.format !== 'html') {
      const body = query.format === 'text' ? plainText(pieces) : pieces.map((piece) => piece.text).join('');
      send(body, { 'Content-Type': 'text/plain; charset=utf-8' });
      return;
    }
    // The renderer (ansi-to-html and its entity tables) is loaded by the first export, not by every launch of
    // lucidlines, whose start-up it lengthened by about 20 ms. The lines are taken above, at the request.
    // A rejection left unhandled would end lucidlines and every process with it; a renderer that cannot load
    // (a damaged install) or that throws costs only this answer, whose connection is dropped.
    import('../output/html-export.js')
      .then(({ renderLogHtml }) =>
        send(renderLogHtml({ name, chunks: pieces }), {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': HTML_EXPORT_POLICY,
        }),
      )
      .catch(() => response.destroy());
  };
}
