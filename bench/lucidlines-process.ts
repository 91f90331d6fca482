import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  constants,
  cpSync,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stopWithBench } from './bench-children.js';

export const REPO_ROOT = resolve(import.meta.dirname, '..');

let snapshotCli: string | null = null;

/**
 * The CLI as built when the benchmark started, copied aside. Other work in the same tree may rebuild dist/
 * during a run of several minutes, and a half-written build would otherwise fail or skew the later
 * measurements. The copy resolves its packages through a link to the repository's node_modules.
 */
function cliPath(): string {
  if (snapshotCli === null) {
    const root = mkdtempSync(join(tmpdir(), 'lucid-bench-build-'));
    for (const entry of ['bin', 'dist', 'package.json']) {
      cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    snapshotCli = join(root, 'bin', 'lucidlines.js');
  }
  return snapshotCli;
}
const URL_LINE = /^(http:\/\/\S+:\d+\/(?:\?\S*)?)\s*$/m;

export interface ProcessEntry {
  name: string;
  command: string;
}

/** A scratch directory for one measurement; `remove` deletes it with everything in it. */
export function scratchDir(label: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `lucid-bench-${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeConfig(dir: string, processes: readonly ProcessEntry[]): string {
  const path = join(dir, 'lucidlines.config.json');
  writeFileSync(
    path,
    JSON.stringify({ processes: processes.map((entry) => ({ ...entry, cwd: dir })) }, null, 2),
  );
  return path;
}

export interface RunningLucid {
  child: ChildProcess;
  pid: number;
  /** The page URL, `http://host:port/`, with `?token=…` when lucidlines requires one. */
  url: string;
  /** Milliseconds from spawn until lucidlines was listening. */
  startupMs: number;
  /** What lucidlines wrote to stderr, kept for error messages. */
  stderr: () => string;
  /** With `terminal: 'drain'`: what lucidlines printed, read to the end; null in the other modes. */
  terminal: TerminalDrain | null;
  /** Sends `signal` and resolves with the time until the process exited. */
  stop: (signal?: NodeJS.Signals) => Promise<{ ms: number; code: number | null; signal: string | null }>;
}

/** lucidlines' stdout as a pipe that is read to the end, as by a terminal that keeps up. */
export interface TerminalDrain {
  /**
   * Resolves, once lucidlines has exited and stdout has been read to its end, with how many times lucidlines
   * said it dropped terminal output because the reader was too slow.
   */
  droppedNotices: Promise<number>;
}

/** The fixed part of `terminalOutputDroppedNotice` (src/errors.ts). */
const DROPPED_NOTICE = 'not printed here because the terminal did not read in time';

/**
 * Makes lucidlines' stdout a FIFO read by `grep -c`, which counts the dropped-output notices. The reader is a
 * process of its own, written in C: reading a flood of terminal output in the bench process would compete
 * with the bench's WebSocket client for its event loop, and a reader that falls behind is exactly what
 * makes lucidlines drop terminal output. With `reader: 'cat'` the pipe is read by `cat` and nothing is
 * counted: for output that is not lucidlines' and may have no line breaks at all, which grep would
 * gather into one ever-growing line (a 200 MB line took it 30 s).
 */
export function terminalDrain(reader: 'grep' | 'cat' = 'grep'): { fd: number; drain: TerminalDrain } {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-bench-terminal-'));
  const fifo = join(dir, 'terminal.fifo');
  execFileSync('mkfifo', [fifo]);
  const script = reader === 'grep' ? 'exec grep -c -F -- "$0" < "$1"' : 'cat < "$1" > /dev/null; echo 0';
  const drainReader = spawn('sh', ['-c', script, DROPPED_NOTICE, fifo], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let count = '';
  drainReader.stdout.setEncoding('utf8').on('data', (text: string) => {
    count += text;
  });
  // Opening for reading and writing never blocks on a FIFO, unlike a write-only open without a reader yet;
  // the bench closes its copy as soon as lucidlines has it, so grep sees the end when lucidlines exits.
  const fd = openSync(fifo, constants.O_RDWR);
  const droppedNotices = once(drainReader, 'exit').then(() => {
    rmSync(dir, { recursive: true, force: true });
    return Number(count.trim());
  });
  return { fd, drain: { droppedNotices } };
}

export interface LaunchOptions {
  config: string;
  /**
   * 'discard' sends the terminal output to /dev/null, so the port is chosen beforehand and readiness is
   * detected by connecting. 'drain' does the same but makes stdout a pipe that is read to the end, as the
   * throughput rows demand (see TerminalDrain). 'pipe' reads stdout for the URL line, as a user sees it.
   */
  terminal: 'discard' | 'drain' | 'pipe';
  nodeArgs?: readonly string[];
  timeoutMs?: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string')
    throw new Error('No TCP address for the probe server.');
  return address.port;
}

async function accepts(port: number): Promise<boolean> {
  const socket = new Socket();
  try {
    socket.connect(port, '127.0.0.1');
    await Promise.race([once(socket, 'connect'), once(socket, 'error').then(() => Promise.reject())]);
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** Starts the built CLI exactly as a user would, and resolves once it listens. */
export async function launchLucid(options: LaunchOptions): Promise<RunningLucid> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const port = options.terminal === 'pipe' ? 0 : await freePort();
  const args = [
    ...(options.nodeArgs ?? []),
    cliPath(),
    '--config',
    options.config,
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--no-open',
  ];
  const drain = options.terminal === 'drain' ? terminalDrain() : null;
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', drain?.fd ?? (options.terminal === 'discard' ? 'ignore' : 'pipe'), 'pipe'],
  });
  stopWithBench(child);
  // lucidlines has its own copy of the FIFO now; the bench's must go, or grep would never see the end.
  if (drain !== null) closeSync(drain.fd);
  const terminal = drain?.drain ?? null;
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-20_000);
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  const fail = async (reason: string): Promise<never> => {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${reason}\nlucidlines stderr:\n${stderr}`);
  };

  let url: string;
  if (options.terminal === 'pipe') {
    const found = await new Promise<string | null>((resolveUrl) => {
      let seen = '';
      let settled = false;
      const timer = setTimeout(() => resolveUrl(null), timeoutMs);
      // The stream keeps flowing after the URL so that lucidlines never blocks on a full pipe.
      child.stdout?.setEncoding('utf8').on('data', (text: string) => {
        if (settled) return;
        seen += text;
        const match = URL_LINE.exec(seen);
        if (match) {
          settled = true;
          clearTimeout(timer);
          resolveUrl(match[1] as string);
        }
      });
      void exited.then(() => resolveUrl(null));
    });
    if (found === null) return fail('lucidlines never printed its URL.');
    url = found;
  } else {
    const deadline = startedAt + timeoutMs;
    while (!(await accepts(port))) {
      if (child.exitCode !== null || performance.now() > deadline) return fail('lucidlines never listened.');
      await new Promise((wake) => setTimeout(wake, 5));
    }
    url = `http://127.0.0.1:${port}/`;
  }
  const startupMs = performance.now() - startedAt;

  return {
    child,
    pid: child.pid as number,
    url,
    startupMs,
    stderr: () => stderr,
    terminal,
    stop: async (signal = 'SIGINT') => {
      const sentAt = performance.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code, exitSignal] = await exited;
      return { ms: performance.now() - sentAt, code, signal: exitSignal };
    },
  };
}

/**
 * Launches lucidlines for a measurement that owns `dir`. When the launch itself fails, no `finally` of the
 * caller runs yet, so the scratch directory is removed here instead of being left behind in /tmp.
 */
export async function launchLucidIn(
  dir: { remove: () => void },
  options: LaunchOptions,
): Promise<RunningLucid> {
  try {
    return await launchLucid(options);
  } catch (error) {
    dir.remove();
    throw error;
  }
}
