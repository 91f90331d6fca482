// The interactive terminal, driven as a person would: the built bin runs in a real pseudo-terminal (tmux, on
// its own server socket), keys are sent only after the hint line is on screen, the pty's input stays open
// throughout, and afterwards `ps` must find nothing left and `stty` a terminal back in its normal mode.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, cliHarness, isAlive } from '../fixtures/cli-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ciExit = path.join(root, 'test', 'fixtures', 'ci-exit.mjs');
const stubborn = path.join(root, 'test', 'fixtures', 'cli-stubborn.mjs');
const { temp, recordedPids } = cliHarness('lucid-keys-');

const SOCKET = `lucidlines-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
after(() => {
  try {
    tmux('kill-server');
  } catch {
    // No session was left.
  }
});

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Polls until `check` holds; the timeout is an upper bound for a loaded machine, never a wait of its own. */
async function until<T>(
  check: () => T | null | false,
  what: string | (() => string),
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A shell in a pty, so the terminal's mode can be checked after lucidlines has exited. */
function terminalSession(name: string) {
  tmux('new-session', '-d', '-s', name, '-x', '200', '-y', '50', 'sh');
  const history = () => tmux('capture-pane', '-p', '-J', '-t', name, '-S', '-5000');
  const screen = () => tmux('capture-pane', '-p', '-J', '-t', name);
  const shellPid = Number(tmux('display-message', '-p', '-t', name, '#{pane_pid}').trim());
  const childrenOf = (pid: number) =>
    execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
  return {
    keys: (...keys: string[]) => tmux('send-keys', '-t', name, ...keys),
    /** Typed as they are, not as key names (so "R" is not taken for a key called R). */
    type: (text: string) => tmux('send-keys', '-l', '-t', name, text),
    history,
    screen,
    waitFor: (pattern: RegExp, what: string) =>
      until(
        () => history().match(pattern),
        () => `${what}; the screen:\n${history()}`,
      ),
    lucidlinesPid: () => until(() => childrenOf(shellPid)[0] ?? null, 'lucidlines to start'),
    childrenOf,
    /** The local modes of the pty, from `stty -a`, once the shell has its prompt again. */
    async terminalModes(): Promise<string> {
      tmux(
        'send-keys',
        '-t',
        name,
        'stty -a | tr " " "\\n" | grep -E "^-?(icanon|echo|isig)$" | tr "\\n" " "; echo STTY-$((40 + 2))',
        'Enter',
      );
      // The marker is computed by the shell, so the echoed command line cannot match it.
      const [, modes] = await until(() => history().match(/\n([^\n]*)STTY-42\n/), 'stty');
      return modes ?? '';
    },
  };
}

describe('interactive terminal (built bin in tmux)', () => {
  test('h, r, s, S, R, c and q do what the help says, and q leaves nothing running and the terminal restored', async () => {
    const cwd = mkdtempSync(path.join(temp, 'keys-'));
    const session = terminalSession('keys');
    const command = (name: string) => quote(`node "${ciExit}" "${cwd}" ${name} forever`);
    session.type(
      `cd ${quote(cwd)} && NO_COLOR=1 node ${quote(BIN)} --port 0 --names web,api ${command('web')} ${command('api')}`,
    );
    session.keys('Enter');
    await session.waitFor(/press h for help/, 'the hint line');
    const lucidlines = await session.lucidlinesPid();
    recordedPids.add(lucidlines);

    session.type('h');
    await session.waitFor(/^ {2}R {2}restart every process$/m, 'the help');

    session.type('r');
    await session.waitFor(/restart which process\?/, 'the restart prompt');
    session.type('2');
    session.keys('Enter');
    await session.waitFor(/^\[api\] +restarting \(restart 1\)/m, 'api restarted by number');

    session.type('s');
    await session.waitFor(/stop which process\?/, 'the stop prompt');
    session.type('web');
    session.keys('Enter');
    await session.waitFor(/^\[web\] +stopped by SIGTERM$/m, 'web stopped by name');

    session.type('S');
    await session.waitFor(/start which process\?/, 'the start prompt');
    session.type('1');
    session.keys('Enter');
    await session.waitFor(/^\[web\] +restarting \(restart 1\)/m, 'web started again');

    session.type('R');
    await session.waitFor(/^\[web\] +restarting \(restart 2\)/m, 'web restarted by R');
    await session.waitFor(/^\[api\] +restarting \(restart 2\)/m, 'api restarted by R');
    // Each ran three times by now (web: first start, S, R; api: first start, r 2, R).
    for (const name of ['web', 'api']) {
      const running = new RegExp(`^\\[${name}\\] +running`, 'gm');
      await until(
        () => (session.history().match(running)?.length ?? 0) >= 3,
        () => `${name}'s third run to be running; the screen:\n${session.history()}`,
      );
    }

    session.type('c');
    await until(() => !session.screen().includes('press h for help'), 'a cleared screen');

    // `running` means spawned; on a loaded machine Node may not have run the script yet, which records its
    // pid. A pid file of an earlier run names a process that is gone (a run starts once the last has ended).
    const currentPid = (name: string) => {
      const file = path.join(cwd, `${name}.pid`);
      const pid = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
      return pid > 0 && isAlive(pid) ? pid : null;
    };
    const runs: number[] = [];
    for (const name of ['web', 'api']) {
      runs.push(
        await until(
          () => currentPid(name),
          () => `${name}'s current run to record its pid; the screen:\n${session.history()}`,
        ),
      );
    }
    const children = session.childrenOf(lucidlines);
    const pids = [...children, ...runs];
    for (const pid of pids) recordedPids.add(pid);
    assert.ok(children.length >= 2, `lucidlines runs its processes: ${children.join(', ')}`);

    session.type('q');
    await until(() => !isAlive(lucidlines), 'lucidlines to exit after q');
    const survivors = pids.filter(isAlive);
    const described = survivors.map((pid) =>
      execFileSync('ps', ['-o', 'pid=,stat=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim(),
    );
    assert.deepEqual(described, [], `nothing may survive q; the screen:\n${session.history()}`);
    const modes = await session.terminalModes();
    assert.match(modes, /(^| )icanon /);
    assert.match(modes, /(^| )echo /);
    assert.match(modes, /(^| )isig /);
  });

  test('Ctrl-C in raw mode stops gracefully, a second Ctrl-C kills at once, and the terminal is restored', async () => {
    const cwd = mkdtempSync(path.join(temp, 'ctrl-c-'));
    const session = terminalSession('ctrl-c');
    // The stubborn process ignores SIGTERM, so only the second Ctrl-C can end this run within the timeout.
    session.type(
      `cd ${quote(cwd)} && NO_COLOR=1 node ${quote(BIN)} --no-viewer --kill-timeout 600000 --names stubborn ${quote(`node "${stubborn}"`)}; echo EXIT=$?`,
    );
    session.keys('Enter');
    await session.waitFor(/press h for help/, 'the hint line');
    const [, stubbornPid] = await session.waitFor(/stubborn started pid=(\d+)/, 'the stubborn process');
    recordedPids.add(Number(stubbornPid));

    session.keys('C-c');
    await session.waitFor(/stopping all processes/, 'the graceful stop');
    await session.waitFor(/stubborn ignores SIGTERM/, 'SIGTERM reaching the process');
    session.keys('C-c');
    await session.waitFor(/killing all processes now/, 'the forced stop');
    const [, code] = await session.waitFor(/^EXIT=(\d+)$/m, 'lucidlines to exit');
    assert.equal(code, '0');
    assert.equal(isAlive(Number(stubbornPid)), false);
    const modes = await session.terminalModes();
    assert.match(modes, /(^| )icanon /);
    assert.match(modes, /(^| )echo /);
  });

  test('in CI mode, the exit a restart causes is not an exit: --kill-others stops nothing', async () => {
    const cwd = mkdtempSync(path.join(temp, 'ci-restart-'));
    const session = terminalSession('ci-restart');
    const command = (name: string) => quote(`node "${ciExit}" "${cwd}" ${name} forever`);
    session.type(
      `cd ${quote(cwd)} && NO_COLOR=1 node ${quote(BIN)} --no-viewer --kill-others --names web,api ${command('web')} ${command('api')}`,
    );
    session.keys('Enter');
    await session.waitFor(/press h for help/, 'the hint line');
    const lucidlines = await session.lucidlinesPid();
    recordedPids.add(lucidlines);
    session.type('r');
    await session.waitFor(/restart which process\?/, 'the restart prompt');
    session.type('web');
    session.keys('Enter');
    // The notice would be printed at the exit, before the restarted run's first status line.
    await session.waitFor(/^\[web\] +restarting \(restart 1\)/m, 'web restarted');
    assert.doesNotMatch(session.history(), /stopping the other processes/);
    assert.doesNotMatch(session.history(), /^\[api\] +stopped/m);

    // A real exit still stops the others: stop web with s.
    session.type('s');
    await session.waitFor(/stop which process\?/, 'the stop prompt');
    session.type('web');
    session.keys('Enter');
    await session.waitFor(
      /web was ended by a signal; stopping the other processes \(--kill-others\)/,
      'the kill',
    );
    await until(() => !isAlive(lucidlines), 'lucidlines to exit once every process has ended');
  });
});
