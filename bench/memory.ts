import { fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { peakRss } from './proc-stats.js';
import { type Summary, summarise } from './stats.js';
import { linesLoad } from './throughput.js';

const FLOOD_NAME = 'flood';

export interface MemoryResult {
  /** Resident set size of lucidlines after start-up, before any output. */
  idleRss: Summary;
  /** Peak resident set size once a client had received this many bytes. */
  checkpoints: { bytes: number; peakRss: Summary }[];
  durationMs: Summary;
  repetitions: number;
}

async function onePass(
  totalBytes: number,
  checkpoints: readonly number[],
): Promise<{ idle: number; peaks: number[]; ms: number }> {
  const load = linesLoad(Math.round(totalBytes / 100));
  const dir = scratchDir('memory');
  const gate = new StartGate(dir.path);
  const config = writeConfig(dir.path, [
    { name: FLOOD_NAME, command: fixtureCommand('flood.mjs', `${load.args} ${gate.args(FLOOD_NAME)}`) },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url);
    await gate.waitReady([FLOOD_NAME]);
    const idle = peakRss(lucid.pid);
    const start = gate.open();
    const tally = observer.tally(FLOOD_NAME);
    const peaks: number[] = [];
    for (const bytes of checkpoints) {
      // Each 100-byte line carries 99 characters besides its newline.
      const target = Math.min(load.contentChars, Math.floor(bytes * 0.99));
      await observer.until(() => tally.contentChars >= target, 600_000, `${bytes} bytes`);
      peaks.push(peakRss(lucid.pid));
    }
    return { idle, peaks, ms: performance.now() - start };
  } finally {
    observer?.close();
    await lucid.stop();
    dir.remove();
  }
}

/** Peak RSS of lucidlines while `totalBytes` of output flow to one client, read at each checkpoint. */
export async function measureMemory(
  totalBytes: number,
  checkpoints: readonly number[],
  repetitions: number,
  log: (line: string) => void,
): Promise<MemoryResult> {
  const passes: Awaited<ReturnType<typeof onePass>>[] = [];
  for (let round = 0; round < repetitions; round++) {
    const pass = await onePass(totalBytes, checkpoints);
    passes.push(pass);
    const peaks = pass.peaks.map((bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`).join(', ');
    log(
      `  memory round ${round + 1}: idle ${(pass.idle / 2 ** 20).toFixed(0)} MiB, peaks ${peaks}, ${pass.ms.toFixed(0)} ms`,
    );
  }
  return {
    idleRss: summarise(passes.map((pass) => pass.idle)),
    checkpoints: checkpoints.map((bytes, i) => ({
      bytes,
      peakRss: summarise(passes.map((pass) => pass.peaks[i] as number)),
    })),
    durationMs: summarise(passes.map((pass) => pass.ms)),
    repetitions,
  };
}
