import { watchFolders } from '../folder-watcher.js';
import type { Behaviour } from './behaviour.js';
import { dependencies } from './dependencies.js';
import { healthCheck } from './health-check.js';
import { memoryLimit } from './memory-limit.js';
import { readiness } from './readiness.js';
import { restartOnFailure } from './restart-on-failure.js';
import { urlDetection } from './url-detection.js';
import { watchBehaviour } from './watch.js';

/** What a run gives the behaviours beyond the host: where their terminal lines go. */
export interface BehaviourContext {
  report: (line: string) => void;
}

const systemTimers = {
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

/** The behaviours every run of lucidlines attaches, in the order they are attached. */
export function standardBehaviours(context: BehaviourContext): Behaviour[] {
  return [
    restartOnFailure(),
    watchBehaviour({ watchFolders, timers: systemTimers, report: context.report }),
    urlDetection(),
    readiness(),
    dependencies(),
    healthCheck(),
    memoryLimit(),
  ];
}
