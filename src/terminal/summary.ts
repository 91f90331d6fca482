// The compact start-up summary, printed once every process has been started: one row per process with its
// status (and the URLs it serves, once those are detected), then the viewer's URL.

import type { ChalkInstance } from 'chalk';
import type { ProcessSnapshot } from '../process/events.js';
import { processLabel } from './prefixes.js';
import { describeStatus } from './status-text.js';

export interface SummaryInput {
  processes: readonly ProcessSnapshot[];
  /** The URLs each process serves, shown after its status; a process that has none is left out. */
  urls?: ReadonlyMap<string, readonly string[]>;
  /** Null when the viewer is off. */
  viewerUrl: string | null;
}

export function startupSummary({ processes, urls, viewerUrl }: SummaryInput, chalk: ChalkInstance): string {
  const width = Math.max(0, ...processes.map((snapshot) => snapshot.name.length));
  const rows = processes.map((snapshot) => {
    const label = processLabel(snapshot.name, chalk) + ' '.repeat(width - snapshot.name.length);
    const served = urls?.get(snapshot.name) ?? [];
    const after = served.length > 0 ? `  ${served.join(' ')}` : '';
    return `  ${label}  ${describeStatus(snapshot, chalk)}${after}\n`;
  });
  const viewer = viewerUrl === null ? chalk.dim('off (--no-viewer)') : viewerUrl;
  return `${rows.join('')}  ${chalk.bold('viewer'.padEnd(width + 2))}  ${viewer}\n`;
}
