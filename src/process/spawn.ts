import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { takeFifoPipes } from './fifo-pipes.js';
import { KEEP_VARIABLE, RUN_MARKER_VARIABLE } from './marker.js';
import { type PipeIdentity, pipeIdentityOf } from './pipe-holders.js';
import { enlargeWhenFull } from './pipe-size.js';
import type { ProcessSpec } from './spec.js';

/** The part of a child process the engine uses, so unit tests can hand in a fake. */
export interface SpawnedChild {
  readonly pid?: number | undefined;
  /**
   * A pipe open for as long as the child runs: many watchers (esbuild --watch, some Vite plugins) quit as
   * soon as stdin reaches end-of-file, taking it to mean that the parent went away. Only the viewer's `input`
   * command writes to it, for processes whose config opts in.
   */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** The output pipes, to find processes still holding them; empty where they cannot be identified. */
  readonly outputPipes: readonly PipeIdentity[];
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

/** What one run of a process is told on top of its spec. */
export interface RunIdentity {
  /** The value of LUCIDLINES_RUN for this run (see marker.ts). */
  marker: string;
}

export type SpawnFunction = (spec: ProcessSpec, run: RunIdentity) => SpawnedChild;

/**
 * The environment of a child: the inherited one, plus FORCE_COLOR because the child writes into a pipe and
 * most colour libraries switch colours off when stdout is not a terminal. A choice the user made is kept:
 * NO_COLOR (non-empty, as no-color.org defines it) or FORCE_COLOR in the inherited environment, and
 * either variable in the spec, which has the last word. The run marker has the very last word, and the
 * keep flag is never passed on: a lucidlines started with LUCIDLINES_KEEP=1 (by a dev server of another
 * lucidlines, say) would otherwise make every child it starts unstoppable by marker.
 */
export function childEnvironment(
  inherited: NodeJS.ProcessEnv,
  specEnv: Record<string, string>,
  run: RunIdentity,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited };
  const colourChosen =
    'NO_COLOR' in specEnv ||
    'FORCE_COLOR' in specEnv ||
    (inherited.NO_COLOR !== undefined && inherited.NO_COLOR !== '') ||
    inherited.FORCE_COLOR !== undefined;
  if (!colourChosen) env.FORCE_COLOR = '1';
  Object.assign(env, specEnv);
  delete env[KEEP_VARIABLE];
  env[RUN_MARKER_VARIABLE] = run.marker;
  return env;
}

function spawnOptions(spec: ProcessSpec, run: RunIdentity) {
  return {
    shell: true,
    detached: process.platform !== 'win32',
    cwd: spec.cwd,
    env: childEnvironment(process.env, spec.env, run),
    windowsHide: true,
  };
}

/** A child that closes its end (or exits) while we write must not crash the engine with an EPIPE. */
function quietStdin(stdin: Writable | null): Writable | null {
  stdin?.on('error', () => {});
  return stdin;
}

function spawnWithFifos(spec: ProcessSpec, run: RunIdentity): SpawnedChild {
  const { stdout, stderr } = takeFifoPipes();
  const pipes = [pipeIdentityOf(stdout.readFd), pipeIdentityOf(stderr.readFd)];
  const readers = [stdout, stderr].map(({ readFd }) => {
    const reader = new Socket({ fd: readFd, readable: true, writable: false });
    enlargeWhenFull(reader, readFd);
    return reader;
  });
  try {
    const child = spawn(spec.command, {
      ...spawnOptions(spec, run),
      stdio: ['pipe', stdout.writeFd, stderr.writeFd],
    });
    const on: SpawnedChild['on'] = child.on.bind(child);
    return {
      get pid() {
        return child.pid;
      },
      stdin: quietStdin(child.stdin),
      stdout: readers[0] ?? null,
      stderr: readers[1] ?? null,
      outputPipes: pipes,
      on,
    };
  } catch (error) {
    for (const reader of readers) reader.destroy();
    throw error;
  } finally {
    // The child has its own copies now; ours would keep the readers from ever seeing end-of-file.
    closeSync(stdout.writeFd);
    closeSync(stderr.writeFd);
  }
}

/**
 * Starts `spec.command` through the shell. This is the only place lucidlines creates child processes.
 * On POSIX the child leads a new process group, so the whole tree under it can be signalled at once, and
 * its output goes through FIFOs (see fifo-pipes.ts); where FIFOs cannot be made (Windows, or no `mkfifo`),
 * through Node's own pipes.
 */
export const spawnShellCommand: SpawnFunction = (spec, run) => {
  if (process.platform !== 'win32') {
    try {
      return spawnWithFifos(spec, run);
    } catch {
      // Fall through to Node's pipes: slower for chatty processes, but they work everywhere.
    }
  }
  // Node's pipes are socket pairs whose far end has an inode of its own, so holders cannot be found.
  const child = spawn(spec.command, { ...spawnOptions(spec, run), stdio: ['pipe', 'pipe', 'pipe'] });
  return Object.assign(child, { stdin: quietStdin(child.stdin), outputPipes: [] });
};
