import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createState, emptyChanges, update } from '../../web/store.js';
import { metricsLabel } from '../../web/view-sidebar.js';

describe('viewer store: stdin, URLs and metrics', () => {
  test('takes stdin and urls from info, urls from status, and metrics for known processes only', () => {
    const state = createState();
    const changes = emptyChanges();
    update(
      state,
      {
        type: 'info',
        version: '1',
        timestamp: 1,
        processes: [
          { name: 'web', status: 'running', command: 'vite', urls: ['http://localhost:5173/'] },
          { name: 'shell', status: 'running', command: 'node', stdin: true },
        ],
      },
      changes,
    );
    const web = state.processes.get('web');
    const shell = state.processes.get('shell');
    assert.deepEqual([web?.stdin, web?.urls], [false, ['http://localhost:5173/']]);
    assert.deepEqual([shell?.stdin, shell?.urls], [true, []]);

    update(state, { type: 'status', name: 'web', status: 'running', pid: 7, timestamp: 2 }, changes);
    assert.deepEqual(web?.urls, ['http://localhost:5173/'], 'a status without urls keeps them');
    update(
      state,
      { type: 'status', name: 'web', status: 'stopped', pid: null, timestamp: 3, urls: [] },
      changes,
    );
    assert.deepEqual(web?.urls, []);

    const sidebarBefore = emptyChanges();
    update(
      state,
      {
        type: 'metrics',
        timestamp: 4,
        processes: [
          { name: 'shell', cpu: 3.25, memory: 50 * 1024 * 1024, uptime: 10, restarts: 0 },
          { name: 'ghost', cpu: 1, memory: 1, uptime: 1, restarts: 0 },
        ],
      },
      sidebarBefore,
    );
    assert.deepEqual(shell?.metrics, { cpu: 3.25, memory: 50 * 1024 * 1024 });
    assert.equal(web?.metrics, null);
    assert.equal(state.processes.has('ghost'), false, 'metrics never add a process');
    assert.equal(sidebarBefore.sidebar, true);
  });

  test('a refused input shows as a recent error without marking the process as failed', () => {
    const state = createState();
    const changes = emptyChanges();
    update(
      state,
      {
        type: 'info',
        version: '1',
        timestamp: 1,
        processes: [{ name: 'shell', status: 'stopped', command: 'x' }],
      },
      changes,
    );
    update(
      state,
      { type: 'error', message: 'not running', process: 'shell', code: 'NOT_RUNNING', timestamp: 2 },
      changes,
    );
    assert.equal(state.recentErrors.length, 1);
    assert.equal(state.processes.get('shell')?.lastError, null);
  });

  test('labels metrics compactly', () => {
    assert.equal(metricsLabel({ cpu: 3.25, memory: 50 * 1024 * 1024 }), '3.3% · 50 MB');
    assert.equal(metricsLabel({ cpu: 140, memory: 3 * 1024 ** 3 }), '140% · 3.0 GB');
    assert.equal(metricsLabel({ cpu: null, memory: 5 * 1024 * 1024 }), '5.0 MB');
    assert.equal(metricsLabel({ cpu: null, memory: null }), '');
  });
});
