import { availableParallelism, cpus, freemem, loadavg, totalmem } from 'node:os';
import type { SystemMessage } from '../protocol.js';

/** What the host sampler reads; `os` in production, fixed numbers in unit tests. */
export interface HostReadings {
  /** Per logical CPU, the time spent in each state since boot (os.cpus()[i].times), in ms. */
  cpuTimes(): { user: number; nice: number; sys: number; idle: number; irq: number }[];
  cores(): number;
  totalMemory(): number;
  /** Memory available to programs without swapping (libuv reads MemAvailable on Linux). */
  freeMemory(): number;
  loadAverage(): number[];
  now(): number;
}

export const OS_READINGS: HostReadings = {
  cpuTimes: () => cpus().map((cpu) => cpu.times),
  cores: () => availableParallelism(),
  totalMemory: () => totalmem(),
  freeMemory: () => freemem(),
  loadAverage: () => loadavg(),
  now: () => Date.now(),
};

const MIB = 1024 * 1024;

interface CpuTotals {
  busy: number;
  all: number;
}

function cpuTotals(readings: HostReadings): CpuTotals {
  let busy = 0;
  let all = 0;
  for (const { user, nice, sys, idle, irq } of readings.cpuTimes()) {
    busy += user + nice + sys + irq;
    all += user + nice + sys + idle + irq;
  }
  return { busy, all };
}

const roundTo = (value: number, step: number): number => Math.round(value / step) * step;
const hundredths = (value: number): number => Number(value.toFixed(2));

/**
 * Reads the host's CPU, memory and load as a `system` message. Values are rounded to the precision at which
 * a change is worth a message (CPU to 1 %, memory to 1 MiB, load to 0.01), so comparing two messages'
 * values (`sameSystemReading`) is the change detection: jitter below that precision sends nothing.
 *
 * CPU is the share of busy time across all CPUs since the previous reading, from the cumulative counters of
 * os.cpus(); `reset` takes a new baseline, so the first message after sampling starts already has a CPU
 * figure (over the time since the baseline) instead of none.
 */
export class HostSampler {
  readonly #readings: HostReadings;
  #previous: CpuTotals | null = null;

  constructor(readings: HostReadings = OS_READINGS) {
    this.#readings = readings;
  }

  reset(): void {
    this.#previous = cpuTotals(this.#readings);
  }

  async sample(): Promise<SystemMessage> {
    const readings = this.#readings;
    const totals = cpuTotals(readings);
    const previous = this.#previous;
    this.#previous = totals;
    const elapsed = previous === null ? 0 : totals.all - previous.all;
    // No time passed between two readings (or no baseline) means no share can be computed.
    const cpu =
      previous === null || elapsed <= 0 ? null : Math.round(((totals.busy - previous.busy) / elapsed) * 100);
    const total = readings.totalMemory();
    const [one = 0, five = 0, fifteen = 0] = readings.loadAverage();
    return {
      type: 'system',
      cpu,
      cores: readings.cores(),
      memoryUsed: roundTo(Math.max(0, total - readings.freeMemory()), MIB),
      memoryTotal: roundTo(total, MIB),
      load: [hundredths(one), hundredths(five), hundredths(fifteen)],
      timestamp: readings.now(),
    };
  }
}

/** Whether two readings say the same at the precision they carry; the timestamp does not count. */
export function sameSystemReading(a: SystemMessage, b: SystemMessage): boolean {
  return (
    a.cpu === b.cpu &&
    a.cores === b.cores &&
    a.memoryUsed === b.memoryUsed &&
    a.memoryTotal === b.memoryTotal &&
    a.load.every((value, index) => value === b.load[index])
  );
}
