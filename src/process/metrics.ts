import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { MetricsMessage, ProcessMetrics } from '../protocol.js';
import { type Census, type ProcessEntry, sharedCensus } from './census.js';
import type { ProcessSnapshot } from './events.js';

/** How to turn the process table's counters into seconds and bytes. */
export interface UsageUnits {
  ticksPerSecond: number;
  pageSize: number;
}

/** The values every Linux on x86 and most on ARM use; taken only when the auxiliary vector cannot be read. */
const USUAL_LINUX_UNITS: UsageUnits = { ticksPerSecond: 100, pageSize: 4096 };
const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/**
 * The clock tick rate and page size the kernel gave this process, from /proc/self/auxv, read once. Assuming
 * 4096-byte pages would report a quarter of the memory on an ARM machine with 16 KiB pages; asking `getconf`
 * would spawn a process, which this avoids.
 */
export function linuxUsageUnits(): UsageUnits {
  try {
    const vector = readFileSync('/proc/self/auxv');
    const wide = process.arch.endsWith('64');
    const size = wide ? 8 : 4;
    const little = endianness() === 'LE';
    const read = (offset: number): number => {
      if (!wide) return little ? vector.readUInt32LE(offset) : vector.readUInt32BE(offset);
      return Number(little ? vector.readBigUInt64LE(offset) : vector.readBigUInt64BE(offset));
    };
    const units = { ...USUAL_LINUX_UNITS };
    for (let offset = 0; offset + 2 * size <= vector.length; offset += 2 * size) {
      const key = read(offset);
      if (key === AT_PAGESZ) units.pageSize = read(offset + size);
      if (key === AT_CLKTCK) units.ticksPerSecond = read(offset + size);
    }
    return units;
  } catch {
    return USUAL_LINUX_UNITS;
  }
}

export interface MetricsSamplerDeps {
  /** The processes, as the supervisor reports them. */
  list(): ProcessSnapshot[];
  /** A reading of the process table that started after the call (see SharedCensus). */
  census(): Promise<Census>;
  now(): number;
  units: UsageUnits;
}

/** The members of a process's tree: its process group, and its descendants that left the group. */
function treeOf(rootPid: number, census: Census, groups: Map<number, ProcessEntry[]>): ProcessEntry[] {
  const members = new Map<number, ProcessEntry>();
  for (const entry of groups.get(rootPid) ?? []) members.set(entry.pid, entry);
  const visited = new Set<number>();
  const pending = [rootPid];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    const entry = census.get(pid);
    if (entry === undefined || visited.has(pid)) continue;
    visited.add(pid);
    members.set(pid, entry);
    pending.push(...census.childrenOf(pid));
  }
  return [...members.values()];
}

/**
 * Measures every process's tree from one reading of the process table: resident memory summed over its
 * members, and CPU from how far each member's CPU time advanced since the previous sample. Members are
 * told apart by pid and start time, so a pid reused in between is not taken for the process it replaced.
 * The first sample after `reset` has no previous one to compare with, and reports `cpu: null`.
 *
 * Where the table has no usage (`ps` on macOS and the BSDs, which census.ts reads without these columns),
 * cpu and memory are null and only uptime and restarts are reported.
 */
export class MetricsSampler {
  readonly #deps: MetricsSamplerDeps;
  #previous: { at: number; ticks: Map<string, number> } | null = null;

  constructor(deps: MetricsSamplerDeps) {
    this.#deps = deps;
  }

  /** Forgets the previous sample, so the next one does not average over the time nobody was watching. */
  reset(): void {
    this.#previous = null;
  }

  async sample(): Promise<MetricsMessage> {
    const census = await this.#deps.census();
    const at = this.#deps.now();
    const groups = new Map<number, ProcessEntry[]>();
    for (const entry of census.entries) {
      const group = groups.get(entry.pgid);
      if (group === undefined) groups.set(entry.pgid, [entry]);
      else group.push(entry);
    }
    const previous = this.#previous;
    const ticks = new Map<string, number>();
    const processes = this.#deps.list().map((snapshot): ProcessMetrics => {
      const live = snapshot.pid !== null && (snapshot.status === 'running' || snapshot.status === 'starting');
      const members = live && snapshot.pid !== null ? treeOf(snapshot.pid, census, groups) : [];
      const measured = census.entries.length > 0 && census.entries[0]?.usage !== undefined;
      let memory = 0;
      let advanced = 0;
      for (const member of members) {
        if (member.usage === undefined || member.zombie) continue;
        memory += member.usage.rssPages * this.#deps.units.pageSize;
        const key = `${member.pid}:${member.startTime}`;
        ticks.set(key, member.usage.cpuTicks);
        // A member the previous sample did not see started since then, so all of its time is new.
        advanced += member.usage.cpuTicks - (previous?.ticks.get(key) ?? 0);
      }
      const seconds = previous === null ? 0 : (at - previous.at) / 1000;
      const cpu = seconds > 0 ? (advanced / this.#deps.units.ticksPerSecond / seconds) * 100 : null;
      return {
        name: snapshot.name,
        cpu: measured ? (cpu === null ? null : Math.round(Math.max(0, cpu) * 10) / 10) : null,
        memory: measured ? memory : null,
        uptime: live && snapshot.startedAt !== null ? Math.max(0, at - snapshot.startedAt) : 0,
        restarts: snapshot.restarts,
      };
    });
    this.#previous = { at, ticks };
    return { type: 'metrics', processes, timestamp: at };
  }
}

/** The sampler of a running lucidlines: the shared census, the wall clock and this machine's units. */
export function censusSampler(list: () => ProcessSnapshot[]): MetricsSampler {
  return new MetricsSampler({
    list,
    census: () => sharedCensus.next(),
    now: Date.now,
    units: linuxUsageUnits(),
  });
}
