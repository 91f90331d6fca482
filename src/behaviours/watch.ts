// Watch-restart: a process with `watch` globs is restarted when a matching file changes, once per burst.

import path from 'node:path';
import { watchFailedNotice, watchReadyNotice, watchRestartNotice } from '../errors.js';
import type { FolderWatcher, WatchFolders } from '../folder-watcher.js';
import type { Timers } from '../output/line-splitter.js';
import type { BehaviourHost } from '../process/events.js';
import type { ProcessSpec, WatchSpec } from '../process/spec.js';
import type { Behaviour } from './behaviour.js';
import { globBases, globsMatcher, isAlwaysIgnored } from './watch-globs.js';

export interface WatchDeps {
  watchFolders: WatchFolders;
  timers: Timers;
  /** Prints one line to the terminal: when watching begins, and which file triggered a restart. */
  report: (line: string) => void;
}

/** One process's watcher, kept for as long as its spec is the same object (a reload replaces changed specs). */
interface Watching {
  spec: ProcessSpec;
  close(): void;
}

/**
 * A change re-runs the process whatever its status, also after it exited or crashed: that is how a one-shot
 * step (a build) with `watch` runs again, and how a crashed server comes back once the fix is saved.
 */
export function watchBehaviour(deps: WatchDeps): Behaviour {
  return {
    attach(host) {
      const watching = new Map<string, Watching>();

      // Called at attach and after every reload, which may have added, removed or changed processes.
      const sync = () => {
        const names = new Set(host.list().map((snapshot) => snapshot.name));
        for (const [name, entry] of watching) {
          if (names.has(name) && host.spec(name) === entry.spec) continue;
          entry.close();
          watching.delete(name);
        }
        for (const name of names) {
          const spec = host.spec(name);
          if (spec?.watch === undefined || watching.has(name)) continue;
          watching.set(name, { spec, close: watchProcess(host, spec, spec.watch, deps) });
        }
      };

      sync();
      const unsubscribe = host.subscribe((event) => {
        if (event.kind === 'processes') sync();
      });
      return () => {
        unsubscribe();
        for (const entry of watching.values()) entry.close();
        watching.clear();
      };
    },
  };
}

function watchProcess(host: BehaviourHost, spec: ProcessSpec, watch: WatchSpec, deps: WatchDeps): () => void {
  const { name, cwd } = spec;
  const matches = globsMatcher(cwd, watch.globs);
  const ignoredByUser = globsMatcher(cwd, watch.ignore);
  let timer: unknown = null;
  let trigger: string | null = null;
  let closed = false;

  const restart = () => {
    timer = null;
    const file = trigger ?? '';
    trigger = null;
    deps.report(watchRestartNotice(name, path.relative(cwd, file) || file));
    void host.restart(name, 'watch');
  };

  const watcher: FolderWatcher = deps.watchFolders(
    globBases(cwd, watch.globs),
    { ignored: (target) => isAlwaysIgnored(cwd, target) || ignoredByUser(target) },
    {
      changed(target) {
        if (closed || !matches(target)) return;
        // The first file of a burst is the one named: it is what the user saved; the rest follow from it.
        trigger ??= target;
        if (timer !== null) deps.timers.clearTimeout(timer);
        timer = deps.timers.setTimeout(restart, watch.debounceMs);
      },
      ready() {
        if (!closed) deps.report(watchReadyNotice(name, watch.globs));
      },
      failed(error) {
        if (!closed) deps.report(watchFailedNotice(name, error.message));
      },
    },
  );

  return () => {
    closed = true;
    if (timer !== null) deps.timers.clearTimeout(timer);
    timer = null;
    // Closing releases the inotify watches at once; the promise only reports when chokidar is done tidying.
    watcher.close().catch(() => {});
  };
}
