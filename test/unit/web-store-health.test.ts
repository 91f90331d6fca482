import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createState, emptyChanges, update } from '../../web/store.js';

test('viewer store: health comes from info and every status, and a status without it clears it', () => {
  const state = createState();
  const changes = emptyChanges();
  update(
    state,
    {
      type: 'info',
      version: '1',
      timestamp: 1,
      processes: [
        { name: 'api', status: 'running', command: 'node api', health: 'healthy' },
        { name: 'db', status: 'running', command: 'postgres' },
      ],
    },
    changes,
  );
  const api = state.processes.get('api');
  assert.equal(api?.health, 'healthy');
  assert.equal(state.processes.get('db')?.health, null);
  update(
    state,
    { type: 'status', name: 'api', status: 'running', pid: 7, timestamp: 2, health: 'unhealthy' },
    changes,
  );
  assert.equal(api?.health, 'unhealthy');
  assert.ok(changes.sidebar);
  update(state, { type: 'status', name: 'api', status: 'stopped', pid: null, timestamp: 3 }, changes);
  assert.equal(api?.health, null, 'the run ended: no verdict is left over');
});
