import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { takeFifoPipes } from './fifo-pipes.js';
import type { ProcessSpec } from './spec.js';

/** The part of a child process the engine uses, so unit tests can hand in a fake. */
export interface SpawnedChild {
  readonly pid?: number | undefined;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

export type SpawnFunction = (spec: ProcessSpec) => SpawnedChild;

/**
 * The environment of a child: the inherited one, plus FORCE_COLOR because the child writes into a pipe and
 * most colour libraries switch colours off when stdout is not a terminal. A choice the user made is kept:
 * NO_COLOR (non-empty, as no-color.org defines it) or FORCE_COLOR in the inherited environment, and
 * either variable in the spec, which has the last word.
 */
function childEnvironment(inherited: NodeJS.ProcessEnv, specEnv: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited };
  const colourChosen =
    'NO_COLOR' in specEnv ||
    'FORCE_COLOR' in specEnv ||
    (inherited.NO_COLOR !== undefined && inherited.NO_COLOR !== '') ||
    inherited.FORCE_COLOR !== undefined;
  if (!colourChosen) env.FORCE_COLOR = '1';
  return Object.assign(env, specEnv);
}

function spawnOptions(spec: ProcessSpec) {
  return {
    shell: true,
    detached: process.platform !== 'win32',
    cwd: spec.cwd,
    env: childEnvironment(process.env, spec.env),
    windowsHide: true,
  };
}

function spawnWithFifos(spec: ProcessSpec): SpawnedChild {
  const { stdout, stderr } = takeFifoPipes();
  const readers = [stdout, stderr].map(
    ({ readFd }) => new Socket({ fd: readFd, readable: true, writable: false }),
  );
  try {
    const child = spawn(spec.command, {
      ...spawnOptions(spec),
      stdio: ['ignore', stdout.writeFd, stderr.writeFd],
    });
    const on: SpawnedChild['on'] = child.on.bind(child);
    return {
      get pid() {
        return child.pid;
      },
      stdout: readers[0] ?? null,
      stderr: readers[1] ?? null,
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
export const spawnShellCommand: SpawnFunction = (spec) => {
  if (process.platform !== 'win32') {
    try {
      return spawnWithFifos(spec);
    } catch {
      // Fall through to Node's pipes: slower for chatty processes, but they work everywhere.
    }
  }
  return spawn(spec.command, { ...spawnOptions(spec), stdio: ['ignore', 'pipe', 'pipe'] });
};
