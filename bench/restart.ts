import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fixtureCommand } from './gate.js';
import { launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { isAlive } from './proc-stats.js';
import { type Summary, summarise } from './stats.js';

const NAME = 'server';
const COMMAND = fixtureCommand('idle-server.mjs', '');
const LISTENING = /listening pid=(\d+)/;

async function waitGone(pid: number): Promise<void> {
  while (isAlive(pid)) await new Promise((wake) => setTimeout(wake, 1));
}

/**
 * The process's own share of a restart, measured without lucidlines the way the engine does it: its
 * process group gets SIGTERM and we wait until the real server (not merely the shell) is gone; then a
 * new shell is spawned, up to the moment the OS reports it started.
 */
async function timeOwnRestart(): Promise<number> {
  const first = spawn(COMMAND, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  const [line] = (await once(first.stdout, 'data')) as [Buffer];
  const serverPid = Number(LISTENING.exec(line.toString())?.[1]);
  const exited = once(first, 'exit');
  const killedAt = performance.now();
  process.kill(-(first.pid as number), 'SIGTERM');
  await exited;
  await waitGone(serverPid);
  const exitMs = performance.now() - killedAt;
  const spawnedAt = performance.now();
  const second = spawn(COMMAND, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await once(second, 'spawn');
  const startMs = performance.now() - spawnedAt;
  await once(second.stdout, 'data');
  const secondExit = once(second, 'exit');
  process.kill(-(second.pid as number), 'SIGTERM');
  await secondExit;
  return exitMs + startMs;
}

export interface RestartResult {
  /** Restart command sent until `status: running` with a new pid arrived. */
  restartMs: Summary;
  /** The process's own exit and start, measured alone. */
  ownMs: Summary;
  /** Each round's restart minus that round's own time. */
  overheadMs: Summary;
}

/** Alternates a restart through lucidlines with the process's own exit and start, round after round. */
export async function measureRestart(
  repetitions: number,
  log: (line: string) => void,
): Promise<RestartResult> {
  const dir = scratchDir('restart');
  const config = writeConfig(dir.path, [{ name: NAME, command: COMMAND }]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'pipe' });
  let observer: Observer | undefined;
  const restart: number[] = [];
  const own: number[] = [];
  try {
    observer = await Observer.connect(lucid.url);
    let listening = 0;
    observer.onOutput = (name, output) => {
      if (name === NAME && LISTENING.test(output)) listening++;
    };
    const currentPid = () =>
      observer?.statuses.filter((entry) => entry.name === NAME && entry.status === 'running').at(-1)?.pid ??
      observer?.info?.processes.find((entry) => entry.name === NAME)?.pid ??
      null;
    for (let round = 0; round < repetitions; round++) {
      // The child must have installed its SIGTERM handler before it is restarted, or it would die of the
      // default action and the figure would not be comparable with the one measured alone.
      await observer.until(() => listening > round, 30_000, 'the server to print its line');
      own.push(await timeOwnRestart());
      const previous = currentPid();
      const sentAt = performance.now();
      observer.send({ type: 'command', action: 'restart', target: NAME });
      await observer.nextStatus(
        (entry) =>
          entry.name === NAME && entry.status === 'running' && entry.pid !== null && entry.pid !== previous,
        30_000,
      );
      restart.push(performance.now() - sentAt);
      log(
        `  restart round ${round + 1}: ${restart[round]?.toFixed(1)} ms through lucidlines, ${own[round]?.toFixed(1)} ms own exit+start`,
      );
    }
  } finally {
    observer?.close();
    await lucid.stop();
    dir.remove();
  }
  return {
    restartMs: summarise(restart),
    ownMs: summarise(own),
    overheadMs: summarise(restart.map((ms, i) => ms - (own[i] as number))),
  };
}
