import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived its last full collection, in percent.
 *
 * A process that floods output pushes its text through the scrollback: every chunk stays there long enough
 * to survive two young-generation collections, so it is promoted to the old generation and dies there
 * once newer output pushes it out. V8's own growth factor (up to 4×) then lets about 100 MiB of that dead
 * text pile up before a full collection, although the live heap is under 30 MiB: a 200 MB flood without
 * newlines peaked at 200–210 MiB RSS, 20 writers at 237 MiB (bench/optimisations.md). With a growth of
 * 30 % the full collections come earlier and stay cheap, because what they mark is the small live heap.
 */
const OLD_GENERATION_GROWTH_PERCENT = 30;

/** Keeps the peak memory of a flood near the live heap; called once, at the start of the CLI process. */
export function boundHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
