import { fixtureCommand, type StartGate } from './gate.js';
import { writeConfig } from './lucidlines-process.js';

/**
 * The load of the fan-out and subscriptions sections: `processes` children each writing `linesPerTick` lines
 * every `tickMs`, long enough for a warm-up and a measured window, read by `clients` WebSocket clients.
 */
export interface PacedShape {
  processes: number;
  clients: number;
  linesPerTick: number;
  tickMs: number;
  warmupMs: number;
  windowMs: number;
}

/** Writes a config of the shape's paced processes behind `gate`; returns its path and the process names. */
export function writePacedProcesses(
  dir: string,
  gate: StartGate,
  shape: PacedShape,
): { config: string; names: string[] } {
  // Two seconds beyond the window, so no process runs out before the last measurement is taken.
  const ticks = Math.ceil((shape.warmupMs + shape.windowMs + 2000) / shape.tickMs);
  const names = Array.from({ length: shape.processes }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
  const config = writeConfig(
    dir,
    names.map((name) => ({
      name,
      command: fixtureCommand(
        'paced.mjs',
        `--per-tick ${shape.linesPerTick} --ticks ${ticks} --interval ${shape.tickMs} ${gate.args(name)}`,
      ),
    })),
  );
  return { config, names };
}
