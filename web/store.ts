// The viewer's state, driven only by server messages and user actions, with no DOM access.
//
// `update` mutates the state in place and reports what changed, instead of returning a new state: copying
// rings of 100,000 lines on every message is exactly the per-message work the page cannot afford at
// 10,000 lines/s. The DOM catches up once per animation frame from the accumulated changes.

import { DEFAULT_STYLE } from '../src/ansi.js';
import { processColorIndex } from '../src/process-color.js';
import type {
  Access,
  ErrorMessage,
  EventMessage,
  Health,
  HistoryMessage,
  MetricsMessage,
  OutputStream,
  ProcessesMessage,
  ProcessInfo,
  ProcessStatus,
  RunMessage,
  ServerMessage,
  StartReason,
  StatusMessage,
  SystemMessage,
} from '../src/protocol.js';
import { runSeparator } from '../src/run-separator.js';
import { type Line, LineAssembler, type LineEvents } from './line-model.js';
import { Ring } from './ring.js';

const DEFAULT_VIEWER_LINES = 100_000;

/**
 * History (issue 15): where loading a process's older lines stands. `more`: older output may be retained on
 * the server (asked for once the user scrolls to the top); `loading`: a page was asked for; `complete`: the
 * server holds nothing older; `full`: the viewer keeps no more lines for the process (its line limit), so
 * older ones are not loaded; `cleared`: the user cleared the view, which older lines must not undo;
 * `failed`: the request went unanswered (the connection closed) or was refused; `unsupported`: the server
 * puts no `seq` on its output, so there is nothing to ask with.
 */
export type OlderLinesState = 'more' | 'loading' | 'complete' | 'full' | 'cleared' | 'failed' | 'unsupported';

export interface OlderLines {
  state: OlderLinesState;
  /** The `seq` of the oldest output shown, the `before` of the next page; null until output arrived. */
  before: number | null;
}
const MAX_RECENT_ERRORS = 20;
/** As many lifecycle events as the server keeps, so a reconnect shows the same list as before. */
const MAX_EVENTS = 500;

export interface ProcessState {
  readonly name: string;
  command: string;
  status: ProcessStatus;
  pid: number | null;
  restarts: number;
  exitCode: number | null;
  signal: string | null;
  /** Access (issue 15): a stop is under way and the tree is not gone yet; the viewer offers Kill. */
  stopping: boolean;
  /** Why the current (or last) run began; null before the first start or from a server that does not say. */
  reason: StartReason | null;
  /** Unix ms when a scheduled automatic restart is due; null when none is. */
  restartAt: number | null;
  /** The dependencies a `starting` process waits for before it is spawned; empty when none. */
  waitingFor: readonly string[];
  /** Liveness (issue 15): what its `healthCheck` found about the current run; null without a verdict. */
  health: Health | null;
  lines: Ring<Line>;
  /** Output arrived live (not replayed) since the user last looked at this process. */
  unread: boolean;
  /** The last error the server reported for this process, cleared when it runs again. */
  lastError: string | null;
  /** The URLs its current run announced (status and info `urls`), shown as links in the sidebar. */
  urls: string[];
  /** The server accepts `input` for it (info `stdin`): the viewer shows an input line under its output. */
  stdin: boolean;
  /** The latest `metrics` entry for it; null until one arrived. */
  metrics: { cpu: number | null; memory: number | null } | null;
  /** The process's colour (0–7) from a hash of its name, the same as in the terminal. */
  readonly colorIndex: number;
  /** History (issue 15): loading the lines older than the oldest shown. */
  older: OlderLines;
  readonly assemblers: Record<OutputStream, LineAssembler>;
}

export interface ViewerState {
  version: string;
  lineLimit: number;
  processes: Map<string, ProcessState>;
  /** Every process's lines in arrival order, for the "All" view; bounded by the same limit. */
  all: Ring<Line>;
  recentErrors: ErrorMessage[];
  /** Access (issue 15): `view` hides every control; servers that predate it grant control. */
  access: Access;
  /** Lifecycle events (issue 15), oldest first: the server's replayed log, then live ones; bounded. */
  events: EventMessage[];
  /** System metrics (issue 15): the host's latest reading for the header gauge; null until one arrived. */
  system: SystemMessage | null;
}

/** What one or more updates changed, accumulated until the next frame. */
export interface Changes {
  /** The set of processes or one of their statuses, pids, counts, unread or error marks. */
  sidebar: boolean;
  /** Lines were added or rings replaced; views re-read their ring's bounds. */
  lines: boolean;
  /** Open lines that changed after they were first shown. */
  changedLines: Set<Line>;
  /** The rings were replaced (a new `info`, a clear): views rebuild search results and scroll anchors. */
  reset: boolean;
  /** The list of lifecycle events changed. */
  events: boolean;
}

export function emptyChanges(): Changes {
  return { sidebar: false, lines: false, changedLines: new Set(), reset: false, events: false };
}

export function createState(): ViewerState {
  return {
    version: '',
    lineLimit: DEFAULT_VIEWER_LINES,
    processes: new Map(),
    all: new Ring(DEFAULT_VIEWER_LINES),
    recentErrors: [],
    access: 'control',
    events: [],
    system: null,
  };
}

function createProcess(state: ViewerState, name: string): ProcessState {
  return {
    name,
    command: '',
    status: 'stopped',
    pid: null,
    restarts: 0,
    exitCode: null,
    signal: null,
    stopping: false,
    reason: null,
    restartAt: null,
    waitingFor: [],
    health: null,
    lines: new Ring(state.lineLimit),
    unread: false,
    lastError: null,
    urls: [],
    stdin: false,
    metrics: null,
    colorIndex: processColorIndex(name),
    older: { state: 'more', before: null },
    assemblers: { stdout: new LineAssembler(name, 'stdout'), stderr: new LineAssembler(name, 'stderr') },
  };
}

function processNamed(state: ViewerState, name: string, changes: Changes): ProcessState {
  let process = state.processes.get(name);
  if (process === undefined) {
    // Output or a status for a process that `info` did not list (a config reload added it): show it anyway.
    process = createProcess(state, name);
    state.processes.set(name, process);
    changes.sidebar = true;
  }
  return process;
}

function applyStatus(process: ProcessState, message: StatusMessage): void {
  process.status = message.status;
  process.pid = message.pid;
  if (message.restarts !== undefined) process.restarts = message.restarts;
  if (message.exitCode !== undefined) process.exitCode = message.exitCode;
  if (message.signal !== undefined) process.signal = message.signal;
  process.waitingFor = message.waitingFor ?? [];
  process.stopping = message.stopping === true;
  if (message.urls !== undefined) process.urls = message.urls;
  if (message.reason !== undefined) process.reason = message.reason;
  // The server sends `restartAt` on every status while a restart is scheduled, so its absence clears it.
  process.restartAt = message.restartAt ?? null;
  // Carried by every status while the run has a verdict, so its absence clears it (the run ended).
  process.health = message.health ?? null;
  if (message.status === 'starting' || message.status === 'running') process.lastError = null;
}

export function update(state: ViewerState, message: ServerMessage, changes: Changes): void {
  switch (message.type) {
    case 'info': {
      // A new `info` starts a connection, and the replay that follows re-sends the retained output: every
      // line is dropped here so that nothing shown before a reconnect appears twice.
      const limit = message.limits?.viewerLines;
      state.lineLimit = limit !== undefined && limit >= 1 ? Math.floor(limit) : DEFAULT_VIEWER_LINES;
      state.version = message.version;
      state.access = message.access ?? 'control';
      // A new connection's first reading follows its subscription; an old one would pass for current.
      state.system = null;
      state.all = new Ring(state.lineLimit);
      // The server replays its lifecycle log after the greeting; what was shown before would appear twice.
      state.events = [];
      changes.events = true;
      const processes = new Map<string, ProcessState>();
      state.processes = processes;
      for (const info of message.processes) {
        const process = createProcess(state, info.name);
        applyProcessInfo(process, info);
        processes.set(info.name, process);
      }
      changes.sidebar = true;
      changes.lines = true;
      changes.reset = true;
      changes.changedLines.clear();
      break;
    }
    case 'process': {
      const process = processNamed(state, message.name, changes);
      const events: LineEvents = {
        added(line) {
          process.lines.push(line);
          state.all.push(line);
        },
        changed(line) {
          changes.changedLines.add(line);
        },
      };
      process.assemblers[message.stream ?? 'stdout'].feed(message.output, message.timestamp, events);
      noteOldestSeq(process, message.seq);
      changes.lines = true;
      if (message.replay !== true && !process.unread) {
        process.unread = true;
        changes.sidebar = true;
      }
      break;
    }
    case 'status':
      applyStatus(processNamed(state, message.name, changes), message);
      changes.sidebar = true;
      break;
    case 'processes':
      applyProcessList(state, message);
      changes.sidebar = true;
      break;
    case 'run':
      addRunSeparator(state, processNamed(state, message.name, changes), message);
      changes.lines = true;
      break;
    case 'error':
      state.recentErrors.push(message);
      if (state.recentErrors.length > MAX_RECENT_ERRORS) state.recentErrors.shift();
      if (message.process !== undefined && !isInputRefusal(message)) {
        const process = state.processes.get(message.process);
        if (process !== undefined) process.lastError = message.message;
      }
      changes.sidebar = true;
      break;
    case 'metrics':
      applyMetrics(state, message);
      changes.sidebar = true;
      break;
    case 'event':
      state.events.push(message);
      if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
      changes.events = true;
      break;
    case 'system':
      state.system = message;
      changes.sidebar = true;
      break;
    case 'history':
      prependHistory(state, message, changes);
      break;
  }
}

/**
 * History (issue 15): the first output of a process since `info` is the oldest it shows, so its `seq` is
 * where the first page of older lines ends. A server that sends no `seq` cannot be asked for history.
 */
function noteOldestSeq(process: ProcessState, seq: number | undefined): void {
  if (process.older.before !== null || process.older.state !== 'more') return;
  if (seq === undefined) process.older.state = 'unsupported';
  else process.older.before = seq;
}

/**
 * History (issue 15): marks the page before the oldest shown line as asked for and returns its `before`, or
 * null when there is nothing to ask for (no older output, a request under way, or no room for more lines).
 */
export function beginLoadingOlder(process: ProcessState): number | null {
  const { older } = process;
  if (older.state !== 'more' || older.before === null) return null;
  if (process.lines.length >= process.lines.capacity) {
    older.state = 'full';
    return null;
  }
  older.state = 'loading';
  return older.before;
}

/** History (issue 15): a requested page did not come; the marker says so and no request repeats it. */
export function olderLinesFailed(state: ViewerState, name: string, changes: Changes): void {
  const process = state.processes.get(name);
  if (process?.older.state !== 'loading') return;
  process.older.state = 'failed';
  changes.lines = true;
}

/**
 * History (issue 15): puts a page of older output in front of the process's lines, rebuilt into lines with
 * assemblers of its own (the page ends where the shown output begins) and with its run separators. The
 * "All" view is left as it is: it lists every process's lines in arrival order, and one process's older
 * lines put in front of it would sit before other processes' lines that were written earlier.
 */
function prependHistory(state: ViewerState, message: HistoryMessage, changes: Changes): void {
  const process = state.processes.get(message.process);
  // A page nobody waits for (its process was replaced by a new `info`) is dropped.
  if (process === undefined || process.older.state !== 'loading') return;
  const lines = linesOfPage(process.name, message);
  let prepended = 0;
  for (let index = lines.length - 1; index >= 0; index--) {
    if (!process.lines.prepend(lines[index] as Line)) break;
    prepended++;
  }
  const first = message.chunks[0];
  if (prepended < lines.length) process.older.state = 'full';
  else process.older.state = message.more ? 'more' : 'complete';
  if (first !== undefined) process.older.before = first.seq;
  changes.lines = true;
}

/** The display lines of a page: its chunks and its run separators, merged by `seq`. */
function linesOfPage(name: string, message: HistoryMessage): Line[] {
  const lines: Line[] = [];
  const events: LineEvents = { added: (line) => lines.push(line), changed: () => {} };
  let assemblers = { stdout: new LineAssembler(name, 'stdout'), stderr: new LineAssembler(name, 'stderr') };
  let nextRun = 0;
  const runsBefore = (seq: number) => {
    for (
      let start = message.runs[nextRun];
      start !== undefined && start.seq < seq;
      start = message.runs[++nextRun]
    ) {
      if (start.run <= 1) continue;
      assemblers = { stdout: new LineAssembler(name, 'stdout'), stderr: new LineAssembler(name, 'stderr') };
      lines.push(separatorLine(name, start));
    }
  };
  for (const chunk of message.chunks) {
    runsBefore(chunk.seq);
    assemblers[chunk.stream].feed(chunk.output, chunk.timestamp, events);
  }
  runsBefore(Number.POSITIVE_INFINITY);
  return lines;
}

/**
 * A refused `input` names the process it was meant for, but says nothing wrong about that process (it was
 * stopped, or takes no input), so it must not put the process's error mark up.
 */
function isInputRefusal(message: ErrorMessage): boolean {
  return message.code === 'STDIN_DISABLED' || message.code === 'NOT_RUNNING' || message.code === 'STDIN_FULL';
}

/** Metrics of processes the viewer does not know are dropped: a metrics message never adds a process. */
function applyMetrics(state: ViewerState, message: MetricsMessage): void {
  for (const entry of message.processes) {
    const process = state.processes.get(entry.name);
    if (process !== undefined) process.metrics = { cpu: entry.cpu, memory: entry.memory };
  }
}

/**
 * A config reload changed the list: processes still listed keep their lines and marks, new ones are added,
 * and removed ones leave the sidebar. Their lines stay in the "All" view, as the output they were.
 */
function applyProcessList(state: ViewerState, message: ProcessesMessage): void {
  const processes = new Map<string, ProcessState>();
  for (const info of message.processes) {
    const process = state.processes.get(info.name) ?? createProcess(state, info.name);
    applyProcessInfo(process, info);
    processes.set(info.name, process);
  }
  state.processes = processes;
}

/** The one place an `info` or `processes` entry becomes a process's state; both carry the same fields. */
function applyProcessInfo(process: ProcessState, info: ProcessInfo): void {
  process.command = info.command;
  process.status = info.status;
  process.pid = info.pid ?? null;
  process.restarts = info.restarts ?? process.restarts;
  process.exitCode = info.exitCode ?? null;
  process.signal = info.signal ?? null;
  process.urls = info.urls ?? [];
  process.stdin = info.stdin === true;
  process.reason = info.reason ?? null;
  process.restartAt = info.restartAt ?? null;
  process.waitingFor = info.waitingFor ?? [];
  process.stopping = info.stopping === true;
  process.health = info.health ?? null;
}

/**
 * Draws the line between the output of the previous run and the next one. The first run needs none. The
 * previous run's unfinished lines stay as they were, and the new run starts on fresh lines with no colour
 * left over, as its output does in a terminal.
 */
function addRunSeparator(state: ViewerState, process: ProcessState, message: RunMessage): void {
  if (message.run <= 1) return;
  const { name } = process;
  process.assemblers.stdout = new LineAssembler(name, 'stdout');
  process.assemblers.stderr = new LineAssembler(name, 'stderr');
  const line = separatorLine(name, message);
  process.lines.push(line);
  state.all.push(line);
}

/** The separator line of a run start, live or from a history page. */
function separatorLine(name: string, start: Pick<RunMessage, 'timestamp' | 'reason' | 'pid' | 'run'>): Line {
  const text = runSeparator(start.timestamp, start.reason, start.pid, start.run);
  return {
    name,
    stream: 'stdout',
    timestamp: start.timestamp,
    segments: [{ text, style: DEFAULT_STYLE }],
    text,
    revision: 0,
    open: false,
    run: start.run,
  };
}

export function markRead(state: ViewerState, name: string, changes: Changes): void {
  const process = state.processes.get(name);
  if (process?.unread) {
    process.unread = false;
    changes.sidebar = true;
  }
}

/** Clears the shown output of one process (or of all with null); the processes keep running. */
export function clearLines(state: ViewerState, name: string | null, changes: Changes): void {
  const all = new Ring<Line>(state.lineLimit);
  if (name !== null) {
    for (let p = state.all.start; p < state.all.end; p++) {
      const line = state.all.at(p);
      if (line !== undefined && line.name !== name) all.push(line);
    }
  }
  state.all = all;
  for (const process of state.processes.values()) {
    if (name === null || process.name === name) {
      process.lines = new Ring(state.lineLimit);
      // History (issue 15): what the user cleared is not loaded back when they scroll to the top.
      process.older.state = 'cleared';
    }
  }
  changes.lines = true;
  changes.reset = true;
}

export function hasError(process: ProcessState): boolean {
  return process.status === 'error' || process.lastError !== null;
}
