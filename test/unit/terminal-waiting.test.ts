import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import type { ProcessSnapshot, SupervisorListener } from '../../src/process/events.js';
import { attachTerminalPrinter } from '../../src/terminal/printer.js';
import { neverStartedSnapshot } from '../fixtures/fake-host.js';

function setup() {
  const listeners = new Set<SupervisorListener>();
  const writes: string[] = [];
  const out = Object.assign(new EventEmitter(), {
    write: (text: string) => {
      writes.push(text);
      return true;
    },
  });
  attachTerminalPrinter(
    {
      list: () => ['api', 'db'].map((name) => neverStartedSnapshot(name)),
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    { out, chalk: new Chalk({ level: 0 }) },
  );
  const status = (name: string, overrides: Partial<ProcessSnapshot>) => {
    for (const listener of listeners)
      listener({ kind: 'status', snapshot: neverStartedSnapshot(name, overrides), timestamp: 0 });
  };
  return { writes, status };
}

const NOTICE =
  '"api" is waiting for "db", which failed: it starts once "db" is ready. Fix "db" and restart it (or stop "api").';

test('says once what a start waits for, and once that a dependency it waits for failed', () => {
  const { writes, status } = setup();
  status('api', { status: 'starting' });
  status('api', { status: 'starting', facts: { waitingFor: ['db'] } });
  status('api', { status: 'starting', facts: { waitingFor: ['db'] } });
  status('db', { status: 'error', exitCode: 1 });
  status('db', { status: 'error', exitCode: 1, facts: { restartAt: 5 } });
  status('db', { status: 'starting', pid: 7, run: 2 });
  status('db', { status: 'running', pid: 7, run: 2, facts: { readyBy: 'port' } });
  status('api', { status: 'starting' });
  status('api', { status: 'starting', pid: 8, run: 1 });
  status('api', { status: 'running', pid: 8, run: 1 });
  assert.deepEqual(writes, [
    '[api]   starting: run api\n',
    '[api]   waiting for db\n',
    `[api] ! ${NOTICE}\n`,
    '[db]    crashed with exit code 1\n',
    '[db]    starting: run db\n',
    '[db]    ready (port open), running (pid 7)\n',
    '[api]   running (pid 8)\n',
  ]);
});

test('a start that begins to wait for a dependency that already failed is told at once', () => {
  const { writes, status } = setup();
  status('db', { status: 'error', exitCode: 1 });
  status('api', { status: 'starting' });
  status('api', { status: 'starting', facts: { waitingFor: ['db'] } });
  assert.deepEqual(writes.slice(-2), ['[api]   waiting for db\n', `[api] ! ${NOTICE}\n`]);
});
