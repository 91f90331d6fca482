// The events panel: lucidlines' lifecycle log (started, crashed with a code, restarted and why, ready, health,
// config reloads), newest at the top. A problem is marked by an icon and a word as well as a colour, so it
// reads without colour vision. Names and messages go in through textContent only.

import { processColorIndex } from '../src/process-color.js';
import type { EventMessage, LifecycleEvent } from '../src/protocol.js';
import { formatTime } from './view-line.js';

type Tone = 'problem' | 'good' | 'neutral';

/** How each kind reads at a glance; a kind a newer server adds reads as neutral. */
const TONES: Record<LifecycleEvent, Tone> = {
  started: 'good',
  restarted: 'good',
  ready: 'good',
  healthy: 'good',
  'config-reloaded': 'good',
  exited: 'neutral',
  stopped: 'neutral',
  crashed: 'problem',
  failed: 'problem',
  'gave-up': 'problem',
  unhealthy: 'problem',
  'memory-limit': 'problem',
  'config-rejected': 'problem',
};

const TONE_ICONS: Record<Tone, string> = { problem: '✖', good: '●', neutral: '■' };

export class EventsPanel {
  readonly #list: HTMLOListElement;
  readonly #onSelect: (name: string) => void;

  /** `onSelect` is called with the process name the user clicked. */
  constructor(container: HTMLElement, onSelect: (name: string) => void) {
    this.#list = document.createElement('ol');
    this.#list.className = 'event-list';
    container.append(this.#list);
    this.#onSelect = onSelect;
  }

  /** Rebuilds the list; events are rare next to output, so there is nothing worth keeping between calls. */
  render(events: readonly EventMessage[]): void {
    const rows = document.createDocumentFragment();
    for (let index = events.length - 1; index >= 0; index--) {
      const event = events[index];
      if (event !== undefined) rows.append(this.#row(event));
    }
    this.#list.replaceChildren(rows);
  }

  #row(event: EventMessage): HTMLLIElement {
    const tone = TONES[event.event] ?? 'neutral';
    const row = document.createElement('li');
    row.className = `event ev-${tone}`;
    row.dataset.event = event.event;
    const time = document.createElement('time');
    time.className = 'ev-time';
    time.dateTime = new Date(event.timestamp).toISOString();
    time.textContent = formatTime(event.timestamp);
    const icon = document.createElement('span');
    icon.className = 'ev-icon';
    icon.textContent = TONE_ICONS[tone];
    icon.title = event.event;
    row.append(time, icon);
    if (event.process !== undefined) {
      const name = event.process;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `ev-process n${processColorIndex(name)}`;
      button.textContent = name;
      button.title = `Show the output of ${name}`;
      button.addEventListener('click', () => this.#onSelect(name));
      row.append(button);
    }
    const message = document.createElement('span');
    message.className = 'ev-message';
    message.textContent = event.message;
    row.append(message);
    return row;
  }
}
