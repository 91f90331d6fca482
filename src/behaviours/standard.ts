import type { Behaviour } from './behaviour.js';
import { dependencies } from './dependencies.js';
import { readiness } from './readiness.js';

/** The behaviours every run of lucidlines attaches, in the order they are attached. */
export function standardBehaviours(): Behaviour[] {
  return [readiness(), dependencies()];
}
