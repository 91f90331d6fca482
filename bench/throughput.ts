import { once } from 'node:events';
import { closeSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnInGroup } from './bench-children.js';
import { FIXTURES, fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, REPO_ROOT, scratchDir, terminalDrain, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { busyShare, cpuTimeMs, machineTicks, peakRss } from './proc-stats.js';
import { type Summary, summarise } from './stats.js';

const LINE_BYTES = 100;
const BLOCK_BYTES = 64 * 1024;

/** One workload for the flood fixture: who writes how much, and how much text a client must receive. */
export interface FloodLoad {
  label: string;
  /** The flood fixture's arguments, the same for every writer. */
  args: string;
  /** How many processes run the fixture at once. */
  writers: number;
  /** Bytes written by all writers together. */
  bytes: number;
  /** Characters other than line breaks, all writers together: what must arrive however lucidlines splits lines. */
  contentChars: number;
}

/** `lines` lines of 100 B, one per write (a line-by-line logger), or `writeBytes` bytes per write. */
export function linesLoad(lines: number, options: { writeBytes?: number; writers?: number } = {}): FloodLoad {
  const writers = options.writers ?? 1;
  const perWriter = Math.round(lines / writers);
  const writes =
    options.writeBytes === undefined
      ? 'one per write'
      : options.writeBytes % LINE_BYTES === 0
        ? `${(options.writeBytes / LINE_BYTES).toLocaleString('en')} per write`
        : `in ${options.writeBytes / 1024} KiB writes`;
  return {
    label: `${(perWriter * writers).toLocaleString('en')} lines of 100 B ${writes}${writers > 1 ? ` from ${writers} processes` : ''}`,
    args: `--mode lines --lines ${perWriter}${options.writeBytes === undefined ? '' : ` --write-bytes ${options.writeBytes}`}`,
    writers,
    bytes: perWriter * writers * LINE_BYTES,
    contentChars: perWriter * writers * (LINE_BYTES - 1),
  };
}

export function blocksLoad(totalBytes: number): FloodLoad {
  const blocks = Math.max(1, Math.round(totalBytes / BLOCK_BYTES));
  return {
    label: `${blocks.toLocaleString('en')} chunks of 64 KiB, no newline`,
    args: `--mode blocks --blocks ${blocks}`,
    writers: 1,
    bytes: blocks * BLOCK_BYTES,
    contentChars: blocks * BLOCK_BYTES,
  };
}

const TIMEOUT_MS = 300_000;
/** Twenty Node writers booting at once on a busy 2-core machine can take longer than a gate's usual wait. */
const READY_TIMEOUT_MS = 120_000;

function writerNames(load: FloodLoad): string[] {
  if (load.writers === 1) return ['flood'];
  return Array.from({ length: load.writers }, (_, i) => `w${String(i + 1).padStart(2, '0')}`);
}

function writerCommands(load: FloodLoad, gate: StartGate): { name: string; command: string }[] {
  return writerNames(load).map((name) => ({
    name,
    command: fixtureCommand('flood.mjs', `${load.args} ${gate.args(name)}`),
  }));
}

/** The floor: the writers alone, writing to /dev/null. Timed from the gate until the last one exits. */
export async function timeRaw(load: FloodLoad): Promise<number> {
  const dir = scratchDir('raw');
  try {
    const gate = new StartGate(dir.path);
    const writers = writerCommands(load, gate);
    const script = `${writers.map(({ command }) => `${command} > /dev/null &`).join(' ')} wait`;
    const child = spawnInGroup('sh', ['-c', script], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    await gate.waitReady(
      writers.map(({ name }) => name),
      READY_TIMEOUT_MS,
    );
    const start = gate.open();
    await exited;
    return performance.now() - start;
  } finally {
    dir.remove();
  }
}

/**
 * The floor for a Node supervisor: a bare Node parent that reads the writers' pipes and merely counts bytes.
 * Timed from the gate to its exit. It shows how much of any gap to the raw figure the pipe itself costs.
 */
export async function timeNodePipe(load: FloodLoad): Promise<number> {
  const dir = scratchDir('pipe');
  try {
    const gate = new StartGate(dir.path);
    const writers = writerCommands(load, gate);
    const child = spawnInGroup(
      process.execPath,
      [join(FIXTURES, 'drain.mjs'), ...writers.map(({ command }) => command)],
      { stdio: 'ignore' },
    );
    const exited = once(child, 'exit');
    await gate.waitReady(
      writers.map(({ name }) => name),
      READY_TIMEOUT_MS,
    );
    const start = gate.open();
    const [code] = await exited;
    if (code !== 0) throw new Error(`drain.mjs exited with code ${code}.`);
    return performance.now() - start;
  } finally {
    dir.remove();
  }
}

/**
 * Opens the gate and resolves once `client` holds every character of the flood (or was closed), with the
 * milliseconds that took and a count of what it holds, which a caller may read again later.
 */
async function deliverFlood(
  client: Observer,
  gate: StartGate,
  writers: readonly { name: string }[],
  load: FloodLoad,
  what: string,
): Promise<{ ms: number; coresBusy: number; received: () => number }> {
  const ticks = machineTicks();
  const start = gate.open();
  const tallies = writers.map(({ name }) => client.tally(name));
  const received = () => tallies.reduce((sum, tally) => sum + tally.contentChars, 0);
  await client.until(
    () => received() >= load.contentChars || client.closeCode !== null,
    TIMEOUT_MS,
    `every byte of ${what}`,
  );
  return { ms: performance.now() - start, coresBusy: busyShare(ticks, machineTicks()), received };
}

/** One timed run of a contender: how long it took, its own CPU time, and how busy the machine's CPUs were. */
export interface ContenderRun {
  ms: number;
  /** The contender's CPU time (user + system, all threads) over the run; null where it is not measured. */
  cpuMs: number | null;
  /** The share of all CPUs' time, 0 to 1, that anything on the machine was running during the run. */
  coresBusy: number;
}

/**
 * Node arguments and environment that make a Node program report its CPU time at exit (fixtures/report-cpu.mjs),
 * and `cpuMsSince`, which reads that report once the program has exited. The baseline is read from /proc
 * while the program waits at the gate, so its start-up is not counted.
 */
function cpuReport(dir: string): {
  nodeArgs: string[];
  env: NodeJS.ProcessEnv;
  cpuMsSince: (baselineMs: number) => number;
} {
  const file = join(dir, 'cpu-report');
  return {
    nodeArgs: ['--import', join(FIXTURES, 'report-cpu.mjs')],
    env: { ...process.env, LUCID_BENCH_CPU_REPORT: file },
    cpuMsSince: (baselineMs) => {
      if (!existsSync(file))
        throw new Error('The timed program wrote no CPU report: it did not exit normally.');
      return Number(readFileSync(file, 'utf8')) - baselineMs;
    },
  };
}

/**
 * The floor for a supervisor that serves a viewer: `fixtures/relay.mjs` hands every read of the writers'
 * FIFOs unchanged to a piped stdout (read to the end, as lucidlines' is) and, as one binary output frame, to
 * the same kind of client as lucidlines'. Timed from the gate until the client holds every byte, as
 * timeLucid is, so the two differ only in what lucidlines does beyond relaying.
 */
export async function timeRelay(load: FloodLoad): Promise<ContenderRun> {
  const dir = scratchDir('relay');
  let observer: Observer | undefined;
  // The relay prints the writers' bytes as they are, without the line breaks lucidlines adds.
  const terminal = terminalDrain('cat');
  try {
    const gate = new StartGate(dir.path);
    const writers = writerCommands(load, gate);
    const report = cpuReport(dir.path);
    const child = spawnInGroup(
      process.execPath,
      [
        ...report.nodeArgs,
        join(FIXTURES, 'relay.mjs'),
        ...writers.flatMap(({ name, command }) => [name, command]),
      ],
      { stdio: ['ignore', terminal.fd, 'pipe'], env: report.env },
    );
    closeSync(terminal.fd);
    const exited = once(child, 'exit');
    let stderr = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr?.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        const match = /relay listening on (\d+)/.exec(stderr);
        if (match !== null) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`relay.mjs exited with code ${code}: ${stderr}`)));
    });
    observer = await Observer.connect(`http://127.0.0.1:${port}/`);
    await gate.waitReady(
      writers.map(({ name }) => name),
      READY_TIMEOUT_MS,
    );
    const client = observer;
    const baselineMs = cpuTimeMs(child.pid as number);
    const { ms, coresBusy, received } = await deliverFlood(
      client,
      gate,
      writers,
      load,
      'the flood through the relay',
    );
    if (received() !== load.contentChars || client.invalidFrames > 0) {
      throw new Error(
        `The relay delivered ${received()} of ${load.contentChars} characters (${client.invalidFrames} invalid frames).`,
      );
    }
    observer.close();
    observer = undefined;
    const [code] = await exited;
    if (code !== 0) throw new Error(`relay.mjs exited with code ${code}: ${stderr}`);
    await terminal.drain.droppedNotices;
    // The relay's CPU runs on until it exits, after the client had everything; what it does then (closing
    // its sockets) is a few milliseconds at most.
    return { ms, cpuMs: report.cpuMsSince(baselineMs), coresBusy };
  } finally {
    observer?.close();
    dir.remove();
  }
}

/**
 * The peer: concurrently running the same writers. Its output goes to /dev/null, which Node writes
 * synchronously and the kernel discards, or with `terminal: 'pipe'` into a pipe that a `grep -c` reads to
 * the end, as lucidlines' own output is in timeLucid. Timed from the gate to its exit (and the reader's).
 */
export async function timeConcurrently(
  load: FloodLoad,
  terminal: 'null' | 'pipe' = 'null',
): Promise<ContenderRun> {
  const dir = scratchDir('peer');
  try {
    const gate = new StartGate(dir.path);
    const writers = writerCommands(load, gate);
    const report = cpuReport(dir.path);
    const concurrently = [
      process.execPath,
      ...report.nodeArgs,
      join(REPO_ROOT, 'node_modules', '.bin', 'concurrently'),
      '-n',
      writers.map(({ name }) => name).join(','),
      ...writers.map(({ command }) => command),
    ];
    // grep exits with 1 when no line matched, which is no failure here: the pipeline's status is concurrently's.
    const reader = 'set -o pipefail; "$@" | { grep -c -F -- "lucidlines:" > /dev/null; true; }';
    const child =
      terminal === 'null'
        ? spawnInGroup(concurrently[0] as string, concurrently.slice(1), { stdio: 'ignore', env: report.env })
        : spawnInGroup('bash', ['-c', reader, 'peer', ...concurrently], { stdio: 'ignore', env: report.env });
    const exited = once(child, 'exit');
    await gate.waitReady(
      writers.map(({ name }) => name),
      READY_TIMEOUT_MS,
    );
    // With a pipe, the child is bash, whose CPU is not concurrently's; only the /dev/null run is measured.
    const baselineMs = terminal === 'null' ? cpuTimeMs(child.pid as number) : null;
    const ticks = machineTicks();
    const start = gate.open();
    const [code] = await exited;
    const ms = performance.now() - start;
    const coresBusy = busyShare(ticks, machineTicks());
    if (code !== 0) throw new Error(`concurrently exited with code ${code}.`);
    return { ms, cpuMs: baselineMs === null ? null : report.cpuMsSince(baselineMs), coresBusy };
  } finally {
    dir.remove();
  }
}

export interface LucidFloodResult {
  ms: number;
  receivedContentChars: number;
  expectedContentChars: number;
  /** Frames that failed protocol validation; any at all is a bug. */
  invalidFrames: number;
  /** lucidlines' CPU time (user + system) from the gate until the client had every byte. */
  cpuMs: number;
  /** The share of all CPUs' time, 0 to 1, that anything on the machine was running meanwhile. */
  coresBusy: number;
  /** VmHWM once the client had every byte. */
  peakRss: number;
  /** Notices of terminal output dropped because the pipe was not read fast enough; any is a failure. */
  droppedNotices: number;
}

/**
 * lucidlines with one connected client: timed from the gate until the client holds every byte the writers
 * wrote. The client is connected and greeted before the gate opens, so nothing is replayed from scrollback.
 * lucidlines' stdout is a pipe read to the end, so the terminal printing is part of the work timed.
 */
export async function timeLucid(
  load: FloodLoad,
  nodeArgs: readonly string[] = [],
): Promise<LucidFloodResult> {
  const dir = scratchDir('lucid');
  const gate = new StartGate(dir.path);
  const writers = writerCommands(load, gate);
  const config = writeConfig(dir.path, writers);
  const lucid = await launchLucidIn(dir, { config, terminal: 'drain', nodeArgs });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url);
    await gate.waitReady(
      writers.map(({ name }) => name),
      READY_TIMEOUT_MS,
    );
    const cpuBefore = cpuTimeMs(lucid.pid);
    const client = observer;
    const { ms, coresBusy, received } = await deliverFlood(client, gate, writers, load, 'the flood');
    if (client.closeCode !== null) {
      // lucidlines closes a client that falls 8 MiB behind (1013): the bench's own client could not keep up
      // with it, which says the machine is too busy for this measurement, not how fast lucidlines is.
      throw new Error(
        `The bench client was closed (code ${client.closeCode}) after ${received()} of ${load.contentChars} characters.`,
      );
    }
    const cpuMs = cpuTimeMs(lucid.pid) - cpuBefore;
    const peak = peakRss(lucid.pid);
    // Untimed: once the writers have exited and a moment has passed, any surplus (duplicated or invented
    // output) would have arrived too, so the tally can be compared exactly.
    const current = observer;
    await current.until(
      () =>
        writers.every(({ name }) =>
          current.statuses.some((status) => status.name === name && status.status !== 'running'),
        ),
      30_000,
      'the flood to exit',
    );
    await new Promise((wake) => setTimeout(wake, 100));
    observer.close();
    observer = undefined;
    await lucid.stop();
    const terminal = lucid.terminal;
    if (terminal === null) throw new Error('lucidlines was launched without a terminal pipe.');
    const droppedNotices = await terminal.droppedNotices;
    return {
      ms,
      receivedContentChars: received(),
      expectedContentChars: load.contentChars,
      invalidFrames: current.invalidFrames,
      cpuMs,
      coresBusy,
      peakRss: peak,
      droppedNotices,
    };
  } finally {
    observer?.close();
    await lucid.stop();
    dir.remove();
  }
}

export interface ThroughputResult {
  load: FloodLoad;
  raw: Summary;
  lucid: Summary;
  peer: Summary;
  /** concurrently with its output a pipe read to the end, as lucidlines' is. */
  pipedPeer: Summary;
  nodePipe: Summary;
  /** The relay of `timeRelay`: the floor for delivering the output to a piped terminal and a client. */
  relay: Summary;
  /** Each repetition's lucid/raw ratio, taken within the same round so that drift of the machine cancels out. */
  ratioToRaw: Summary;
  ratioToPeer: Summary;
  ratioToPipedPeer: Summary;
  ratioToNodePipe: Summary;
  ratioToRelay: Summary;
  /** The relay's time ÷ concurrently's (to /dev/null), per round: how near any relaying supervisor can come. */
  relayToPeer: Summary;
  /** The relay's time ÷ the bare Node pipe's, per round: what feeding a terminal and a client costs at least. */
  relayToNodePipe: Summary;
  /** lucidlines' CPU milliseconds per MB delivered to the client. */
  cpuMsPerMb: Summary;
  /** concurrently's CPU milliseconds per MB, writing to /dev/null. */
  peerCpuMsPerMb: Summary;
  /** The relay's CPU milliseconds per MB delivered to its client. */
  relayCpuMsPerMb: Summary;
  /**
   * How busy all the machine's CPUs were during each contender's run, 0 to 1: near 1, the contenders share
   * the CPUs with the writers, the terminal's reader and the client, and a run lasts as long as their CPU
   * time together takes.
   */
  coresBusy: { lucid: Summary; peer: Summary; relay: Summary };
  peakRss: Summary;
  /** Dropped-terminal-output notices over all rounds, and rounds whose client got more or less than written. */
  droppedNotices: number;
  wrongTallies: number;
}

/**
 * Alternates raw, lucidlines, concurrently, the bare pipe and the relay in every round, because the machine's
 * speed drifts.
 */
export async function measureThroughput(
  load: FloodLoad,
  repetitions: number,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const raw: number[] = [];
  const lucid: LucidFloodResult[] = [];
  const peerRuns: ContenderRun[] = [];
  const pipedPeer: number[] = [];
  const nodePipe: number[] = [];
  const relayRuns: ContenderRun[] = [];
  for (let round = 0; round < repetitions; round++) {
    raw.push(await timeRaw(load));
    lucid.push(await timeLucid(load));
    peerRuns.push(await timeConcurrently(load));
    pipedPeer.push((await timeConcurrently(load, 'pipe')).ms);
    nodePipe.push(await timeNodePipe(load));
    relayRuns.push(await timeRelay(load));
    const run = lucid[round] as LucidFloodResult;
    const peerRun = peerRuns[round] as ContenderRun;
    const relayRun = relayRuns[round] as ContenderRun;
    log(
      `  ${load.label} round ${round + 1}: raw ${raw[round]?.toFixed(0)} ms, lucidlines ${run.ms.toFixed(0)} ms (cpu ${run.cpuMs.toFixed(0)} ms, peak ${(run.peakRss / 2 ** 20).toFixed(0)} MiB, ${run.droppedNotices} dropped-terminal notices), concurrently ${peerRun.ms.toFixed(0)} ms (cpu ${peerRun.cpuMs?.toFixed(0)} ms; into a pipe ${pipedPeer[round]?.toFixed(0)} ms), bare Node pipe ${nodePipe[round]?.toFixed(0)} ms, relay ${relayRun.ms.toFixed(0)} ms (cpu ${relayRun.cpuMs?.toFixed(0)} ms)`,
    );
  }
  const ms = lucid.map((run) => run.ms);
  const peer = peerRuns.map((run) => run.ms);
  const relay = relayRuns.map((run) => run.ms);
  const perMb = (cpuMs: number | null) => (cpuMs ?? Number.NaN) / (load.bytes / 1e6);
  return {
    load,
    raw: summarise(raw),
    lucid: summarise(ms),
    peer: summarise(peer),
    pipedPeer: summarise(pipedPeer),
    nodePipe: summarise(nodePipe),
    relay: summarise(relay),
    ratioToRaw: summarise(ms.map((value, i) => value / (raw[i] as number))),
    ratioToPeer: summarise(ms.map((value, i) => value / (peer[i] as number))),
    ratioToPipedPeer: summarise(ms.map((value, i) => value / (pipedPeer[i] as number))),
    ratioToNodePipe: summarise(ms.map((value, i) => value / (nodePipe[i] as number))),
    ratioToRelay: summarise(ms.map((value, i) => value / (relay[i] as number))),
    relayToPeer: summarise(relay.map((value, i) => value / (peer[i] as number))),
    relayToNodePipe: summarise(relay.map((value, i) => value / (nodePipe[i] as number))),
    cpuMsPerMb: summarise(lucid.map((run) => perMb(run.cpuMs))),
    peerCpuMsPerMb: summarise(peerRuns.map((run) => perMb(run.cpuMs))),
    relayCpuMsPerMb: summarise(relayRuns.map((run) => perMb(run.cpuMs))),
    coresBusy: {
      lucid: summarise(lucid.map((run) => run.coresBusy)),
      peer: summarise(peerRuns.map((run) => run.coresBusy)),
      relay: summarise(relayRuns.map((run) => run.coresBusy)),
    },
    peakRss: summarise(lucid.map((run) => run.peakRss)),
    droppedNotices: lucid.reduce((sum, run) => sum + run.droppedNotices, 0),
    wrongTallies: lucid.filter(
      (run) => run.receivedContentChars !== run.expectedContentChars || run.invalidFrames > 0,
    ).length,
  };
}
