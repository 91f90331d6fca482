// Builds the DOM of one output row. Process text only ever reaches the page through textContent and
// href-after-validation; colours beyond the theme palette are set through CSSOM (element.style), which the
// page's `style-src 'self'` allows, unlike style attributes in markup.

import { renderStyle, type Style } from '../src/ansi.js';
import type { Line } from './line-model.js';
import { findUrls } from './linkify.js';

export interface RowOptions {
  showTimestamp: boolean;
  /** The "All" view prefixes each row with its process name in that process's colour. */
  prefix: { name: string; colorIndex: number } | null;
  highlights: Array<[number, number]>;
  /** The match last moved to with next/previous. */
  current: boolean;
}

const PROCESS_COLORS = 8;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function formatTime(timestamp: number): string {
  const date = new Date(timestamp);
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
}

function styledSpan(text: string, style: Style): HTMLSpanElement {
  const span = document.createElement('span');
  span.textContent = text;
  const rendering = renderStyle(style);
  if (rendering.className !== '') span.className = rendering.className;
  if (rendering.color !== null) span.style.color = rendering.color;
  if (rendering.background !== null) span.style.backgroundColor = rendering.background;
  return span;
}

/** Every offset where the style, a link or a highlight begins or ends. */
function boundaries(
  line: Line,
  links: { start: number; end: number }[],
  highlights: Array<[number, number]>,
) {
  const cuts = new Set<number>([0, line.text.length]);
  let offset = 0;
  for (const segment of line.segments) {
    cuts.add(offset);
    offset += segment.text.length;
  }
  for (const link of links) {
    cuts.add(link.start);
    cuts.add(link.end);
  }
  for (const [start, end] of highlights) {
    cuts.add(start);
    cuts.add(end);
  }
  return [...cuts].sort((a, b) => a - b);
}

export function renderRow(line: Line, options: RowOptions): HTMLDivElement {
  const row = document.createElement('div');
  row.className = line.stream === 'stderr' ? 'row err' : 'row';
  if (line.run !== undefined) {
    // The separator between two runs: lucidlines' own line, styled as such, and findable by the run's number.
    row.classList.add('sep');
    row.dataset.run = String(line.run);
  }
  if (options.current) row.classList.add('cur');
  if (options.showTimestamp) {
    const time = document.createElement('span');
    time.className = 'ts';
    time.textContent = formatTime(line.timestamp);
    row.append(time);
  }
  if (options.prefix !== null) {
    const prefix = document.createElement('span');
    prefix.className = `px n${options.prefix.colorIndex % PROCESS_COLORS}`;
    prefix.textContent = options.prefix.name;
    row.append(prefix);
  }
  const text = document.createElement('span');
  text.className = 'tx';
  row.append(text);
  if (line.text === '') return row;

  const links = findUrls(line.text);
  const cuts = boundaries(line, links, options.highlights);
  let segmentIndex = 0;
  let segmentEnd = line.segments[0]?.text.length ?? 0;
  let linkIndex = 0;
  let anchor: HTMLAnchorElement | null = null;
  for (let c = 0; c + 1 < cuts.length; c++) {
    const start = cuts[c] ?? 0;
    const end = cuts[c + 1] ?? 0;
    if (end <= start) continue;
    while (start >= segmentEnd && segmentIndex + 1 < line.segments.length) {
      segmentIndex++;
      segmentEnd += line.segments[segmentIndex]?.text.length ?? 0;
    }
    const segment = line.segments[segmentIndex];
    if (segment === undefined) break;
    let piece: HTMLElement = styledSpan(line.text.slice(start, end), segment.style);
    if (options.highlights.some(([from, to]) => start >= from && end <= to)) {
      const mark = document.createElement('mark');
      mark.append(piece);
      piece = mark;
    }
    while (linkIndex < links.length && (links[linkIndex]?.end ?? 0) <= start) {
      linkIndex++;
      anchor = null;
    }
    const link = links[linkIndex];
    if (link !== undefined && start >= link.start && end <= link.end) {
      if (anchor === null) {
        anchor = document.createElement('a');
        anchor.href = link.href;
        anchor.target = '_blank';
        anchor.rel = 'noopener noreferrer';
        text.append(anchor);
      }
      anchor.append(piece);
    } else {
      text.append(piece);
    }
  }
  return row;
}
