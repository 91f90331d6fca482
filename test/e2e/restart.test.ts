// Automatic restarts through the built bin, as a user configures them: the crash loop backs off without
// burning CPU, the terminal draws a separator per run, and a client that connects afterwards sees the
// separators between the runs' output in its replay.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { cpuTimeMs } from '../../bench/proc-stats.js';
import { decodeServerMessage, type ServerMessage } from '../../src/protocol.js';
import { cliHarness } from '../fixtures/cli-harness.js';

const { temp, startCli } = cliHarness('lucid-restart-');

const RESTART_DELAY = 100;
const RESTART_MAX_DELAY = 800;
const MAX_RESTARTS = 6;
/** The waits of the whole loop: 100, 200, 400, 800, 800, 800 ms. */
const LOOP_WAITS_MS = Array.from({ length: MAX_RESTARTS }, (_, i) =>
  Math.min(RESTART_MAX_DELAY, RESTART_DELAY * 2 ** i),
).reduce((sum, wait) => sum + wait, 0);

/**
 * How long the main thread of `pid` was on a CPU or waiting for one, in ms (/proc/<pid>/schedstat). Unlike CPU
 * time, it counts a busy loop fully even on a machine so loaded that the loop gets little CPU: a thread that
 * polls is always runnable, one that waits for a timer is not.
 */
function runnableMs(pid: number): number {
  const [onCpu = 0, waiting = 0] = readFileSync(`/proc/${pid}/schedstat`, 'utf8')
    .trim()
    .split(' ')
    .map(Number);
  return (onCpu + waiting) / 1e6;
}

function writeConfig(name: string, processes: unknown[]): string {
  const cwd = mkdtempSync(path.join(temp, `${name}-`));
  writeFileSync(path.join(cwd, 'lucidlines.config.json'), JSON.stringify({ processes }));
  return cwd;
}

/** Collects messages until `done` holds over them (the limit is only an upper bound). */
function collect(url: string, done: (messages: ServerMessage[]) => boolean): Promise<ServerMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: ServerMessage[] = [];
    const ws = new WebSocket(url);
    const limit = setTimeout(() => {
      ws.terminate();
      reject(new Error(`Timed out; received ${JSON.stringify(messages)}`));
    }, 60_000);
    ws.on('message', (data) => {
      const decoded = decodeServerMessage(String(data));
      assert.ok(decoded.ok, String(data));
      messages.push(decoded.value);
      if (!done(messages)) return;
      clearTimeout(limit);
      ws.close();
      resolve(messages);
    });
    ws.on('error', reject);
  });
}

describe('automatic restarts (built bin)', () => {
  test('a crash loop backs off, draws separators, gives up, and replays its runs to a late client', async (t) => {
    const cwd = writeConfig('loop', [
      {
        name: 'crasher',
        command: 'echo crashing; exit 1',
        restart: 'on-failure',
        restartDelay: RESTART_DELAY,
        restartMaxDelay: RESTART_MAX_DELAY,
        maxRestarts: MAX_RESTARTS,
      },
    ]);
    const run = startCli(['--port', '0'], cwd);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    const pid = run.child.pid ?? 0;
    await run.waitForOutput(/^\[crasher\] +crashing$/m, 'the first crash');
    const cpuAtStart = cpuTimeMs(pid);
    await run.waitForOutput(/no longer restarted/, 'giving up');
    const cpuUsed = cpuTimeMs(pid) - cpuAtStart;
    t.diagnostic(`lucidlines CPU over the crash loop: ${cpuUsed} ms (loop waits ${LOOP_WAITS_MS} ms)`);
    // The loop lasts at least its waits; a loop that polled would use about that much CPU time, while
    // timers cost only the spawns. Half of it is a bound only a busy wait breaks.
    assert.ok(
      cpuUsed < LOOP_WAITS_MS / 2,
      `lucidlines used ${cpuUsed} ms of CPU over a ${LOOP_WAITS_MS} ms loop`,
    );

    const stdout = run.stdout();
    assert.equal(stdout.match(/^\[crasher\] +crashing$/gm)?.length, MAX_RESTARTS + 1, stdout);
    for (let n = 2; n <= MAX_RESTARTS + 1; n++) {
      assert.match(
        stdout,
        new RegExp(`^\\[crasher\\] +──── run ${n} · [\\d:]+ · restarted automatically · pid \\d+ ────$`, 'm'),
      );
    }
    assert.match(stdout, /crashed with exit code 1, restarting in 1s/);
    assert.match(stdout, /failed again after 6 automatic restarts in a row/);

    // A client connecting now gets the whole loop from the scrollback, each run's output after its separator.
    const socketUrl = `${url.replace('http', 'ws')}ws`;
    const messages = await collect(
      socketUrl,
      (received) => received.filter((m) => m.type === 'process').length === MAX_RESTARTS + 1,
    );
    const sequence = messages.flatMap((message) => {
      if (message.type === 'run') return [`run ${message.run}`];
      if (message.type === 'process') return [message.output];
      return [];
    });
    const expected = Array.from({ length: MAX_RESTARTS + 1 }, (_, i) => [
      `run ${i + 1}`,
      'crashing\n',
    ]).flat();
    assert.deepEqual(sequence, expected);
    const info = messages[0];
    assert.equal(info?.type, 'info');
    assert.equal(info?.type === 'info' ? info.processes[0]?.restarts : null, MAX_RESTARTS);

    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
  });

  test('lucidlines is idle while a restart is due: its main thread is neither running nor runnable', async (t) => {
    const waitMs = 10_000;
    const cwd = writeConfig('idle', [
      {
        name: 'napper',
        command: 'echo napping; exit 1',
        restart: 'on-failure',
        restartDelay: waitMs,
        maxRestarts: 1,
      },
    ]);
    const run = startCli(['--port', '0'], cwd);
    await run.waitForOutput(
      /^\[napper\] +crashed with exit code 1, restarting in 10s$/m,
      'the scheduled restart',
    );
    const before = runnableMs(run.child.pid ?? 0);
    await run.waitForOutput(/^\[napper\] +──── run 2 · .* restarted automatically/m, 'the restart');
    const used = runnableMs(run.child.pid ?? 0) - before;
    t.diagnostic(`lucidlines main thread runnable for ${Math.round(used)} ms of a ${waitMs} ms wait`);
    // A thread that polls is runnable for the whole wait, however loaded the machine; one that waits on a
    // timer only for the work around the exit and the restart.
    assert.ok(used < waitMs / 4, `runnable for ${used} ms of a ${waitMs} ms wait`);
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
  });
});
