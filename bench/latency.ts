import { fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { percentile, type Summary, summarise } from './stats.js';

const TICK_NAME = 'tick';
const FLOOD_NAME = 'flood';
/** Far more than a latency pass lasts: the flood is still running when the last tick arrives. */
const ENDLESS_FLOOD = '--mode lines --lines 1000000000';

/**
 * Collects the write-to-receipt delay of the timestamped lines of one process, as seen by one client.
 * Lines may be split across messages, so the text is reassembled before parsing.
 */
export class LineDelays {
  readonly delays: number[] = [];
  #pending = '';

  accept(output: string, receivedAt: number): void {
    const text = this.#pending + output;
    const lastBreak = text.lastIndexOf('\n');
    this.#pending = text.slice(lastBreak + 1);
    if (lastBreak === -1) return;
    for (const line of text.slice(0, lastBreak).split('\n')) {
      const match = /LAT \d+ (\d+(?:\.\d+)?)/.exec(line);
      if (match) this.delays.push(receivedAt - Number(match[1]));
    }
  }
}

export interface LatencyPass {
  p50: number;
  p99: number;
  samples: number;
}

async function onePass(ticks: number, intervalMs: number, withFlood: boolean): Promise<LatencyPass> {
  const dir = scratchDir('latency');
  const gate = new StartGate(dir.path);
  const processes = [
    {
      name: TICK_NAME,
      command: fixtureCommand(
        'paced.mjs',
        `--ticks ${ticks} --interval ${intervalMs} ${gate.args(TICK_NAME)}`,
      ),
    },
  ];
  if (withFlood) {
    processes.push({
      name: FLOOD_NAME,
      command: fixtureCommand('flood.mjs', `${ENDLESS_FLOOD} ${gate.args(FLOOD_NAME)}`),
    });
  }
  const lucid = await launchLucidIn(dir, { config: writeConfig(dir.path, processes), terminal: 'discard' });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url);
    const delays = new LineDelays();
    observer.onOutput = (name, output, receivedAt) => {
      if (name === TICK_NAME) delays.accept(output, receivedAt);
    };
    await gate.waitReady(processes.map((entry) => entry.name));
    gate.open();
    await observer.until(() => delays.delays.length >= ticks, 120_000, `${ticks} timestamped lines`);
    return {
      p50: percentile(delays.delays, 50),
      p99: percentile(delays.delays, 99),
      samples: delays.delays.length,
    };
  } finally {
    observer?.close();
    await lucid.stop();
    dir.remove();
  }
}

export interface LatencyResult {
  idle: { p50: Summary; p99: Summary };
  flood: { p50: Summary; p99: Summary };
  ticks: number;
  intervalMs: number;
}

/** Alternates idle and flooded passes, so both see the same drift of the machine. */
export async function measureLatency(
  ticks: number,
  intervalMs: number,
  repetitions: number,
  log: (line: string) => void,
): Promise<LatencyResult> {
  const idle: LatencyPass[] = [];
  const flood: LatencyPass[] = [];
  for (let round = 0; round < repetitions; round++) {
    idle.push(await onePass(ticks, intervalMs, false));
    flood.push(await onePass(ticks, intervalMs, true));
    const show = (pass: LatencyPass | undefined) =>
      `p50 ${pass?.p50.toFixed(1)} ms, p99 ${pass?.p99.toFixed(1)} ms`;
    log(`  latency round ${round + 1}: idle ${show(idle[round])}; under flood ${show(flood[round])}`);
  }
  const spread = (passes: LatencyPass[]) => ({
    p50: summarise(passes.map((pass) => pass.p50)),
    p99: summarise(passes.map((pass) => pass.p99)),
  });
  return { idle: spread(idle), flood: spread(flood), ticks, intervalMs };
}
