import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SupervisorEvent } from '../../src/process/events.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions, type ProcessSpec } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { freePort } from '../fixtures/free-port.js';
import { isAliveProcess as isAlive, waitFor } from '../fixtures/process-probes.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const SERVER = fixture('engine-server.mjs');
const ESCAPEE = fixture('engine-escapee.mjs');
const ENV = fixture('engine-env.mjs');
const STDIN_EOF = fixture('process-stdin-eof.mjs');
const DAEMON = fixture('process-daemon.mjs');
const ESBUILD = fileURLToPath(new URL('../../node_modules/.bin/esbuild', import.meta.url));
const TEST_TIMEOUT = 60_000;
const OPTIONS: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 500 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function spec(name: string, command: string, extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return { name, command, cwd: process.cwd(), env: {}, ...extra };
}

/** A supervisor plus what it reported; everything it started is killed after the test, pass or fail. */
function harness(specs: ProcessSpec[], options: EngineOptions = OPTIONS) {
  const supervisor = new Supervisor(specs, options);
  const events: SupervisorEvent[] = [];
  const output = new Map<string, string>();
  const seenPids = new Set<number>();
  supervisor.subscribe((event) => {
    events.push(event);
    if (event.kind === 'output') {
      const { name, text } = event.chunk;
      output.set(name, (output.get(name) ?? '') + text);
      for (const match of text.matchAll(/pid=(\d+)/g)) seenPids.add(Number(match[1]));
    }
    if (event.kind === 'status' && event.snapshot.pid !== null) seenPids.add(event.snapshot.pid);
  });
  cleanups.push(async () => {
    await supervisor.shutdown({ force: true });
    for (const pid of seenPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
  });
  const pidsIn = (name: string, label: string): number[] =>
    [...(output.get(name) ?? '').matchAll(new RegExp(`${label} pid=(\\d+)`, 'g'))].map((m) => Number(m[1]));
  const status = (name: string) => supervisor.list().find((s) => s.name === name)?.status;
  const errors = (name: string) => events.flatMap((e) => (e.kind === 'error' && e.name === name ? [e] : []));
  return { supervisor, events, output, seenPids, pidsIn, status, errors };
}

async function assertAllGone(pids: Iterable<number>) {
  for (const pid of pids) assert.equal(await isAlive(pid), false, `process ${pid} is still alive`);
}

describe('Supervisor with real processes', { timeout: TEST_TIMEOUT }, () => {
  it('leaves no member of a tree with a setsid grandchild alive after stop, restart and shutdown', async () => {
    const command = `sh -c 'node "${SERVER}" & node "${ESCAPEE}" & wait'`;
    const h = harness([spec('tree', command)]);
    const treeCount = () => h.pidsIn('tree', 'setsid-grandchild').length;
    const waitForTree = async (count: number) => {
      await waitFor(
        `tree #${count}`,
        () => treeCount() === count && h.pidsIn('tree', 'listening port=\\d+').length === count,
      );
    };
    const liveTree = async () => {
      const pids = [...h.seenPids];
      const alive = await Promise.all(pids.map(isAlive));
      return pids.filter((_, i) => alive[i]);
    };

    await h.supervisor.startAll();
    await waitForTree(1);
    const first = await liveTree();
    assert.ok(first.length >= 4, `expected shell, server, escapee and grandchild, saw ${first}`);
    await h.supervisor.stop('tree');
    await assertAllGone(first);
    assert.equal(h.status('tree'), 'stopped');

    await h.supervisor.start('tree');
    await waitForTree(2);
    const second = await liveTree();
    assert.ok(second.length >= 4, `expected a second full tree, saw ${second}`);
    await h.supervisor.restart('tree');
    await assertAllGone(second);
    await waitForTree(3);
    const third = await liveTree();
    assert.ok(third.length >= 4, `expected a third full tree, saw ${third}`);
    await h.supervisor.shutdown();
    await assertAllGone(third);
    assert.deepEqual(h.errors('tree'), []);
  });

  it('keeps working when a listener throws, and ignores unknown process names', async () => {
    const listenerErrors: unknown[] = [];
    const supervisor = new Supervisor([spec('echo', `node -e "console.log('still here')"`)], OPTIONS, {
      onListenerError: (error) => listenerErrors.push(error),
    });
    cleanups.push(() => supervisor.shutdown({ force: true }));
    supervisor.subscribe(() => {
      throw new Error('listener bug');
    });
    let output = '';
    supervisor.subscribe((event) => {
      if (event.kind === 'output') output += event.chunk.text;
    });
    await supervisor.start('no-such-process');
    await supervisor.restart('no-such-process');
    await supervisor.stop('no-such-process');
    assert.deepEqual(supervisor.scrollback('no-such-process'), []);
    await supervisor.startAll();
    await waitFor('output despite the throwing listener', () => output.includes('still here'));
    await waitFor('a clean exit', () => supervisor.list()[0]?.status === 'stopped');
    assert.ok(listenerErrors.length >= 3);
    assert.ok(supervisor.scrollback('echo').some((chunk) => chunk.text.includes('still here')));
  });

  it('restarts a server on a fixed port repeatedly without EADDRINUSE, leaving no old tree', async () => {
    const port = await freePort();
    const h = harness([spec('web', `sh -c 'node "${SERVER}" & wait'`, { env: { PORT: String(port) } })]);
    await h.supervisor.startAll();
    const servers = () => h.pidsIn('web', `listening port=${port}`);
    await waitFor('first listen', () => servers().length === 1);
    for (let round = 2; round <= 5; round++) {
      const before = [...h.seenPids];
      await h.supervisor.restart('web');
      await waitFor(`listen #${round}`, () => servers().length === round || h.status('web') === 'error');
      assert.equal(h.status('web'), 'running', h.output.get('web'));
      await assertAllGone(before);
    }
    assert.doesNotMatch(h.output.get('web') ?? '', /EADDRINUSE/);
    assert.deepEqual(h.errors('web'), []);
    assert.equal(h.supervisor.list()[0]?.restarts, 4);
  });

  it('leaks no file descriptors across many restarts and keeps every output line', {
    skip: process.platform !== 'linux' && 'counts /proc/self/fd',
  }, async () => {
    const openDescriptors = async () => (await readdir('/proc/self/fd')).length;
    const h = harness([spec('echo', `node -e "console.log('round ' + process.pid)"`)]);
    await h.supervisor.startAll();
    await waitFor('first output', () => (h.output.get('echo') ?? '').includes('round'));
    // The first restart may make the spare set of pipes that later restarts use; count after it, once the
    // second process has exited and so holds nothing of ours.
    await h.supervisor.restart('echo');
    await waitFor('second output', () => (h.output.get('echo') ?? '').split('round').length - 1 === 2);
    await waitFor('the second process to exit', () => h.status('echo') === 'stopped');
    const before = await openDescriptors();
    for (let round = 3; round <= 22; round++) {
      await h.supervisor.restart('echo');
      await waitFor(
        `output of round ${round}`,
        () => (h.output.get('echo') ?? '').split('round').length - 1 === round,
      );
    }
    await waitFor('the last process to exit', () => h.status('echo') === 'stopped');
    // The exit can be reported before the pipes' end-of-file closes their read ends, and the spare pipes are
    // made in the background (with a mkfifo child's pipes open meanwhile): the count settles rather than
    // being final at once. A leak of one descriptor per restart would keep it 20 or more above forever.
    await waitFor(
      `the descriptors to settle at most 2 above the ${before} before the restarts`,
      async () => (await openDescriptors()) <= before + 2,
    );
  });

  it('restarts and shuts down an npm run wrapper together with the server under it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lucidlines-engine-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const packageJson = { name: 'engine-fixture', private: true, scripts: { dev: `node "${SERVER}"` } };
    await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
    const port = await freePort();
    const h = harness([spec('npm', 'npm run dev', { cwd: dir, env: { PORT: String(port) } })]);
    await h.supervisor.startAll();
    const servers = () => h.pidsIn('npm', `listening port=${port}`);
    await waitFor('npm server listening', () => servers().length === 1);
    const firstTree = [...h.seenPids];
    await h.supervisor.restart('npm');
    await waitFor(
      'restarted npm server listening',
      () => servers().length === 2 || h.status('npm') === 'error',
    );
    assert.equal(h.status('npm'), 'running', h.output.get('npm'));
    await assertAllGone(firstTree);
    const secondTree = [...h.seenPids].filter((pid) => !firstTree.includes(pid));
    assert.ok(secondTree.length >= 2, `expected npm and the server, saw ${secondTree}`);
    await h.supervisor.shutdown();
    await assertAllGone(h.seenPids);
  });

  it('SIGKILLs a child that ignores SIGTERM once the kill timeout has passed', async () => {
    const h = harness([spec('stubborn', `node "${SERVER}"`, { env: { IGNORE_SIGTERM: '1' } })]);
    await h.supervisor.startAll();
    await waitFor(
      'stubborn server listening',
      () => h.pidsIn('stubborn', 'listening port=\\d+').length === 1,
    );
    await h.supervisor.stop('stubborn');
    await assertAllGone(h.seenPids);
    assert.equal(h.status('stubborn'), 'stopped');
  });

  it('escalates a graceful shutdown when a forced one follows, stopping every tree', async () => {
    const slow: EngineOptions = { ...OPTIONS, killTimeoutMs: 10 * 60_000 };
    const h = harness(
      [
        spec('stubborn', `node "${SERVER}"`, { env: { IGNORE_SIGTERM: '1' } }),
        spec('plain', `sh -c 'node "${SERVER}" & wait'`),
      ],
      slow,
    );
    await h.supervisor.startAll();
    await waitFor('both listening', () => h.pidsIn('stubborn', 'listening port=\\d+').length === 1);
    await waitFor('plain listening', () => h.pidsIn('plain', 'listening port=\\d+').length === 1);
    const graceful = h.supervisor.shutdown();
    await waitFor('stubborn to receive SIGTERM', () =>
      (h.output.get('stubborn') ?? '').includes('ignoring SIGTERM'),
    );
    // With a ten-minute kill timeout, only the escalation can end this test before its timeout.
    await Promise.all([graceful, h.supervisor.shutdown({ force: true })]);
    await assertAllGone(h.seenPids);
    assert.deepEqual(
      h.supervisor.list().map((s) => s.status),
      ['stopped', 'stopped'],
    );
    await h.supervisor.start('plain');
    assert.equal(h.status('plain'), 'stopped', 'nothing starts after a shutdown');
  });

  it('reports a crash as error with its exit code', async () => {
    const h = harness([spec('crash', `node -e "console.log('about to crash'); process.exit(3)"`)]);
    await h.supervisor.startAll();
    await waitFor('the crash', () => h.status('crash') === 'error');
    const snapshot = h.supervisor.list()[0];
    assert.equal(snapshot?.exitCode, 3);
    assert.equal(snapshot?.pid, null);
    assert.equal(h.errors('crash')[0]?.code, 'PROCESS_EXITED');
    assert.match(h.errors('crash')[0]?.message ?? '', /"crash".*code 3/);
    await waitFor('the last output', () => (h.output.get('crash') ?? '').includes('about to crash'));
  });

  it('cleans up a background server that a crashed command left running', async () => {
    const h = harness([spec('leaky', `node "${SERVER}" & echo "background pid=$!"; exit 1`)]);
    await h.supervisor.startAll();
    await waitFor('the crash', () => h.status('leaky') === 'error');
    await waitFor('the background pid', () => h.pidsIn('leaky', 'background').length === 1);
    const [server] = h.pidsIn('leaky', 'background');
    await waitFor('the leftover server to be gone', async () => !(await isAlive(server as number)));
    assert.equal(h.errors('leaky')[0]?.code, 'PROCESS_EXITED');
  });

  it('reports a missing command and a missing cwd as SPAWN_FAILED while the others keep running', async () => {
    const h = harness([
      spec('healthy', `node "${SERVER}"`),
      spec('typo', 'lucidlines-no-such-command-4711 --serve'),
      spec('moved', `node "${SERVER}"`, { cwd: join(tmpdir(), 'lucidlines-missing-dir-4711') }),
    ]);
    await h.supervisor.startAll();
    await waitFor('both failures', () => h.status('typo') === 'error' && h.status('moved') === 'error');
    assert.equal(h.errors('typo')[0]?.code, 'SPAWN_FAILED');
    assert.match(h.errors('typo')[0]?.message ?? '', /"typo"/);
    assert.equal(h.errors('moved')[0]?.code, 'SPAWN_FAILED');
    assert.match(
      h.errors('moved')[0]?.message ?? '',
      /"moved".*working directory .*lucidlines-missing-dir-4711 does not exist/,
    );
    await waitFor('healthy listening', () => h.pidsIn('healthy', 'listening port=\\d+').length === 1);
    assert.equal(h.status('healthy'), 'running');
    const healthyPid = h.supervisor.list()[0]?.pid;
    assert.ok(healthyPid !== null && healthyPid !== undefined && (await isAlive(healthyPid)));
    assert.deepEqual(h.errors('healthy'), []);
  });

  it('sets FORCE_COLOR for children unless the environment or the spec chose colours itself', async () => {
    const savedNoColor = process.env.NO_COLOR;
    const savedForceColor = process.env.FORCE_COLOR;
    cleanups.push(async () => {
      if (savedNoColor === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = savedNoColor;
      if (savedForceColor === undefined) delete process.env.FORCE_COLOR;
      else process.env.FORCE_COLOR = savedForceColor;
    });
    delete process.env.NO_COLOR;
    delete process.env.FORCE_COLOR;
    const command = `node "${ENV}"`;
    const h = harness([
      spec('plain', command),
      spec('spec-no-color', command, { env: { NO_COLOR: '1' } }),
      spec('spec-force', command, { env: { FORCE_COLOR: '3' } }),
      spec('inherited-no-color', command),
      spec('inherited-force', command),
    ]);
    await Promise.all([
      h.supervisor.start('plain'),
      h.supervisor.start('spec-no-color'),
      h.supervisor.start('spec-force'),
    ]);
    process.env.NO_COLOR = '1';
    await h.supervisor.start('inherited-no-color');
    delete process.env.NO_COLOR;
    process.env.FORCE_COLOR = '0';
    await h.supervisor.start('inherited-force');
    const envOf = async (name: string) => {
      await waitFor(`${name} env`, () => (h.output.get(name) ?? '').includes('env '));
      return JSON.parse((h.output.get(name) ?? '').replace(/^env /, '').trim());
    };
    assert.deepEqual(await envOf('plain'), { FORCE_COLOR: '1', NO_COLOR: null });
    assert.deepEqual(await envOf('spec-no-color'), { FORCE_COLOR: null, NO_COLOR: '1' });
    assert.deepEqual(await envOf('spec-force'), { FORCE_COLOR: '3', NO_COLOR: null });
    assert.deepEqual(await envOf('inherited-no-color'), { FORCE_COLOR: null, NO_COLOR: '1' });
    assert.deepEqual(await envOf('inherited-force'), { FORCE_COLOR: '0', NO_COLOR: null });
  });

  it('gives every child a stdin that stays open while it runs, so tools that quit on EOF keep running', async () => {
    const h = harness([spec('watcher', `node "${STDIN_EOF}"`)]);
    await h.supervisor.start('watcher');
    // With a closed stdin the fixture ends in its first event-loop turns, long before it ticks 30 times.
    await waitFor('30 ticks', () => /^tick 30$/m.test(h.output.get('watcher') ?? ''));
    assert.doesNotMatch(h.output.get('watcher') ?? '', /stdin ended/);
    assert.equal(h.status('watcher'), 'running');
    const [pid] = h.pidsIn('watcher', 'waiting on stdin');
    await h.supervisor.stop('watcher');
    await assertAllGone([pid as number]);
  });

  it('keeps esbuild --watch watching and rebuilding', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lucid-esbuild-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const entry = join(dir, 'entry.js');
    await writeFile(entry, 'console.log(1);\n');
    const command = `"${ESBUILD}" entry.js --bundle --outfile=out.js --watch`;
    const h = harness([spec('esbuild', command, { cwd: dir })]);
    await h.supervisor.start('esbuild');
    const builds = () => (h.output.get('esbuild') ?? '').match(/build finished/g)?.length ?? 0;
    await waitFor('the first build', () => builds() >= 1);
    // A rebuild after a change proves it is still watching: with a closed stdin it has quit by then.
    await writeFile(entry, 'console.log(2);\n');
    await waitFor('a rebuild after the change', () => builds() >= 2);
    assert.doesNotMatch(h.output.get('esbuild') ?? '', /stdin was closed/);
    assert.equal(h.status('esbuild'), 'running');
  });

  it('stops 200 processes at once, leaving no survivors', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `sleeper-${i}`);
    const h = harness(names.map((name) => spec(name, 'exec sleep 300')));
    await h.supervisor.startAll();
    await waitFor('200 running', () => names.every((name) => h.status(name) === 'running'));
    const pids = h.supervisor.list().flatMap((snapshot) => (snapshot.pid === null ? [] : [snapshot.pid]));
    assert.equal(pids.length, 200);
    await h.supervisor.shutdown();
    await assertAllGone(pids);
  });

  it('stops a double-fork daemon by its run marker and names it; spares LUCIDLINES_KEEP=1', async () => {
    const keepCommand = `LUCIDLINES_KEEP=1 setsid sleep 603 >/dev/null 2>&1 & echo "kept pid=$!"; exec node "${DAEMON}"`;
    const h = harness([spec('daemon', keepCommand)]);
    await h.supervisor.start('daemon');
    await waitFor('the daemon', () => h.pidsIn('daemon', 'daemon started').length === 1);
    const [daemon] = h.pidsIn('daemon', 'daemon started');
    const [kept] = h.pidsIn('daemon', 'kept');
    cleanups.push(async () => {
      process.kill(kept as number, 'SIGKILL');
    });
    assert.ok(await isAlive(daemon as number));
    await h.supervisor.stop('daemon');
    await assertAllGone([daemon as number]);
    assert.ok(await isAlive(kept as number), 'the LUCIDLINES_KEEP=1 process must survive');
    const swept = h.events.flatMap((event) => (event.kind === 'swept' ? event.processes : []));
    assert.deepEqual(
      swept.map(({ pid, foundBy }) => ({ pid, foundBy })),
      [{ pid: daemon, foundBy: 'marker' }],
    );
    assert.match(swept[0]?.command ?? '', /process-daemon\.mjs daemon/);
  });
});
