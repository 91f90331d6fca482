// The host gauge in the header (issue 15): the machine's CPU, memory and load from `system` messages, so a
// slow dev server can be told apart from a busy machine at a glance. Text goes in through textContent only.

import type { SystemMessage } from '../src/protocol.js';

const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

function size(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${Math.round(bytes / MIB)} MiB`;
}

/** The words of the gauge: short labels for the header, and the full sentence for its tooltip. */
export interface HostGaugeText {
  cpu: string;
  memory: string;
  load: string;
  title: string;
}

export function hostGaugeText(system: SystemMessage): HostGaugeText {
  const [one, five, fifteen] = system.load;
  const cpu = system.cpu === null ? '–' : `${system.cpu}%`;
  const memory = `${size(system.memoryUsed)} / ${size(system.memoryTotal)}`;
  return {
    cpu: `CPU ${cpu}`,
    memory: `Mem ${memory}`,
    load: `Load ${one.toFixed(2)}`,
    title:
      `This machine: CPU ${system.cpu === null ? 'not measured yet' : `${system.cpu}% busy`} across ` +
      `${system.cores} cores; memory ${memory} in use; load average ${one.toFixed(2)} (1 min), ` +
      `${five.toFixed(2)} (5 min), ${fifteen.toFixed(2)} (15 min).`,
  };
}

/** Fills the gauge's element; hidden until the first reading arrives (or after a reconnect). */
export class HostGauge {
  readonly #root: HTMLElement;
  readonly #cpu: HTMLSpanElement;
  readonly #cpuMeter: HTMLMeterElement;
  readonly #memory: HTMLSpanElement;
  readonly #memoryMeter: HTMLMeterElement;
  readonly #load: HTMLSpanElement;
  #shown: SystemMessage | null = null;

  constructor(root: HTMLElement) {
    this.#root = root;
    const part = (name: string): HTMLSpanElement => {
      const span = document.createElement('span');
      span.className = name;
      return span;
    };
    const meter = (label: string): HTMLMeterElement => {
      const element = document.createElement('meter');
      element.min = 0;
      element.max = 1;
      element.low = 0.6;
      element.high = 0.85;
      element.optimum = 0;
      element.ariaLabel = label;
      return element;
    };
    this.#cpu = part('host-cpu');
    this.#cpuMeter = meter('Host CPU');
    this.#memory = part('host-memory');
    this.#memoryMeter = meter('Host memory');
    this.#load = part('host-load');
    root.replaceChildren(this.#cpu, this.#cpuMeter, this.#memory, this.#memoryMeter, this.#load);
    root.hidden = true;
  }

  render(system: SystemMessage | null): void {
    if (system === this.#shown) return;
    this.#shown = system;
    this.#root.hidden = system === null;
    if (system === null) return;
    const text = hostGaugeText(system);
    this.#cpu.textContent = text.cpu;
    this.#cpuMeter.value = (system.cpu ?? 0) / 100;
    this.#memory.textContent = text.memory;
    this.#memoryMeter.value = system.memoryTotal > 0 ? system.memoryUsed / system.memoryTotal : 0;
    this.#load.textContent = text.load;
    this.#root.title = text.title;
  }
}
