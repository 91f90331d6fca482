import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunMessage, ServerMessage } from '../../src/protocol.js';
import { runSeparator } from '../../src/run-separator.js';
import { createState, emptyChanges, update, type ViewerState } from '../../web/store.js';

function apply(state: ViewerState, ...messages: ServerMessage[]): void {
  for (const message of messages) update(state, message, emptyChanges());
}

function run(number: number): RunMessage {
  return { type: 'run', name: 'api', run: number, pid: 4000 + number, reason: 'auto-restart', timestamp: 5 };
}

function rows(state: ViewerState, name: string | null) {
  const ring = name === null ? state.all : state.processes.get(name)?.lines;
  assert.ok(ring);
  const found: { text: string; run: number | undefined }[] = [];
  for (let p = ring.start; p < ring.end; p++) {
    const line = ring.at(p);
    if (line !== undefined) found.push({ text: line.text, run: line.run });
  }
  return found;
}

describe('the viewer store and runs', () => {
  test('a new run draws a separator row between the runs, in the process and in "All"', () => {
    const state = createState();
    apply(
      state,
      { type: 'info', version: '1', processes: [], timestamp: 1 },
      run(1),
      { type: 'process', name: 'api', output: 'first run\npartial', timestamp: 2 },
      run(2),
      { type: 'process', name: 'api', output: 'second run\n', timestamp: 6 },
    );
    const separator = runSeparator(5, 'auto-restart', 4002, 2);
    const expected = [
      { text: 'first run', run: undefined },
      { text: 'partial', run: undefined },
      { text: separator, run: 2 },
      { text: 'second run', run: undefined },
    ];
    assert.deepEqual(rows(state, 'api'), expected);
    assert.deepEqual(rows(state, null), expected);
  });

  test('a status carries restartAt while a restart is scheduled, and its absence clears it', () => {
    const state = createState();
    const status = { type: 'status', name: 'api', pid: null, timestamp: 3, restarts: 1 } as const;
    apply(state, { ...status, status: 'error', exitCode: 1, reason: 'auto-restart', restartAt: 9000 });
    assert.equal(state.processes.get('api')?.restartAt, 9000);
    assert.equal(state.processes.get('api')?.reason, 'auto-restart');
    apply(state, { ...status, status: 'starting', pid: 77 });
    assert.equal(state.processes.get('api')?.restartAt, null);
  });
});
