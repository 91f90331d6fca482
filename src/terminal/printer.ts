// Prints the output of the processes to the terminal, concurrently-style: each line gets a coloured
// `[name]` prefix (and the time, with --timestamps), and every status change gets a line of its own; with
// --raw, the output alone, as written. --only/--hide choose the processes it prints. lucidlines' lifecycle
// events (src/lifecycle-log.ts) are printed in the log's words, each once (see PRINTED_EVENTS).

import defaultChalk, { type ChalkInstance } from 'chalk';
import {
  detectedUrlLine,
  sweptProcessesLine,
  terminalOutputDroppedNotice,
  waitingForFailedNotice,
} from '../errors.js';
import { lifecycleDeriver } from '../lifecycle-log.js';
import { BoundedWriter, type QueueingOutput } from '../output/bounded-writer.js';
import type { ProcessControl, ProcessSnapshot, SupervisorEvent } from '../process/events.js';
import type { EventMessage, LifecycleEvent } from '../protocol.js';
import { restartCountdown } from '../restart-countdown.js';
import { runSeparator } from '../run-separator.js';
import { type LinePrefix, linePrefix, timestampPrefix } from './prefixes.js';
import { describeStatus } from './status-text.js';
import { stripAnsi } from './strip-ansi.js';

/** The part of a writable stream the printer uses; `on`, `once` and `writableLength` are absent on simple fakes. */
export interface TerminalOutput extends QueueingOutput {
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Enough for many screens of output, so a terminal that is merely slow for a moment loses nothing, and
 * small next to the memory a stalled terminal would otherwise take (it grew by 78 MB a second).
 */
const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export interface TerminalPrinterOptions {
  out: TerminalOutput;
  /** Defaults to chalk's own detection for stdout, which honours NO_COLOR, FORCE_COLOR and non-TTYs. */
  chalk?: ChalkInstance;
  /** Output is dropped while the terminal holds this much unread or more; see BoundedWriter. */
  maxQueuedBytes?: number;
  /** Whether the process's output and status lines are printed; every process by default. */
  shows?: (name: string) => boolean;
  timestamps?: boolean;
  /** The output alone, as written: no prefixes, no status lines. */
  raw?: boolean;
  /** Removes escape sequences from the processes' output (--no-color). */
  stripColors?: boolean;
  /**
   * Holds (true) or releases (false) the output of the processes the terminal shows, while its reader falls
   * behind; see BoundedWriter. Without it, output is dropped once the terminal's queue is full.
   */
  holdOutput?: (held: boolean) => void;
}

const RESET = '\u001b[0m';

/**
 * The lifecycle events the terminal prints from the log, and how. The others already have a line of their own
 * in the same words: a status line (started, ready, exited, stopped, crashed), the separator between two runs
 * (restarted), or the config watch's notice with the file's problems (config-reloaded, config-rejected).
 * Printing those from the log too would say one event twice.
 */
const PRINTED_EVENTS: Partial<Record<LifecycleEvent, 'problem' | 'good'>> = {
  failed: 'problem',
  'gave-up': 'problem',
  unhealthy: 'problem',
  'memory-limit': 'problem',
  healthy: 'good',
};

/** Subscribes a printer to the processes' events; returns the function that detaches it. */
export function attachTerminalPrinter(
  control: Pick<ProcessControl, 'list' | 'subscribe'>,
  options: TerminalPrinterOptions,
): () => void {
  const { out } = options;
  const chalk = options.chalk ?? defaultChalk;
  const shows = options.shows ?? (() => true);
  const raw = options.raw === true;
  const names = control
    .list()
    .map((snapshot) => snapshot.name)
    .filter(shows);
  const width = Math.max(0, ...names.map((name) => name.length));
  const prefixes = new Map<string, LinePrefix>();
  const lastStatus = new Map<string, string>();
  /** URLs already printed, once per session: a restart that announces the same URL again prints nothing. */
  const printedUrls = new Set<string>();
  let broken = false;
  const queue = new BoundedWriter(out, {
    maxQueuedBytes: options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
    droppedNotice: terminalOutputDroppedNotice,
    ...(options.holdOutput === undefined ? {} : { hold: options.holdOutput }),
  });

  const prefixFor = (name: string, timestamp: number) => {
    let prefix = prefixes.get(name);
    if (prefix === undefined) {
      prefix = linePrefix(name, width, chalk);
      prefixes.set(name, prefix);
    }
    if (options.timestamps !== true) return prefix;
    const time = timestampPrefix(timestamp, chalk);
    return { stdout: `${time}${prefix.stdout}`, stderr: `${time}${prefix.stderr}` };
  };

  // A closed pipe (`lucidlines | head`) must not crash lucidlines while it still has processes to stop.
  const onError = () => {
    broken = true;
  };
  out.on?.('error', onError);

  const write = (text: string) => {
    if (broken) return;
    try {
      queue.write(text);
    } catch {
      broken = true;
    }
  };

  const printLines = (prefix: string, text: string) => {
    const body = text.endsWith('\n') ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
    // A process that leaves a colour switched on at the end of a line would otherwise paint the next prefix,
    // possibly another process's; resetting costs a colour that spans lines, which is rare in logs.
    const end = text.includes('\u001b') ? `${RESET}\n` : '\n';
    // A bare "\r" redraws the line (progress bars), so the prefix is repeated after it to survive the redraw.
    // Most chunks have no "\r": they take a plain native replace, without a callback per line ("$" is doubled
    // because replacement strings give it a meaning).
    const prefixed = body.includes('\r')
      ? body.replace(/\r?\n|\r/g, (separator) => (separator === '\r' ? `\r${prefix}` : `${end}${prefix}`))
      : body.replaceAll('\n', `${end}${prefix}`.replaceAll('$', '$$$$'));
    write(`${prefix}${prefixed}${end}`);
  };

  // Dependencies: what each process waits for, said once per change, and again if one of them fails, so a
  // start that will not happen until that one is fixed never hangs silently.
  const waitingFor = new Map<string, readonly string[]>();
  /** Processes in `error`: a start that begins to wait for one of them is told at once. */
  const failed = new Set<string>();
  const failedNotice = (dependant: string, dependency: string, timestamp: number) => {
    if (!shows(dependant)) return;
    const notice = chalk.yellow(waitingForFailedNotice(dependant, dependency));
    write(`${prefixFor(dependant, timestamp).stderr}${notice}\n`);
  };
  const printWaiting = ({ name, status, facts }: ProcessSnapshot, timestamp: number) => {
    const newlyFailed = status === 'error' && !failed.has(name);
    if (status === 'error') failed.add(name);
    else failed.delete(name);
    const waits = facts.waitingFor ?? [];
    if (waits.join('\0') !== (waitingFor.get(name) ?? []).join('\0')) {
      waitingFor.set(name, waits);
      if (waits.length > 0 && shows(name)) {
        write(`${prefixFor(name, timestamp).stdout}${chalk.dim(`waiting for ${waits.join(', ')}`)}\n`);
        for (const dependency of waits) if (failed.has(dependency)) failedNotice(name, dependency, timestamp);
      }
    }
    if (!newlyFailed) return;
    for (const [dependant, names] of waitingFor)
      if (names.includes(name)) failedNotice(dependant, name, timestamp);
  };

  const lifecycle = lifecycleDeriver();
  const printEvent = (entry: EventMessage) => {
    const style = PRINTED_EVENTS[entry.event];
    if (style === undefined || raw || entry.process === undefined || !shows(entry.process)) return;
    const prefix = prefixFor(entry.process, entry.timestamp);
    if (style === 'problem') write(`${prefix.stderr}${chalk.red(entry.message)}\n`);
    else write(`${prefix.stdout}${chalk.green(entry.message)}\n`);
  };

  const onEvent = (event: SupervisorEvent) => {
    const entry = lifecycle(event);
    if (entry !== null) printEvent(entry);
    switch (event.kind) {
      case 'output': {
        const { chunk } = event;
        if (chunk.text === '' || !shows(chunk.name)) break;
        const text = options.stripColors === true ? stripAnsi(chunk.text) : chunk.text;
        if (raw) {
          write(text);
          break;
        }
        const prefix = prefixFor(chunk.name, chunk.timestamp);
        printLines(chunk.stream === 'stderr' ? prefix.stderr : prefix.stdout, text);
        break;
      }
      case 'status': {
        if (raw) break;
        printWaiting(event.snapshot, event.timestamp);
        if (!shows(event.snapshot.name)) break;
        for (const url of event.snapshot.facts.urls ?? []) {
          const key = `${event.snapshot.name} ${url}`;
          if (printedUrls.has(key)) continue;
          printedUrls.add(key);
          write(`${chalk.bold(detectedUrlLine(event.snapshot.name, chalk.cyan.underline(url)))}\n`);
        }
        const description = describeStatus(event.snapshot, chalk);
        // A start held back by its dependencies is `starting` twice, before and after its spawn: one line.
        const pid = event.snapshot.status === 'starting' ? '' : event.snapshot.pid;
        const key = `${event.snapshot.status}:${pid}:${event.snapshot.restarts}`;
        if (lastStatus.get(event.snapshot.name) === key) break;
        lastStatus.set(event.snapshot.name, key);
        const { restartAt } = event.snapshot.facts;
        const pending =
          restartAt === undefined ? '' : chalk.dim(`, ${restartCountdown(restartAt - event.timestamp)}`);
        write(`${prefixFor(event.snapshot.name, event.timestamp).stdout}${description}${pending}\n`);
        break;
      }
      case 'run': {
        // The first run needs no separator: nothing of the process came before it.
        if (event.start.run <= 1 || raw || !shows(event.start.name)) break;
        const { timestamp, reason, pid, run } = event.start;
        write(
          `${prefixFor(event.start.name, timestamp).stdout}${chalk.dim(runSeparator(timestamp, reason, pid, run))}\n`,
        );
        break;
      }
      case 'swept':
        if (raw || !shows(event.name)) break;
        write(
          `${prefixFor(event.name, event.timestamp).stdout}${chalk.yellow(sweptProcessesLine(event.processes))}\n`,
        );
        break;
    }
  };

  const unsubscribe = control.subscribe(onEvent);
  return () => {
    unsubscribe();
    queue.close();
    out.off?.('error', onError);
  };
}
