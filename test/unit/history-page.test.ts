// The scrollback queries behind `history` pages and the limited replay (src/server/history.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputChunk, RunStart } from '../../src/process/events.js';
import { historyPage, replayTail } from '../../src/server/history.js';

function chunk(seq: number, text: string): OutputChunk {
  return { name: 'web', stream: 'stdout', text, timestamp: seq, seq };
}

function run(seq: number, number: number): RunStart {
  return { name: 'web', run: number, pid: 100 + number, reason: 'manual', timestamp: seq, seq };
}

// Seqs with gaps, as when other processes' chunks took the numbers between.
const CHUNKS = [
  chunk(2, 'a1\na2\n'),
  chunk(5, 'b1\n'),
  chunk(9, 'c1\nc2\nc3\n'),
  chunk(12, 'd1\n'),
  chunk(20, 'partial'),
];
const RUNS = [run(1, 1), run(7, 2), run(15, 3)];
const UNBOUNDED = { lines: 1000, bytes: 1_000_000 };

const texts = (chunks: readonly OutputChunk[]) => chunks.map((c) => c.text);
const seqs = (runs: readonly RunStart[]) => runs.map((r) => r.seq);

describe('historyPage', () => {
  it('returns the newest whole chunks within the line limit, and whether older ones remain', () => {
    const page = historyPage(CHUNKS, RUNS, null, { lines: 5, bytes: 1_000_000 });
    // "partial" counts as a line of its own, as the scrollback bounds count it.
    assert.deepEqual(texts(page.chunks), ['c1\nc2\nc3\n', 'd1\n', 'partial']);
    assert.equal(page.more, true);
    assert.deepEqual(seqs(page.runs), [15], 'the run starts from the first chunk of the page on');
  });

  it('pages back from before, meeting the previous page at a chunk, each run start in exactly one page', () => {
    const first = historyPage(CHUNKS, RUNS, 9, { lines: 1, bytes: 1_000_000 });
    assert.deepEqual(texts(first.chunks), ['b1\n']);
    assert.deepEqual(seqs(first.runs), [7]);
    assert.equal(first.more, true);
    const second = historyPage(CHUNKS, RUNS, 5, { lines: 1, bytes: 1_000_000 });
    assert.deepEqual(texts(second.chunks), ['a1\na2\n'], 'a chunk larger than the limit still makes a page');
    assert.deepEqual(seqs(second.runs), [1], 'the last page carries every earlier run start');
    assert.equal(second.more, false);
    const beyond = historyPage(CHUNKS, RUNS, 2, UNBOUNDED);
    assert.deepEqual([beyond.chunks, seqs(beyond.runs), beyond.more], [[], [1], false]);
  });

  it('treats a before between two chunks as the position of the next one', () => {
    assert.deepEqual(texts(historyPage(CHUNKS, RUNS, 10, { lines: 1, bytes: 1_000_000 }).chunks), [
      'c1\nc2\nc3\n',
    ]);
  });

  it('bounds a page in bytes, but never below one chunk', () => {
    assert.deepEqual(texts(historyPage(CHUNKS, RUNS, 20, { lines: 1000, bytes: 4 }).chunks), ['d1\n']);
    assert.deepEqual(texts(historyPage(CHUNKS, RUNS, 20, { lines: 1000, bytes: 1 }).chunks), ['d1\n']);
    assert.deepEqual(texts(historyPage(CHUNKS, RUNS, 20, { lines: 1000, bytes: 11 }).chunks), ['d1\n']);
    assert.deepEqual(texts(historyPage(CHUNKS, RUNS, 20, { lines: 1000, bytes: 12 }).chunks), [
      'c1\nc2\nc3\n',
      'd1\n',
    ]);
  });

  it('answers an empty scrollback with an empty last page', () => {
    const page = historyPage([], [run(3, 1)], null, UNBOUNDED);
    assert.deepEqual([page.chunks, seqs(page.runs), page.more], [[], [3], false]);
  });
});

describe('replayTail', () => {
  it('keeps the newest chunks within the replay lines, with the run starts from its first chunk on', () => {
    const tail = replayTail(CHUNKS, RUNS, 2);
    assert.deepEqual(texts(tail.chunks), ['d1\n', 'partial']);
    assert.deepEqual(seqs(tail.runs), [15]);
    assert.equal(tail.more, true);
  });

  it('is the whole scrollback with every run start when it fits', () => {
    const tail = replayTail(CHUNKS, RUNS, 1000);
    assert.deepEqual(texts(tail.chunks), texts(CHUNKS));
    assert.deepEqual(seqs(tail.runs), [1, 7, 15]);
    assert.equal(tail.more, false);
  });

  it('meets the first history page exactly', () => {
    const tail = replayTail(CHUNKS, RUNS, 2);
    const page = historyPage(CHUNKS, RUNS, tail.chunks[0]?.seq ?? null, UNBOUNDED);
    assert.deepEqual([...texts(page.chunks), ...texts(tail.chunks)], texts(CHUNKS));
    assert.deepEqual([...seqs(page.runs), ...seqs(tail.runs)], seqs(RUNS));
  });
});
