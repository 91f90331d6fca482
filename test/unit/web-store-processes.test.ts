// The viewer's store applying a `processes` message (a config reload): output of the processes still listed
// survives, new ones appear, removed ones leave the list.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProcessesMessage, ProcessInfo } from '../../src/protocol.js';
import { createState, emptyChanges, update } from '../../web/store.js';

const entry = (name: string, extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  name,
  status: 'running',
  command: `run ${name}`,
  pid: 100,
  restarts: 0,
  ...extra,
});

const list = (processes: ProcessInfo[]): ProcessesMessage => ({ type: 'processes', processes, timestamp: 3 });

describe('viewer store: processes', () => {
  test('keeps the lines of processes still listed, adds new ones and drops removed ones, in the new order', () => {
    const state = createState();
    const changes = emptyChanges();
    update(
      state,
      { type: 'info', version: '1', timestamp: 1, processes: [entry('api'), entry('web'), entry('old')] },
      changes,
    );
    update(state, { type: 'process', name: 'api', output: 'api line\n', timestamp: 2 }, changes);
    update(state, { type: 'process', name: 'old', output: 'old line\n', timestamp: 2 }, changes);
    const api = state.processes.get('api');

    const after = emptyChanges();
    update(
      state,
      list([entry('new'), entry('api', { restarts: 2 }), entry('web', { command: 'run web v2', pid: 7 })]),
      after,
    );
    assert.deepEqual([...state.processes.keys()], ['new', 'api', 'web']);
    assert.equal(state.processes.get('api'), api, 'the same state object, lines and marks included');
    assert.equal(state.processes.get('api')?.lines.length, 1);
    assert.equal(state.processes.get('api')?.restarts, 2);
    assert.equal(state.processes.get('web')?.command, 'run web v2');
    assert.equal(state.processes.get('web')?.pid, 7);
    assert.equal(state.processes.get('new')?.lines.length, 0);
    assert.equal(state.all.length, 2, 'the All view keeps every line, the removed process included');
    assert.equal(after.sidebar, true);
    assert.equal(after.reset, false, 'nothing is rebuilt: no line is dropped');
  });
});
