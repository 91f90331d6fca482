import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Census, type ProcessEntry } from '../../src/process/census.js';
import type { ProcessSnapshot } from '../../src/process/events.js';
import { linuxUsageUnits, MetricsSampler } from '../../src/process/metrics.js';

const UNITS = { ticksPerSecond: 100, pageSize: 4096 };

function entry(pid: number, ppid: number, pgid: number, cpuTicks: number, rssPages: number): ProcessEntry {
  return { pid, ppid, pgid, zombie: false, startTime: `s${pid}`, usage: { cpuTicks, rssPages } };
}

function snapshot(name: string, pid: number | null, startedAt = 0): ProcessSnapshot {
  return {
    name,
    command: name,
    status: pid === null ? 'stopped' : 'running',
    pid,
    exitCode: null,
    signal: null,
    restarts: 1,
    startedAt,
    run: 1,
    reason: 'start',
    facts: {},
  };
}

describe('MetricsSampler', () => {
  it('sums memory and CPU over the tree: the group, and descendants that left it', async () => {
    let now = 10_000;
    let table: ProcessEntry[] = [];
    const sampler = new MetricsSampler({
      list: () => [snapshot('web', 100, 4_000), snapshot('off', null)],
      census: async () => new Census(table),
      now: () => now,
      units: UNITS,
    });
    table = [
      entry(1, 0, 1, 0, 0),
      entry(100, 1, 100, 50, 10),
      entry(101, 100, 100, 30, 20),
      entry(102, 101, 102, 0, 30), // left the group (setsid) but is still a descendant
      entry(200, 1, 200, 999, 999), // someone else's
    ];
    const first = await sampler.sample();
    assert.deepEqual(first.processes, [
      { name: 'web', cpu: null, memory: 60 * 4096, uptime: 6_000, restarts: 1 },
      { name: 'off', cpu: null, memory: 0, uptime: 0, restarts: 1 },
    ]);

    now += 2_000;
    table = [
      entry(1, 0, 1, 0, 0),
      entry(100, 1, 100, 150, 10), // +100 ticks
      entry(102, 1, 102, 40, 30), // re-parented to init: no longer found through the tree, nor in the group
      entry(103, 100, 100, 20, 5), // new since the last sample: all 20 ticks are new
      entry(200, 1, 200, 5000, 999),
    ];
    const second = await sampler.sample();
    // 120 ticks over 2 s at 100 ticks per second: 60% of one core.
    assert.deepEqual(second.processes[0], {
      name: 'web',
      cpu: 60,
      memory: 15 * 4096,
      uptime: 8_000,
      restarts: 1,
    });
    assert.deepEqual(second.processes[1], { name: 'off', cpu: 0, memory: 0, uptime: 0, restarts: 1 });

    sampler.reset();
    now += 2_000;
    assert.equal((await sampler.sample()).processes[0]?.cpu, null, 'no baseline after a reset');
  });

  it('reports null CPU and memory where the process table carries no usage (ps)', async () => {
    const sampler = new MetricsSampler({
      list: () => [snapshot('web', 100)],
      census: async () => new Census([{ pid: 100, ppid: 1, pgid: 100, zombie: false, startTime: 'x' }]),
      now: () => 5,
      units: UNITS,
    });
    await sampler.sample();
    assert.deepEqual((await sampler.sample()).processes[0], {
      name: 'web',
      cpu: null,
      memory: null,
      uptime: 5,
      restarts: 1,
    });
  });

  it('reads the clock tick rate and page size of this machine', () => {
    const units = linuxUsageUnits();
    assert.ok(units.ticksPerSecond >= 100, String(units.ticksPerSecond));
    assert.ok(units.pageSize >= 4096 && Number.isInteger(Math.log2(units.pageSize)), String(units.pageSize));
  });
});
