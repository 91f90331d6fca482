import { lastIndexOfChar } from '../output/last-index-of.js';
import type { BehaviourHost, SupervisorEvent } from '../process/events.js';
import { MAX_URLS } from '../protocol.js';
import type { Behaviour } from './behaviour.js';

// Escape sequences are stripped before matching: Vite colours the URL and bolds the port in the middle of
// it ("http://localhost:\e[1m5173\e[22m/"), which would otherwise cut the URL in two.
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what this pattern removes.
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>`]+/g;
/** Punctuation that ends a sentence around a URL rather than belonging to it. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;
/** Words with which dev servers announce where they listen ("Local:", "listening on", "ready on", …). */
const ANNOUNCEMENT = /\b(local|network|listening|ready|running|started|serving|available|server)\b/i;
const LOCAL_HOST = /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\])$/i;
/** A line longer than this is a log dump, not an announcement; only its start is searched. */
const MAX_LINE_CHARS = 2048;

/**
 * The URLs a line announces: ones on this machine (localhost, 127.x, 0.0.0.0, [::1]), wherever they appear,
 * and others only on a line that reads like an announcement ("Network: http://192.168.1.5:5173/"), so that a
 * log line mentioning some remote URL is not taken for the address of the dev server.
 */
export function urlsInLine(line: string): string[] {
  // Most lines have no URL; this check keeps a process printing 10,000 lines a second from paying for the
  // escape stripping and the matching on every one of them.
  if (!line.includes('://')) return [];
  const text = line.slice(0, MAX_LINE_CHARS).replace(ANSI, '');
  const found: string[] = [];
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const candidate = match[0].replace(TRAILING_PUNCTUATION, '');
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if (LOCAL_HOST.test(url.hostname) || ANNOUNCEMENT.test(text)) found.push(candidate);
  }
  return found;
}

/**
 * Annotates each process with the URLs its current run printed (`facts.urls`), deduplicated and at most
 * MAX_URLS, and clears them when the run ends, so a stopped server never shows a link that leads nowhere.
 * Lines are assembled from the output chunks first, because a URL may arrive split across two chunks.
 */
export function urlDetection(): Behaviour {
  return {
    attach(host: BehaviourHost) {
      /** The unterminated end of each process's output, at most one line's worth. */
      const partial = new Map<string, string>();
      const found = new Map<string, string[]>();

      const onLine = (name: string, line: string): void => {
        const known = found.get(name) ?? [];
        const fresh = urlsInLine(line).filter(
          (url, i, all) => !known.includes(url) && all.indexOf(url) === i,
        );
        if (fresh.length === 0 || known.length >= MAX_URLS) return;
        const urls = [...known, ...fresh].slice(0, MAX_URLS);
        found.set(name, urls);
        host.annotate(name, { urls });
      };

      const onEvent = (event: SupervisorEvent): void => {
        if (event.kind === 'output') {
          const { name, text } = event.chunk;
          const carried = partial.get(name) ?? '';
          const lastNewline = lastIndexOfChar(text, '\n');
          // A chunk without a line end completes no line: only the unfinished end is kept. A writer of long
          // output without newlines sends nothing else, and is spared a search of every chunk.
          if (lastNewline === -1) {
            partial.set(name, (text.length >= MAX_LINE_CHARS ? text : carried + text).slice(-MAX_LINE_CHARS));
            return;
          }
          // Most output holds no "://" at all, and then no line of it can announce a URL: only the unfinished
          // end is kept, without splitting a flood's chunks into lines (5 % of lucidlines' CPU under a line
          // flood). The "://" may also lie in the carried start of the line or straddle the two.
          if (
            !text.includes('://') &&
            !carried.includes('://') &&
            !`${carried.slice(-2)}${text.slice(0, 2)}`.includes('://')
          ) {
            partial.set(name, text.slice(lastNewline + 1).slice(-MAX_LINE_CHARS));
            return;
          }
          const lines = (carried + text).split('\n');
          const rest = lines.pop() ?? '';
          partial.set(name, rest.slice(-MAX_LINE_CHARS));
          for (const line of lines) onLine(name, line);
        } else if (event.kind === 'exit') {
          partial.delete(event.name);
          // Made while the exit is reported, the annotation rides on the status that settles the run.
          if (found.delete(event.name)) host.annotate(event.name, { urls: [] });
        }
      };
      return host.subscribe(onEvent);
    },
  };
}
