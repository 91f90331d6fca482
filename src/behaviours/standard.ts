import type { Behaviour } from './behaviour.js';

/** The behaviours every run of lucidlines attaches, in the order they are attached. */
export function standardBehaviours(): Behaviour[] {
  return [];
}
