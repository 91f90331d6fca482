// The compact start-up summary, printed once every process has been started: one row per process with its
// status and the URLs it announced so far (the URL behaviour's facts), then the viewer's URL.

import type { ChalkInstance } from 'chalk';
import type { ProcessSnapshot } from '../process/events.js';
import { processLabel } from './prefixes.js';
import { describeStatus } from './status-text.js';

export interface SummaryInput {
  processes: readonly ProcessSnapshot[];
  /** Null when the viewer is off. */
  viewerUrl: string | null;
}

export function startupSummary({ processes, viewerUrl }: SummaryInput, chalk: ChalkInstance): string {
  const width = Math.max(0, ...processes.map((snapshot) => snapshot.name.length));
  const rows = processes.map((snapshot) => {
    const label = processLabel(snapshot.name, chalk) + ' '.repeat(width - snapshot.name.length);
    const served = snapshot.facts.urls ?? [];
    const after = served.length > 0 ? `  ${served.join(' ')}` : '';
    return `  ${label}  ${describeStatus(snapshot, chalk)}${after}\n`;
  });
  const viewer = viewerUrl === null ? chalk.dim('off (--no-viewer)') : viewerUrl;
  return `${rows.join('')}  ${chalk.bold('viewer'.padEnd(width + 2))}  ${viewer}\n`;
}
