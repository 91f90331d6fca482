import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { FIXTURES, fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, REPO_ROOT, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { type Summary, summarise } from './stats.js';

const LINE_BYTES = 100;
const BLOCK_BYTES = 64 * 1024;

/** One workload for the flood fixture: how much it writes, and how much text a client must receive. */
export interface FloodLoad {
  label: string;
  args: string;
  bytes: number;
  /** Characters other than line breaks: what must arrive however lucidlines splits lines. */
  contentChars: number;
}

export function linesLoad(lines: number): FloodLoad {
  return {
    label: `${lines.toLocaleString('en')} lines of 100 B`,
    args: `--mode lines --lines ${lines}`,
    bytes: lines * LINE_BYTES,
    contentChars: lines * (LINE_BYTES - 1),
  };
}

export function blocksLoad(totalBytes: number): FloodLoad {
  const blocks = Math.max(1, Math.round(totalBytes / BLOCK_BYTES));
  return {
    label: `${blocks.toLocaleString('en')} chunks of 64 KiB, no newline`,
    args: `--mode blocks --blocks ${blocks}`,
    bytes: blocks * BLOCK_BYTES,
    contentChars: blocks * BLOCK_BYTES,
  };
}

const FLOOD_NAME = 'flood';
const TIMEOUT_MS = 300_000;

/** The floor: the child alone, writing to /dev/null. Timed from the gate to its exit. */
export async function timeRaw(load: FloodLoad): Promise<number> {
  const dir = scratchDir('raw');
  try {
    const gate = new StartGate(dir.path);
    const child = spawn(
      'sh',
      ['-c', `${fixtureCommand('flood.mjs', `${load.args} ${gate.args(FLOOD_NAME)}`)} > /dev/null`],
      {
        stdio: 'ignore',
      },
    );
    const exited = once(child, 'exit');
    await gate.waitReady([FLOOD_NAME]);
    const start = gate.open();
    await exited;
    return performance.now() - start;
  } finally {
    dir.remove();
  }
}

/**
 * The floor for a Node supervisor: a bare Node parent that reads the child's pipe and merely counts bytes.
 * Timed from the gate to its exit. It shows how much of any gap to the raw figure the pipe itself costs.
 */
export async function timeNodePipe(load: FloodLoad): Promise<number> {
  const dir = scratchDir('pipe');
  try {
    const gate = new StartGate(dir.path);
    const command = fixtureCommand('flood.mjs', `${load.args} ${gate.args(FLOOD_NAME)}`);
    const child = spawn(process.execPath, [join(FIXTURES, 'drain.mjs'), command], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    await gate.waitReady([FLOOD_NAME]);
    const start = gate.open();
    const [code] = await exited;
    if (code !== 0) throw new Error(`drain.mjs exited with code ${code}.`);
    return performance.now() - start;
  } finally {
    dir.remove();
  }
}

/** The peer: concurrently running the same child, its own output to /dev/null. Timed from the gate to its exit. */
export async function timeConcurrently(load: FloodLoad): Promise<number> {
  const dir = scratchDir('peer');
  try {
    const gate = new StartGate(dir.path);
    const command = fixtureCommand('flood.mjs', `${load.args} ${gate.args(FLOOD_NAME)}`);
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'concurrently'),
      ['-n', FLOOD_NAME, command],
      {
        stdio: 'ignore',
      },
    );
    const exited = once(child, 'exit');
    await gate.waitReady([FLOOD_NAME]);
    const start = gate.open();
    const [code] = await exited;
    if (code !== 0) throw new Error(`concurrently exited with code ${code}.`);
    return performance.now() - start;
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
}

/**
 * lucidlines with one connected client: timed from the gate until the client holds every byte the child
 * wrote. The client is connected and greeted before the gate opens, so nothing is replayed from scrollback.
 */
export async function timeLucid(
  load: FloodLoad,
  nodeArgs: readonly string[] = [],
): Promise<LucidFloodResult> {
  const dir = scratchDir('lucid');
  const gate = new StartGate(dir.path);
  const config = writeConfig(dir.path, [
    { name: FLOOD_NAME, command: fixtureCommand('flood.mjs', `${load.args} ${gate.args(FLOOD_NAME)}`) },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard', nodeArgs });
  let observer: Observer | undefined;
  try {
    observer = await Observer.connect(lucid.url);
    await gate.waitReady([FLOOD_NAME]);
    const start = gate.open();
    const tally = observer.tally(FLOOD_NAME);
    await observer.until(
      () => tally.contentChars >= load.contentChars,
      TIMEOUT_MS,
      'every byte of the flood',
    );
    const ms = performance.now() - start;
    // Untimed: once the child has exited and a moment has passed, any surplus (duplicated or invented
    // output) would have arrived too, so the tally can be compared exactly.
    const current = observer;
    await current.until(
      () => current.statuses.some((status) => status.name === FLOOD_NAME && status.status !== 'running'),
      30_000,
      'the flood to exit',
    );
    await new Promise((wake) => setTimeout(wake, 100));
    return {
      ms,
      receivedContentChars: tally.contentChars,
      expectedContentChars: load.contentChars,
      invalidFrames: current.invalidFrames,
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
  nodePipe: Summary;
  /** Each repetition's lucid/raw ratio, taken within the same round so that drift of the machine cancels out. */
  ratioToRaw: Summary;
  ratioToPeer: Summary;
}

/** Alternates raw, lucidlines, concurrently and the bare pipe in every round, because the machine's speed drifts. */
export async function measureThroughput(
  load: FloodLoad,
  repetitions: number,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const raw: number[] = [];
  const lucid: number[] = [];
  const peer: number[] = [];
  const nodePipe: number[] = [];
  for (let round = 0; round < repetitions; round++) {
    raw.push(await timeRaw(load));
    lucid.push((await timeLucid(load)).ms);
    peer.push(await timeConcurrently(load));
    nodePipe.push(await timeNodePipe(load));
    log(
      `  ${load.label} round ${round + 1}: raw ${raw[round]?.toFixed(0)} ms, lucidlines ${lucid[round]?.toFixed(0)} ms, concurrently ${peer[round]?.toFixed(0)} ms, bare Node pipe ${nodePipe[round]?.toFixed(0)} ms`,
    );
  }
  return {
    load,
    raw: summarise(raw),
    lucid: summarise(lucid),
    peer: summarise(peer),
    nodePipe: summarise(nodePipe),
    ratioToRaw: summarise(lucid.map((ms, i) => ms / (raw[i] as number))),
    ratioToPeer: summarise(lucid.map((ms, i) => ms / (peer[i] as number))),
  };
}
