import type { OutputChunk, RunStart } from '../process/events.js';
import type { RetainedTicket, TotalScrollbackBound } from './total-scrollback.js';

export interface ScrollbackLimits {
  maxLines: number;
  maxBytes: number;
}

interface Entry {
  chunk: OutputChunk;
  lines: number;
  bytes: number;
  /** Its place under the bound over all processes, if there is one. */
  ticket: RetainedTicket | null;
}

/** The lines of a chunk, as the scrollback bounds count them; the history pages and the replay count alike. */
export function countLines(text: string): number {
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
  // A chunk that ends without "\n" (a flushed partial line, or a piece of a cut long line) is counted as a
  // line of its own: an over-count, which only makes the bound stricter.
  return text.endsWith('\n') ? lines : lines + 1;
}

/**
 * The retained output of one process, bounded both by line count and by UTF-8 bytes so that a chatty or
 * hostile process cannot grow the engine's memory without limit, and optionally by a bound shared with the
 * other processes' scrollbacks (see TotalScrollbackBound). The oldest chunks are dropped first.
 * Appending is O(1) amortized: one scan of the new chunk, and each dropped chunk is touched once.
 */
export class Scrollback {
  readonly #limits: ScrollbackLimits;
  readonly #total: TotalScrollbackBound | null;
  /** A queue: entries before `#head` are dropped, and compacted away once they are the majority. */
  #entries: (Entry | undefined)[] = [];
  #head = 0;
  #lines = 0;
  #bytes = 0;
  /** Run starts, oldest first; see `markRun`. */
  #runs: RunStart[] = [];

  constructor(limits: ScrollbackLimits, total: TotalScrollbackBound | null = null) {
    this.#limits = limits;
    this.#total = total;
  }

  append(chunk: OutputChunk): void {
    const entry = this.#fitted(chunk);
    if (entry === null) return;
    this.#entries.push(entry);
    this.#lines += entry.lines;
    this.#bytes += entry.bytes;
    while (this.#lines > this.#limits.maxLines || this.#bytes > this.#limits.maxBytes) {
      if (!this.#removeOldest()) break;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    if (this.#total !== null) entry.ticket = this.#total.add(entry.bytes, this);
  }

  /** Drops the oldest retained chunk; the bound over all processes calls it when the total is too large. */
  dropOldest(): void {
    this.#removeOldest();
  }

  #removeOldest(): boolean {
    const oldest = this.#entries[this.#head];
    if (oldest === undefined) return false;
    this.#entries[this.#head] = undefined;
    this.#head++;
    this.#lines -= oldest.lines;
    this.#bytes -= oldest.bytes;
    // The new entry, whose ticket comes only after the loop in `append`, is never removed by that loop:
    // alone it fits the limits.
    if (oldest.ticket !== null) this.#total?.release(oldest.ticket);
    return true;
  }

  /**
   * Records the start of a run, so a replay can show where one run's output ends and the next begins. Only
   * the starts that still matter are kept: the last one before the oldest retained chunk (the run that
   * output belongs to) and every later one, and no more than `maxLines` of them, since each is shown as a
   * line; otherwise a process restarting forever without output would grow this list without bound.
   */
  markRun(start: RunStart): void {
    this.#runs.push(start);
    const first = Math.max(this.#firstRelevantRun(), this.#runs.length - this.#limits.maxLines);
    if (first > 0) this.#runs = this.#runs.slice(first);
  }

  /** The run starts that belong with the retained chunks (see `markRun`), oldest first. */
  runs(): readonly RunStart[] {
    return this.#runs.slice(this.#firstRelevantRun());
  }

  /** The index of the last run start before the oldest retained chunk (0 when there is none). */
  #firstRelevantRun(): number {
    const oldest = this.#entries[this.#head]?.chunk.seq;
    if (oldest === undefined) return 0;
    let first = 0;
    while ((this.#runs[first + 1]?.seq ?? Number.POSITIVE_INFINITY) < oldest) first++;
    return first;
  }

  /** The retained chunks, oldest first. */
  chunks(): readonly OutputChunk[] {
    const chunks: OutputChunk[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i];
      if (entry !== undefined) chunks.push(entry.chunk);
    }
    return chunks;
  }

  /**
   * Returns the entry to store for `chunk`. A chunk that alone exceeds a bound is cut down to its newest
   * lines that fit, at a line start so the retained text never begins mid-line. Returns null when not
   * even its last line fits.
   */
  #fitted(chunk: OutputChunk): Entry | null {
    const lines = countLines(chunk.text);
    const bytes = Buffer.byteLength(chunk.text);
    if (lines <= this.#limits.maxLines && bytes <= this.#limits.maxBytes)
      return this.#entry(chunk, lines, bytes);
    const text = chunk.text;
    let start = text.length;
    let keptLines = 0;
    let keptBytes = 0;
    while (start > 0) {
      // The line before `start` ends at start - 1 (its "\n", or the end of a partial line), so the search
      // for the newline that precedes it begins one further back.
      const lineStart = start >= 2 ? text.lastIndexOf('\n', start - 2) + 1 : 0;
      const lineBytes = Buffer.byteLength(text.slice(lineStart, start));
      if (keptLines + 1 > this.#limits.maxLines || keptBytes + lineBytes > this.#limits.maxBytes) break;
      keptLines++;
      keptBytes += lineBytes;
      start = lineStart;
    }
    if (keptLines === 0) return null;
    return this.#entry({ ...chunk, text: text.slice(start) }, keptLines, keptBytes);
  }

  #entry(chunk: OutputChunk, lines: number, bytes: number): Entry {
    return { chunk, lines, bytes, ticket: null };
  }
}
