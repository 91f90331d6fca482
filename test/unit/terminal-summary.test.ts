import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Chalk } from 'chalk';
import type { ProcessSnapshot } from '../../src/process/events.js';
import { PROCESS_COLOR_COUNT, processColorIndex } from '../../src/process-color.js';
import { startupSummary } from '../../src/terminal/summary.js';

const chalk = new Chalk({ level: 0 });

// Asserted rather than annotated, so the fields the engine adds to snapshots need no change here.
function snapshot(name: string, overrides: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
  return {
    name,
    command: `run ${name}`,
    status: 'running',
    pid: 10,
    exitCode: null,
    signal: null,
    restarts: 0,
    startedAt: 1,
    facts: {},
    ...overrides,
  } as ProcessSnapshot;
}

describe('start-up summary', () => {
  test('lists each process with its status, aligned, then the viewer URL', () => {
    const text = startupSummary(
      {
        processes: [snapshot('web'), snapshot('worker', { status: 'error', exitCode: 1, pid: null })],
        viewerUrl: 'http://127.0.0.1:8080/',
      },
      chalk,
    );
    assert.equal(
      text,
      [
        '  [web]     running (pid 10)',
        '  [worker]  crashed with exit code 1',
        '  viewer    http://127.0.0.1:8080/',
        '',
      ].join('\n'),
    );
  });

  test('shows the URLs a process serves after its status, and says when the viewer is off', () => {
    const text = startupSummary(
      {
        processes: [{ ...snapshot('web'), facts: { urls: ['http://localhost:5173/'] } }],
        viewerUrl: null,
      },
      chalk,
    );
    assert.equal(text, '  [web]  running (pid 10)  http://localhost:5173/\n  viewer  off (--no-viewer)\n');
  });
});

describe('process colour', () => {
  test('depends on the name alone and stays within the palette', () => {
    // Fixed values: a change of the hash would change every user's colours, in the terminal and the viewer.
    assert.deepEqual(['web', 'api', 'worker', 'db'].map(processColorIndex), [1, 7, 7, 3]);
    for (const name of ['', 'a', 'é', '🚀', 'x'.repeat(50)]) {
      const index = processColorIndex(name);
      assert.ok(Number.isInteger(index) && index >= 0 && index < PROCESS_COLOR_COUNT, name);
    }
  });
});
