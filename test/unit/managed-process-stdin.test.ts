import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { TotalScrollbackBound } from '../../src/output/total-scrollback.js';
import type { TerminateTree } from '../../src/process/kill-tree.js';
import { ManagedProcess } from '../../src/process/managed-process.js';
import { DEFAULT_ENGINE_OPTIONS, type ProcessSpec } from '../../src/process/spec.js';

/** A child whose stdin nobody reads, so what is written to it stays buffered on our side. */
class FakeChild extends EventEmitter {
  readonly stdin = new PassThrough();
  readonly stdout = null;
  readonly stderr = null;
  readonly outputPipes = [];
  readonly pid = 1000;
}

function setup(stdin: boolean) {
  const spec: ProcessSpec = { name: 'repl', command: 'node repl.js', cwd: '/', env: {}, stdin };
  const children: FakeChild[] = [];
  const terminateTree: TerminateTree = () => {
    const child = children.at(-1);
    setImmediate(() => child?.emit('exit', null, 'SIGTERM'));
    return { done: Promise.resolve({ swept: [] }), escalate: () => {} };
  };
  const process = new ManagedProcess(spec, DEFAULT_ENGINE_OPTIONS, {
    spawn: () => {
      const child = new FakeChild();
      children.push(child);
      setImmediate(() => child.emit('spawn'));
      return child;
    },
    terminateTree,
    now: () => 0,
    timers: { setTimeout: () => 0, clearTimeout: () => {} },
    nextSeq: () => 0,
    nextMarker: () => 'test.1',
    emit: () => {},
    startGate: () => null,
    totalScrollback: new TotalScrollbackBound(DEFAULT_ENGINE_OPTIONS.maxTotalScrollbackBytes),
  });
  return { process, children };
}

describe('ManagedProcess.write', () => {
  it('writes to the running child, and refuses before the start, after the stop and when it is full', async () => {
    const { process, children } = setup(true);
    assert.deepEqual(process.write('early\n'), { ok: false, reason: 'not-running' });
    await process.start();
    assert.equal(process.snapshot().stdin, true);
    assert.deepEqual(process.write('rs\n'), { ok: true });
    assert.equal(children[0]?.stdin.read()?.toString(), 'rs\n');

    const mebibyte = 'x'.repeat(1024 * 1024);
    assert.deepEqual(process.write(mebibyte), { ok: true });
    assert.deepEqual(
      process.write('more\n'),
      { ok: true },
      'the bound is checked before a write, so the write that crosses it is taken',
    );
    assert.deepEqual(process.write('and more\n'), { ok: false, reason: 'stdin-full' });

    await process.stop();
    assert.deepEqual(process.write('late\n'), { ok: false, reason: 'not-running' });
  });

  it('refuses a process whose spec does not opt in, running or not', async () => {
    const { process, children } = setup(false);
    assert.deepEqual(process.write('x\n'), { ok: false, reason: 'stdin-disabled' });
    await process.start();
    assert.equal(process.snapshot().stdin, undefined);
    assert.deepEqual(process.write('x\n'), { ok: false, reason: 'stdin-disabled' });
    assert.equal(children[0]?.stdin.readableLength, 0);
    await process.stop();
  });
});
