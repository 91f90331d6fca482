// CI mode and the piped terminal, through the built bin with pipes as CI runs it: each --success condition
// against concurrently itself (a devDependency) run on the same processes, --kill-others-on-fail leaving
// nothing behind, --no-viewer opening no port, and the output flags exactly as the README documents them.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliHarness, isAlive } from '../fixtures/cli-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ciExit = path.join(root, 'test', 'fixtures', 'ci-exit.mjs');
const concurrentlyBin = path.join(root, 'node_modules', 'concurrently', 'dist', 'bin', 'concurrently.js');
const { temp, recordedPids, startCli, runToExit } = cliHarness('lucid-ci-');

/** Three processes that exit in the order a, b, c with the given codes, each after the previous is gone. */
function orderedExits(codes: [number, number, number]): { cwd: string; commands: string[] } {
  const cwd = mkdtempSync(path.join(temp, 'order-'));
  const [a, b, c] = codes;
  return {
    cwd,
    commands: [
      `node "${ciExit}" "${cwd}" a ${a}`,
      `node "${ciExit}" "${cwd}" b ${b} after a`,
      `node "${ciExit}" "${cwd}" c ${c} after b`,
    ],
  };
}

function runConcurrently(args: string[], cwd: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [concurrentlyBin, ...args], { cwd, stdio: 'ignore' });
    child.on('close', (code) => resolve(code));
  });
}

// What lucidlines must exit with for each condition: 0 when it holds, else the deciding process's own code.
const CASES: { codes: [number, number, number]; expected: Record<string, number> }[] = [
  {
    codes: [0, 2, 0],
    expected: {
      first: 0,
      last: 0,
      all: 2,
      'command-b': 2,
      'command-1': 2,
      '!command-b': 0,
      'command-a': 0,
      '!command-a': 2,
      'command-nope': 1,
    },
  },
  {
    codes: [3, 0, 5],
    expected: {
      first: 3,
      last: 5,
      all: 3,
      'command-b': 0,
      '!command-b': 3,
      'command-0': 3,
      '!command-0': 5,
    },
  },
];

/** The sockets a process listens on, from its descriptors and the kernel's TCP tables. */
function listeningSockets(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1] !== undefined) inodes.add(match[1]);
    } catch {
      // Closed between the listing and the read.
    }
  }
  const listening: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // Field 3 is the state (0A is LISTEN), field 9 the inode.
      if (fields[3] === '0A' && fields[9] !== undefined && inodes.has(fields[9]))
        listening.push(fields[1] ?? '');
    }
  }
  return listening;
}

describe('CI mode (built bin, pipes)', () => {
  for (const { codes, expected } of CASES) {
    for (const [condition, code] of Object.entries(expected)) {
      test(`--success ${condition} with exits ${codes.join(', ')} (in that order) exits with ${code}, as concurrently decides`, async () => {
        const ours = orderedExits(codes);
        const result = await runToExit(
          ['--no-viewer', '--success', condition, '--names', 'a,b,c', ...ours.commands],
          ours.cwd,
        );
        assert.equal(result.code, code, result.stderr);
        const theirs = orderedExits(codes);
        const concurrently = await runConcurrently(
          ['--success', condition, '-n', 'a,b,c', ...theirs.commands],
          theirs.cwd,
        );
        assert.equal(concurrently === 0, code === 0, `concurrently exited with ${concurrently}`);
      });
    }
  }

  test('--kill-others stops the API once the tests end, and exits with the tests code (the e2e one-liner)', async () => {
    const cwd = mkdtempSync(path.join(temp, 'e2e-'));
    const result = await runToExit(
      [
        '--no-viewer',
        '--kill-others',
        '--success',
        'command-e2e',
        '--names',
        'api,e2e',
        `node "${ciExit}" "${cwd}" api forever`,
        `node "${ciExit}" "${cwd}" e2e 7 started api`,
      ],
      cwd,
    );
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stderr, /e2e exited with code 7; stopping the other processes \(--kill-others\)/);
    const api = Number(readFileSync(path.join(cwd, 'api.pid'), 'utf8'));
    recordedPids.add(api);
    assert.equal(isAlive(api), false);
  });

  test('--kill-others-on-fail stops every other process tree and leaves nothing running', async () => {
    const cwd = mkdtempSync(path.join(temp, 'fail-'));
    const result = await runToExit(
      [
        '--no-viewer',
        '--kill-others-on-fail',
        '--names',
        'api,tests',
        // The shell forks the node process and waits: stopping only the shell would leave it running.
        `sh -c 'node "${ciExit}" "${cwd}" api forever & wait'`,
        `node "${ciExit}" "${cwd}" tests 4 started api`,
      ],
      cwd,
    );
    // "all" by default: tests failed first, with 4.
    assert.equal(result.code, 4, result.stderr);
    const pids = [
      Number(readFileSync(path.join(cwd, 'api.pid'), 'utf8')),
      ...[...result.stdout.matchAll(/^\[\w+\] +running \(pid (\d+)\)$/gm)].map((match) => Number(match[1])),
    ];
    assert.equal(pids.length, 3, result.stdout);
    for (const pid of pids) recordedPids.add(pid);
    assert.deepEqual(pids.filter(isAlive), []);
  });

  test('--kill-others-on-fail lets the others run on after a success, and exits once all have ended', async () => {
    const cwd = mkdtempSync(path.join(temp, 'pass-'));
    const result = await runToExit(
      [
        '--no-viewer',
        '--kill-others-on-fail',
        '--names',
        'a,b',
        `node "${ciExit}" "${cwd}" a 0`,
        `node "${ciExit}" "${cwd}" b 0 after a`,
      ],
      cwd,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\[b\] +b done$/m);
    assert.doesNotMatch(result.stderr, /stopping the other processes/);
  });

  test('--no-viewer runs without listening on any port', async () => {
    const cwd = mkdtempSync(path.join(temp, 'noviewer-'));
    const command = `node "${ciExit}" "${cwd}" web forever`;
    // The same check finds the viewer's socket when the viewer is on, so it can fail.
    const withViewer = startCli(['--port', '0', '--names', 'web', command], cwd);
    await withViewer.waitForOutput(/^\[web\] +web done$/m, 'the process with the viewer on');
    assert.equal(listeningSockets(withViewer.child.pid ?? 0).length, 1);
    withViewer.child.kill('SIGINT');
    await withViewer.exit;

    const run = startCli(['--no-viewer', '--names', 'web', command], cwd);
    await run.waitForOutput(/^ {2}viewer +off \(--no-viewer\)$/m, 'the summary');
    await run.waitForOutput(/^\[web\] +web done$/m, 'the process');
    assert.deepEqual(listeningSockets(run.child.pid ?? 0), []);
    assert.doesNotMatch(run.stdout(), /http:\/\//);
    run.child.kill('SIGINT');
    assert.equal((await run.exit).code, 0);
  });
});

describe('terminal output flags (built bin, pipes)', () => {
  const twoProcesses = (cwd: string) => [
    '--no-viewer',
    '--success',
    'all',
    '--names',
    'web,worker',
    `node "${ciExit}" "${cwd}" web 0`,
    `node "${ciExit}" "${cwd}" worker 0 after web`,
  ];

  test('--only prints the named processes, aligned to the widest of them', async () => {
    const cwd = mkdtempSync(path.join(temp, 'only-'));
    const result = await runToExit(['--only', 'web', ...twoProcesses(cwd)], cwd);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\[web\] {3}web done$/m);
    assert.doesNotMatch(result.stdout, /^\[worker\]/m);
  });

  test('--hide leaves the named processes out of the terminal', async () => {
    const cwd = mkdtempSync(path.join(temp, 'hide-'));
    const result = await runToExit(['--hide', 'web', ...twoProcesses(cwd)], cwd);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\[worker\] {3}worker done$/m);
    assert.doesNotMatch(result.stdout, /^\[web\]/m);
  });

  test('--only with a name no process has is refused', async () => {
    const cwd = mkdtempSync(path.join(temp, 'only-typo-'));
    const result = await runToExit(['--only', 'wbe', ...twoProcesses(cwd)], cwd);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--only names a process that this run does not have: "wbe"/);
  });

  test('--timestamps starts every line with the local time as HH:MM:SS.mmm', async () => {
    const cwd = mkdtempSync(path.join(temp, 'time-'));
    const result = await runToExit(['--timestamps', ...twoProcesses(cwd)], cwd);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{3} \[web\] {6}web done$/m);
    assert.match(result.stdout, /^\d\d:\d\d:\d\d\.\d{3} \[worker\] {3}worker done$/m);
  });

  test("--raw prints the processes' output alone, as written, on stdout", async () => {
    const cwd = mkdtempSync(path.join(temp, 'raw-'));
    const result = await runToExit(['--raw', ...twoProcesses(cwd)], cwd);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'web done\nworker done\n');
    assert.match(result.stderr, /lucidlines 0\.1\.0: running 2 processes/);
  });

  test("children's colours pass through a pipe as written, and --no-color strips them", async () => {
    const cwd = mkdtempSync(path.join(temp, 'color-'));
    const red = `node -e "console.log('\\x1b[31mred\\x1b[39m')"`;
    const args = ['--no-viewer', '--success', 'all', '--names', 'web', red];
    const piped = await runToExit(args, cwd);
    assert.equal(piped.code, 0, piped.stderr);
    assert.ok(
      piped.stdout.includes('[web]   \u001b[31mred\u001b[39m\u001b[0m\n'),
      JSON.stringify(piped.stdout),
    );
    const stripped = await runToExit(['--no-color', ...args], cwd);
    assert.match(stripped.stdout, /^\[web\] {3}red$/m);
    assert.ok(!stripped.stdout.includes('\u001b'), JSON.stringify(stripped.stdout));
  });
});
