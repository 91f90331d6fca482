import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LifecycleLog, lifecycleDeriver } from '../../src/lifecycle-log.js';
import type { ProcessSnapshot, StartReason, SupervisorEvent } from '../../src/process/events.js';
import { neverStartedSnapshot } from '../fixtures/fake-host.js';

const run = (
  name: string,
  runNumber: number,
  pid: number | null,
  reason: StartReason,
  at = 1,
): SupervisorEvent => ({
  kind: 'run',
  start: { name, run: runNumber, pid, reason, timestamp: at, seq: runNumber },
});

const exit = (
  name: string,
  exitCode: number | null,
  signal: string | null,
  flags: { requested?: boolean; restarting?: boolean } = {},
): SupervisorEvent => ({
  kind: 'exit',
  name,
  run: 1,
  exitCode,
  signal,
  requested: flags.requested ?? false,
  restarting: flags.restarting ?? false,
  exitedAt: 2,
  timestamp: 2,
});

const status = (name: string, overrides: Partial<ProcessSnapshot>): SupervisorEvent => ({
  kind: 'status',
  snapshot: neverStartedSnapshot(name, overrides),
  timestamp: 3,
});

/** The kind and the words of each entry the events make, in order. */
function derive(events: SupervisorEvent[]): string[] {
  const deriver = lifecycleDeriver();
  return events.flatMap((event) => {
    const entry = deriver(event);
    return entry === null ? [] : [`${entry.event}: ${entry.message}`];
  });
}

describe('lifecycle log', () => {
  test('a start with its pid, a crash with its code, an automatic restart with its reason', () => {
    const deriver = lifecycleDeriver();
    assert.deepEqual(deriver(run('api', 1, 42, 'start', 10)), {
      type: 'event',
      event: 'started',
      process: 'api',
      message: 'started (pid 42)',
      timestamp: 10,
      pid: 42,
      run: 1,
    });
    assert.equal(deriver(exit('api', 3, null)), null);
    assert.equal(deriver(status('api', { status: 'error', exitCode: 3 })), null);
    assert.deepEqual(
      deriver({ kind: 'error', name: 'api', code: 'PROCESS_EXITED', message: 'x', timestamp: 20 }),
      {
        type: 'event',
        event: 'crashed',
        process: 'api',
        message: 'crashed with exit code 3',
        timestamp: 20,
        exitCode: 3,
        signal: null,
      },
    );
    assert.deepEqual(deriver(run('api', 2, 43, 'auto-restart', 30)), {
      type: 'event',
      event: 'restarted',
      process: 'api',
      message: 'restarted automatically (pid 43)',
      timestamp: 30,
      pid: 43,
      run: 2,
      reason: 'auto-restart',
    });
  });

  test('a requested stop is "stopped", a clean exit of its own is "exited", a killed one names the signal', () => {
    assert.deepEqual(
      derive([
        exit('api', null, 'SIGTERM', { requested: true }),
        exit('api', 0, null, { requested: true }),
        exit('api', 0, null),
        exit('api', null, 'SIGKILL'),
        { kind: 'error', name: 'api', code: 'PROCESS_EXITED', message: 'x', timestamp: 4 },
      ]),
      [
        'stopped: stopped by SIGTERM',
        'stopped: stopped (exit code 0)',
        'exited: exited with code 0',
        'crashed: killed by SIGKILL',
      ],
    );
  });

  test('the stop half of a restart says nothing: the restarted entry tells it, with the reason', () => {
    assert.deepEqual(
      derive([
        exit('api', null, 'SIGTERM', { requested: true, restarting: true }),
        run('api', 2, 7, 'manual'),
      ]),
      ['restarted: restarted on request (pid 7)'],
    );
  });

  test('a failed start and a failed readiness check are "failed" with the reason, not crashes', () => {
    assert.deepEqual(
      derive([
        run('api', 1, null, 'start'),
        exit('api', null, null),
        { kind: 'error', name: 'api', code: 'SPAWN_FAILED', message: 'spawn sh ENOENT', timestamp: 4 },
        run('db', 1, 9, 'start'),
        exit('db', null, 'SIGTERM'),
        { kind: 'error', name: 'db', code: 'NOT_READY', message: 'no answer on port 5432', timestamp: 5 },
      ]),
      ['failed: spawn sh ENOENT', 'started: started (pid 9)', 'failed: no answer on port 5432'],
    );
  });

  test('ready once per run, saying by what', () => {
    assert.deepEqual(
      derive([
        status('db', { status: 'running', run: 1, facts: {} }),
        status('db', { status: 'running', run: 1, facts: { readyBy: 'port' } }),
        status('db', { status: 'running', run: 1, facts: { readyBy: 'port', urls: ['http://x/'] } }),
        status('db', { status: 'running', run: 2, facts: { readyBy: 'pattern' } }),
      ]),
      ['ready: ready (port open)', 'ready: ready (pattern matched)'],
    );
  });

  test('giving up, health notices and memory limits carry the words of whoever reported them', () => {
    const deriver = lifecycleDeriver();
    const gaveUp = deriver({
      kind: 'error',
      name: 'api',
      code: 'RESTARTS_EXHAUSTED',
      message: 'no longer restarted',
      timestamp: 1,
    });
    assert.equal(gaveUp?.event, 'gave-up');
    assert.equal(gaveUp?.errorCode, 'RESTARTS_EXHAUSTED');
    for (const notice of ['unhealthy', 'healthy', 'memory-limit'] as const) {
      assert.deepEqual(
        deriver({ kind: 'notice', name: 'api', notice, message: `${notice}!`, timestamp: 2 }),
        {
          type: 'event',
          event: notice,
          process: 'api',
          message: `${notice}!`,
          timestamp: 2,
        },
      );
    }
  });

  test('config reloaded with what changed, and config rejected with its code', () => {
    const deriver = lifecycleDeriver();
    assert.deepEqual(
      deriver({ kind: 'config-applied', added: ['b', 'c'], removed: ['a'], changed: [], timestamp: 1 }),
      {
        type: 'event',
        event: 'config-reloaded',
        message: 'config reloaded: added b, c; removed a',
        timestamp: 1,
        added: ['b', 'c'],
        removed: ['a'],
        changed: [],
      },
    );
    assert.equal(
      deriver({ kind: 'config-applied', added: [], removed: [], changed: [], timestamp: 1 })?.message,
      'config reloaded: no process changed',
    );
    const rejected = deriver({
      kind: 'config-rejected',
      code: 'CONFIG_INVALID',
      message: 'bad',
      timestamp: 2,
    });
    assert.equal(rejected?.event, 'config-rejected');
    assert.equal(rejected?.errorCode, 'CONFIG_INVALID');
    assert.equal(rejected?.process, undefined);
  });

  test('output, requests and settlements make no entry', () => {
    assert.deepEqual(
      derive([
        { kind: 'output', chunk: { name: 'api', stream: 'stdout', text: 'x\n', timestamp: 1, seq: 1 } },
        { kind: 'request', name: 'api', action: 'restart', reason: 'manual', timestamp: 1 },
        { kind: 'swept', name: 'api', processes: [], timestamp: 1 },
      ]),
      [],
    );
  });

  test('keeps the last entries up to its limit, dropping the oldest', () => {
    const log = new LifecycleLog(3);
    for (let index = 1; index <= 5; index++) log.record(run('api', index, 100 + index, 'manual', index));
    assert.equal(log.record(exit('api', null, 'SIGTERM', { restarting: true, requested: true })), null);
    assert.deepEqual(
      log.entries().map((entry) => entry.pid),
      [103, 104, 105],
    );
  });
});
