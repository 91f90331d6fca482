import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InfoMessage, ProcessOutputMessage } from '../../src/protocol.js';
import {
  type Changes,
  clearLines,
  createState,
  emptyChanges,
  markRead,
  update,
  type ViewerState,
} from '../../web/store.js';

function info(names: string[], viewerLines?: number): InfoMessage {
  return {
    type: 'info',
    version: '0.1.0',
    timestamp: 1,
    processes: names.map((name) => ({
      name,
      status: 'running',
      command: `run ${name}`,
      pid: 100,
      restarts: 0,
    })),
    ...(viewerLines === undefined ? {} : { limits: { viewerLines } }),
  };
}

function output(name: string, text: string, replay = false): ProcessOutputMessage {
  return { type: 'process', name, output: text, timestamp: 2, stream: 'stdout', replay };
}

function lines(state: ViewerState, name: string | null): string[] {
  const ring = name === null ? state.all : state.processes.get(name)?.lines;
  assert.ok(ring);
  const texts: string[] = [];
  for (let p = ring.start; p < ring.end; p++) texts.push(ring.at(p)?.text ?? '<missing>');
  return texts;
}

describe('viewer store', () => {
  test('a new info resets every line, so a replay after a reconnect shows nothing twice', () => {
    const state = createState();
    const changes: Changes = emptyChanges();
    update(state, info(['api', 'web']), changes);
    update(state, output('api', 'one\ntwo\n', true), changes);
    update(state, output('web', 'page\n'), changes);
    update(state, output('api', 'three\n'), changes);
    assert.deepEqual(lines(state, null), ['one', 'two', 'page', 'three']);

    update(state, info(['api', 'web']), changes);
    update(state, output('api', 'one\ntwo\nthree\n', true), changes);
    update(state, output('web', 'page\n', true), changes);
    assert.deepEqual(lines(state, 'api'), ['one', 'two', 'three']);
    assert.deepEqual(lines(state, null), ['one', 'two', 'three', 'page']);
    assert.equal(changes.reset, true);
  });

  test('a partial line cut by the reconnect does not glue onto the replayed text', () => {
    const state = createState();
    const changes = emptyChanges();
    update(state, info(['api']), changes);
    update(state, output('api', '\x1b[31mhalf a li'), changes);
    update(state, info(['api']), changes);
    update(state, output('api', 'fresh\n', true), changes);
    assert.deepEqual(lines(state, 'api'), ['fresh']);
    assert.equal(
      state.processes.get('api')?.lines.at(0)?.segments[0]?.style.fg,
      null,
      'no colour carried over',
    );
  });

  test('retains at most info.limits.viewerLines lines per process, dropping the oldest', () => {
    const state = createState();
    const changes = emptyChanges();
    update(state, info(['api'], 3), changes);
    update(state, output('api', 'a\nb\nc\nd\ne\n'), changes);
    assert.deepEqual(lines(state, 'api'), ['c', 'd', 'e']);
    assert.deepEqual(lines(state, null), ['c', 'd', 'e']);
  });

  test('status and error messages update the process; unknown processes are added', () => {
    const state = createState();
    const changes = emptyChanges();
    update(state, info(['api']), changes);
    update(
      state,
      { type: 'status', name: 'api', status: 'error', pid: null, timestamp: 3, exitCode: 1, restarts: 2 },
      changes,
    );
    update(
      state,
      { type: 'error', message: 'exited with code 1', process: 'api', code: 'PROCESS_EXITED', timestamp: 3 },
      changes,
    );
    const api = state.processes.get('api');
    assert.equal(api?.status, 'error');
    assert.equal(api?.pid, null);
    assert.equal(api?.restarts, 2);
    assert.equal(api?.lastError, 'exited with code 1');
    update(state, { type: 'status', name: 'api', status: 'running', pid: 7, timestamp: 4 }, changes);
    assert.equal(api?.lastError, null, 'running again clears the error mark');
    update(state, output('late', 'hello\n'), changes);
    assert.deepEqual([...state.processes.keys()], ['api', 'late']);
  });

  test('live output marks a process unread, replayed output does not', () => {
    const state = createState();
    const changes = emptyChanges();
    update(state, info(['api']), changes);
    update(state, output('api', 'old\n', true), changes);
    assert.equal(state.processes.get('api')?.unread, false);
    update(state, output('api', 'new\n'), changes);
    assert.equal(state.processes.get('api')?.unread, true);
    markRead(state, 'api', changes);
    assert.equal(state.processes.get('api')?.unread, false);
  });

  test('clearing one process removes its lines from the All view too', () => {
    const state = createState();
    const changes = emptyChanges();
    update(state, info(['api', 'web']), changes);
    update(state, output('api', 'a1\n'), changes);
    update(state, output('web', 'w1\n'), changes);
    clearLines(state, 'api', changes);
    assert.deepEqual(lines(state, 'api'), []);
    assert.deepEqual(lines(state, null), ['w1']);
    clearLines(state, null, changes);
    assert.deepEqual(lines(state, null), []);
    assert.deepEqual(lines(state, 'web'), []);
  });
});
