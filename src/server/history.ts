import { countLines } from '../output/scrollback.js';
import type { OutputChunk, ProcessControl, RunStart } from '../process/events.js';
import {
  type ErrorMessage,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_BYTES,
  type HistoryMessage,
  type HistoryRequest,
} from '../protocol.js';
import { errorMessage } from './server-messages.js';

/** A range of one process's retained output: whole chunks, oldest first, and the run starts among them. */
export interface ScrollbackRange {
  chunks: readonly OutputChunk[];
  runs: readonly RunStart[];
  /** Older output is still retained before `chunks`. */
  more: boolean;
}

/**
 * The index of the oldest of the newest chunks before `end` that together hold at most `lines` lines and
 * `bytes` bytes, but at least one chunk when there is one: a page must make progress even when a single
 * chunk is larger than the bound. Chunks are taken whole, as the scrollback keeps them, so every line is cut
 * in one place only (the line splitter) and a `seq` names exactly one chunk.
 */
function oldestFitting(chunks: readonly OutputChunk[], end: number, lines: number, bytes: number): number {
  let start = end;
  let keptLines = 0;
  let keptBytes = 0;
  while (start > 0) {
    const chunk = chunks[start - 1] as OutputChunk;
    const chunkLines = countLines(chunk.text);
    const chunkBytes = Buffer.byteLength(chunk.text);
    if (start < end && (keptLines + chunkLines > lines || keptBytes + chunkBytes > bytes)) break;
    keptLines += chunkLines;
    keptBytes += chunkBytes;
    start--;
  }
  return start;
}

/** The index of the first chunk at or after `seq` (chunks are in `seq` order). */
function firstAtOrAfter(chunks: readonly OutputChunk[], seq: number): number {
  let low = 0;
  let high = chunks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((chunks[middle] as OutputChunk).seq < seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The run starts of the range [from, to) of positions. Ranges of consecutive pages (and the replay) meet
 * at a chunk's `seq`, so each run start lands in exactly one of them, before the chunk it precedes.
 */
function runsBetween(runs: readonly RunStart[], from: number, to: number): RunStart[] {
  return runs.filter((start) => start.seq >= from && start.seq < to);
}

/**
 * One page of history: the newest retained chunks older than `before` (null: the newest of all), within
 * `lines` and `bytes`. A page that reaches the oldest retained chunk also carries every run start before it,
 * so a client that paged back to the beginning has drawn every separator the replay would have.
 */
export function historyPage(
  chunks: readonly OutputChunk[],
  runs: readonly RunStart[],
  before: number | null,
  limits: { lines: number; bytes: number },
): ScrollbackRange {
  const end = before === null ? chunks.length : firstAtOrAfter(chunks, before);
  const start = oldestFitting(chunks, end, limits.lines, limits.bytes);
  const more = start > 0;
  const from = more ? (chunks[start] as OutputChunk).seq : Number.NEGATIVE_INFINITY;
  return {
    chunks: chunks.slice(start, end),
    runs: runsBetween(runs, from, before ?? Number.POSITIVE_INFINITY),
    more,
  };
}

/**
 * What a client that connects is replayed of one process: the newest chunks holding at most `lines` lines
 * (at least the newest chunk), and the run starts from the first of them on. Older output stays retained
 * and comes by `history` request, whose first `before` is the replay's first `seq`.
 */
export function replayTail(
  chunks: readonly OutputChunk[],
  runs: readonly RunStart[],
  lines: number,
): ScrollbackRange {
  const start = oldestFitting(chunks, chunks.length, lines, Number.POSITIVE_INFINITY);
  const more = start > 0;
  const from = more ? (chunks[start] as OutputChunk).seq : Number.NEGATIVE_INFINITY;
  return { chunks: chunks.slice(start), runs: runsBetween(runs, from, Number.POSITIVE_INFINITY), more };
}

/** Answers a `history` request: the page, or UNKNOWN_PROCESS. Always for the requester alone. */
export function answerHistory(
  control: ProcessControl,
  request: HistoryRequest,
): HistoryMessage | ErrorMessage {
  const name = request.target;
  if (!control.has(name)) {
    const error = errorMessage('UNKNOWN_PROCESS', `No process is named ${JSON.stringify(name)}.`, name);
    if (request.id !== undefined) error.ids = [request.id];
    return error;
  }
  const page = historyPage(control.scrollback(name), control.runs(name), request.before ?? null, {
    lines: request.limit ?? HISTORY_DEFAULT_LIMIT,
    bytes: HISTORY_MAX_BYTES,
  });
  const message: HistoryMessage = {
    type: 'history',
    process: name,
    chunks: page.chunks.map((chunk) => ({
      stream: chunk.stream,
      output: chunk.text,
      seq: chunk.seq,
      timestamp: chunk.timestamp,
    })),
    runs: page.runs.map((start) => ({
      run: start.run,
      pid: start.pid,
      reason: start.reason,
      timestamp: start.timestamp,
      seq: start.seq,
    })),
    more: page.more,
    timestamp: Date.now(),
  };
  if (request.id !== undefined) message.id = request.id;
  return message;
}
