import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HostReadings, HostSampler, sameSystemReading } from '../../src/process/host-metrics.js';

const MIB = 1024 * 1024;

/** Readings that tests move by hand: two CPUs whose counters advance by the given busy and idle ms. */
function readings() {
  const state = { busy: 0, idle: 0, free: 3000 * MIB + 123, load: [0.504, 0.25, 0.1] };
  const fake: HostReadings = {
    cpuTimes: () =>
      [0, 1].map(() => ({ user: state.busy / 2, nice: 0, sys: state.busy / 2, idle: state.idle, irq: 0 })),
    cores: () => 2,
    totalMemory: () => 8192 * MIB,
    freeMemory: () => state.free,
    loadAverage: () => state.load,
    now: () => 42,
  };
  return { state, fake };
}

describe('HostSampler', () => {
  it('reports CPU from the counters since the previous reading, memory to the MiB and load to 0.01', async () => {
    const { state, fake } = readings();
    const sampler = new HostSampler(fake);
    sampler.reset();
    state.busy += 250;
    state.idle += 750;
    assert.deepEqual(await sampler.sample(), {
      type: 'system',
      cpu: 25,
      cores: 2,
      memoryUsed: 5192 * MIB,
      memoryTotal: 8192 * MIB,
      load: [0.5, 0.25, 0.1],
      timestamp: 42,
    });
    state.busy += 1000;
    assert.equal((await sampler.sample()).cpu, 100, 'compared with the previous reading, not the baseline');
  });

  it('has no CPU figure without a baseline or without time passing', async () => {
    const { fake } = readings();
    const sampler = new HostSampler(fake);
    assert.equal((await sampler.sample()).cpu, null, 'no baseline yet');
    assert.equal((await sampler.sample()).cpu, null, 'the counters did not move');
  });

  it('counts readings as the same when they agree at the reported precision', async () => {
    const { state, fake } = readings();
    const sampler = new HostSampler(fake);
    sampler.reset();
    state.idle += 1000;
    const first = await sampler.sample();
    state.idle += 1000;
    state.free -= 100 * 1024;
    state.load = [0.5, 0.251, 0.1];
    const jitter = await sampler.sample();
    assert.ok(sameSystemReading(first, { ...jitter, timestamp: 99 }));
    state.idle += 1000;
    state.free -= 2 * MIB;
    assert.equal(sameSystemReading(jitter, await sampler.sample()), false, 'two MiB more in use');
  });
});
