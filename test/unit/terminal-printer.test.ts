import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { Chalk } from 'chalk';
import type { ProcessSnapshot, SupervisorEvent, SupervisorListener } from '../../src/process/events.js';
import { attachTerminalPrinter, type TerminalPrinterOptions } from '../../src/terminal/printer.js';

function snapshot(name: string, overrides: Partial<ProcessSnapshot> = {}): ProcessSnapshot {
  return {
    name,
    command: `run ${name}`,
    status: 'running',
    pid: 100,
    exitCode: null,
    signal: null,
    restarts: 0,
    startedAt: 1,
    run: 1,
    reason: 'start',
    facts: {},
    ...overrides,
  };
}

/** A stand-in for the supervisor (list + subscribe) and a stream that records each write. */
function setup(
  level: 0 | 1 = 0,
  names = ['web', 'worker'],
  options: Omit<TerminalPrinterOptions, 'out' | 'chalk'> = {},
) {
  const listeners = new Set<SupervisorListener>();
  const control = {
    list: () => names.map((name) => snapshot(name)),
    subscribe: (listener: SupervisorListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const writes: string[] = [];
  const out = Object.assign(new EventEmitter(), {
    write: (text: string) => {
      writes.push(text);
      return true;
    },
  });
  const detach = attachTerminalPrinter(control, { out, chalk: new Chalk({ level }), ...options });
  const emit = (event: SupervisorEvent) => {
    for (const listener of listeners) listener(event);
  };
  let seq = 0;
  const output = (name: string, text: string, stream: 'stdout' | 'stderr' = 'stdout', timestamp = 0) =>
    emit({ kind: 'output', chunk: { name, stream, text, timestamp, seq: ++seq } });
  return { writes, out, emit, output, detach, listeners };
}

describe('terminal printer', () => {
  test('prefixes every line of a chunk, padded to the longest name, in one write', () => {
    const { writes, output } = setup();
    output('web', 'one\ntwo\n\nfour\n');
    assert.deepEqual(writes, ['[web]      one\n[web]      two\n[web]      \n[web]      four\n']);
    output('worker', 'x\n');
    assert.equal(writes[1], '[worker]   x\n');
  });

  test('keeps a "$" in a process name literal in every prefix', () => {
    const { writes, output } = setup(0, ["a$&$'"]);
    output("a$&$'", 'one\ntwo\n');
    assert.deepEqual(writes, ["[a$&$']   one\n[a$&$']   two\n"]);
  });

  test('ends a partial line with a newline and prefixes its continuation again', () => {
    const { writes, output } = setup();
    output('web', 'Password: ');
    output('web', 'done\n');
    assert.deepEqual(writes, ['[web]      Password: \n', '[web]      done\n']);
  });

  test('marks stderr lines so they are told apart without colour', () => {
    const { writes, output } = setup();
    output('web', 'boom\nagain\n', 'stderr');
    assert.deepEqual(writes, ['[web]    ! boom\n[web]    ! again\n']);
  });

  test('repeats the prefix after a carriage return so redrawn progress lines keep it', () => {
    const { writes, output } = setup();
    output('web', '10%\r50%\r100%\n');
    assert.deepEqual(writes, ['[web]      10%\r[web]      50%\r[web]      100%\n']);
    output('web', 'windows\r\nline\r\n');
    assert.equal(writes[1], '[web]      windows\n[web]      line\n');
  });

  test('keeps the process colours but resets them before the next prefix', () => {
    const { writes, output } = setup(1);
    output('web', '\u001b[31mred\nstill red\n');
    const text = writes[0] ?? '';
    assert.ok(text.includes('\u001b[31mred\u001b[0m\n'), JSON.stringify(text));
    assert.ok(text.endsWith('still red\u001b[0m\n'), JSON.stringify(text));
  });

  test('colours each name from a hash of the name, whatever the other processes are', () => {
    const { writes, output } = setup(1);
    output('web', 'a\n');
    output('worker', 'b\n');
    output('web', 'c\n');
    // processColorIndex: web is 1 (green), worker is 7 (magenta), as in the viewer's --n1 and --n7.
    assert.ok(writes[0]?.startsWith('\u001b[32m[web]\u001b[39m'), JSON.stringify(writes[0]));
    assert.ok(writes[1]?.startsWith('\u001b[35m[worker]\u001b[39m'), JSON.stringify(writes[1]));
    assert.equal(writes[2]?.slice(0, 15), writes[0]?.slice(0, 15));
    const alone = setup(1, ['worker']);
    alone.output('worker', 'b\n');
    assert.ok(alone.writes[0]?.startsWith('\u001b[35m[worker]\u001b[39m'), JSON.stringify(alone.writes[0]));
  });

  test('prints only the processes it shows, aligned to the widest of them', () => {
    const { writes, output, emit } = setup(0, ['web', 'worker'], { shows: (name) => name === 'web' });
    output('worker', 'hidden\n');
    emit({ kind: 'status', snapshot: snapshot('worker'), timestamp: 0 });
    emit({ kind: 'error', name: 'worker', code: 'PROCESS_EXITED', message: 'boom', timestamp: 0 });
    output('web', 'shown\n');
    assert.deepEqual(writes, ['[web]   shown\n']);
  });

  test('starts every line with the local time of its chunk with timestamps', () => {
    const { writes, output } = setup(0, ['web'], { timestamps: true });
    const at = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();
    output('web', 'one\ntwo\n', 'stdout', at);
    assert.deepEqual(writes, ['03:04:05.067 [web]   one\n03:04:05.067 [web]   two\n']);
  });

  test('prints the output alone, as written, in raw mode', () => {
    const { writes, output, emit } = setup(0, ['web', 'worker'], { raw: true });
    emit({ kind: 'status', snapshot: snapshot('web'), timestamp: 0 });
    output('web', 'par');
    output('worker', 'x\n', 'stderr');
    output('web', 'tial\n');
    assert.deepEqual(writes, ['par', 'x\n', 'tial\n']);
  });

  test("strips the escape sequences of the processes' output with stripColors", () => {
    const { writes, output } = setup(0, ['web'], { stripColors: true });
    output('web', '\u001b[31mred\u001b[0m \u001b]8;;http://x\u0007link\u001b]8;;\u0007\n');
    assert.deepEqual(writes, ['[web]   red link\n']);
  });

  test('prints a line for each status change, once', () => {
    const { writes, emit } = setup();
    const status = (overrides: Partial<ProcessSnapshot>) =>
      emit({ kind: 'status', snapshot: snapshot('web', overrides), timestamp: 0 });
    status({ status: 'starting', pid: null });
    status({ status: 'running', pid: 42 });
    status({ status: 'running', pid: 42 });
    status({ status: 'error', pid: null, exitCode: 3 });
    status({ status: 'starting', pid: null, restarts: 1 });
    status({ status: 'running', pid: 43, restarts: 1 });
    status({ status: 'stopped', pid: null, signal: 'SIGTERM', restarts: 1 });
    status({ status: 'stopped', pid: null, exitCode: 0, restarts: 2 });
    assert.deepEqual(writes, [
      '[web]      starting: run web\n',
      '[web]      running (pid 42)\n',
      '[web]      crashed with exit code 3\n',
      '[web]      restarting (restart 1): run web\n',
      '[web]      running (pid 43)\n',
      '[web]      stopped by SIGTERM\n',
      '[web]      exited with code 0\n',
    ]);
  });

  test('prints a line for each URL a process announces, the first time only', () => {
    const { writes, emit } = setup();
    const status = (urls: string[]) =>
      emit({ kind: 'status', snapshot: snapshot('web', { facts: { urls } }), timestamp: 0 });
    status(['http://localhost:5173/']);
    status(['http://localhost:5173/', 'http://192.168.1.5:5173/']);
    status([]);
    status(['http://localhost:5173/']);
    assert.deepEqual(writes, [
      'web → http://localhost:5173/\n',
      '[web]      running (pid 100)\n',
      'web → http://192.168.1.5:5173/\n',
    ]);
  });

  test('prints errors on the stderr prefix', () => {
    const { writes, emit } = setup();
    emit({ kind: 'error', name: 'worker', code: 'SPAWN_FAILED', message: 'spawn sh ENOENT', timestamp: 0 });
    assert.deepEqual(writes, ['[worker] ! spawn sh ENOENT\n']);
  });

  test('says a crash once, in the status line, and prints health notices from the lifecycle log', () => {
    const { writes, emit } = setup();
    emit({
      kind: 'exit',
      name: 'web',
      run: 1,
      exitCode: 3,
      signal: null,
      requested: false,
      restarting: false,
      exitedAt: 0,
      timestamp: 0,
    });
    emit({
      kind: 'status',
      snapshot: snapshot('web', { status: 'error', pid: null, exitCode: 3 }),
      timestamp: 0,
    });
    emit({
      kind: 'error',
      name: 'web',
      code: 'PROCESS_EXITED',
      message: 'Process "web" exited with code 3.',
      timestamp: 0,
    });
    emit({
      kind: 'notice',
      name: 'worker',
      notice: 'unhealthy',
      message: 'health check failed 3 times',
      timestamp: 0,
    });
    emit({ kind: 'notice', name: 'worker', notice: 'healthy', message: 'healthy again', timestamp: 0 });
    assert.deepEqual(writes, [
      '[web]      crashed with exit code 3\n',
      '[worker] ! health check failed 3 times\n',
      '[worker]   healthy again\n',
    ]);
  });

  test('stops writing quietly after the stream reports EPIPE', () => {
    const { writes, out, output } = setup();
    output('web', 'before\n');
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    output('web', 'after\n');
    assert.deepEqual(writes, ['[web]      before\n']);
  });

  test('survives a stream whose write throws', () => {
    const listeners = new Set<SupervisorListener>();
    let calls = 0;
    attachTerminalPrinter(
      {
        list: () => [snapshot('web')],
        subscribe: (listener) => {
          listeners.add(listener);
          return () => {};
        },
      },
      {
        out: {
          write: () => {
            calls++;
            throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
          },
        },
        chalk: new Chalk({ level: 0 }),
      },
    );
    for (const listener of listeners) {
      listener({
        kind: 'output',
        chunk: { name: 'web', stream: 'stdout', text: 'a\n', timestamp: 0, seq: 1 },
      });
      listener({
        kind: 'output',
        chunk: { name: 'web', stream: 'stdout', text: 'b\n', timestamp: 0, seq: 2 },
      });
    }
    assert.equal(calls, 1);
  });

  test('detaching unsubscribes and releases the error listener', () => {
    const { listeners, out, detach } = setup();
    assert.equal(listeners.size, 1);
    assert.equal(out.listenerCount('error'), 1);
    detach();
    assert.equal(listeners.size, 0);
    assert.equal(out.listenerCount('error'), 0);
  });

  test('drops output while the terminal holds too much unread, then says once how much it dropped', () => {
    const listeners = new Set<SupervisorListener>();
    const writes: string[] = [];
    // A terminal whose reader has stalled: everything written stays queued until it reads again.
    let stalled = true;
    const out = Object.assign(new EventEmitter(), {
      writableLength: 0,
      write(text: string) {
        writes.push(text);
        if (stalled) out.writableLength += text.length;
        return out.writableLength < 16;
      },
    });
    const readAgain = () => {
      stalled = false;
      out.writableLength = 0;
      out.emit('drain');
    };
    attachTerminalPrinter(
      {
        list: () => [snapshot('web')],
        subscribe: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      },
      { out, chalk: new Chalk({ level: 0 }), maxQueuedBytes: 36 },
    );
    let seq = 0;
    const output = (text: string) => {
      for (const listener of listeners) {
        listener({
          kind: 'output',
          chunk: { name: 'web', stream: 'stdout', text, timestamp: 0, seq: ++seq },
        });
      }
    };
    output('one\n');
    output('two\n');
    output('three\n');
    output('four\nfive\n');
    output('é\n');
    assert.deepEqual(writes, ['[web]   one\n', '[web]   two\n', '[web]   three\n']);
    assert.equal(out.listenerCount('drain'), 1, 'one wait for the drain, however much is dropped');

    readAgain();
    assert.equal(writes.length, 4);
    assert.match(writes[3] ?? '', /^lucidlines: 3 lines \(1 kB\) of output were not printed here\b.*\n$/);
    output('six\n');
    assert.deepEqual(writes.slice(4), ['[web]   six\n']);
    assert.equal(out.listenerCount('drain'), 0);
  });

  test('never drops output for a terminal that takes everything at once', () => {
    const { writes, output } = setup();
    for (let i = 0; i < 1000; i++) output('web', `${'x'.repeat(10_000)}\n`);
    assert.equal(writes.length, 1000);
  });
});
