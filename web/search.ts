// Search and filter over the plain text of lines. A user regex that does not compile is a value, shown as
// a message next to the search box, never an exception.

import type { Ring } from './ring.js';

export interface SearchOptions {
  regex: boolean;
  caseSensitive: boolean;
}

export interface Matcher {
  /** True if the text contains a match. */
  test(text: string): boolean;
  /** The [start, end) ranges of every non-empty match, in order. */
  ranges(text: string): Array<[number, number]>;
}

export type CompiledQuery = { ok: true; matcher: Matcher | null } | { ok: false; error: string };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** An empty query compiles to a null matcher: nothing is filtered or highlighted. */
export function compileQuery(source: string, options: SearchOptions): CompiledQuery {
  if (source === '') return { ok: true, matcher: null };
  const pattern = options.regex ? source : escapeRegExp(source);
  const flags = options.caseSensitive ? 'g' : 'gi';
  let global: RegExp;
  let single: RegExp;
  try {
    global = new RegExp(pattern, flags);
    single = new RegExp(pattern, flags.replace('g', ''));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  return {
    ok: true,
    matcher: {
      test: (text) => single.test(text),
      ranges(text) {
        const found: Array<[number, number]> = [];
        global.lastIndex = 0;
        for (let match = global.exec(text); match !== null; match = global.exec(text)) {
          const end = match.index + match[0].length;
          // An empty match (e.g. /x*/) would otherwise repeat forever at the same index.
          if (end === match.index) global.lastIndex++;
          else found.push([match.index, end]);
        }
        return found;
      },
    },
  };
}

/**
 * The positions (in a ring) of the lines that match, kept up to date incrementally: new lines are tested as
 * they arrive, lines dropped from the ring fall off the front, and an open line that changed is re-tested.
 */
export class MatchIndex<T extends { text: string }> {
  #ring: Ring<T> | null = null;
  #matcher: Matcher | null = null;
  #positions: number[] = [];
  #head = 0;
  #compacted = 0;
  #scannedTo = 0;
  /** The ring's first position at the last full scan; older lines put in front later need a rescan. */
  #scannedFrom = 0;

  /**
   * Brings the index up to date with the ring; a different ring or matcher, or older lines put in front of
   * the ring (history), means a full rescan.
   */
  sync(ring: Ring<T>, matcher: Matcher, changed: Iterable<T>): void {
    if (ring !== this.#ring || matcher !== this.#matcher || ring.start < this.#scannedFrom) {
      this.#ring = ring;
      this.#matcher = matcher;
      this.#positions = [];
      this.#head = 0;
      this.#compacted = 0;
      this.#scannedTo = ring.start;
      this.#scannedFrom = ring.start;
    } else {
      this.#recheck(ring, matcher, changed);
    }
    while (this.#head < this.#positions.length && (this.#positions[this.#head] ?? 0) < ring.start)
      this.#head++;
    // Dropping from the front is amortised: the array is compacted once half of it is dead.
    if (this.#head > 1024 && this.#head * 2 > this.#positions.length) {
      this.#positions = this.#positions.slice(this.#head);
      this.#compacted += this.#head;
      this.#head = 0;
    }
    for (let p = Math.max(this.#scannedTo, ring.start); p < ring.end; p++) {
      const item = ring.at(p);
      if (item !== undefined && matcher.test(item.text)) this.#positions.push(p);
    }
    this.#scannedTo = ring.end;
  }

  get count(): number {
    return this.#positions.length - this.#head;
  }

  /** How many matches fell off the front since the last full scan, as lines left the ring. */
  get dropped(): number {
    return this.#compacted + this.#head;
  }

  /** The ring position of the i-th match. */
  position(i: number): number | undefined {
    return this.#positions[this.#head + i];
  }

  /** The index (into the matches) of the first match at or after a ring position. */
  indexAtOrAfter(position: number): number {
    return lowerBound(this.#positions, position, this.#head) - this.#head;
  }

  #recheck(ring: Ring<T>, matcher: Matcher, changed: Iterable<T>): void {
    const wanted = new Set(changed);
    if (wanted.size === 0) return;
    // Changed lines are open lines, which sit near the end of the ring; the scan stops once all are found.
    for (let p = Math.min(this.#scannedTo, ring.end) - 1; p >= ring.start && wanted.size > 0; p--) {
      const item = ring.at(p);
      if (item === undefined || !wanted.delete(item)) continue;
      const at = lowerBound(this.#positions, p, this.#head);
      const present = this.#positions[at] === p;
      const matches = matcher.test(item.text);
      if (present && !matches) this.#positions.splice(at, 1);
      else if (!present && matches) this.#positions.splice(at, 0, p);
    }
  }
}

function lowerBound(sorted: number[], value: number, from: number): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? 0) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
