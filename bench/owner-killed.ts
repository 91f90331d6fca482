// What the watchdog guarantees when lucidlines itself is SIGKILLed: every process tree it started is gone
// within the kill timeout plus 2 s. The e2e test checks that they all go; the time is measured here, where a
// loaded machine makes a number worse instead of making a test flaky.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { launchLucidIn, scratchDir } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { isAlive } from './proc-stats.js';

export const OWNER_KILLED_KILL_TIMEOUT_MS = 1500;

export interface OwnerKilledResult {
  processes: number;
  /** SIGKILL of lucidlines until no child pid was alive. */
  goneMs: number;
  survivors: number;
}

export async function measureOwnerKilled(count: number): Promise<OwnerKilledResult> {
  const dir = scratchDir('owner-killed');
  const processes = Array.from({ length: count }, (_, i) => ({
    name: `p${i + 1}`,
    // Every third child ignores SIGTERM, so the figure includes the wait for the SIGKILL that follows.
    command: i % 3 === 0 ? `trap '' TERM; sleep 300 & wait` : 'exec sleep 300',
    cwd: dir.path,
  }));
  const config = join(dir.path, 'lucidlines.config.json');
  writeFileSync(config, JSON.stringify({ killTimeout: OWNER_KILLED_KILL_TIMEOUT_MS, processes }));
  const lucid = await launchLucidIn(dir, { config, terminal: 'pipe', timeoutMs: 60_000 });
  try {
    const observer = await Observer.connect(lucid.url, { includeReplay: true });
    const pids = new Map<string, number>();
    await observer.until(
      () => {
        for (const entry of observer.info?.processes ?? [])
          if (entry.status === 'running' && typeof entry.pid === 'number') pids.set(entry.name, entry.pid);
        for (const status of observer.statuses)
          if (status.status === 'running' && status.pid !== null) pids.set(status.name, status.pid);
        return pids.size === count;
      },
      60_000,
      `${count} processes to run`,
    );
    observer.close();
    const started = performance.now();
    await lucid.stop('SIGKILL');
    const deadline = started + 30_000;
    let alive = [...pids.values()].filter(isAlive);
    while (alive.length > 0 && performance.now() < deadline) {
      await sleep(10);
      alive = alive.filter(isAlive);
    }
    const goneMs = performance.now() - started;
    for (const pid of alive) process.kill(pid, 'SIGKILL');
    return { processes: count, goneMs, survivors: alive.length };
  } finally {
    dir.remove();
  }
}
