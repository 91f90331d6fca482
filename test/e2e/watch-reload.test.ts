// Watch-restart and live config reload, end to end: the built CLI, real processes, real files changed on
// disk, and a real WebSocket client. Every wait is on something lucidlines prints or sends.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { type CliRun, cliHarness, isAlive } from '../fixtures/cli-harness.js';
import { freePort } from '../fixtures/free-port.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const idle = path.join(root, 'test', 'fixtures', 'watch-idle.mjs');
const { temp, recordedPids, startCli } = cliHarness('lucid-watch-');

const WAIT_MS = 60_000;

/** Resolves once `count` matches of `pattern` (global) are in the stream; rejects if lucidlines exits first. */
function waitForCount(
  run: CliRun,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
  count: number,
  what: string,
): Promise<RegExpMatchArray[]> {
  return new Promise((resolve, reject) => {
    const text = stream === 'stdout' ? run.stdout : run.stderr;
    const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    const check = () => {
      const matches = [...text().matchAll(pattern)];
      if (matches.length >= count) done(() => resolve(matches));
      else if (run.child.exitCode !== null || run.child.signalCode !== null) {
        fail(new Error(`lucidlines exited before ${what}`));
      }
    };
    const fail = (error: Error) =>
      done(() => reject(new Error(`${error.message}\nstdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`)));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      run.child.stdout?.off('data', check);
      run.child.stderr?.off('data', check);
      run.child.off('exit', check);
      settle();
    };
    run.child.stdout?.on('data', check);
    run.child.stderr?.on('data', check);
    run.child.on('exit', check);
    check();
  });
}

/** The pid printed by the `started` line of every run of `label` so far, oldest first. */
async function startedPids(run: CliRun, label: string, count: number): Promise<number[]> {
  const pattern = new RegExp(`^\\[${label}\\] +${label} started pid=(\\d+)`, 'gm');
  const matches = await waitForCount(run, 'stdout', pattern, count, `${count} start(s) of ${label}`);
  const pids = matches.map((match) => Number(match[1]));
  for (const pid of pids) recordedPids.add(pid);
  return pids;
}

async function stopCli(run: CliRun): Promise<void> {
  run.child.kill('SIGINT');
  const { code } = await run.exit;
  assert.equal(code, 0, run.stderr());
}

interface Message {
  type: string;
  code?: string;
  message?: string;
  processes?: { name: string; pid?: number; command: string }[];
}

/** A WebSocket client that records every message and can wait for one. */
async function connect(url: string) {
  const ws = new WebSocket(new URL('ws', url).href.replace(/^http/, 'ws'));
  const messages: Message[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    messages.push(JSON.parse(String(data)) as Message);
    for (const waiter of [...waiters]) waiter();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waitFor = (accept: (message: Message) => boolean, what: string) =>
    new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} arrived`)), WAIT_MS);
      const check = () => {
        const found = messages.find(accept);
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return { ws, messages, waitFor };
}

describe('watch-restart (built bin)', () => {
  test('a change restarts exactly the watched process, a burst once, and node_modules and .git are ignored', async () => {
    const cwd = mkdtempSync(path.join(temp, 'watch-'));
    mkdirSync(path.join(cwd, 'src'));
    mkdirSync(path.join(cwd, 'node_modules', 'dep'), { recursive: true });
    mkdirSync(path.join(cwd, '.git'));
    writeFileSync(
      path.join(cwd, 'lucidlines.config.json'),
      JSON.stringify({
        processes: [
          // The glob's base is the process's folder itself, so node_modules and .git lie under it.
          // A long debounce makes the test's burst of writes one burst even on a loaded machine.
          { name: 'watched', command: `node "${idle}" watched`, watch: ['**/*.txt'], watchDebounce: 1500 },
          { name: 'other', command: `node "${idle}" other` },
        ],
      }),
    );
    const run = startCli(['--port', '0'], cwd);
    await run.waitForOutput(/^lucidlines: \[watched\] watching \*\*\/\*\.txt for changes$/m, 'watching');
    const [firstWatched] = await startedPids(run, 'watched', 1);
    const [other] = await startedPids(run, 'other', 1);
    const restartLine = /^lucidlines: \[watched\] (.+) changed, restarting$/gm;

    writeFileSync(path.join(cwd, 'src', 'a.txt'), 'one');
    const [first] = await waitForCount(run, 'stdout', restartLine, 1, 'the first restart');
    assert.equal(first?.[1], 'src/a.txt');
    const afterOne = await startedPids(run, 'watched', 2);
    assert.equal(isAlive(firstWatched ?? 0), false, 'the old run is gone');

    for (let i = 0; i < 20; i++) writeFileSync(path.join(cwd, 'src', `burst-${i}.txt`), String(i));
    for (let i = 0; i < 10; i++) writeFileSync(path.join(cwd, 'src', 'a.txt'), `edit ${i}`);
    await waitForCount(run, 'stdout', restartLine, 2, 'the restart of the burst');
    await startedPids(run, 'watched', 3);

    // Were these seen, the sentinel's restart would name them: they come first in the same debounce window.
    writeFileSync(path.join(cwd, 'node_modules', 'dep', 'index.txt'), 'ignored');
    writeFileSync(path.join(cwd, '.git', 'HEAD.txt'), 'ignored');
    writeFileSync(path.join(cwd, 'src', 'sentinel.txt'), 'last');
    const restarts = await waitForCount(run, 'stdout', restartLine, 3, 'the sentinel restart');
    // Which file of the burst is named first is up to the watcher: chokidar reports a change of a file it
    // already watches at once, but new files only after re-reading their folder, which a loaded machine delays.
    const named = restarts.map((match) => match[1]);
    assert.equal(named[0], 'src/a.txt');
    assert.match(
      named[1] ?? '',
      /^src\/(a|burst-\d+)\.txt$/,
      'the burst restarts once, naming one of its files',
    );
    assert.equal(named[2], 'src/sentinel.txt', 'one restart per burst, none for node_modules or .git');
    const pids = await startedPids(run, 'watched', 4);
    assert.equal(afterOne.length, 2);

    assert.equal(
      [...run.stdout().matchAll(/^\[other\] +other started/gm)].length,
      1,
      'other never restarted',
    );
    assert.ok(isAlive(other ?? 0), 'other keeps its pid');
    await stopCli(run);
    for (const pid of [...pids, other ?? 0]) assert.equal(isAlive(pid), false, `pid ${pid} is gone`);
  });
});

describe('live config reload (built bin)', () => {
  test('an edit adds, removes and changes processes without touching the others; invalid and port edits are refused', async () => {
    const cwd = mkdtempSync(path.join(temp, 'reload-'));
    const file = path.join(cwd, 'lucidlines.config.json');
    const port = await freePort();
    const processes = (changeVersion: string, withDrop: boolean, withAdded: boolean) => [
      { name: 'keep', command: `node "${idle}" keep` },
      ...(withDrop ? [{ name: 'drop', command: `node "${idle}" drop` }] : []),
      { name: 'change', command: `node "${idle}" change ${changeVersion}` },
      ...(withAdded ? [{ name: 'added', command: `node "${idle}" added` }] : []),
    ];
    writeFileSync(file, JSON.stringify({ port, processes: processes('v1', true, false) }, null, 2));

    const run = startCli([], cwd);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    await run.waitForOutput(/^lucidlines: watching lucidlines\.config\.json for edits$/m, 'the config watch');
    const [keep] = await startedPids(run, 'keep', 1);
    const [drop] = await startedPids(run, 'drop', 1);
    await startedPids(run, 'change', 1);
    const client = await connect(url ?? '');
    await client.waitFor((message) => message.type === 'info', 'info');

    // An editor's save: the new text goes to another file, which is renamed over the config.
    const swap = path.join(cwd, '.lucidlines.config.json.swp');
    writeFileSync(swap, JSON.stringify({ port, processes: processes('v2', false, true) }, null, 2));
    renameSync(swap, file);
    await run.waitForOutput(
      /^lucidlines: applied the edit of lucidlines\.config\.json: started added; stopped drop; restarted change \(changed\)$/m,
      'the applied edit',
    );
    const list = await client.waitFor((message) => message.type === 'processes', 'a processes message');
    assert.deepEqual(
      list.processes?.map((entry) => entry.name),
      ['keep', 'change', 'added'],
    );
    const [added] = await startedPids(run, 'added', 1);
    const changed = await startedPids(run, 'change', 2);
    assert.match(run.stdout(), /^\[change\] +change started pid=\d+ v2$/m);
    assert.equal(isAlive(drop ?? 0), false, 'the removed process is stopped');
    assert.ok(isAlive(keep ?? 0), 'the unchanged process keeps running');
    assert.equal(list.processes?.find((entry) => entry.name === 'keep')?.pid !== undefined, true);

    // An invalid edit, written in place: reported as at start, and the running processes stay as they are.
    writeFileSync(file, JSON.stringify({ port, processes: [{ name: 'keep' }] }, null, 2));
    await waitForCount(run, 'stderr', /CONFIG EDIT NOT APPLIED/g, 1, 'the invalid edit report');
    assert.match(run.stderr(), /lucidlines\.config\.json:\d+:\d+ +processes\[0\]\.command is missing/);
    const invalid = await client.waitFor((message) => message.code === 'CONFIG_INVALID', 'CONFIG_INVALID');
    assert.equal(invalid.type, 'error');

    // A port change is reported and not applied; the same processes keep running.
    const otherPort = await freePort();
    writeFileSync(
      file,
      JSON.stringify({ port: otherPort, processes: processes('v2', false, true) }, null, 2),
    );
    await waitForCount(
      run,
      'stderr',
      /changes "port", which takes effect only when lucidlines starts/g,
      1,
      'the port report',
    );
    const restart = await client.waitFor(
      (message) => message.code === 'CONFIG_NEEDS_RESTART',
      'CONFIG_NEEDS_RESTART',
    );
    assert.match(restart.message ?? '', /"port"/);
    assert.match(run.stdout(), /applied the edit of lucidlines\.config\.json: no process changed$/m);
    const still = await fetch(url ?? '');
    assert.equal(still.status, 200, 'the viewer still answers on the old port');
    await still.arrayBuffer();

    for (const pid of [keep, added, changed[1]]) assert.ok(isAlive(pid ?? 0), `pid ${pid} still runs`);
    assert.equal([...run.stdout().matchAll(/^\[keep\] +keep started/gm)].length, 1, 'keep never restarted');
    assert.equal([...run.stdout().matchAll(/^\[change\] +change started/gm)].length, 2);
    client.ws.close();
    await stopCli(run);
    for (const pid of [keep, added, ...changed]) assert.equal(isAlive(pid ?? 0), false, `pid ${pid} is gone`);
  });
});
