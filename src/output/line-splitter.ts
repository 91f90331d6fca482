import { lastIndexOfChar } from './last-index-of.js';

/** The timer functions the splitter and the process engine use, injectable so tests can drive time by hand. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LineSplitterOptions {
  /** A line whose UTF-8 encoding is longer than this is handed on in several pieces. */
  maxLineBytes: number;
  /** A trailing partial line is handed out after this much quiet, so prompts show up. */
  partialLineFlushMs: number;
  timers: Timers;
  /**
   * Receives the next piece of the stream: complete lines, possibly followed by the start of a line that
   * continues in the next piece. Never called with an empty string.
   */
  onText: (text: string) => void;
}

const ESC = 0x1b;
const BEL = 0x07;
const BACKSLASH = 0x5c;

function inRange(code: number, low: number, high: number): boolean {
  return code >= low && code <= high;
}

/** Introducers (`]`, `P`, `X`, `^`, `_`) of the escape sequences that carry a string up to a terminator. */
function isStringIntroducer(code: number): boolean {
  return code === 0x5d || code === 0x50 || code === 0x58 || code === 0x5e || code === 0x5f;
}

/**
 * Returns the index just past the escape sequence whose ESC is at `start`, or -1 when the sequence does not
 * end before `limit` (it may still be completed by text that has not arrived yet).
 */
function escapeSequenceEnd(text: string, start: number, limit: number): number {
  let i = start + 1;
  if (i >= limit) return -1;
  const introducer = text.charCodeAt(i);
  i++;
  if (introducer === 0x5b) {
    while (i < limit && inRange(text.charCodeAt(i), 0x30, 0x3f)) i++;
    while (i < limit && inRange(text.charCodeAt(i), 0x20, 0x2f)) i++;
    if (i >= limit) return -1;
    // A character that is not a final byte aborts the sequence without belonging to it.
    return inRange(text.charCodeAt(i), 0x40, 0x7e) ? i + 1 : i;
  }
  if (isStringIntroducer(introducer)) {
    for (; i < limit; i++) {
      const code = text.charCodeAt(i);
      if (code === BEL) return i + 1;
      if (code === ESC) {
        if (i + 1 >= limit) return -1;
        // ESC \ is the string terminator; any other ESC cancels the string and starts a new sequence.
        return text.charCodeAt(i + 1) === BACKSLASH ? i + 2 : i;
      }
    }
    return -1;
  }
  i = start + 1;
  while (i < limit && inRange(text.charCodeAt(i), 0x20, 0x2f)) i++;
  return i < limit ? i + 1 : -1;
}

/**
 * Returns the end of the longest prefix of `text[start, end)` whose UTF-8 encoding fits in `maxBytes`,
 * moved back so that it splits neither a surrogate pair nor an escape sequence. Returns `end` when all of
 * it fits.
 *
 * A flood of long lines without newlines comes here for every byte, so the common case is kept native: when
 * the candidate piece is ASCII, its byte length is its length, and only its escape sequences need a look.
 * Other text is walked character by character. The ASCII test compares the UTF-8 length with the length
 * (any other character takes more than one byte per UTF-16 unit); it is several times faster than a regular
 * expression looking for a character above U+007F.
 */
function fittingEnd(text: string, start: number, end: number, maxBytes: number): number {
  const candidate = Math.min(end, start + maxBytes);
  if (Buffer.byteLength(text.slice(start, candidate)) === candidate - start) {
    if (candidate === end) return end;
    return cutOutsideEscapeSequence(text, start, candidate, end);
  }
  return walkToFittingEnd(text, start, end, maxBytes);
}

/**
 * Moves an ASCII cut back to the start of the escape sequence it would split, unless that sequence starts
 * the piece. Only the last escape before the cut can be split by it, so the text is searched backwards
 * natively and never walked; the one ambiguous case, a cut between the ESC and the backslash of a string
 * terminator, is settled by a forward pass over the piece's escapes.
 */
function cutOutsideEscapeSequence(text: string, start: number, cut: number, end: number): number {
  const last = lastIndexOfChar(text, '\x1b', cut - 1, start);
  if (last === -1) return cut;
  if (last + 1 === cut && text.charCodeAt(cut) === BACKSLASH) return cutBySequenceWalk(text, start, cut, end);
  const sequenceEnd = escapeSequenceEnd(text, last, end);
  if (sequenceEnd !== -1 && sequenceEnd <= cut) return cut;
  return last > start ? last : cut;
}

function cutBySequenceWalk(text: string, start: number, cut: number, end: number): number {
  let sequenceStart = text.indexOf('\x1b', start);
  while (sequenceStart !== -1 && sequenceStart < cut) {
    const sequenceEnd = escapeSequenceEnd(text, sequenceStart, end);
    if (sequenceEnd === -1 || sequenceEnd > cut) return sequenceStart > start ? sequenceStart : cut;
    sequenceStart = text.indexOf('\x1b', sequenceEnd);
  }
  return cut;
}

function walkToFittingEnd(text: string, start: number, end: number, maxBytes: number): number {
  let bytes = 0;
  let sequenceStart = -1;
  let sequenceEnd = start;
  let i = start;
  while (i < end) {
    const code = text.charCodeAt(i);
    let units = 1;
    let size = 3;
    if (code < 0x80) {
      size = 1;
      if (code === ESC && i >= sequenceEnd) {
        sequenceStart = i;
        const found = escapeSequenceEnd(text, i, end);
        sequenceEnd = found === -1 ? Number.POSITIVE_INFINITY : found;
      }
    } else if (code < 0x800) {
      size = 2;
    } else if (
      inRange(code, 0xd800, 0xdbff) &&
      i + 1 < end &&
      inRange(text.charCodeAt(i + 1), 0xdc00, 0xdfff)
    ) {
      size = 4;
      units = 2;
    }
    if (bytes + size > maxBytes) break;
    bytes += size;
    i += units;
  }
  if (i >= end) return end;
  const insideSequence = sequenceStart !== -1 && i < sequenceEnd;
  if (insideSequence && sequenceStart > start) return sequenceStart;
  // Either no escape sequence is in the way, or one sequence alone is longer than the cap (hostile or
  // broken output): then the cap wins, because keeping the line bounded matters more than that sequence.
  return i > start ? i : start + 1;
}

/**
 * Where the part of `text[from, length)` begins that the next chunk may still complete: an escape sequence
 * that has not ended, a final "\r" (a CRLF must not be cut), or a final high surrogate. Returns the length
 * when nothing is incomplete.
 */
function incompleteTailStart(text: string, from: number): number {
  let end = text.length;
  // An unfinished sequence may hold another ESC (the first half of an OSC's ESC \ terminator), so the look
  // goes on backwards until the last sequence before the cut is a finished one.
  for (;;) {
    const sequenceStart = lastIndexOfChar(text, '\x1b', end - 1, from);
    if (sequenceStart === -1 || escapeSequenceEnd(text, sequenceStart, end) !== -1) break;
    end = sequenceStart;
  }
  const last = text.charCodeAt(end - 1);
  if (end > from && (last === 0x0d || inRange(last, 0xd800, 0xdbff))) end--;
  return end;
}

/**
 * Turns a stream of decoded text into pieces for the rest of the pipeline, and never adds, drops or changes
 * a character: the pieces joined are exactly the text pushed. A piece holds complete lines, except that it
 * ends without "\n" where an over-long line was cut (its continuation is the next piece) or where a partial
 * line was flushed after a quiet time. No run of text between two line ends inside one piece is longer than
 * the byte cap, so every later stage can count on bounded lines without anyone inventing line breaks.
 *
 * The work is per chunk: in the common case one search backwards finds where the complete lines end, and a few
 * strided probes prove that no line in the chunk is longer than the cap, so the chunk is handed on as one
 * string. Carriage returns are kept as they are (the viewer renders the overwrite).
 */
export class LineSplitter {
  readonly #options: LineSplitterOptions;
  /** A line of at most this many UTF-16 units cannot exceed the byte cap (one unit encodes to at most 3 bytes). */
  readonly #safeUnits: number;
  #pending = '';
  #flushTimer: unknown = null;
  #held = false;

  constructor(options: LineSplitterOptions) {
    this.#options = options;
    this.#safeUnits = Math.floor(options.maxLineBytes / 3);
  }

  push(text: string): void {
    if (text.length === 0) return;
    const lastNewline = lastIndexOfChar(text, '\n');
    if (lastNewline === -1) {
      this.#pending += text;
    } else {
      const complete = this.#pending + text.slice(0, lastNewline + 1);
      this.#pending = text.slice(lastNewline + 1);
      if (complete.length > this.#safeUnits) this.#emitCompleteLinesCut(complete);
      else this.#options.onText(complete);
    }
    if (this.#pending.length > this.#safeUnits) this.#emitPendingPieces();
    this.#armFlushTimer();
  }

  /**
   * While held, a partial line waits for its end however long that takes: the quiet is then the reader's
   * (lucidlines has paused reading the pipe), not the writer's, and a flush would cut the line in two.
   */
  hold(held: boolean): void {
    this.#held = held;
    this.#armFlushTimer();
  }

  /** Hands out the remaining partial line; call when the stream has ended. */
  end(): void {
    this.#cancelFlushTimer();
    this.#flushPending();
  }

  #flushPending(): void {
    const pending = this.#pending;
    this.#pending = '';
    if (pending.length > 0) this.#options.onText(pending);
  }

  #armFlushTimer(): void {
    this.#cancelFlushTimer();
    if (this.#pending.length === 0 || this.#held) return;
    this.#flushTimer = this.#options.timers.setTimeout(() => {
      this.#flushTimer = null;
      this.#flushPending();
    }, this.#options.partialLineFlushMs);
  }

  #cancelFlushTimer(): void {
    if (this.#flushTimer === null) return;
    this.#options.timers.clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
  }

  /**
   * `text` ends with "\n". Hands it on in pieces, ending a piece wherever an over-long line has to be cut,
   * so that each piece's lines fit the cap. Short lines around a long one travel in the neighbouring pieces.
   */
  #emitCompleteLinesCut(text: string): void {
    let emittedUpTo = 0;
    let lineStart = 0;
    while (lineStart < text.length) {
      // If a newline lies within `safeUnits` of the line start, the line is short enough: skip past the
      // last such newline. Each probe advances by up to `safeUnits`, so a chunk needs only a few probes.
      const probe = lineStart + this.#safeUnits;
      if (probe >= text.length - 1) break;
      const newline = lastIndexOfChar(text, '\n', probe, lineStart);
      if (newline !== -1) {
        lineStart = newline + 1;
        continue;
      }
      const lineEnd = text.indexOf('\n', probe);
      // A cut between "\r" and "\n" would leave a piece ending in a bare "\r", which a terminal shows as a
      // redraw, so the line's "\r\n" always stays with its last piece.
      const contentEnd = text.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
      let pieceStart = lineStart;
      for (;;) {
        const cut = fittingEnd(text, pieceStart, contentEnd, this.#options.maxLineBytes);
        if (cut === contentEnd) break;
        this.#options.onText(text.slice(emittedUpTo, cut));
        emittedUpTo = cut;
        pieceStart = cut;
      }
      lineStart = lineEnd + 1;
    }
    this.#options.onText(emittedUpTo === 0 ? text : text.slice(emittedUpTo));
  }

  /**
   * Hands on an over-long partial line in pieces that fit. Its tail goes too: the line is cut anyway, so
   * holding the tail back gains nothing, and it would cost a concatenation with the next chunk of every
   * writer of long output without newlines (one chunk then travels as one piece, untouched). Only what the
   * next chunk may complete stays pending: an unfinished escape sequence, a "\r" whose "\n" may follow, or
   * the first half of a surrogate pair.
   */
  #emitPendingPieces(): void {
    const pending = this.#pending;
    let start = 0;
    for (;;) {
      const cut = fittingEnd(pending, start, pending.length, this.#options.maxLineBytes);
      if (cut === pending.length) break;
      this.#options.onText(pending.slice(start, cut));
      start = cut;
    }
    const kept = incompleteTailStart(pending, start);
    if (kept > start) this.#options.onText(pending.slice(start, kept));
    this.#pending = pending.slice(kept);
  }
}
