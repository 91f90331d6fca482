import { fixtureCommand } from './gate.js';
import { launchLucid, launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { isAlive } from './proc-stats.js';
import { type Summary, summarise } from './stats.js';

const LISTENING = /listening pid=(\d+)/g;

/** Launch until the URL line is printed, with one configured process. */
async function timeStartup(): Promise<number> {
  const dir = scratchDir('startup');
  try {
    const config = writeConfig(dir.path, [
      { name: 'server', command: fixtureCommand('idle-server.mjs', '') },
    ]);
    const lucid = await launchLucid({ config, terminal: 'pipe' });
    await lucid.stop();
    return lucid.startupMs;
  } finally {
    dir.remove();
  }
}

/** SIGINT until lucidlines exits, with `count` children that honour SIGTERM; also counts survivors. */
async function timeShutdown(count: number): Promise<{ ms: number; survivors: number; code: number | null }> {
  const dir = scratchDir('shutdown');
  const names = Array.from({ length: count }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
  const config = writeConfig(
    dir.path,
    names.map((name) => ({ name, command: fixtureCommand('idle-server.mjs', '') })),
  );
  const lucid = await launchLucidIn(dir, { config, terminal: 'pipe' });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url, { includeReplay: true });
    const pids: number[] = [];
    observer.onOutput = (_name, output) => {
      for (const match of output.matchAll(LISTENING)) pids.push(Number(match[1]));
    };
    // A child counts as up once it printed its line: by then its SIGTERM handler is installed.
    const tallies = names.map((name) => observer?.tally(name));
    await observer.until(
      () => tallies.every((tally) => (tally?.messages ?? 0) > 0),
      30_000,
      'every child to start',
    );
    const stopped = await lucid.stop('SIGINT');
    await new Promise((wake) => setTimeout(wake, 200));
    return { ms: stopped.ms, survivors: pids.filter(isAlive).length, code: stopped.code };
  } finally {
    observer?.close();
    await lucid.stop('SIGKILL');
    dir.remove();
  }
}

export interface StartStopResult {
  startupMs: Summary;
  shutdownMs: Summary;
  survivors: number;
  exitCodes: (number | null)[];
  children: number;
}

export async function measureStartStop(
  repetitions: number,
  children: number,
  log: (line: string) => void,
): Promise<StartStopResult> {
  const startup: number[] = [];
  const shutdown: number[] = [];
  let survivors = 0;
  const exitCodes: (number | null)[] = [];
  for (let round = 0; round < repetitions; round++) {
    startup.push(await timeStartup());
    const stop = await timeShutdown(children);
    shutdown.push(stop.ms);
    survivors += stop.survivors;
    exitCodes.push(stop.code);
    log(
      `  start/stop round ${round + 1}: listening after ${startup[round]?.toFixed(0)} ms; SIGINT to exit ${stop.ms.toFixed(0)} ms, ${stop.survivors} survivors, exit code ${stop.code}`,
    );
  }
  return { startupMs: summarise(startup), shutdownMs: summarise(shutdown), survivors, exitCodes, children };
}
