// What the CLI needs from the outside world, injectable so tests can drive it: output streams, the folder it
// runs in, signals, the browser opener and the watchdog guard; and the installed package it runs from.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GuardRun, guardRun } from '../process/watchdog-guard.js';
import type { ExitHook, KeyboardInput } from '../terminal/keyboard.js';
import type { TerminalOutput } from '../terminal/printer.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** A client subcommand (status, logs, restart, …) found no running lucidlines to talk to. */
export const EXIT_NO_INSTANCE = 3;

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface CliIo {
  stdout: TerminalOutput;
  stderr: TerminalOutput;
  /** Read for the shortcuts only when it is a terminal; never otherwise. */
  stdin: KeyboardInput;
  /** Where raw mode is switched off when lucidlines exits without reaching its own cleanup. */
  exitHook: ExitHook;
  /** Whether stdout is a terminal: shortcuts need one to show their prompts on. */
  stdoutIsTerminal: boolean;
  cwd: string;
  signals: SignalSource;
  /** Opens the URL in the default browser; resolves to the reason when that failed, null otherwise. */
  openInBrowser: (url: string) => Promise<string | null>;
  /** Stops what killed earlier runs left behind, and makes sure this run leaves nothing behind either. */
  guardRun: GuardRun;
}

/** The installed package's root, found from this file so it works from src/ (tsx), dist/ and node_modules. */
export function findPackage(): { root: string; version: string } {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'lucidlines' && typeof manifest.version === 'string') {
        return { root: dir, version: manifest.version };
      }
    } catch {
      // No readable package.json here; keep climbing.
    }
    if (path.dirname(dir) === dir)
      throw new Error(`The package.json of lucidlines was not found above ${start}.`);
  }
}

function openInDefaultBrowser(url: string): Promise<string | null> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
      child.once('error', (error) => resolve(`${command}: ${error.message}`));
      child.once('spawn', () => {
        child.unref();
        resolve(null);
      });
    } catch (error) {
      resolve((error as Error).message);
    }
  });
}

export function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    exitHook: process,
    stdoutIsTerminal: process.stdout.isTTY === true,
    cwd: process.cwd(),
    signals: process,
    openInBrowser: openInDefaultBrowser,
    guardRun,
  };
}

/** Writes to a terminal that may be gone, in which case there is nobody left to tell. */
export function print(stream: TerminalOutput, text: string): void {
  try {
    stream.write(text);
  } catch {
    // The terminal is gone; there is nobody left to tell.
  }
}
