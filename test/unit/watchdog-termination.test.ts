import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SweptProcess, TreeTermination } from '../../src/process/kill-tree.js';
import { type RunTerminationDeps, terminateDeadRun } from '../../src/process/watchdog-termination.js';

interface FakeProcess {
  pid: number;
  pgid: number;
  startTime: string;
  zombie: boolean;
  /** Dies on SIGTERM unless stubborn; SIGKILL always works. */
  stubborn: boolean;
}

/** A process table that reacts to signals like the kernel would, and a clock that moves only on sleep. */
function fakeSystem(processes: FakeProcess[], sweptByMarker: SweptProcess[] = []) {
  const signals: string[] = [];
  const marked: Array<{ prefix: string; graceMs: number }> = [];
  let now = 1_000_000;
  const deps: RunTerminationDeps = {
    readProcessTable: async () => processes.map((entry) => ({ ...entry, ppid: 1 })),
    signal: (pid, signal) => {
      signals.push(`${signal} ${pid} at ${now - 1_000_000}`);
      for (const entry of processes) {
        const hit = pid < 0 ? entry.pgid === -pid : entry.pid === pid;
        if (hit && (signal === 'SIGKILL' || !entry.stubborn)) entry.zombie = true;
      }
    },
    terminateMarked: (prefix, graceMs): TreeTermination => {
      marked.push({ prefix, graceMs });
      return { done: Promise.resolve({ swept: sweptByMarker }), escalate: () => {} };
    },
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  return { deps, signals, marked };
}

const run = (groups: Array<{ pgid: number; startTime: string }>) => ({
  instanceId: '0123456789abcdef',
  killTimeoutMs: 1000,
  groups,
});

describe('terminating a dead run', () => {
  it('signals the recorded groups whose leader has the recorded start time, and sweeps the marker', async () => {
    const system = fakeSystem(
      [
        { pid: 100, pgid: 100, startTime: 'a', zombie: false, stubborn: false },
        { pid: 101, pgid: 100, startTime: 'b', zombie: false, stubborn: false },
        { pid: 200, pgid: 200, startTime: 'c', zombie: false, stubborn: false },
      ],
      // The marker finds a group member again, and a daemon that left its group.
      [
        { pid: 101, command: 'node', foundBy: 'marker' },
        { pid: 900, command: 'daemon', foundBy: 'marker' },
      ],
    );
    const report = await terminateDeadRun(
      run([
        { pgid: 100, startTime: 'a' },
        { pgid: 200, startTime: 'c' },
      ]),
      system.deps,
    );
    assert.deepEqual(report, { groups: 2, processes: 4 });
    assert.deepEqual(system.signals, ['SIGTERM -100 at 0', 'SIGTERM -200 at 0']);
    assert.deepEqual(system.marked, [{ prefix: '0123456789abcdef.', graceMs: 1000 }]);
  });

  it('never touches a recycled pid: a leader with another start time, or one that no longer leads the group', async () => {
    const system = fakeSystem([
      { pid: 100, pgid: 100, startTime: 'new', zombie: false, stubborn: false },
      { pid: 300, pgid: 7, startTime: 'x', zombie: false, stubborn: false },
    ]);
    const report = await terminateDeadRun(
      run([
        { pgid: 100, startTime: 'old' },
        { pgid: 300, startTime: 'x' },
        { pgid: 400, startTime: 'gone' },
      ]),
      system.deps,
    );
    assert.deepEqual(report, { groups: 0, processes: 0 });
    assert.deepEqual(system.signals, []);
    assert.equal(system.marked.length, 1, 'the marker sweep still runs');
  });

  it('sends SIGKILL to a group that outlives the kill timeout, and not before', async () => {
    const system = fakeSystem([
      { pid: 100, pgid: 100, startTime: 'a', zombie: false, stubborn: false },
      { pid: 101, pgid: 100, startTime: 'b', zombie: false, stubborn: true },
      { pid: 200, pgid: 200, startTime: 'c', zombie: false, stubborn: false },
    ]);
    await terminateDeadRun(
      run([
        { pgid: 100, startTime: 'a' },
        { pgid: 200, startTime: 'c' },
      ]),
      system.deps,
    );
    const [term100, term200, kill, ...rest] = system.signals;
    assert.deepEqual([term100, term200, rest], ['SIGTERM -100 at 0', 'SIGTERM -200 at 0', []]);
    const killedAt = Number(kill?.match(/^SIGKILL -100 at (\d+)$/)?.[1]);
    assert.ok(killedAt >= 1000 && killedAt <= 1100, String(kill));
  });
});
