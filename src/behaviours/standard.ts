import type { Behaviour } from './behaviour.js';
import { restartOnFailure } from './restart-on-failure.js';

/** The behaviours every run of lucidlines attaches, in the order they are attached. */
export function standardBehaviours(): Behaviour[] {
  return [restartOnFailure()];
}
