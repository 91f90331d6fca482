import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProcessSnapshot } from '../../src/process/events.js';
import { terminalFilter } from '../../src/terminal/filter.js';
import { type KeyboardInput, listenToKeys } from '../../src/terminal/keyboard.js';
import { shortcuts } from '../../src/terminal/shortcuts.js';

// Asserted rather than annotated, so the fields the engine adds to snapshots need no change here.
function snapshot(name: string): ProcessSnapshot {
  return {
    name,
    command: `run ${name}`,
    status: 'running',
    pid: 1,
    exitCode: null,
    signal: null,
    restarts: 0,
    startedAt: 1,
  } as ProcessSnapshot;
}

/** The shortcuts over a fake control that records each call. */
function setup(viewerUrl: string | null = 'http://127.0.0.1:8080/') {
  const calls: string[] = [];
  const written: string[] = [];
  const act = (what: string) => (name?: string) => {
    calls.push(name === undefined ? what : `${what} ${name}`);
    return Promise.resolve();
  };
  const press = shortcuts({
    control: {
      list: () => ['web', 'api'].map(snapshot),
      start: act('start'),
      stop: act('stop'),
      restart: act('restart'),
      restartAll: () => act('restartAll')(),
    },
    viewerUrl,
    openViewer: (url) => calls.push(`open ${url}`),
    interrupt: () => calls.push('interrupt'),
    quit: () => calls.push('quit'),
    write: (text) => written.push(text),
  });
  return { calls, written, press };
}

describe('terminal shortcuts', () => {
  test('r, s and S act on the process picked by number or by name, after Enter', () => {
    const { calls, press } = setup();
    press('r');
    press('2');
    assert.deepEqual(calls, []);
    press('\r');
    press('s');
    for (const key of 'web') press(key);
    press('\r');
    press('S');
    press('1\r');
    assert.deepEqual(calls, ['restart api', 'stop web', 'start web']);
  });

  test('a name that is no process, an empty pick and Escape act on nothing', () => {
    const { calls, written, press } = setup();
    press('r');
    press('wbe\r');
    press('s');
    press('\r');
    press('S');
    press('3');
    press('\u001b');
    press('\r');
    assert.deepEqual(calls, []);
    assert.ok(written.some((text) => text.includes('no process "wbe"')));
    assert.ok(written.some((text) => text.includes('cancelled')));
  });

  test('Backspace edits the pick', () => {
    const { calls, press } = setup();
    press('r');
    press('apx\u007f');
    press('i\r');
    assert.deepEqual(calls, ['restart api']);
  });

  test('R restarts all, q quits, o opens the viewer, and Ctrl-C interrupts even inside a pick', () => {
    const { calls, press } = setup();
    press('R');
    press('o');
    press('q');
    press('r');
    press('\u0003');
    press('1\r');
    assert.deepEqual(calls, ['restartAll', 'open http://127.0.0.1:8080/', 'quit', 'interrupt']);
  });

  test('o does nothing and the help leaves it out without a viewer; arrow keys are ignored', () => {
    const { calls, written, press } = setup(null);
    press('o');
    press('\u001b[A');
    press('h');
    assert.deepEqual(calls, []);
    assert.ok(written.at(-1)?.includes('  q  quit'));
    assert.ok(!written.at(-1)?.includes('open the viewer'));
  });
});

describe('terminal filter', () => {
  test('--only keeps the named processes and --hide drops them', () => {
    const filter = terminalFilter({ only: 'web,api', hide: 'api' }, ['web', 'api', 'db']);
    assert.ok(filter.ok);
    if (!filter.ok) return;
    assert.deepEqual(['web', 'api', 'db'].filter(filter.shows), ['web']);
  });

  test('a name that no process has is refused, naming the flag', () => {
    assert.deepEqual(terminalFilter({ only: null, hide: 'wbe,db' }, ['web', 'db']), {
      ok: false,
      flag: '--hide',
      unknown: ['wbe'],
    });
  });
});

describe('keyboard', () => {
  function fakeInput(isTTY: boolean) {
    const log: string[] = [];
    let listener: ((data: string) => void) | null = null;
    const input: KeyboardInput = {
      isTTY,
      setRawMode: (raw) => log.push(`raw ${raw}`),
      setEncoding: () => {},
      on: (_event, onData) => {
        listener = onData;
      },
      off: () => {
        listener = null;
      },
      resume: () => log.push('resume'),
      pause: () => log.push('pause'),
    };
    const exitListeners = new Set<() => void>();
    const exitHook = {
      once: (_event: 'exit', onExit: () => void) => exitListeners.add(onExit),
      off: (_event: 'exit', onExit: () => void) => exitListeners.delete(onExit),
    };
    return { input, log, exitHook, exitListeners, type: (text: string) => listener?.(text) };
  }

  test('does not touch stdin that is not a terminal', () => {
    const { input, log, exitHook } = fakeInput(false);
    assert.equal(
      listenToKeys(input, () => {}, exitHook),
      null,
    );
    assert.deepEqual(log, []);
  });

  test('switches raw mode on, delivers keys, and restores once, from its function or at exit', () => {
    const { input, log, exitHook, exitListeners, type } = fakeInput(true);
    const keys: string[] = [];
    const restore = listenToKeys(input, (text) => keys.push(text), exitHook);
    type('h');
    assert.deepEqual(keys, ['h']);
    assert.deepEqual(log, ['raw true', 'resume']);
    for (const onExit of [...exitListeners]) onExit();
    restore?.();
    type('q');
    assert.deepEqual(keys, ['h']);
    assert.deepEqual(log, ['raw true', 'resume', 'raw false', 'pause']);
    assert.equal(exitListeners.size, 0);
  });
});
