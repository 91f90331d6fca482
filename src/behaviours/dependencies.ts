import type { ProcessSnapshot } from '../process/events.js';
import type { DependencySpec } from '../process/spec.js';
import type { Behaviour } from './behaviour.js';

/**
 * `dependsOn`: a process starts only once its dependencies are ready (`running`, which with a readiness
 * probe means the probe succeeded) or, with the condition `completed`, have exited with code 0. Every start
 * is held back this way, restarts too, so restart-all brings the processes up in dependency order. While it
 * waits, the process is `starting` without a pid and its `waitingFor` fact names what it waits for.
 *
 * A dependency that fails (goes to `error`) does not fail its dependants: they keep waiting, since fixing
 * and restarting the dependency is the usual way out, and the terminal and the viewer say which failed
 * dependency they wait for. A dependency that stops after its dependants started leaves them running.
 *
 * Stops go the other way: stop-all, restart-all and shutdown stop dependants before their dependencies,
 * so a server never loses its database while it is still serving. The stop order stays in force after the
 * behaviour is detached, because lucidlines detaches behaviours just before the shutdown that follows it.
 */
export function dependencies(): Behaviour {
  return {
    attach(host) {
      const dependenciesOf = (name: string) => host.spec(name)?.dependsOn ?? [];
      // Read again whenever the set of processes or their specs change (a config reload), so edits apply.
      const orderStops = () => {
        const graph = new Map(host.list().map(({ name }) => [name, dependenciesOf(name)]));
        const any = [...graph.values()].some((entries) => entries.length > 0);
        host.setStopOrder(any ? stopOrder(graph) : null);
      };
      orderStops();

      /** Starts held back, by process name, with what resolves them. */
      const waiting = new Map<string, { release(): void; shown: readonly string[] }>();

      const unmet = (name: string): string[] => {
        const entries = dependenciesOf(name);
        if (entries.length === 0) return [];
        const byName = new Map(host.list().map((snapshot) => [snapshot.name, snapshot]));
        return entries.flatMap((dependency) =>
          satisfied(dependency, byName.get(dependency.name)) ? [] : [dependency.name],
        );
      };

      const reconsider = () => {
        for (const [name, wait] of [...waiting]) {
          const missing = unmet(name);
          if (missing.length === 0) {
            waiting.delete(name);
            host.annotate(name, { waitingFor: undefined });
            wait.release();
          } else if (!sameNames(missing, wait.shown)) {
            wait.shown = missing;
            host.annotate(name, { waitingFor: missing });
          }
        }
      };

      host.setStartGate((name) => {
        const missing = unmet(name);
        if (missing.length === 0) return null;
        // Not annotated here: the process still has the status it had before (`stopped`). It reports
        // `starting` right after the gate returns, and that status event annotates it (see below).
        return new Promise<void>((release) => {
          waiting.set(name, { release, shown: [] });
        });
      });

      const unsubscribe = host.subscribe((event) => {
        if (event.kind === 'processes') {
          orderStops();
          if (waiting.size > 0) reconsider();
          return;
        }
        if (event.kind !== 'status') return;
        const { name, status, pid } = event.snapshot;
        const wait = waiting.get(name);
        // A stop abandons the wait at the gate: the process reports `stopped` and the wait is void.
        if (wait !== undefined && !(status === 'starting' && pid === null)) {
          waiting.delete(name);
          host.annotate(name, { waitingFor: undefined });
        }
        if (waiting.size > 0) reconsider();
      });

      return () => {
        unsubscribe();
        host.setStartGate(null);
        // Starts still held back stay held back: releasing them now would spawn processes while the shutdown
        // that follows is stopping them, group by group. Their stop abandons the wait.
        waiting.clear();
      };
    },
  };
}

function satisfied(dependency: DependencySpec, snapshot: ProcessSnapshot | undefined): boolean {
  if (snapshot === undefined) return true;
  if (dependency.condition === 'completed') return snapshot.status === 'stopped' && snapshot.exitCode === 0;
  return snapshot.status === 'running';
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => b[index] === name);
}

/**
 * Groups to stop one after another: first the processes nothing depends on, then those only they depended
 * on, and so on, so each process stops after everything that depends on it. Config validation refuses
 * cycles; should one get here anyway, its members stop together in the last group instead of never.
 */
export function stopOrder(graph: ReadonlyMap<string, readonly DependencySpec[]>): string[][] {
  const dependants = new Map<string, number>([...graph.keys()].map((name) => [name, 0]));
  for (const entries of graph.values()) {
    for (const { name } of entries) {
      if (graph.has(name)) dependants.set(name, (dependants.get(name) ?? 0) + 1);
    }
  }
  const groups: string[][] = [];
  let ready = [...dependants].flatMap(([name, count]) => (count === 0 ? [name] : []));
  const placed = new Set<string>();
  while (ready.length > 0) {
    groups.push(ready);
    for (const name of ready) placed.add(name);
    const next: string[] = [];
    for (const name of ready) {
      for (const dependency of graph.get(name) ?? []) {
        if (!graph.has(dependency.name)) continue;
        const left = (dependants.get(dependency.name) ?? 0) - 1;
        dependants.set(dependency.name, left);
        if (left === 0 && !placed.has(dependency.name)) next.push(dependency.name);
      }
    }
    ready = next;
  }
  const unplaced = [...graph.keys()].filter((name) => !placed.has(name));
  if (unplaced.length > 0) groups.push(unplaced);
  return groups;
}
