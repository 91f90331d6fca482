// A process's status in words, as the terminal prints it in a status line and in the start-up summary.

import type { ChalkInstance } from 'chalk';
import { READY_BY_WORDS } from '../lifecycle-log.js';
import type { ProcessSnapshot } from '../process/events.js';

export function describeStatus(snapshot: ProcessSnapshot, chalk: ChalkInstance): string {
  const { status, pid, exitCode, signal, restarts, command } = snapshot;
  switch (status) {
    case 'starting':
      return chalk.dim(
        restarts > 0 ? `restarting (restart ${restarts}): ${command}` : `starting: ${command}`,
      );
    case 'running': {
      const ready =
        snapshot.facts.readyBy === undefined ? '' : `ready (${READY_BY_WORDS[snapshot.facts.readyBy]}), `;
      const running = pid === null ? `${ready}running` : `${ready}running (pid ${pid})`;
      // Running but failing its liveness check: green would say all is well.
      if (snapshot.facts.health === 'unhealthy') return chalk.yellow(`${running}, unhealthy`);
      return chalk.green(running);
    }
    case 'stopped':
      if (exitCode !== null) return chalk.dim(`exited with code ${exitCode}`);
      return chalk.dim(signal === null ? 'stopped' : `stopped by ${signal}`);
    case 'error':
      if (exitCode !== null) return chalk.red(`crashed with exit code ${exitCode}`);
      return chalk.red(signal === null ? 'failed' : `killed by ${signal}`);
  }
}
