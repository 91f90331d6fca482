// Wires the viewer: socket messages update the store at once, and the DOM catches up at most once per
// animation frame from the accumulated changes, so a process printing 10,000 lines/s costs no per-message
// DOM work (and a hidden tab, which gets no frames, does no DOM work at all).

import { LucidLinesClient } from '../src/client.js';
import { documentTitle, faviconUrl, type Health } from './favicon.js';
import { InputHistory } from './input-history.js';
import type { Line } from './line-model.js';
import type { Ring } from './ring.js';
import { saveLogAsHtml } from './save-html.js';
import { type CompiledQuery, compileQuery, MatchIndex } from './search.js';
import { type ShortcutAction, shortcutFor } from './shortcuts.js';
import { socketUrl } from './socket-url.js';
import {
  beginLoadingOlder,
  type Changes,
  clearLines,
  createState,
  emptyChanges,
  hasError,
  markRead,
  olderLinesFailed,
  type ProcessState,
  update,
} from './store.js';
import { EventsPanel } from './view-events.js';
import { fillHelp } from './view-help.js';
import { HostGauge } from './view-host-gauge.js';
import { OutputPane, type PaneOptions, type RowSource } from './view-output.js';
import { RunCommandForm } from './view-run-command.js';
import { Sidebar } from './view-sidebar.js';

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page is missing #${id}.`);
  return found;
}

const ui = {
  app: element('app', HTMLDivElement),
  menu: element('menu', HTMLButtonElement),
  connection: element('connection', HTMLSpanElement),
  hostGauge: element('host-gauge', HTMLSpanElement),
  restartAll: element('restart-all', HTMLButtonElement),
  stopAll: element('stop-all', HTMLButtonElement),
  helpButton: element('help-button', HTMLButtonElement),
  processList: element('process-list', HTMLDivElement),
  title: element('view-title', HTMLSpanElement),
  restart: element('restart', HTMLButtonElement),
  toggleRunning: element('toggle-running', HTMLButtonElement),
  kill: element('kill', HTMLButtonElement),
  clear: element('clear', HTMLButtonElement),
  saveHtml: element('save-html', HTMLButtonElement),
  follow: element('follow', HTMLButtonElement),
  timestamps: element('timestamps', HTMLButtonElement),
  search: element('search', HTMLInputElement),
  regex: element('regex', HTMLButtonElement),
  caseSensitive: element('case', HTMLButtonElement),
  filter: element('filter', HTMLButtonElement),
  matchCount: element('match-count', HTMLSpanElement),
  previous: element('previous', HTMLButtonElement),
  next: element('next', HTMLButtonElement),
  output: element('output', HTMLElement),
  inputLine: element('input-line', HTMLFormElement),
  stdin: element('stdin', HTMLInputElement),
  notice: element('notice', HTMLDivElement),
  help: element('help', HTMLDialogElement),
  favicon: element('favicon', HTMLLinkElement),
  eventsButton: element('events-button', HTMLButtonElement),
  events: element('events', HTMLElement),
  // Runtime processes (issue 15).
  runCommand: element('run-command', HTMLButtonElement),
  remove: element('remove', HTMLButtonElement),
  runCommandForm: {
    dialog: element('run-command-dialog', HTMLDialogElement),
    form: element('run-command-form', HTMLFormElement),
    name: element('run-name', HTMLInputElement),
    command: element('run-command-line', HTMLInputElement),
    cwd: element('run-cwd', HTMLInputElement),
    error: element('run-command-error', HTMLParagraphElement),
    submit: element('run-command-submit', HTMLButtonElement),
    cancel: element('run-command-cancel', HTMLButtonElement),
  },
};

const state = createState();
let changes: Changes = emptyChanges();
let selected: string | null = null;
let connection: 'connecting' | 'open' | 'closed' = 'connecting';
let showTimestamps = false;
let filterOnly = false;
let query: CompiledQuery = { ok: true, matcher: null };
/** Ring position of the match last moved to with next/previous. */
let currentMatch = -1;
const matches = new MatchIndex<Line>();
/** What was sent to each process's stdin, for the input line's ↑ and ↓. */
const histories = new Map<string, InputHistory>();
let frame = 0;

function scheduleFrame(): void {
  if (frame === 0) frame = requestAnimationFrame(renderFrame);
}

const pane = new OutputPane(ui.output, scheduleFrame);
const sidebar = new Sidebar(ui.processList, (name) => select(name));
const hostGauge = new HostGauge(ui.hostGauge);
fillHelp(ui.help);
const eventsPanel = new EventsPanel(ui.events, (name) => {
  select(name);
  scheduleFrame();
});

function selectedProcess(): ProcessState | undefined {
  return selected === null ? undefined : state.processes.get(selected);
}

function currentRing(): Ring<Line> {
  return selectedProcess()?.lines ?? state.all;
}

function select(name: string | null): void {
  selected = name !== null && state.processes.has(name) ? name : null;
  ui.app.classList.remove('nav-open');
  currentMatch = -1;
  pane.setFollow(true);
  changes.sidebar = true;
  changes.lines = true;
}

const client = new LucidLinesClient({ url: socketUrl(location) });

// Runtime processes (issue 15): offered only when the server's config allows them (`info.runtimeProcesses`);
// the style sheet hides them from a view client along with every other control.
let runtimeProcesses = false;
const runCommandForm = new RunCommandForm(
  ui.runCommandForm,
  (process, id) => client.add(process, { id }),
  (name) => {
    select(name);
    scheduleFrame();
  },
);
client.on('info', (message) => {
  runtimeProcesses = message.runtimeProcesses === true;
  if (!runtimeProcesses && ui.runCommandForm.dialog.open) ui.runCommandForm.dialog.close();
});
client.on('open', () => {
  connection = 'open';
  changes.sidebar = true;
  scheduleFrame();
});
client.on('close', () => {
  connection = 'closed';
  changes.sidebar = true;
  scheduleFrame();
});
client.on('info', (message) => {
  update(state, message, changes);
  if (selected !== null && !state.processes.has(selected)) selected = null;
  ui.notice.textContent = '';
  scheduleFrame();
});
client.on('processes', (message) => {
  update(state, message, changes);
  if (selected !== null && !state.processes.has(selected)) select(null);
  scheduleFrame();
});
client.on('process', (message) => {
  update(state, message, changes);
  scheduleFrame();
});
client.on('status', (message) => {
  update(state, message, changes);
  runCommandForm.settle(message);
  scheduleFrame();
});
client.on('metrics', (message) => {
  update(state, message, changes);
  scheduleFrame();
});
client.on('run', (message) => {
  update(state, message, changes);
  scheduleFrame();
});
client.on('event', (message) => {
  update(state, message, changes);
  scheduleFrame();
});
// Subscriptions (issue 15): the viewer wants everything, `system` for the host gauge and `event` for the events
// panel included; the client sends this again on every reconnection.
client.subscribe();
client.on('system', (message) => {
  update(state, message, changes);
  scheduleFrame();
});
client.on('error', (message) => {
  // The form shows the refusal of its own `add` next to its fields, rather than in the notice.
  if (runCommandForm.settle(message)) return;
  update(state, message, changes);
  ui.notice.textContent =
    message.process === undefined ? message.message : `${message.process}: ${message.message}`;
  scheduleFrame();
});

/** The rows the pane shows this frame: the selected ring, or only its matching lines when filtering. */
let filteredKey: { ring: Ring<Line>; matcher: unknown } | null = null;
function rowSource(ring: Ring<Line>): RowSource {
  const matcher = query.ok ? query.matcher : null;
  if (!filterOnly || matcher === null) {
    return { key: ring, count: ring.length, dropped: ring.start, line: (row) => ring.at(ring.start + row) };
  }
  if (filteredKey === null || filteredKey.ring !== ring || filteredKey.matcher !== matcher) {
    filteredKey = { ring, matcher };
  }
  return {
    key: filteredKey,
    count: matches.count,
    dropped: matches.dropped,
    line: (row) => {
      const position = matches.position(row);
      return position === undefined ? undefined : ring.at(position);
    },
  };
}

function paneOptions(): PaneOptions {
  const matcher = query.ok ? query.matcher : null;
  return {
    showTimestamp: showTimestamps,
    prefix: (line) => {
      if (selected !== null) return null;
      const process = state.processes.get(line.name);
      return { name: line.name, colorIndex: process?.colorIndex ?? 0 };
    },
    highlights: (line) => (matcher === null ? [] : matcher.ranges(line.text)),
    isCurrent: (line) => currentMatch >= 0 && currentRing().at(currentMatch) === line,
    key: `${showTimestamps}|${selected ?? ''}|${ui.search.value}|${ui.regex.ariaPressed}|${ui.caseSensitive.ariaPressed}|${currentMatch}`,
  };
}

function renderFrame(): void {
  frame = 0;
  const frameChanges = changes;
  changes = emptyChanges();
  if (selected === null) for (const name of state.processes.keys()) markRead(state, name, frameChanges);
  else markRead(state, selected, frameChanges);

  const ring = currentRing();
  const matcher = query.ok ? query.matcher : null;
  if (matcher !== null) {
    const changedHere = [...frameChanges.changedLines].filter(
      (line) => selected === null || line.name === selected,
    );
    matches.sync(ring, matcher, changedHere);
  }
  const source = rowSource(ring);
  pane.render(source, paneOptions(), frameChanges.changedLines);
  reportShown(source.count);
  loadOlderAtTop();

  if (frameChanges.sidebar) renderChrome();
  if (frameChanges.events && !ui.events.hidden) eventsPanel.render(state.events);
  renderControls(matcher !== null);
}

/** Opens or closes the events panel; it is rendered on opening, and while open whenever the log changes. */
function toggleEvents(): void {
  ui.events.hidden = !ui.events.hidden;
  setPressed(ui.eventsButton, !ui.events.hidden);
  changes.events = true;
  scheduleFrame();
}

/**
 * Says on the output element what the frame just rendered: whose lines, which search and filter, and how many
 * rows. Written in the same frame as the rows, so whoever reads the page (the browser tests, a script) and
 * sees these values also sees the matching rows, never the previous view's rows under a new query.
 */
function reportShown(rows: number): void {
  const shown = {
    process: selected ?? '',
    query: query.ok ? ui.search.value : '',
    filter: filterOnly && query.ok && query.matcher !== null ? 'on' : 'off',
    rows: String(rows),
  };
  for (const [key, value] of Object.entries(shown)) {
    if (ui.output.dataset[key] !== value) ui.output.dataset[key] = value;
  }
}

// History (issue 15): when the user scrolls to the top of one process's output, the page of older lines is
// asked for and put in front without moving what they look at. The "All" view does not load older lines (see
// prependHistory in store.ts); its marker stays empty.

/** Lines asked for per page: a few screens, small enough to arrive at once. */
const OLDER_PAGE_LINES = 500;

const historyMarker = document.createElement('div');
historyMarker.className = 'history-marker';
historyMarker.setAttribute('aria-live', 'polite');
ui.output.before(historyMarker);

function loadOlderAtTop(): void {
  const process = selectedProcess();
  const before = process !== undefined && pane.atTop ? beginLoadingOlder(process) : null;
  if (process !== undefined && before !== null) {
    const { name } = process;
    void client.history(name, { before, limit: OLDER_PAGE_LINES }).then((result) => {
      if (result.ok) update(state, result.page, changes);
      else olderLinesFailed(state, name, changes);
      scheduleFrame();
    });
  }
  reportOlder(process);
}

/**
 * Says where loading older lines stands, on the output element (`data-history`, for tests and scripts) and in
 * the marker above it, which shows only what matters at the top: loading, the beginning, or why not more.
 */
function reportOlder(process: ProcessState | undefined): void {
  const older = process?.older.state ?? '';
  if (ui.output.dataset.history !== older) ui.output.dataset.history = older;
  let text = '';
  if (older === 'loading') text = 'loading older lines…';
  else if (pane.atTop && older === 'complete') text = 'beginning of scrollback';
  else if (pane.atTop && older === 'full')
    text = `older lines not loaded: the viewer keeps ${state.lineLimit} lines per process`;
  else if (pane.atTop && older === 'failed') text = 'older lines could not be loaded';
  if (historyMarker.textContent !== text) historyMarker.textContent = text;
}

function health(): { health: Health; errors: number } {
  const errors = [...state.processes.values()].filter(hasError).length;
  if (connection !== 'open') return { health: 'disconnected', errors };
  return { health: errors > 0 ? 'error' : 'ok', errors };
}

let shownHealth = '';
/** The "All" view's name column is as wide as the longest name, within bounds, so the output lines up. */
const PREFIX_WIDTH_CH = { min: 4, max: 20 };

function renderChrome(): void {
  sidebar.render(state.processes.values(), selected);
  const longest = Math.max(0, ...[...state.processes.keys()].map((name) => name.length));
  const width = Math.min(PREFIX_WIDTH_CH.max, Math.max(PREFIX_WIDTH_CH.min, longest));
  ui.output.style.setProperty('--prefix-width', `${width}ch`);
  const summary = health();
  const key = `${summary.health}|${summary.errors}`;
  if (key !== shownHealth) {
    shownHealth = key;
    document.title = documentTitle(summary.health, summary.errors);
    ui.favicon.href = faviconUrl(summary.health);
  }
  ui.connection.dataset.state = connection;
  hostGauge.render(state.system);
  // The style sheet hides every control for view access; the attribute also tells tests what was granted.
  if (document.body.dataset.access !== state.access) document.body.dataset.access = state.access;
  ui.connection.textContent =
    connection === 'open' ? '● connected' : connection === 'closed' ? '◌ reconnecting…' : '◌ connecting…';
}

function setPressed(button: HTMLButtonElement, pressed: boolean): void {
  button.setAttribute('aria-pressed', pressed ? 'true' : 'false');
}

function renderControls(searching: boolean): void {
  const process = selectedProcess();
  ui.title.textContent = process === undefined ? 'All processes' : process.name;
  ui.title.title = process?.command ?? '';
  ui.restart.disabled = process === undefined;
  ui.toggleRunning.disabled = process === undefined;
  ui.saveHtml.disabled = process === undefined;
  const running = process !== undefined && (process.status === 'running' || process.status === 'starting');
  ui.toggleRunning.textContent = running ? '■ Stop' : '▶ Start';
  ui.kill.hidden = process?.stopping !== true;
  ui.runCommand.hidden = !runtimeProcesses;
  ui.remove.hidden = !runtimeProcesses || process === undefined;
  const takesInput = process?.stdin === true;
  if (ui.inputLine.hidden === takesInput) ui.inputLine.hidden = !takesInput;
  setPressed(ui.follow, pane.following);
  setPressed(ui.timestamps, showTimestamps);
  setPressed(ui.filter, filterOnly);
  ui.search.classList.toggle('invalid', !query.ok);
  ui.search.title = query.ok ? '' : query.error;
  if (!query.ok) ui.matchCount.textContent = 'invalid regex';
  else if (!searching) ui.matchCount.textContent = '';
  else {
    const total = matches.count;
    const at = currentMatch >= 0 ? matches.indexAtOrAfter(currentMatch) : -1;
    ui.matchCount.textContent =
      at >= 0 && matches.position(at) === currentMatch
        ? `${at + 1}/${total}`
        : `${total} match${total === 1 ? '' : 'es'}`;
  }
  ui.previous.disabled = !searching;
  ui.next.disabled = !searching;
}

function recompileQuery(): void {
  query = compileQuery(ui.search.value, {
    regex: ui.regex.ariaPressed === 'true',
    caseSensitive: ui.caseSensitive.ariaPressed === 'true',
  });
  currentMatch = -1;
  changes.lines = true;
  scheduleFrame();
}

function moveToMatch(step: 1 | -1): void {
  if (!query.ok || query.matcher === null || matches.count === 0) return;
  const total = matches.count;
  let index: number;
  if (currentMatch < 0) index = step === 1 ? 0 : total - 1;
  else index = matches.indexAtOrAfter(currentMatch + (step === 1 ? 1 : 0)) + (step === 1 ? 0 : -1);
  index = (index + total) % total;
  const position = matches.position(index);
  if (position === undefined) return;
  currentMatch = position;
  const ring = currentRing();
  const row = filterOnly ? index : position - ring.start;
  pane.reveal(row, filterOnly ? total : ring.length);
  scheduleFrame();
}

function sendToSelected(action: 'restart' | 'toggle' | 'kill'): void {
  const process = selectedProcess();
  // A view client's commands would only be refused; its shortcuts do nothing, as its buttons are hidden.
  if (process === undefined || state.access === 'view') return;
  if (action === 'kill') {
    client.kill(process.name);
    return;
  }
  if (action === 'restart') client.restart(process.name);
  else if (process.status === 'running' || process.status === 'starting') client.stop(process.name);
  else client.start(process.name);
}

function historyOf(name: string): InputHistory {
  let history = histories.get(name);
  if (history === undefined) {
    history = new InputHistory();
    histories.set(name, history);
  }
  return history;
}

/** Sends the input line to the selected process's stdin as one line; an empty line sends just Enter. */
function sendInput(): void {
  const process = selectedProcess();
  if (process === undefined || !process.stdin) return;
  const line = ui.stdin.value;
  if (!client.input(process.name, `${line}\n`)) return;
  historyOf(process.name).add(line);
  ui.stdin.value = '';
}

function clearView(): void {
  clearLines(state, selected, changes);
  currentMatch = -1;
  scheduleFrame();
}

function toggle(button: HTMLButtonElement): void {
  setPressed(button, button.ariaPressed !== 'true');
}

function selectRelative(step: 1 | -1): void {
  const names: (string | null)[] = [null, ...state.processes.keys()];
  const index = names.indexOf(selected);
  select(names[(index + step + names.length) % names.length] ?? null);
  scheduleFrame();
}

function run(action: ShortcutAction): void {
  switch (action) {
    case 'help':
      if (ui.help.open) ui.help.close();
      else ui.help.showModal();
      return;
    case 'focus-search':
      ui.search.focus();
      ui.search.select();
      return;
    case 'next-match':
      moveToMatch(1);
      return;
    case 'previous-match':
      moveToMatch(-1);
      return;
    case 'select-all-view':
      select(null);
      break;
    case 'select-next':
      selectRelative(1);
      return;
    case 'select-previous':
      selectRelative(-1);
      return;
    case 'restart':
      sendToSelected('restart');
      return;
    case 'restart-all':
      if (state.access === 'control') client.restartAll();
      return;
    case 'toggle-running':
      sendToSelected('toggle');
      return;
    case 'clear':
      clearView();
      return;
    case 'toggle-follow':
      pane.setFollow(!pane.following);
      break;
    case 'toggle-timestamps':
      showTimestamps = !showTimestamps;
      break;
    case 'close':
      if (ui.help.open) ui.help.close();
      else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      break;
  }
  changes.lines = true;
  changes.sidebar = true;
  scheduleFrame();
}

document.addEventListener('keydown', (event) => {
  const target = event.target;
  const inTextField = target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
  if (inTextField && target === ui.search && event.key === 'Enter') {
    event.preventDefault();
    moveToMatch(event.shiftKey ? -1 : 1);
    return;
  }
  const action = shortcutFor({
    key: event.key,
    ctrlKey: event.ctrlKey,
    metaKey: event.metaKey,
    altKey: event.altKey,
    inTextField,
  });
  if (action === null) return;
  // The dialog closes itself on Escape; other keys must not act on the page behind it.
  if (ui.help.open && action !== 'help') return;
  event.preventDefault();
  run(action);
});

// Copying from the output gives plain text: the rich copy would carry the colours and the link markup.
document.addEventListener('copy', (event) => {
  const selection = document.getSelection();
  if (selection === null || selection.isCollapsed || event.clipboardData === null) return;
  if (!ui.output.contains(selection.anchorNode)) return;
  event.clipboardData.setData('text/plain', selection.toString());
  event.preventDefault();
});

ui.menu.addEventListener('click', () => {
  const open = ui.app.classList.toggle('nav-open');
  ui.menu.setAttribute('aria-expanded', open ? 'true' : 'false');
});
ui.restartAll.addEventListener('click', () => run('restart-all'));
ui.stopAll.addEventListener('click', () => {
  if (state.access === 'control') client.stopAll();
});
ui.helpButton.addEventListener('click', () => run('help'));
ui.eventsButton.addEventListener('click', toggleEvents);
ui.restart.addEventListener('click', () => run('restart'));
ui.toggleRunning.addEventListener('click', () => run('toggle-running'));
ui.kill.addEventListener('click', () => sendToSelected('kill'));
ui.clear.addEventListener('click', () => run('clear'));
ui.runCommand.addEventListener('click', () => {
  if (state.access === 'control') runCommandForm.open();
});
ui.remove.addEventListener('click', () => {
  const process = selectedProcess();
  if (process !== undefined && state.access === 'control') client.remove(process.name);
});
ui.saveHtml.addEventListener('click', () => {
  const process = selectedProcess();
  if (process === undefined) return;
  void saveLogAsHtml(process.name, window.location).then((problem) => {
    if (problem !== null) ui.notice.textContent = problem;
  });
});
ui.follow.addEventListener('click', () => run('toggle-follow'));
ui.timestamps.addEventListener('click', () => run('toggle-timestamps'));
ui.previous.addEventListener('click', () => moveToMatch(-1));
ui.next.addEventListener('click', () => moveToMatch(1));
ui.search.addEventListener('input', recompileQuery);
ui.regex.addEventListener('click', () => {
  toggle(ui.regex);
  recompileQuery();
});
ui.caseSensitive.addEventListener('click', () => {
  toggle(ui.caseSensitive);
  recompileQuery();
});
ui.filter.addEventListener('click', () => {
  filterOnly = !filterOnly;
  changes.lines = true;
  scheduleFrame();
});
ui.inputLine.addEventListener('submit', (event) => {
  event.preventDefault();
  sendInput();
});
ui.stdin.addEventListener('keydown', (event) => {
  const process = selectedProcess();
  if (process === undefined || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
  const history = historyOf(process.name);
  const line = event.key === 'ArrowUp' ? history.previous(ui.stdin.value) : history.next();
  event.preventDefault();
  if (line !== null) ui.stdin.value = line;
});
ui.notice.addEventListener('click', () => {
  ui.notice.textContent = '';
});
window.addEventListener('resize', scheduleFrame);

pane.measure();
changes.sidebar = true;
scheduleFrame();
