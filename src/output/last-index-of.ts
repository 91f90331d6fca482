/**
 * `text.lastIndexOf(char, from)` (`from` at least 0) restricted to matches at or after `floor`, and as fast
 * when there is none.
 * V8 searches backwards one character at a time, while a forward `indexOf` of one character is a native
 * memory scan: on 64 KiB without a match, 93 µs against 0.7 µs. A writer of long output without newlines
 * makes every backwards search for "\n" a miss over the whole chunk, which cost lucidlines more CPU than
 * anything else in that flood. The forward search settles the miss first; a hit found backwards from `from`
 * is usually near it (the last newline of a chunk of lines is close to its end).
 */
export function lastIndexOfChar(text: string, char: string, from = text.length - 1, floor = 0): number {
  const first = text.indexOf(char, floor);
  if (first === -1 || first > from) return -1;
  return text.lastIndexOf(char, from);
}
