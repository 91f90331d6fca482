// lucidlines' CPU at the rate a busy dev server prints (about 1,000 lines a second) with one viewer client
// open: what a user pays day to day, as opposed to the flood figures.
import { fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { cpuTimeMs } from './proc-stats.js';
import { type Summary, summarise } from './stats.js';

const NAME = 'dev';
const LINES_PER_TICK = 10;
const TICK_MS = 10;

export interface DevRateResult {
  /** lucidlines' CPU over the window, as a percentage of one core. */
  cpuPercent: Summary;
  /** Lines the client received per second over the window. */
  linesPerSecond: Summary;
}

async function onePass(
  warmupMs: number,
  windowMs: number,
): Promise<{ cpuPercent: number; linesPerSecond: number }> {
  const dir = scratchDir('dev-rate');
  const gate = new StartGate(dir.path);
  const ticks = Math.ceil((warmupMs + windowMs + 2000) / TICK_MS);
  const config = writeConfig(dir.path, [
    {
      name: NAME,
      command: fixtureCommand(
        'paced.mjs',
        `--per-tick ${LINES_PER_TICK} --ticks ${ticks} --interval ${TICK_MS} ${gate.args(NAME)}`,
      ),
    },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'drain' });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url);
    let lines = 0;
    observer.onOutput = (_name, output) => {
      for (let at = output.indexOf('\n'); at !== -1; at = output.indexOf('\n', at + 1)) lines++;
    };
    await gate.waitReady([NAME]);
    gate.open();
    await new Promise((wake) => setTimeout(wake, warmupMs));
    const before = { at: performance.now(), cpu: cpuTimeMs(lucid.pid), lines };
    await new Promise((wake) => setTimeout(wake, windowMs));
    const after = { at: performance.now(), cpu: cpuTimeMs(lucid.pid), lines };
    return {
      cpuPercent: ((after.cpu - before.cpu) / (after.at - before.at)) * 100,
      linesPerSecond: ((after.lines - before.lines) * 1000) / (after.at - before.at),
    };
  } finally {
    observer?.close();
    await lucid.stop();
    dir.remove();
  }
}

export async function measureDevRate(
  shape: { warmupMs: number; windowMs: number },
  repetitions: number,
  log: (line: string) => void,
): Promise<DevRateResult> {
  const passes: Awaited<ReturnType<typeof onePass>>[] = [];
  for (let round = 0; round < repetitions; round++) {
    const pass = await onePass(shape.warmupMs, shape.windowMs);
    passes.push(pass);
    log(
      `  dev rate round ${round + 1}: ${pass.linesPerSecond.toFixed(0)} lines/s, cpu ${pass.cpuPercent.toFixed(1)}% of a core`,
    );
  }
  return {
    cpuPercent: summarise(passes.map((pass) => pass.cpuPercent)),
    linesPerSecond: summarise(passes.map((pass) => pass.linesPerSecond)),
  };
}
