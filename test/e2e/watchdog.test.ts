// Kills the built `bin/lucidlines.js` the hard way (SIGKILL, which it cannot intercept) and checks with `ps`
// that nothing it started survives: the watchdog stops the process trees at once, and when the watchdog was
// killed too, the next start in the same project does. A second live lucidlines in the same project, and a
// process that merely got a recorded pid, are never touched.

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectHash } from '../../src/project-state.js';
import { ROOT } from '../fixtures/build.js';
import { type CliRun, cliHarness } from '../fixtures/cli-harness.js';

const quiet = path.join(ROOT, 'test', 'fixtures', 'watchdog-quiet.mjs');
const { temp, recordedPids, startCli: startCliWith } = cliHarness('lucid-watchdog-');
/** Every test's state lives here, so the test can look at the records and never meets a real user's. */
const runtimeDir = path.join(temp, 'runtime');
mkdirSync(runtimeDir, { mode: 0o700 });

const KILL_TIMEOUT_MS = 1500;
/** Only guards against a hang; every wait below ends as soon as the state it waits for is reached. */
const HANG_GUARD_MS = 60_000;
/** How often a waited-for state is looked at again. */
const POLL_MS = 25;

/**
 * The pids among these that are alive: existing and not zombies (orphans are never reaped on these machines,
 * yet are dead). One `ps` for all of them, so a poll costs the same however many pids are watched.
 */
function alivePids(pids: readonly number[]): number[] {
  let table = '';
  try {
    table = execFileSync('ps', ['-o', 'pid=,stat=', '-p', pids.join(',')], { encoding: 'utf8' });
  } catch (error) {
    // ps exits 1 when none of the pids exists, which is an answer, not a failure.
    table = (error as { stdout?: string }).stdout ?? '';
  }
  const alive: number[] = [];
  for (const line of table.split('\n')) {
    const [pid, stat] = line.trim().split(/\s+/);
    if (pid !== undefined && stat !== undefined && !stat.startsWith('Z')) alive.push(Number(pid));
  }
  return alive;
}

const isAlive = (pid: number): boolean => alivePids([pid]).length === 1;

async function waitUntil(condition: () => boolean, what: string | (() => string)): Promise<void> {
  const giveUpAt = Date.now() + HANG_GUARD_MS;
  while (!condition()) {
    if (Date.now() > giveUpAt)
      throw new Error(`Gave up waiting for ${typeof what === 'string' ? what : what()}.`);
    await sleep(POLL_MS);
  }
}

/** Waits until every pid is gone and returns how long that took. */
async function timeUntilGone(pids: readonly number[]): Promise<number> {
  const start = Date.now();
  let alive = alivePids(pids);
  await waitUntil(
    () => {
      alive = alivePids(pids);
      return alive.length === 0;
    },
    () => `pids ${alive.join(', ')} to be gone`,
  );
  return Date.now() - start;
}

/**
 * A project with a tree behind a shell, a plain process, one that ignores SIGTERM, and one whose environment
 * was cleared (`env -i`), so only its process group, not the run marker, identifies it. They stay silent after
 * their first line: a process that writes would die of a broken pipe once lucidlines is gone, and hide
 * whether anything stopped it.
 */
function writeProject(name: string): string {
  const dir = mkdtempSync(path.join(temp, `${name}-`));
  writeFileSync(
    path.join(dir, 'lucidlines.config.json'),
    JSON.stringify({
      killTimeout: KILL_TIMEOUT_MS,
      processes: [
        // The shell forks node and waits: killing only the shell would leave node running.
        { name: 'tree', command: `sh -c 'node "${quiet}" tree & wait'` },
        { name: 'plain', command: `node "${quiet}" plain` },
        { name: 'stubborn', command: `node "${quiet}" stubborn --ignore-term` },
        { name: 'envless', command: `env -i "${process.execPath}" "${quiet}" envless` },
      ],
    }),
  );
  return dir;
}

function startCli(cwd: string): CliRun {
  return startCliWith(['--port', '0'], cwd, { env: { XDG_RUNTIME_DIR: runtimeDir } });
}

/** The pid of lucidlines itself. */
const pidOf = (run: CliRun): number => run.child.pid as number;

/** Every pid of the run once all four processes announced themselves: the group leaders and the node processes. */
async function runningPids(run: CliRun): Promise<number[]> {
  const pids: number[] = [];
  for (const name of ['tree', 'plain', 'stubborn', 'envless']) {
    const [, pid] = await run.waitForOutput(
      new RegExp(`^\\[${name}\\] +\\w+ started pid=(\\d+)$`, 'm'),
      `${name}`,
    );
    pids.push(Number(pid));
  }
  const leaders = [...run.stdout().matchAll(/^\[\w+\] +running \(pid (\d+)\)$/gm)].map((m) => Number(m[1]));
  const all = [...new Set([...pids, ...leaders])];
  // At least the shell of `tree` is a process of its own besides the node it forked.
  assert.ok(all.length >= 5, run.stdout());
  for (const pid of all) recordedPids.add(pid);
  for (const pid of all) assert.ok(isAlive(pid), `pid ${pid} should run`);
  return all;
}

/** The watchdog is the only child of lucidlines that runs its script. */
function watchdogOf(run: CliRun): number {
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pidOf(run))], {
    encoding: 'utf8',
  });
  const line = children.split('\n').find((entry) => entry.includes('watchdog-main'));
  assert.ok(line !== undefined, `no watchdog among the children of lucidlines:\n${children}`);
  const pid = Number.parseInt(line, 10);
  recordedPids.add(pid);
  return pid;
}

/** The project's state folder, where the issue says it is. */
function stateFolder(project: string): string {
  return path.join(runtimeDir, 'lucidlines', projectHash(realpathSync(project)));
}

function recordsOf(project: string): string[] {
  const folder = stateFolder(project);
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((name) => /^run-[0-9a-f]+\.json$/.test(name));
}

async function stopWithCtrlC(run: CliRun): Promise<void> {
  run.child.kill('SIGINT');
  await waitUntil(() => run.child.exitCode !== null, 'lucidlines to exit after SIGINT');
  assert.equal(run.child.exitCode, 0, run.stderr());
}

describe('nothing survives lucidlines dying', { concurrency: false }, () => {
  // How fast (the kill timeout + 2 s) is measured by `npm run bench -- --only owner-killed`: on a loaded
  // machine a time bound here would fail for the machine's sake, not the program's.
  test('after SIGKILL, the watchdog stops every tree, then exits', async (t) => {
    const project = writeProject('watchdog');
    const run = startCli(project);
    const pids = await runningPids(run);
    const watchdog = watchdogOf(run);
    assert.equal(recordsOf(project).length, 1, 'a run record is kept while lucidlines runs');

    // A Ctrl-C or a closing terminal must not take the watchdog down: it exists to outlive lucidlines.
    process.kill(watchdog, 'SIGINT');
    process.kill(watchdog, 'SIGHUP');
    run.child.kill('SIGKILL');
    const elapsed = await timeUntilGone(pids);
    t.diagnostic(`every child was gone ${elapsed} ms after SIGKILL (kill timeout ${KILL_TIMEOUT_MS} ms)`);
    await timeUntilGone([watchdog]);
    assert.deepEqual(recordsOf(project), [], 'the watchdog removes the record once it is done');
  });

  test('after Ctrl-C, the watchdog has exited by the time lucidlines has, and it stopped nothing', async () => {
    const project = writeProject('clean-exit');
    const run = startCli(project);
    const pids = await runningPids(run);
    const watchdog = watchdogOf(run);
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    // No wait here: a script that runs `ps` as soon as lucidlines has exited must find nothing of it.
    assert.deepEqual(alivePids([...pids, watchdog]), []);
    assert.equal(code, 0, run.stderr());
    assert.deepEqual(recordsOf(project), []);
  });

  test('after SIGKILL of lucidlines and its watchdog, the next start stops the leftovers and says so in one line', async () => {
    const project = writeProject('leftovers');
    const first = startCli(project);
    const pids = await runningPids(first);
    const watchdog = watchdogOf(first);
    process.kill(watchdog, 'SIGKILL');
    await timeUntilGone([watchdog]);
    first.child.kill('SIGKILL');
    await timeUntilGone([pidOf(first)]);
    assert.deepEqual(
      pids.filter((pid) => !isAlive(pid)),
      [],
      'with no watchdog, nothing stops them',
    );

    const second = startCli(project);
    const secondPids = await runningPids(second);
    assert.deepEqual(pids.filter(isAlive), [], 'the leftovers are gone before the new run is up');
    const notices = second
      .stderr()
      .split('\n')
      .filter((line) => line.includes('left running'));
    assert.equal(notices.length, 1, second.stderr());
    assert.match(
      notices[0] as string,
      new RegExp(
        `^lucidlines: stopped \\d+ processes left running by an earlier run \\(pid ${pidOf(first)}\\)`,
      ),
    );
    await stopWithCtrlC(second);
    assert.deepEqual(secondPids.filter(isAlive), []);
    assert.deepEqual(recordsOf(project), [], 'a clean exit removes the record');
  });

  test('a second live lucidlines in the same project is never harmed, even when the first is killed', async () => {
    const project = writeProject('two-live');
    const first = startCli(project);
    const firstPids = await runningPids(first);
    const firstWatchdog = watchdogOf(first);
    const second = startCli(project);
    const secondPids = await runningPids(second);
    assert.doesNotMatch(second.stderr(), /left running/, 'a live instance is not a leftover');
    assert.deepEqual(
      firstPids.filter((pid) => !isAlive(pid)),
      [],
    );

    second.child.kill('SIGKILL');
    await timeUntilGone(secondPids);
    assert.deepEqual(
      firstPids.filter((pid) => !isAlive(pid)),
      [],
      "the second run's watchdog stopped only the second run's processes",
    );
    await stopWithCtrlC(first);
    assert.deepEqual(firstPids.filter(isAlive), []);
    // Told that all is stopped, the watchdog exits by itself.
    await timeUntilGone([firstWatchdog]);
  });

  test('a recorded pid that now belongs to another process (another start time) is not killed', async () => {
    const project = writeProject('recycled');
    // A process that happens to lead a group with a recorded pid, as a recycled pid would.
    const bystander = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    const bystanderPid = bystander.pid as number;
    recordedPids.add(bystanderPid);
    // A dead owner: the pid of a process that has exited.
    const deadOwner = spawnSync('true').pid;
    mkdirSync(stateFolder(project), { recursive: true, mode: 0o700 });
    writeFileSync(
      path.join(stateFolder(project), 'run-00000000000000aa.json'),
      JSON.stringify({
        version: 1,
        owner: { pid: deadOwner, startTime: '1' },
        instanceId: '00000000000000aa',
        killTimeoutMs: 100,
        groups: [{ pgid: bystanderPid, startTime: 'not its start time' }],
      }),
    );

    const run = startCli(project);
    await runningPids(run);
    assert.ok(isAlive(bystanderPid), 'the bystander with a recycled pid still runs');
    assert.doesNotMatch(run.stderr(), /left running/);
    await stopWithCtrlC(run);
    assert.deepEqual(recordsOf(project), [], "the dead owner's record is gone once it was dealt with");
    assert.ok(isAlive(bystanderPid));
    bystander.kill('SIGKILL');
  });
});
