// Supervisor.apply with real processes: a new list of specs adds, removes and changes processes, and leaves
// the unchanged ones running with their pids.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ProcessSnapshot, SupervisorEvent } from '../../src/process/events.js';
import { DEFAULT_ENGINE_OPTIONS, type ProcessSpec } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';

const IDLE = fileURLToPath(new URL('../fixtures/watch-idle.mjs', import.meta.url));
const OPTIONS = { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 500 };

function isAlive(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false;
  }
}

function spec(name: string, version = 'v1', extra: Partial<ProcessSpec> = {}): ProcessSpec {
  return { name, command: `node "${IDLE}" ${name} ${version}`, cwd: process.cwd(), env: {}, ...extra };
}

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const supervisor of supervisors.splice(0)) await supervisor.shutdown({ force: true });
});

/** A supervisor whose events are recorded, with a wait on them (never on time). */
function harness(specs: ProcessSpec[]) {
  const supervisor = new Supervisor(specs, OPTIONS);
  supervisors.push(supervisor);
  const events: SupervisorEvent[] = [];
  const waiters = new Set<() => void>();
  supervisor.subscribe((event) => {
    events.push(event);
    for (const waiter of [...waiters]) waiter();
  });
  const waitFor = (what: string, condition: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 30_000);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const output = (name: string) =>
    events
      .flatMap((event) => (event.kind === 'output' && event.chunk.name === name ? [event.chunk.text] : []))
      .join('');
  const snapshot = (name: string): ProcessSnapshot | undefined =>
    supervisor.list().find((entry) => entry.name === name);
  return { supervisor, events, waitFor, output, snapshot };
}

describe('Supervisor.apply', () => {
  it('starts added, stops removed, restarts changed and leaves the unchanged alone', async () => {
    const { supervisor, events, waitFor, output, snapshot } = harness([
      spec('keep'),
      spec('drop'),
      spec('change'),
      spec('idle-changed'),
    ]);
    await supervisor.startAll();
    for (const name of ['keep', 'drop', 'change']) {
      await waitFor(`${name} to print`, () => output(name).includes('started'));
    }
    await supervisor.stop('idle-changed');
    const keepPid = snapshot('keep')?.pid ?? 0;
    const dropPid = snapshot('drop')?.pid ?? 0;
    const changeRun = snapshot('change')?.run ?? 0;
    const before = events.length;

    const changes = await supervisor.apply([
      spec('added'),
      spec('change', 'v2'),
      spec('keep'),
      spec('idle-changed', 'v2'),
    ]);
    assert.deepEqual(
      {
        added: changes.added.map((s) => s.name),
        removed: changes.removed,
        changed: changes.changed.map((s) => s.name),
        unchanged: changes.unchanged,
      },
      { added: ['added'], removed: ['drop'], changed: ['change', 'idle-changed'], unchanged: ['keep'] },
    );
    assert.deepEqual(
      supervisor.list().map((entry) => entry.name),
      ['added', 'change', 'keep', 'idle-changed'],
      'the new config order',
    );
    assert.equal(snapshot('keep')?.pid, keepPid, 'keep runs on, same pid');
    assert.ok(isAlive(keepPid));
    assert.equal(isAlive(dropPid), false, 'the removed process tree is gone');
    assert.equal(supervisor.has('drop'), false);
    await waitFor('the changed process to run v2', () =>
      /^change started pid=\d+ v2$/m.test(output('change')),
    );
    assert.equal(snapshot('change')?.reason, 'config-change');
    assert.equal(snapshot('change')?.run, changeRun + 1);
    assert.equal(snapshot('idle-changed')?.status, 'stopped', 'a stopped process is not started by an edit');
    assert.match(
      supervisor.spec('idle-changed')?.command ?? '',
      / v2$/,
      'but its next start runs the new spec',
    );

    // One list event, after the removed process stopped and before the added one was started.
    const after = events.slice(before);
    const listIndex = after.findIndex((event) => event.kind === 'processes');
    assert.equal(after.filter((event) => event.kind === 'processes').length, 1);
    const dropStopped = after.findIndex(
      (event) =>
        event.kind === 'status' && event.snapshot.name === 'drop' && event.snapshot.status === 'stopped',
    );
    const addedStarting = after.findIndex(
      (event) => event.kind === 'status' && event.snapshot.name === 'added',
    );
    assert.ok(dropStopped >= 0 && dropStopped < listIndex, 'removed stopped before the list');
    assert.ok(addedStarting > listIndex, 'added started after the list');
  });

  it('changes nothing and announces nothing when the specs are equal (key order aside)', async () => {
    const { supervisor, events, waitFor, output, snapshot } = harness([
      spec('one', 'v1', { env: { A: '1', B: '2' } }),
    ]);
    await supervisor.startAll();
    await waitFor('one to print', () => output('one').includes('started'));
    const pid = snapshot('one')?.pid;
    const before = events.length;
    const changes = await supervisor.apply([spec('one', 'v1', { env: { B: '2', A: '1' } })]);
    assert.deepEqual(changes.unchanged, ['one']);
    assert.equal(events.slice(before).filter((event) => event.kind === 'processes').length, 0);
    assert.equal(snapshot('one')?.pid, pid);
  });
});
