import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProcessSnapshot } from '../../src/process/events.js';
import { decodeServerMessage } from '../../src/protocol.js';
import { processInfo, statusMessage } from '../../src/server/server-messages.js';
import { createState, emptyChanges, update } from '../../web/store.js';
import { statusLabel } from '../../web/view-sidebar.js';

function snapshot(facts: ProcessSnapshot['facts']): ProcessSnapshot {
  return {
    name: 'api',
    command: 'node api.js',
    status: 'starting',
    pid: null,
    exitCode: null,
    signal: null,
    restarts: 0,
    startedAt: null,
    run: 0,
    reason: null,
    facts,
  };
}

describe('waitingFor in status and info', () => {
  test('is sent while there is something to wait for, and left out otherwise', () => {
    assert.deepEqual(statusMessage(snapshot({ waitingFor: ['db'] }), 1).waitingFor, ['db']);
    assert.deepEqual(processInfo(snapshot({ waitingFor: ['db', 'cache'] })).waitingFor, ['db', 'cache']);
    for (const facts of [{}, { waitingFor: [] }, { waitingFor: undefined }]) {
      assert.equal('waitingFor' in statusMessage(snapshot(facts), 1), false);
      assert.equal('waitingFor' in processInfo(snapshot(facts)), false);
    }
  });

  test('is validated by decodeServerMessage: a list of names, or absent', () => {
    const status = (waitingFor: unknown) =>
      JSON.stringify({
        type: 'status',
        name: 'api',
        status: 'starting',
        pid: null,
        timestamp: 1,
        waitingFor,
      });
    const info = (waitingFor: unknown) =>
      JSON.stringify({
        type: 'info',
        version: '1',
        timestamp: 1,
        processes: [{ name: 'api', status: 'starting', command: 'x', waitingFor }],
      });
    for (const encode of [status, info]) {
      assert.equal(decodeServerMessage(encode(['db'])).ok, true);
      assert.equal(decodeServerMessage(encode(undefined)).ok, true);
      assert.equal(decodeServerMessage(encode('db')).ok, false);
      assert.equal(decodeServerMessage(encode([1])).ok, false);
      assert.equal(decodeServerMessage(encode(null)).ok, false);
    }
  });
});

test('the viewer keeps waitingFor from info and status, clears it with the next status, and shows it', () => {
  const state = createState();
  const changes = emptyChanges();
  update(
    state,
    {
      type: 'info',
      version: '1',
      timestamp: 1,
      processes: [{ name: 'api', status: 'starting', command: 'x', waitingFor: ['db'] }],
    },
    changes,
  );
  const api = () => state.processes.get('api');
  assert.deepEqual(api()?.waitingFor, ['db']);
  assert.equal(statusLabel(api() ?? { status: 'stopped', exitCode: null }), '◌ waiting for db');
  const status = { type: 'status', name: 'api', status: 'starting', timestamp: 2 } as const;
  update(state, { ...status, pid: null, waitingFor: ['db', 'cache'] }, changes);
  assert.deepEqual(api()?.waitingFor, ['db', 'cache']);
  update(state, { ...status, pid: 42 }, changes);
  assert.deepEqual(api()?.waitingFor, []);
  assert.equal(statusLabel(api() ?? { status: 'stopped', exitCode: null }), '◌ starting');
});
