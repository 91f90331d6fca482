// The terminal's queue is bounded: a real lucidlines (the built CLI) whose stdout the test stops reading
// keeps its memory bounded while a child floods, still delivers every byte to a real viewer connection,
// and once its stdout is read again prints one line saying how much it left out. A stdout that is read, if
// more slowly than the child writes, gets every line: the flooding child is held instead.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { decodeServerMessage } from '../../src/protocol.js';
import { ensureBuilt, ROOT } from '../fixtures/build.js';
import { waitUntil } from '../fixtures/server-test-kit.js';

const LINE_BYTES = 200;
const LINES_PER_ROUND = 20_000;
const ROUNDS = 40;
const TOTAL_LINES = LINES_PER_ROUND * ROUNDS;
/** Generous: lucidlines peaks near 130 MB with a flood and a reading terminal; unbounded it passes 300 MB. */
const MAX_RSS_BYTES = 200 * 1024 * 1024;
const NOTICE = /^lucidlines: ([\d,]+) lines? \(([^)]+)\) of output (?:was|were) not printed here\b.*$/m;

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-terminal-bound-'));
before(ensureBuilt);
after(() => rmSync(temp, { recursive: true, force: true }));

/** The highest resident set size the process has had so far (VmHWM, the peak of VmRSS). */
function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, `/proc/${pid}/status has no VmHWM`);
  return Number(match[1]) * 1024;
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Starts the built CLI on a config with one `flood` process, its stdout a pipe the test reads. */
function startFlood(rounds: number, linesPerRound: number) {
  const gates = mkdtempSync(path.join(temp, 'gates-'));
  const fixture = path.join(ROOT, 'test', 'fixtures', 'output-flood.mjs');
  const dir = mkdtempSync(path.join(temp, 'project-'));
  const config = path.join(dir, 'lucidlines.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      processes: [
        { name: 'flood', command: `node "${fixture}" "${gates}" ${rounds} ${linesPerRound}`, cwd: dir },
      ],
    }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const lucid = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'lucidlines.js'), '--config', config, '--port', '0', '--no-open'],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => lucid.once('exit', () => resolve()));
  return { gates, lucid, exited };
}

test('a terminal that reads more slowly than a child floods gets every line: the child is held, nothing dropped', async () => {
  const lines = 250_000;
  const { gates, lucid, exited } = startFlood(1, lines);
  // Appended to, never read until the end: reading a string built of 250,000 appends flattens it each time.
  let stdout = '';
  let tail = '';
  let done = false;
  lucid.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
    tail = (tail + text).slice(-300);
    done ||= /^\[flood\] +flood-done$/m.test(tail);
  });
  try {
    // The whole flood at once: 50 MB, read by lucidlines far faster than it can move it to a pipe.
    writeFileSync(path.join(gates, 'round-0'), '');
    await waitUntil('the end of the flood in the terminal', () => done, 120_000);
    assert.doesNotMatch(stdout, NOTICE);
    assert.equal(stdout.match(/^\[flood\] +line \d+ /gm)?.length, lines);
  } finally {
    if (lucid.exitCode === null) lucid.kill('SIGINT');
    await exited;
  }
});

test('a stalled terminal costs bounded memory and drops only terminal output, then says how much', async (t) => {
  const { gates, lucid, exited } = startFlood(ROUNDS, LINES_PER_ROUND);
  let stdout = '';
  let stderr = '';
  lucid.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  lucid.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let socket: WebSocket | null = null;
  let floodPid: number | null = null;
  try {
    await waitUntil('the viewer URL', () => /^http:\/\/\S+\/$/m.test(stdout) || lucid.exitCode !== null);
    const url = new URL(
      /^(http:\/\/\S+\/)$/m.exec(stdout)?.[1] ?? assert.fail(`no URL:\n${stdout}\n${stderr}`),
    );
    // From here on nobody reads lucidlines' stdout: the pipe fills, and then its own queue would.
    lucid.stdout.pause();

    let received = 0;
    let closeCode: number | null = null;
    socket = new WebSocket(`ws://${url.host}/ws`, { perMessageDeflate: false });
    socket.on('message', (data) => {
      const decoded = decodeServerMessage(data.toString());
      if (!decoded.ok) return;
      const message = decoded.value;
      if (message.type === 'process' && message.name === 'flood') received += message.output.length;
      if (message.type === 'status' && message.name === 'flood' && message.pid !== null)
        floodPid = message.pid;
      if (message.type === 'info') floodPid = message.processes[0]?.pid ?? floodPid;
    });
    socket.on('close', (code) => {
      closeCode = code;
    });
    await new Promise((resolve, reject) => socket?.once('open', resolve).once('error', reject));

    for (let round = 0; round < ROUNDS; round++) {
      writeFileSync(path.join(gates, `round-${round}`), '');
      const wanted = (round + 1) * LINES_PER_ROUND * LINE_BYTES;
      await waitUntil(`round ${round} at the viewer (${received}/${wanted} characters)`, () => {
        assert.equal(closeCode, null, 'the viewer connection was closed');
        return received >= wanted;
      });
    }
    await waitUntil('the end of the flood at the viewer', () => received >= TOTAL_LINES * LINE_BYTES + 11);
    assert.equal(received, TOTAL_LINES * LINE_BYTES + 'flood-done\n'.length, 'the viewer got every byte');
    const peak = peakRss(lucid.pid as number);
    t.diagnostic(`peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB after ${(received / 1e6).toFixed(0)} MB`);
    assert.ok(
      peak < MAX_RSS_BYTES,
      `lucidlines peaked at ${(peak / 2 ** 20).toFixed(0)} MiB with its terminal stalled after ${(received / 1e6).toFixed(0)} MB`,
    );

    lucid.stdout.resume();
    await waitUntil('the line that says how much was dropped', () => NOTICE.test(stdout), 60_000);
    const dropped = Number(NOTICE.exec(stdout)?.[1]?.replaceAll(',', ''));
    const printed = stdout.match(/^\[flood\]\s+line \d+ /gm)?.length ?? 0;
    assert.ok(dropped > 0 && printed < TOTAL_LINES, `printed ${printed}, dropped ${dropped}`);
    assert.ok(printed + dropped >= TOTAL_LINES, `printed ${printed} + dropped ${dropped} < ${TOTAL_LINES}`);
    assert.equal(stdout.match(new RegExp(NOTICE.source, 'gm'))?.length, 1, 'one notice for one stall');
  } finally {
    socket?.terminate();
    lucid.stdout.resume();
    if (lucid.exitCode === null) lucid.kill('SIGINT');
    await exited;
  }
  assert.ok(floodPid !== null);
  assert.equal(isAlive(floodPid), false, 'the flooding child was stopped with lucidlines');
});
