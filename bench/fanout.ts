import { StartGate } from './gate.js';
import { LineDelays } from './latency.js';
import { launchLucidIn, scratchDir } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { type PacedShape, writePacedProcesses } from './paced-processes.js';
import { cpuTimeMs, peakRss } from './proc-stats.js';
import { median, percentile, type Summary, summarise } from './stats.js';

export type FanoutShape = PacedShape;

export interface FanoutPass {
  /** Median over the healthy clients (every client but the first, which is the one stalled in that variant). */
  bytesPerSecond: number;
  messagesPerSecond: number;
  /** The slowest healthy client, to show that no single client was starved. */
  slowestBytesPerSecond: number;
  /** lucidlines' CPU time over the window as a percentage of one core. */
  cpuPercent: number;
  peakRss: number;
  /** Write-to-receipt delay seen by one healthy client. */
  p99DelayMs: number;
  stalledCloseCode: number | null;
}

async function onePass(shape: FanoutShape, stallFirstClient: boolean): Promise<FanoutPass> {
  const dir = scratchDir('fanout');
  const gate = new StartGate(dir.path);
  const { config, names } = writePacedProcesses(dir.path, gate, shape);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  const observers: Observer[] = [];
  try {
    for (let i = 0; i < shape.clients; i++) observers.push(await Observer.connect(lucid.url));
    const healthy = observers.slice(1);
    const probe = healthy[0] as Observer;
    const delays = new Map(names.map((name) => [name, new LineDelays()]));
    probe.onOutput = (name, output, receivedAt) => delays.get(name)?.accept(output, receivedAt);
    if (stallFirstClient) observers[0]?.stall();
    await gate.waitReady(names);
    gate.open();
    await new Promise((wake) => setTimeout(wake, shape.warmupMs));
    const before = { at: performance.now(), cpu: cpuTimeMs(lucid.pid), counts: healthy.map(snapshot) };
    await new Promise((wake) => setTimeout(wake, shape.windowMs));
    const after = { at: performance.now(), cpu: cpuTimeMs(lucid.pid), counts: healthy.map(snapshot) };
    const seconds = (after.at - before.at) / 1000;
    const bytesRates = after.counts.map(
      (count, i) => (count.chars - (before.counts[i]?.chars ?? 0)) / seconds,
    );
    const messageRates = after.counts.map(
      (count, i) => (count.messages - (before.counts[i]?.messages ?? 0)) / seconds,
    );
    const allDelays = [...delays.values()].flatMap((collector) => collector.delays);
    const stalled = observers[0];
    if (stallFirstClient && stalled !== undefined) {
      // Reading again lets a close frame the server queued behind the backlog arrive; a client that was
      // never closed simply drains the backlog and stays connected.
      stalled.resume();
      await stalled.until(() => stalled.closeCode !== null, 3000, 'a close').catch(() => {});
    }
    return {
      bytesPerSecond: median(bytesRates),
      messagesPerSecond: median(messageRates),
      slowestBytesPerSecond: Math.min(...bytesRates),
      cpuPercent: ((after.cpu - before.cpu) / (after.at - before.at)) * 100,
      peakRss: peakRss(lucid.pid),
      p99DelayMs: allDelays.length > 0 ? percentile(allDelays, 99) : Number.NaN,
      stalledCloseCode: stallFirstClient ? (stalled?.closeCode ?? null) : null,
    };
  } finally {
    for (const observer of observers) observer.close();
    await lucid.stop();
    dir.remove();
  }
}

function snapshot(observer: Observer): { chars: number; messages: number } {
  return { chars: observer.totalChars(), messages: observer.totalMessages() };
}

export interface FanoutResult {
  shape: FanoutShape;
  normal: Record<keyof Omit<FanoutPass, 'stalledCloseCode'>, Summary>;
  stalled: Record<keyof Omit<FanoutPass, 'stalledCloseCode'>, Summary>;
  /** Each round's healthy-client byte rate with a stalled client divided by the rate without one. */
  rateRatio: Summary;
  stalledCloseCodes: (number | null)[];
}

function spread(passes: FanoutPass[]): FanoutResult['normal'] {
  const pick = (key: keyof FanoutResult['normal']) => summarise(passes.map((pass) => pass[key]));
  return {
    bytesPerSecond: pick('bytesPerSecond'),
    messagesPerSecond: pick('messagesPerSecond'),
    slowestBytesPerSecond: pick('slowestBytesPerSecond'),
    cpuPercent: pick('cpuPercent'),
    peakRss: pick('peakRss'),
    p99DelayMs: pick('p99DelayMs'),
  };
}

/** Alternates the plain and the stalled-client variant, so that both see the same drift of the machine. */
export async function measureFanout(
  shape: FanoutShape,
  repetitions: number,
  log: (line: string) => void,
): Promise<FanoutResult> {
  const normal: FanoutPass[] = [];
  const stalled: FanoutPass[] = [];
  for (let round = 0; round < repetitions; round++) {
    normal.push(await onePass(shape, false));
    stalled.push(await onePass(shape, true));
    const show = (pass: FanoutPass | undefined) =>
      pass
        ? `${(pass.bytesPerSecond / 1024).toFixed(0)} KiB/s, ${pass.messagesPerSecond.toFixed(0)} msg/s per client, cpu ${pass.cpuPercent.toFixed(0)}%, p99 ${pass.p99DelayMs.toFixed(0)} ms`
        : '';
    log(
      `  fan-out round ${round + 1}: plain ${show(normal[round])}; one stalled ${show(stalled[round])}, its close code ${stalled[round]?.stalledCloseCode}`,
    );
  }
  return {
    shape,
    normal: spread(normal),
    stalled: spread(stalled),
    rateRatio: summarise(
      stalled.map((pass, i) => pass.bytesPerSecond / (normal[i] as FanoutPass).bytesPerSecond),
    ),
    stalledCloseCodes: stalled.map((pass) => pass.stalledCloseCode),
  };
}
