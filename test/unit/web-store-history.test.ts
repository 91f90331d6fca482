// History (issue 15) in the viewer's store: pages of older output go in front of a process's lines.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HistoryMessage, ServerMessage } from '../../src/protocol.js';
import { runSeparator } from '../../src/run-separator.js';
import { Ring } from '../../web/ring.js';
import {
  beginLoadingOlder,
  clearLines,
  createState,
  emptyChanges,
  olderLinesFailed,
  type ProcessState,
  update,
  type ViewerState,
} from '../../web/store.js';

function apply(state: ViewerState, ...messages: ServerMessage[]): void {
  for (const message of messages) update(state, message, emptyChanges());
}

function texts(ring: Ring<{ text: string }>): string[] {
  const found: string[] = [];
  for (let p = ring.start; p < ring.end; p++) found.push(ring.at(p)?.text ?? '?');
  return found;
}

function page(fields: Partial<HistoryMessage>): HistoryMessage {
  return { type: 'history', process: 'api', chunks: [], runs: [], more: false, timestamp: 9, ...fields };
}

/** A store whose `api` process shows "new 1" and "new 2", replayed at seq 50. */
function replayed(viewerLines = 100): { state: ViewerState; api: ProcessState } {
  const state = createState();
  apply(
    state,
    {
      type: 'info',
      version: '1',
      processes: [{ name: 'api', status: 'running', command: 'x' }],
      timestamp: 1,
      limits: { viewerLines },
    },
    { type: 'process', name: 'api', output: 'new 1\nnew 2\n', timestamp: 2, replay: true, seq: 50 },
    { type: 'process', name: 'api', output: 'new 3\n', timestamp: 3, replay: true, seq: 60 },
  );
  const api = state.processes.get('api');
  assert.ok(api);
  return { state, api };
}

describe('Ring.prepend', () => {
  test('puts items before the first at lower (even negative) positions, until the ring is full', () => {
    const ring = new Ring<string>(4);
    ring.push('c');
    ring.push('d');
    assert.equal(ring.prepend('b'), true);
    assert.equal(ring.prepend('a'), true);
    assert.equal(ring.prepend('z'), false);
    assert.deepEqual([ring.start, ring.end], [-2, 2]);
    assert.deepEqual([ring.at(-2), ring.at(-1), ring.at(0), ring.at(1)], ['a', 'b', 'c', 'd']);
    ring.push('e');
    assert.deepEqual([ring.at(-2), ring.at(-1), ring.at(2)], [undefined, 'b', 'e']);
  });
});

describe('the viewer store and history', () => {
  test('asks for the page before the oldest output shown, once, and puts it in front with its separators', () => {
    const { state, api } = replayed();
    assert.equal(beginLoadingOlder(api), 50);
    assert.equal(beginLoadingOlder(api), null, 'one request at a time');
    assert.equal(api.older.state, 'loading');
    apply(
      state,
      page({
        chunks: [
          { stream: 'stdout', output: 'old 1\nold ', seq: 10, timestamp: 1 },
          { stream: 'stdout', output: '2\n', seq: 12, timestamp: 1 },
          { stream: 'stderr', output: 'run two\n', seq: 30, timestamp: 1 },
        ],
        runs: [{ run: 2, pid: 7, reason: 'watch', timestamp: 5, seq: 20 }],
        more: true,
      }),
    );
    assert.deepEqual(texts(api.lines), [
      'old 1',
      'old 2',
      runSeparator(5, 'watch', 7, 2),
      'run two',
      'new 1',
      'new 2',
      'new 3',
    ]);
    assert.deepEqual(api.older, { state: 'more', before: 10 });
    assert.deepEqual(texts(state.all), ['new 1', 'new 2', 'new 3'], 'the All view keeps arrival order');
    assert.equal(beginLoadingOlder(api), 10);
    apply(state, page({ chunks: [{ stream: 'stdout', output: 'oldest\n', seq: 3, timestamp: 1 }] }));
    assert.equal(texts(api.lines)[0], 'oldest');
    assert.deepEqual(api.older, { state: 'complete', before: 3 });
    assert.equal(beginLoadingOlder(api), null);
  });

  test('stops at the viewer line limit, drops pages nobody waits for, and does not undo a clear', () => {
    const { state, api } = replayed(4);
    apply(
      state,
      page({ chunks: [{ stream: 'stdout', output: 'a\nb\n', seq: 1, timestamp: 1 }], more: true }),
    );
    assert.deepEqual(texts(api.lines), ['new 1', 'new 2', 'new 3'], 'a page that was not asked for');
    beginLoadingOlder(api);
    apply(
      state,
      page({ chunks: [{ stream: 'stdout', output: 'a\nb\n', seq: 1, timestamp: 1 }], more: true }),
    );
    assert.deepEqual(texts(api.lines), ['b', 'new 1', 'new 2', 'new 3']);
    assert.equal(api.older.state, 'full');

    const cleared = replayed();
    clearLines(cleared.state, 'api', emptyChanges());
    assert.equal(beginLoadingOlder(cleared.api), null);
    apply(cleared.state, { type: 'process', name: 'api', output: 'later\n', timestamp: 4, seq: 70 });
    assert.equal(beginLoadingOlder(cleared.api), null);

    const failed = replayed();
    beginLoadingOlder(failed.api);
    olderLinesFailed(failed.state, 'api', emptyChanges());
    assert.equal(failed.api.older.state, 'failed');
  });

  test('does not ask a server that puts no seq on its output', () => {
    const state = createState();
    apply(
      state,
      {
        type: 'info',
        version: '1',
        processes: [{ name: 'api', status: 'running', command: 'x' }],
        timestamp: 1,
      },
      { type: 'process', name: 'api', output: 'x\n', timestamp: 2, replay: true },
    );
    const api = state.processes.get('api');
    assert.ok(api);
    assert.equal(beginLoadingOlder(api), null);
    assert.equal(api.older.state, 'unsupported');
  });
});
