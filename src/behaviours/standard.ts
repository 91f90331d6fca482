import type { Behaviour } from './behaviour.js';
import { urlDetection } from './url-detection.js';

/** The behaviours every run of lucidlines attaches, in the order they are attached. */
export function standardBehaviours(): Behaviour[] {
  return [urlDetection()];
}
