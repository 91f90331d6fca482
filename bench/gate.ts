import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/**
 * The bench side of fixtures/gate.mjs: children report that they booted, then wait until the gate opens,
 * so every timed figure starts at the same instant for lucidlines, for the raw baseline and for the peer.
 */
export class StartGate {
  readonly #dir: string;
  readonly path: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.path = join(dir, 'gate');
  }

  readyPath(name: string): string {
    return join(this.#dir, `ready-${name}`);
  }

  /** The command-line arguments a fixture needs to take part in this gate. */
  args(name: string): string {
    return `--gate ${this.path} --ready ${this.readyPath(name)}`;
  }

  async waitReady(names: readonly string[], timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!names.every((name) => existsSync(this.readyPath(name)))) {
      if (performance.now() > deadline) throw new Error(`Fixtures never became ready: ${names.join(', ')}.`);
      await new Promise((wake) => setTimeout(wake, 2));
    }
  }

  /** Opens the gate and returns the instant it opened, the start of the timed interval. */
  open(): number {
    writeFileSync(this.path, '');
    return performance.now();
  }
}

/** A fixture command line run by `node` (the same binary as the bench), for a config or a shell. */
export function fixtureCommand(script: string, args: string): string {
  return `${process.execPath} ${join(FIXTURES, script)} ${args}`;
}
