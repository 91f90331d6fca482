// Subscriptions (issue 15): what a client watching one process of many costs the server, against clients
// that receive everything, with the same processes printing the same output. A third variant without
// clients measures what reading, splitting and retaining the output costs on its own, so that the cost of
// the fan-out itself (the part a subscription can save) is told apart from it.
import type { SubscriptionRequest } from '../src/protocol.js';
import { StartGate } from './gate.js';
import { launchLucidIn, scratchDir } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { type PacedShape, writePacedProcesses } from './paced-processes.js';
import { cpuTimeMs } from './proc-stats.js';
import { median, type Summary, summarise } from './stats.js';

export type SubscriptionShape = PacedShape;

type Variant = 'no clients' | 'one process each' | 'everything';

interface SubscriptionPass {
  /** lucidlines' CPU time over the window as a percentage of one core. */
  cpuPercent: number;
  /** Output characters per second one client received (the median client). */
  charsPerClientPerSecond: number;
}

async function onePass(shape: SubscriptionShape, variant: Variant): Promise<SubscriptionPass> {
  const dir = scratchDir('subscriptions');
  const gate = new StartGate(dir.path);
  const { config, names } = writePacedProcesses(dir.path, gate, shape);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  const observers: Observer[] = [];
  try {
    const clients = variant === 'no clients' ? 0 : shape.clients;
    for (let i = 0; i < clients; i++) {
      const observer = await Observer.connect(lucid.url);
      observers.push(observer);
      const request: SubscriptionRequest =
        variant === 'everything'
          ? { type: 'subscribe' }
          : { type: 'subscribe', processes: [names[i % names.length] as string] };
      observer.send(request);
      await observer.until(() => observer.subscriptions > 0, 10_000, 'the subscription reply');
    }
    await gate.waitReady(names);
    gate.open();
    await new Promise((wake) => setTimeout(wake, shape.warmupMs));
    const before = { at: performance.now(), cpu: cpuTimeMs(lucid.pid), chars: observers.map(chars) };
    await new Promise((wake) => setTimeout(wake, shape.windowMs));
    const after = { at: performance.now(), cpu: cpuTimeMs(lucid.pid), chars: observers.map(chars) };
    const seconds = (after.at - before.at) / 1000;
    return {
      cpuPercent: ((after.cpu - before.cpu) / (after.at - before.at)) * 100,
      charsPerClientPerSecond:
        clients === 0 ? 0 : median(after.chars.map((count, i) => (count - (before.chars[i] ?? 0)) / seconds)),
    };
  } finally {
    for (const observer of observers) observer.close();
    await lucid.stop();
    dir.remove();
  }
}

function chars(observer: Observer): number {
  return observer.totalChars();
}

export interface SubscriptionResult {
  shape: SubscriptionShape;
  noClients: { cpuPercent: Summary };
  oneEach: { cpuPercent: Summary; charsPerClientPerSecond: Summary };
  everything: { cpuPercent: Summary; charsPerClientPerSecond: Summary };
  /**
   * Each round's fan-out CPU (above the no-clients floor) with one process per client, divided by the
   * fan-out CPU with everything to every client.
   */
  fanoutRatio: Summary;
  /** Each round's output per client with one process per client divided by that with everything. */
  charsRatio: Summary;
}

/** Runs the three variants in turn every round, so that all see the same drift of the machine. */
export async function measureSubscriptions(
  shape: SubscriptionShape,
  repetitions: number,
  log: (line: string) => void,
): Promise<SubscriptionResult> {
  const floor: SubscriptionPass[] = [];
  const oneEach: SubscriptionPass[] = [];
  const everything: SubscriptionPass[] = [];
  for (let round = 0; round < repetitions; round++) {
    const none = await onePass(shape, 'no clients');
    const narrow = await onePass(shape, 'one process each');
    const wide = await onePass(shape, 'everything');
    floor.push(none);
    oneEach.push(narrow);
    everything.push(wide);
    const show = (pass: SubscriptionPass) =>
      `cpu ${pass.cpuPercent.toFixed(1)}%, ${(pass.charsPerClientPerSecond / 1024).toFixed(0)} KiB/s per client`;
    log(
      `  subscriptions round ${round + 1}: no clients cpu ${none.cpuPercent.toFixed(1)}%; one process each ${show(narrow)}; everything ${show(wide)}`,
    );
  }
  const spread = (passes: SubscriptionPass[]) => ({
    cpuPercent: summarise(passes.map((pass) => pass.cpuPercent)),
    charsPerClientPerSecond: summarise(passes.map((pass) => pass.charsPerClientPerSecond)),
  });
  const above = (pass: SubscriptionPass, round: number) =>
    pass.cpuPercent - (floor[round] as SubscriptionPass).cpuPercent;
  return {
    shape,
    noClients: { cpuPercent: summarise(floor.map((pass) => pass.cpuPercent)) },
    oneEach: spread(oneEach),
    everything: spread(everything),
    fanoutRatio: summarise(
      oneEach.map((pass, round) => above(pass, round) / above(everything[round] as SubscriptionPass, round)),
    ),
    charsRatio: summarise(
      oneEach.map(
        (pass, round) =>
          pass.charsPerClientPerSecond / (everything[round] as SubscriptionPass).charsPerClientPerSecond,
      ),
    ),
  };
}
