// Runs a plan: the engine, the watchdog guard, the viewer (unless --no-viewer) and the terminal (printer,
// summary, shortcuts), until Ctrl-C, q (or SIGTERM/SIGHUP) stops every process tree, or in CI mode until
// every process has ended. A first stop request stops gracefully, a second kills at once.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import defaultChalk, { Chalk } from 'chalk';
import {
  ciResultNotice,
  forcedShutdownNotice,
  listenFailedMessage,
  nonLoopbackWarning,
  openBrowserFailedMessage,
  portInUseMessage,
  shuttingDownNotice,
  stoppingOthersNotice,
  unexpectedErrorMessage,
  unknownProcessNamesMessage,
  viewerOffIntro,
  viewerUrlIntro,
} from '../errors.js';
import type { ProcessControl, ProcessSnapshot, SupervisorEvent } from '../process/events.js';
import { newInstanceId } from '../process/marker.js';
import { Supervisor } from '../process/supervisor.js';
import type { RunGuard } from '../process/watchdog-guard.js';
import { isLoopbackHost, type RunningServer, startServer } from '../server/server.js';
import { terminalFilter } from '../terminal/filter.js';
import { listenToKeys } from '../terminal/keyboard.js';
import { attachTerminalPrinter } from '../terminal/printer.js';
import { SHORTCUT_HINT, shortcuts } from '../terminal/shortcuts.js';
import { startupSummary } from '../terminal/summary.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, print } from './io.js';
import type { Planned } from './plan.js';
import { type CiMode, ciModeOf, decide, type FinalExit, stopsTheOthers } from './success-condition.js';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Plans (reads the config, or discovers) and runs. Signals are listened to from the start, so a Ctrl-C while
 * the config is read or the workspace searched ends lucidlines before anything is spawned.
 */
export async function runProcesses(
  io: CliIo,
  pkg: { root: string; version: string },
  makePlan: () => Promise<Planned>,
): Promise<number> {
  let signalCount = 0;
  let onStopRequest = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    onStopRequest = resolve;
  });
  let onForceRequest = () => {};
  const onSignal = () => {
    signalCount++;
    if (signalCount === 1) onStopRequest();
    else if (signalCount === 2) onForceRequest();
  };
  for (const signal of SHUTDOWN_SIGNALS) io.signals.on(signal, onSignal);

  let supervisor: Supervisor | null = null;
  let server: RunningServer | null = null;
  let guard: RunGuard | null = null;
  let detachPrinter = () => {};
  let stopCi = () => {};
  let restoreKeyboard: (() => void) | null = null;
  try {
    const planned = await makePlan();
    if (planned.kind === 'refused') {
      print(io.stderr, planned.message);
      return planned.code;
    }
    const { processes, settings, engine, projectRoot, summary, notices } = planned.plan;
    for (const notice of notices) print(io.stderr, notice);
    if (signalCount > 0) return EXIT_OK;
    const names = processes.map((spec) => spec.name);
    const filter = terminalFilter(settings, names);
    if (!filter.ok) {
      print(io.stderr, unknownProcessNamesMessage(filter.flag, filter.unknown, names));
      return EXIT_USAGE;
    }
    // With --raw, stdout carries the processes' output alone; lucidlines' own lines go to stderr.
    const own = settings.raw ? io.stderr : io.stdout;
    if (summary !== null) print(own, summary);

    let token = settings.token;
    if (settings.viewer && token === null && !isLoopbackHost(settings.host)) {
      token = randomBytes(18).toString('base64url');
      print(io.stderr, nonLoopbackWarning(settings.host));
    }

    // chalk's own detection (NO_COLOR, FORCE_COLOR, a terminal or not) unless --color or --no-color decide.
    const chalk = settings.color === null ? undefined : new Chalk({ level: settings.color ? 1 : 0 });
    const instanceId = newInstanceId();
    supervisor = new Supervisor(processes, engine, { instanceId });
    const restarting = new Set<string>();
    const control = restartRecordingControl(supervisor, restarting);
    detachPrinter = attachTerminalPrinter(supervisor, {
      out: io.stdout,
      ...(chalk === undefined ? {} : { chalk }),
      shows: filter.shows,
      timestamps: settings.timestamps,
      raw: settings.raw,
      stripColors: settings.color === false,
    });
    const ci = ciModeOf(settings);
    let ciCode: number | null = null;
    if (ci !== null) {
      stopCi = watchFinalExits(supervisor, names, restarting, ci, {
        stopOthers: (exit) => {
          print(
            io.stderr,
            stoppingOthersNotice(
              exit.name,
              exit.exitCode,
              ci.killOthersOn === 'any-exit' ? '--kill-others' : '--kill-others-on-fail',
            ),
          );
          const running = supervisor;
          for (const snapshot of running?.list() ?? []) {
            if (snapshot.name !== exit.name && isUp(snapshot)) running?.stop(snapshot.name).catch(() => {});
          }
        },
        allEnded: (code, decider) => {
          ciCode = code;
          print(io.stderr, ciResultNotice(code, decider));
          if (signalCount === 0) onSignal();
        },
      });
    }
    if (settings.viewer) {
      const started = await startServer(
        {
          host: settings.host,
          port: settings.port,
          wsPath: settings.wsPath,
          token,
          allowedOrigins: settings.allowedOrigins,
          webRoot: path.join(pkg.root, 'dist', 'web'),
          version: pkg.version,
          viewerLines: settings.viewerLines,
          maxClients: settings.maxClients,
        },
        control,
      );
      if (!started.ok) {
        print(
          io.stderr,
          started.reason === 'port-in-use'
            ? portInUseMessage(started.host, started.port)
            : listenFailedMessage(started.host, started.port, started.message),
        );
        await supervisor.shutdown();
        return EXIT_FAILURE;
      }
      server = started.server;
      print(own, viewerUrlIntro(pkg.version, processes.length));
      print(own, `${server.url}\n`);
      if (settings.open) {
        const failure = await io.openInBrowser(server.url);
        if (failure !== null) print(io.stderr, openBrowserFailedMessage(server.url, failure));
      }
    } else {
      print(own, viewerOffIntro(pkg.version, processes.length));
    }
    const viewerUrl = server?.url ?? null;

    // The guard comes after the URL, which it does not need, so the URL appears sooner; it still comes before
    // any child is spawned, which is what the leftover sweep and the watchdog need.
    guard = await io.guardRun({ projectRoot, instanceId, killTimeoutMs: engine.killTimeoutMs }, supervisor);
    for (const notice of guard.notices) print(io.stderr, notice);
    if (signalCount === 0) await supervisor.startAll();
    if (signalCount === 0 && !settings.raw) {
      print(own, startupSummary({ processes: supervisor.list(), viewerUrl }, chalk ?? defaultChalk));
    }
    // Shortcuts need a person at a terminal on both ends; in a pipe or CI nothing ever waits for input.
    if (signalCount === 0 && io.stdoutIsTerminal) {
      const onKeys = shortcuts({
        control,
        viewerUrl,
        openViewer: (url) => {
          void io.openInBrowser(url).then((failure) => {
            if (failure !== null) print(io.stderr, openBrowserFailedMessage(url, failure));
          });
        },
        interrupt: onSignal,
        quit: () => {
          if (signalCount === 0) onSignal();
        },
        write: (text) => print(io.stdout, text),
      });
      restoreKeyboard = listenToKeys(io.stdin, onKeys, io.exitHook);
      if (restoreKeyboard !== null)
        print(io.stdout, chalk?.dim(SHORTCUT_HINT) ?? defaultChalk.dim(SHORTCUT_HINT));
    }
    await stopRequested;

    if (ciCode === null) print(io.stderr, shuttingDownNotice());
    const running = supervisor;
    let forced: Promise<void> = Promise.resolve();
    onForceRequest = () => {
      print(io.stderr, forcedShutdownNotice());
      forced = running.shutdown({ force: true });
    };
    if (signalCount >= 2) onForceRequest();
    await running.shutdown();
    await forced;
    await server?.close();
    return ciCode ?? EXIT_OK;
  } catch (error) {
    print(io.stderr, unexpectedErrorMessage(error));
    await supervisor?.shutdown({ force: true }).catch(() => {});
    await server?.close().catch(() => {});
    return EXIT_FAILURE;
  } finally {
    // Every path here has stopped the processes (or never started them), so the watchdog may stand down.
    restoreKeyboard?.();
    await guard?.release();
    stopCi();
    detachPrinter();
    for (const signal of SHUTDOWN_SIGNALS) io.signals.off(signal, onSignal);
  }
}

const isUp = (snapshot: ProcessSnapshot) => snapshot.status === 'starting' || snapshot.status === 'running';

/**
 * The control the viewer and the shortcuts act through: the supervisor's, noting each restart asked for, so
 * that the exit a restart causes is not taken for a final exit.
 */
function restartRecordingControl(supervisor: Supervisor, restarting: Set<string>): ProcessControl {
  // Only a process that is up exits because of the restart; restarting one that is down merely starts it,
  // and its next exit is a real one.
  const noteRestart = (name: string) => {
    const snapshot = supervisor.list().find((candidate) => candidate.name === name);
    if (snapshot !== undefined && isUp(snapshot)) restarting.add(name);
  };
  return {
    list: () => supervisor.list(),
    has: (name) => supervisor.has(name),
    scrollback: (name) => supervisor.scrollback(name),
    subscribe: (listener) => supervisor.subscribe(listener),
    start: (...args: Parameters<ProcessControl['start']>) => supervisor.start(...args),
    stop: (...args: Parameters<ProcessControl['stop']>) => supervisor.stop(...args),
    // Every argument is passed on, so what the engine learns to take (a reason for the restart) still arrives.
    restart: (...args: Parameters<ProcessControl['restart']>) => {
      noteRestart(args[0]);
      return supervisor.restart(...args);
    },
    restartAll: (...args: Parameters<ProcessControl['restartAll']>) => {
      for (const snapshot of supervisor.list()) noteRestart(snapshot.name);
      return supervisor.restartAll(...args);
    },
    stopAll: () => supervisor.stopAll(),
  };
}

/**
 * The final exit a status event reports, or null. This is the one place that decides what a final exit is:
 * an exit of a process whose restart was asked for is not one. Automatic restarts must be excluded here too
 * (an exit that the supervisor will follow with a restart is not final).
 */
function finalExitOf(
  event: SupervisorEvent,
  restarting: Set<string>,
  names: readonly string[],
): FinalExit | null {
  if (event.kind !== 'status') return null;
  const { name, status, exitCode } = event.snapshot;
  if (status !== 'stopped' && status !== 'error') return null;
  // The exit the restart itself causes; the restarted run's own exit is final again.
  if (restarting.delete(name)) return null;
  return { name, index: names.indexOf(name), exitCode };
}

/**
 * CI mode: keeps each process's final exit (a process started again is up again, so its exit is dropped),
 * stops the others when the mode says so, and once every process is down, decides the exit code.
 */
function watchFinalExits(
  control: Pick<ProcessControl, 'subscribe'>,
  names: readonly string[],
  restarting: Set<string>,
  ci: CiMode,
  on: { stopOthers: (exit: FinalExit) => void; allEnded: (code: number, decider: string | null) => void },
): () => void {
  const exits = new Map<string, FinalExit>();
  let othersStopped = false;
  let decided = false;
  return control.subscribe((event) => {
    if (decided || event.kind !== 'status') return;
    if (isUp(event.snapshot)) exits.delete(event.snapshot.name);
    const exit = finalExitOf(event, restarting, names);
    if (exit === null) return;
    // Re-inserted, so the map's order stays the order of the exits.
    exits.delete(exit.name);
    exits.set(exit.name, exit);
    if (!othersStopped && stopsTheOthers(exit, ci)) {
      othersStopped = true;
      on.stopOthers(exit);
    }
    if (exits.size < names.length) return;
    decided = true;
    const { exitCode, decider } = decide([...exits.values()], ci.success);
    on.allEnded(exitCode, decider?.name ?? null);
  });
}
