import { execFile, execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The descriptors of one pipe: ours to read, the child's to write. */
export interface PipeDescriptors {
  readFd: number;
  writeFd: number;
}

/** A child's stdout and stderr pipes. */
export interface OutputPipes {
  stdout: PipeDescriptors;
  stderr: PipeDescriptors;
}

// Pipes made from FIFOs. Node gives a child's stdout a Unix socket pair, where every small write of a
// line-at-a-time logger costs the kernel a socket buffer and the sending side fills after a few hundred
// lines; a real pipe packs those writes into pages. The benchmark's bare reader took 2.95 s instead of 4.1 s
// for 2 million lines this way (bench/, section throughput). The FIFOs' names are removed as soon as both
// ends are open: only the descriptors keep them alive, and the reader sees end-of-file when the last writer
// (the child or any descendant still holding the descriptor) closes it, exactly as with the socket pair.

function fifoPaths(count = 1): { directory: string; fifos: [string, string][] } {
  const directory = mkdtempSync(path.join(tmpdir(), 'lucidlines-'));
  const fifos = Array.from({ length: count }, (_, i): [string, string] => [
    path.join(directory, `stdout-${i}`),
    path.join(directory, `stderr-${i}`),
  ]);
  return { directory, fifos };
}

/** Opens both ends of the FIFOs; closes whatever it opened if one fails. */
function openPipes(fifos: [string, string]): OutputPipes {
  const opened: number[] = [];
  const open = (fifo: string, flags: number) => {
    const fd = openSync(fifo, flags);
    opened.push(fd);
    return fd;
  };
  try {
    // The read end is opened first and non-blocking, so opening the write end does not wait for a reader.
    const [stdout, stderr] = fifos.map((fifo) => ({
      readFd: open(fifo, constants.O_RDONLY | constants.O_NONBLOCK),
      writeFd: open(fifo, constants.O_WRONLY),
    }));
    return { stdout: stdout as PipeDescriptors, stderr: stderr as PipeDescriptors };
  } catch (error) {
    for (const fd of opened) closeSync(fd);
    throw error;
  }
}

/** Opens every set of FIFOs, then removes their names; closes everything if one set fails. */
function openAll(directory: string, fifos: [string, string][]): OutputPipes[] {
  const sets: OutputPipes[] = [];
  try {
    for (const pair of fifos) sets.push(openPipes(pair));
    return sets;
  } catch (error) {
    for (const set of sets) for (const pipe of [set.stdout, set.stderr]) closeAll(pipe);
    throw error;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function closeAll({ readFd, writeFd }: PipeDescriptors): void {
  closeSync(readFd);
  closeSync(writeFd);
}

// A restart must not wait for a mkfifo process (it costed restarts 10–30 ms on a busy machine), so one set
// of pipes is made ahead of time, in the background, after each use. Only open descriptors are kept: if
// lucidlines exits, they close with it and nothing is left on disk.
const spares: OutputPipes[] = [];
let makingSpare = false;

function makeSpare(): void {
  if (spares.length > 0 || makingSpare) return;
  makingSpare = true;
  let paths: ReturnType<typeof fifoPaths>;
  try {
    paths = fifoPaths();
  } catch {
    makingSpare = false;
    return;
  }
  execFile('mkfifo', ['-m', '600', ...paths.fifos.flat()], (error) => {
    makingSpare = false;
    if (error !== null) {
      rmSync(paths.directory, { recursive: true, force: true });
      return;
    }
    try {
      spares.push(...openAll(paths.directory, paths.fifos));
    } catch {
      // No spare this time; the next take makes its pipes on the spot.
    }
  });
}

/** Makes FIFOs for `count` sets of pipes with one mkfifo, synchronously. */
function makeNow(count: number): OutputPipes[] {
  const { directory, fifos } = fifoPaths(count);
  try {
    execFileSync('mkfifo', ['-m', '600', ...fifos.flat()], { stdio: 'ignore' });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return openAll(directory, fifos);
}

/**
 * Makes sure `count` sets of pipes are ready before that many processes start at once (start-all,
 * restart-all): one mkfifo for all of them instead of one per spawn, which made a restart-all of 100
 * processes wait for 100 mkfifo processes in a row. Best effort: on failure each spawn makes its own.
 */
export function reserveFifoPipes(count: number): void {
  const missing = count - spares.length;
  if (missing <= 0 || process.platform === 'win32') return;
  try {
    spares.push(...makeNow(missing));
  } catch {
    // Each take will try on its own, and fall back to Node's pipes if it cannot.
  }
}

/**
 * Returns a fresh set of FIFO pipes, a spare if one is ready, and starts making the next spare. Throws
 * where FIFOs cannot be made (no `mkfifo`, no writable temporary directory); the caller falls back then.
 */
export function takeFifoPipes(): OutputPipes {
  const pipes = spares.shift() ?? (makeNow(1)[0] as OutputPipes);
  makeSpare();
  return pipes;
}
