// The viewer's copy of the lifecycle log: replayed after each greeting, then live, bounded like the server's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventMessage, InfoMessage } from '../../src/protocol.js';
import { createState, emptyChanges, update } from '../../web/store.js';

const info: InfoMessage = { type: 'info', version: '1', processes: [], timestamp: 0 };

function started(pid: number, replay = false): EventMessage {
  return {
    type: 'event',
    event: 'started',
    process: 'web',
    message: `started (pid ${pid})`,
    timestamp: pid,
    pid,
    ...(replay ? { replay: true } : {}),
  };
}

test('keeps the events in arrival order and reports that they changed', () => {
  const state = createState();
  update(state, info, emptyChanges());
  const changes = emptyChanges();
  update(state, started(1, true), changes);
  update(state, started(2), changes);
  assert.equal(changes.events, true);
  assert.deepEqual(
    state.events.map((event) => event.pid),
    [1, 2],
  );
});

test('a new greeting drops what was shown, since the replay that follows sends it again', () => {
  const state = createState();
  update(state, started(1), emptyChanges());
  const changes = emptyChanges();
  update(state, info, changes);
  assert.deepEqual(state.events, []);
  assert.equal(changes.events, true);
});

test('keeps the last 500, dropping the oldest', () => {
  const state = createState();
  for (let pid = 1; pid <= 510; pid++) update(state, started(pid), emptyChanges());
  assert.equal(state.events.length, 500);
  assert.equal(state.events[0]?.pid, 11);
  assert.equal(state.events.at(-1)?.pid, 510);
});
