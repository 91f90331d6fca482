import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SystemMessage } from '../../src/protocol.js';
import { createState, emptyChanges, update } from '../../web/store.js';
import { hostGaugeText } from '../../web/view-host-gauge.js';

const GIB = 1024 * 1024 * 1024;
const reading: SystemMessage = {
  type: 'system',
  cpu: 23,
  cores: 8,
  memoryUsed: 6 * GIB,
  memoryTotal: 16 * GIB,
  load: [1.5, 1.2, 0.98],
  timestamp: 1,
};

describe('host gauge', () => {
  it('words the reading compactly, and in full for the tooltip', () => {
    assert.deepEqual(hostGaugeText(reading), {
      cpu: 'CPU 23%',
      memory: 'Mem 6.0 GiB / 16.0 GiB',
      load: 'Load 1.50',
      title:
        'This machine: CPU 23% busy across 8 cores; memory 6.0 GiB / 16.0 GiB in use; load average 1.50 (1 min), 1.20 (5 min), 0.98 (15 min).',
    });
    const small = hostGaugeText({ ...reading, cpu: null, memoryUsed: 300 * 1024 * 1024 });
    assert.equal(small.cpu, 'CPU –');
    assert.equal(small.memory, 'Mem 300 MiB / 16.0 GiB');
    assert.match(small.title, /CPU not measured yet/);
  });

  it('keeps the latest reading in the store and forgets it on a new connection', () => {
    const state = createState();
    const changes = emptyChanges();
    update(state, reading, changes);
    assert.equal(state.system, reading);
    assert.ok(changes.sidebar);
    update(state, { type: 'info', version: '1', processes: [], timestamp: 2 }, changes);
    assert.equal(state.system, null);
  });
});
