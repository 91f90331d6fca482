// Peak memory of lucidlines while nobody reads its stdout (a stalled pipe, a paused pager) and a child
// floods: the terminal's queue is bounded, so the peak must stay near that of a flood with a reading
// terminal, and once stdout is read again one line must say how much terminal output was dropped.
import { fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { peakRss } from './proc-stats.js';
import { type Summary, summarise } from './stats.js';
import { linesLoad } from './throughput.js';

const FLOOD_NAME = 'flood';
const NOTICE = /^lucidlines: ([\d,]+) lines? \(([^)]+)\) of output (?:was|were) not printed here/m;

export interface StalledTerminalResult {
  peakRss: Summary;
  droppedLines: Summary;
  /**
   * Rounds in which the bench's own client could not keep up with the unpaced flood and lucidlines closed
   * it as too slow (1013), as documented; the peak of such a round covers less than the whole flood.
   */
  shortRounds: number;
  repetitions: number;
}

async function onePass(totalBytes: number): Promise<{ peak: number; droppedLines: number; short: boolean }> {
  const load = linesLoad(Math.round(totalBytes / 100));
  const dir = scratchDir('stalled-terminal');
  const gate = new StartGate(dir.path);
  const config = writeConfig(dir.path, [
    { name: FLOOD_NAME, command: fixtureCommand('flood.mjs', `${load.args} ${gate.args(FLOOD_NAME)}`) },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'pipe' });
  const stdout = lucid.child.stdout;
  let observer: Observer | undefined;
  try {
    if (stdout === null) throw new Error('lucidlines has no stdout pipe.');
    let tail = '';
    let droppedLines: number | null = null;
    stdout.on('data', (text: string) => {
      // Only the newest text is kept, since keeping it all would measure the bench's memory instead; the
      // notice is looked for as it arrives, before more output pushes it out of the tail.
      tail = (tail + text).slice(-4096);
      const notice = NOTICE.exec(tail);
      if (notice !== null && droppedLines === null) droppedLines = Number(notice[1]?.replaceAll(',', ''));
    });
    stdout.pause();
    observer = await Observer.connect(lucid.url);
    await gate.waitReady([FLOOD_NAME]);
    gate.open();
    const tally = observer.tally(FLOOD_NAME);
    await observer.until(
      () => tally.contentChars >= load.contentChars || observer?.closeCode !== null,
      600_000,
      'the whole flood at the client',
    );
    const peak = peakRss(lucid.pid);
    const short = tally.contentChars < load.contentChars;
    stdout.resume();
    const deadline = performance.now() + 300_000;
    while (droppedLines === null) {
      if (performance.now() > deadline) {
        throw new Error(
          `lucidlines never printed how much it dropped; its last output: ${JSON.stringify(tail.slice(-300))}`,
        );
      }
      await new Promise((wake) => setTimeout(wake, 10));
    }
    return { peak, droppedLines, short };
  } finally {
    observer?.close();
    stdout?.resume();
    await lucid.stop();
    dir.remove();
  }
}

/** Peak RSS of lucidlines while `totalBytes` flow to one client and its stdout is not read. */
export async function measureStalledTerminal(
  totalBytes: number,
  repetitions: number,
  log: (line: string) => void,
): Promise<StalledTerminalResult> {
  const passes: Awaited<ReturnType<typeof onePass>>[] = [];
  for (let round = 0; round < repetitions; round++) {
    const pass = await onePass(totalBytes);
    passes.push(pass);
    log(
      `  stalled terminal round ${round + 1}: peak ${(pass.peak / 2 ** 20).toFixed(0)} MiB, ${pass.droppedLines.toLocaleString('en')} terminal lines dropped${pass.short ? ', client closed as too slow' : ''}`,
    );
  }
  return {
    peakRss: summarise(passes.map((pass) => pass.peak)),
    droppedLines: summarise(passes.map((pass) => pass.droppedLines)),
    shortRounds: passes.filter((pass) => pass.short).length,
    repetitions,
  };
}
