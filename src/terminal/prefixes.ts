// The start of every terminal line: the time (with --timestamps), then `[name]` in the process's colour,
// padded so that the output of every process starts in the same column, then a mark for stderr.

import type { ChalkInstance } from 'chalk';
import { processColorIndex } from '../process-color.js';

/** The chalk colours closest to the viewer's eight process colours (web/style.css, --n0 to --n7), in order. */
const TERMINAL_COLORS = [
  'blueBright',
  'green',
  'magentaBright',
  'yellow',
  'cyan',
  'red',
  'blue',
  'magenta',
] as const;

export interface LinePrefix {
  stdout: string;
  stderr: string;
}

export function processLabel(name: string, chalk: ChalkInstance): string {
  const colour = TERMINAL_COLORS[processColorIndex(name)] ?? 'cyan';
  return chalk[colour](`[${name}]`);
}

/** `width` is the longest name the terminal prints, so the columns line up. */
export function linePrefix(name: string, width: number, chalk: ChalkInstance): LinePrefix {
  const label = processLabel(name, chalk) + ' '.repeat(Math.max(0, width - name.length));
  // stderr is marked with a character, not only a colour, so it stays visible under NO_COLOR.
  return { stdout: `${label}   `, stderr: `${label} ${chalk.red('!')} ` };
}

const two = (value: number) => String(value).padStart(2, '0');

/** Local time as HH:MM:SS.mmm, followed by the space that separates it from the rest of the line. */
export function timestampPrefix(unixMs: number, chalk: ChalkInstance): string {
  const date = new Date(unixMs);
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
  return `${chalk.dim(time)} `;
}
