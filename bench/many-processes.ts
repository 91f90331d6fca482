// Many processes at once: stopping 200 that end on SIGTERM, restarting 100 together, and the memory
// lucidlines holds for 200 idle ones. Stopping used to be quadratic (each termination read all of /proc
// on its own), so these figures are the ones that grow with the number of processes.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launchLucidIn, REPO_ROOT, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { isAlive, peakRss } from './proc-stats.js';

/** Each child is a bare `sleep`, which dies at once on SIGTERM: the figures are lucidlines' own. */
const SLEEPER = 'exec sleep 300';

export interface ManyStopResult {
  count: number;
  /** Peak resident memory of lucidlines once every child runs, idle. */
  idlePeakRssBytes: number;
  /** SIGINT until lucidlines exited. */
  stopMs: number;
  survivors: number;
  exitCode: number | null;
}

export interface RestartAllResult {
  count: number;
  /** The restart-all command until every process was running again with a new pid. */
  restartAllMs: number;
  /** A bare Node process spawning as many shell commands, until all were created: the machine's floor. */
  bareSpawnMs: number;
}

function names(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `p${String(i + 1).padStart(3, '0')}`);
}

/** Running pids by name, from the latest status of each. */
function runningPids(observer: Observer): Map<string, number> {
  const pids = new Map<string, number>();
  for (const entry of observer.info?.processes ?? []) {
    if (entry.status === 'running' && typeof entry.pid === 'number') pids.set(entry.name, entry.pid);
  }
  for (const status of observer.statuses) {
    if (status.status === 'running' && status.pid !== null) pids.set(status.name, status.pid);
    else pids.delete(status.name);
  }
  return pids;
}

async function withSleepers<T>(
  count: number,
  label: string,
  measure: (lucid: Awaited<ReturnType<typeof launchLucidIn>>, observer: Observer) => Promise<T>,
): Promise<T> {
  const dir = scratchDir(label);
  const config = writeConfig(
    dir.path,
    names(count).map((name) => ({ name, command: SLEEPER })),
  );
  const lucid = await launchLucidIn(dir, { config, terminal: 'pipe', timeoutMs: 60_000 });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url, { includeReplay: true });
    const connected = observer;
    await connected.until(() => runningPids(connected).size === count, 60_000, `${count} processes to run`);
    return await measure(lucid, connected);
  } finally {
    observer?.close();
    await lucid.stop('SIGKILL');
    dir.remove();
  }
}

export function measureManyStop(count: number): Promise<ManyStopResult> {
  return withSleepers(count, 'many-stop', async (lucid, observer) => {
    const pids = [...runningPids(observer).values()];
    const idlePeakRssBytes = peakRss(lucid.pid);
    observer.close();
    const stopped = await lucid.stop('SIGINT');
    return {
      count,
      idlePeakRssBytes,
      stopMs: stopped.ms,
      survivors: pids.filter(isAlive).length,
      exitCode: stopped.code,
    };
  });
}

export function measureRestartAll(count: number): Promise<RestartAllResult> {
  return withSleepers(count, 'restart-all', async (_lucid, observer) => {
    const before = runningPids(observer);
    const sentAt = performance.now();
    observer.send({ type: 'command', action: 'restart-all' });
    await observer.until(
      () => {
        const now = runningPids(observer);
        return [...before].every(([name, pid]) => (now.get(name) ?? pid) !== pid);
      },
      60_000,
      `all ${count} processes to run again`,
    );
    const restartAllMs = performance.now() - sentAt;
    return { count, restartAllMs, bareSpawnMs: bareSpawn(count) };
  });
}

function bareSpawn(count: number): number {
  const output = execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'bench', 'fixtures', 'spawn-floor.mjs'), String(count)],
    {
      encoding: 'utf8',
    },
  );
  return (JSON.parse(output) as { ms: number }).ms;
}
