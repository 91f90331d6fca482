// The process list. Status is told by an icon and a word as well as a colour, so it reads without colour
// vision. Names and commands go in through textContent only.

import type { Health, ProcessStatus } from '../src/protocol.js';
import { restartCountdown } from '../src/restart-countdown.js';
import { arrangeChildren, patchChildren } from './patch-children.js';
import { hasError, type ProcessState } from './store.js';

const STATUS_ICONS: Record<ProcessStatus, string> = {
  starting: '◌',
  running: '●',
  stopped: '■',
  error: '✖',
};

const PROCESS_COLORS = 8;

/** "12.5% · 143 MB": compact enough for the sidebar's meta line. */
export function metricsLabel(metrics: { cpu: number | null; memory: number | null }): string {
  const parts: string[] = [];
  if (metrics.cpu !== null) parts.push(`${metrics.cpu.toFixed(metrics.cpu < 10 ? 1 : 0)}%`);
  if (metrics.memory !== null) {
    const mb = metrics.memory / (1024 * 1024);
    parts.push(mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb.toFixed(mb < 10 ? 1 : 0)} MB`);
  }
  return parts.join(' · ');
}

/** Only http and https become links: a process could print a javascript: URL as easily as a real one. */
function safeLink(url: string): HTMLAnchorElement | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const link = document.createElement('a');
  link.href = parsed.href;
  link.textContent = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

/**
 * The badge's word. A process that ended by itself says how, as the terminal does: a dev server that quits
 * with code 0 (a watcher whose stdin closed, a one-shot build) must not read like one somebody stopped.
 */
export function statusLabel(
  process: Pick<ProcessState, 'status' | 'exitCode'> & { waitingFor?: readonly string[] },
): string {
  const waitingFor = process.waitingFor ?? [];
  const word =
    process.status === 'stopped' && process.exitCode !== null
      ? `exited with code ${process.exitCode}`
      : process.status === 'starting' && waitingFor.length > 0
        ? `waiting for ${waitingFor.join(', ')}`
        : process.status;
  return `${STATUS_ICONS[process.status]} ${word}`;
}

/** How the last run ended, for a process in `error` (a stopped one says it in its badge already). */
function endingOf(process: Pick<ProcessState, 'status' | 'exitCode' | 'signal'>): string | null {
  if (process.status !== 'error') return null;
  if (process.exitCode !== null) return `exit ${process.exitCode}`;
  return process.signal;
}

/** Says which awaited dependencies failed, since such a wait lasts until one of them is fixed. */
function waitingTitle(process: ProcessState, all: ReadonlyMap<string, ProcessState>): string {
  const failed = process.waitingFor.filter((name) => all.get(name)?.status === 'error');
  const waits = `Waiting for ${process.waitingFor.join(', ')} before starting`;
  return failed.length === 0
    ? waits
    : `${waits}; ${failed.join(', ')} failed: it starts once ${failed.length === 1 ? 'that one is' : 'they are'} fixed and ready`;
}

/** Liveness (issue 15): the badge of a process whose `healthCheck` reached a verdict about its current run. */
function healthBadge(health: Health): HTMLSpanElement {
  const badge = span(`health health-${health}`, health === 'healthy' ? '♥ healthy' : '♡ unhealthy');
  badge.title =
    health === 'healthy'
      ? 'Its health check passes'
      : 'Its health check failed several times in a row ("healthCheck" in the config)';
  return badge;
}

function span(className: string, text: string): HTMLSpanElement {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

export class Sidebar {
  readonly #list: HTMLElement;
  /**
   * One button per entry (null: "All"), kept across renders. A streaming process re-renders the list many
   * times a second; a button replaced between mousedown and mouseup loses the click, so a button is never
   * rebuilt, and its contents are patched in place (see patch-children.ts).
   */
  readonly #buttons = new Map<string | null, HTMLButtonElement>();
  /**
   * The links of each process that announced URLs, outside its button (a link inside a button is not
   * clickable on its own), rebuilt only when the URLs change so that a click on one is never lost either.
   */
  readonly #links = new Map<string, { key: string; element: HTMLDivElement }>();
  /** Redraws the "restarting in Ns" countdowns each second while a restart is scheduled. */
  #countdown: ReturnType<typeof setTimeout> | null = null;

  constructor(list: HTMLElement, onSelect: (name: string | null) => void) {
    this.#list = list;
    list.addEventListener('click', (event) => {
      const button = (event.target as Element).closest('button.proc');
      if (!(button instanceof HTMLButtonElement)) return;
      const name = button.dataset.name;
      onSelect(name === undefined ? null : name);
    });
  }

  #entry(name: string | null, selected: boolean): HTMLButtonElement {
    let button = this.#buttons.get(name);
    if (button === undefined) {
      button = document.createElement('button');
      button.type = 'button';
      button.className = name === null ? 'proc all' : 'proc';
      if (name !== null) button.dataset.name = name;
      this.#buttons.set(name, button);
    }
    button.setAttribute('aria-current', selected ? 'true' : 'false');
    return button;
  }

  render(processes: Iterable<ProcessState>, selected: string | null): void {
    const shown = [...processes];
    const items: HTMLElement[] = [];
    const all = this.#entry(null, selected === null);
    const allHead = document.createElement('span');
    allHead.className = 'head';
    allHead.append(span('dot', ''), span('name', 'All'));
    patchChildren(all, [allHead]);
    all.title = 'Every process, interleaved';
    items.push(all);
    const byName = new Map(shown.map((process) => [process.name, process]));
    for (const process of shown) {
      const button = this.#entry(process.name, selected === process.name);
      button.title = process.command;
      const head = document.createElement('span');
      head.className = 'head';
      head.append(
        span(process.unread ? 'dot unread' : 'dot', process.unread ? '•' : ''),
        span(`name n${process.colorIndex % PROCESS_COLORS}`, process.name),
      );
      if (hasError(process)) {
        const mark = span('errmark', '⚠');
        mark.title =
          process.lastError ?? `exited${process.exitCode !== null ? ` with code ${process.exitCode}` : ''}`;
        mark.setAttribute('aria-label', 'has errors');
        head.append(mark);
      }
      const meta = document.createElement('span');
      meta.className = 'meta';
      const badge = span(`badge st-${process.status}`, statusLabel(process));
      if (process.waitingFor.length > 0) {
        badge.title = waitingTitle(process, byName);
        badge.dataset.waitingFor = process.waitingFor.join(',');
      }
      meta.append(
        badge,
        span('pid', process.pid === null ? 'no pid' : `pid ${process.pid}`),
        span('restarts', `↻ ${process.restarts}`),
      );
      meta.lastElementChild?.setAttribute('title', 'restarts');
      if (process.health === null) delete button.dataset.health;
      else {
        button.dataset.health = process.health;
        meta.insertBefore(healthBadge(process.health), badge.nextSibling);
      }
      const usageText = process.metrics === null ? '' : metricsLabel(process.metrics);
      if (usageText !== '') {
        const usage = span('usage', usageText);
        usage.title = 'CPU (percent of one core) and memory of its process tree';
        meta.append(usage);
      }
      button.dataset.restarts = String(process.restarts);
      const ending = endingOf(process);
      if (ending !== null) meta.append(span('exit', ending));
      if (process.restartAt === null) {
        delete button.dataset.restartAt;
      } else {
        button.dataset.restartAt = String(process.restartAt);
        meta.append(span('countdown', restartCountdown(process.restartAt - Date.now())));
      }
      patchChildren(button, [head, meta]);
      items.push(button);
      const links = this.#linksOf(process);
      if (links !== null) items.push(links);
    }
    for (const [name, button] of this.#buttons) {
      if (!items.includes(button)) this.#buttons.delete(name);
    }
    for (const [name, links] of this.#links) {
      if (!items.includes(links.element)) this.#links.delete(name);
    }
    this.#scheduleCountdown(shown, selected);
    // A process's links come and go with its runs (a restart clears its URLs until it announces them again);
    // replacing the whole list then would detach every entry, and lose a click pressed on any of them.
    arrangeChildren(this.#list, items);
  }

  #linksOf(process: ProcessState): HTMLDivElement | null {
    const key = process.urls.join('\n');
    const kept = this.#links.get(process.name);
    if (kept !== undefined && kept.key === key) return kept.element;
    const anchors = process.urls.map(safeLink).filter((link) => link !== null);
    if (anchors.length === 0) {
      this.#links.delete(process.name);
      return null;
    }
    const element = document.createElement('div');
    element.className = 'urls';
    element.dataset.name = process.name;
    element.append(...anchors);
    this.#links.set(process.name, { key, element });
    return element;
  }

  #scheduleCountdown(processes: readonly ProcessState[], selected: string | null): void {
    if (this.#countdown !== null) clearTimeout(this.#countdown);
    this.#countdown = null;
    const now = Date.now();
    const due = processes.flatMap((process) =>
      process.restartAt !== null && process.restartAt > now ? [process.restartAt] : [],
    );
    if (due.length === 0) return;
    // The next moment a shown number of seconds changes; the server's status ends the countdown itself.
    const nextTick = Math.min(...due.map((at) => ((at - now) % 1000) + 1));
    this.#countdown = setTimeout(() => this.render(processes, selected), nextTick);
  }
}
