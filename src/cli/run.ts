// Runs a plan: the engine, the watchdog guard, the viewer (unless --no-viewer) and the terminal (printer,
// summary, shortcuts), until Ctrl-C, q (or SIGTERM/SIGHUP) stops every process tree, or in CI mode until
// every process has ended. A first stop request stops gracefully, a second kills at once.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import defaultChalk, { Chalk } from 'chalk';
import { attachBehaviours } from '../behaviours/behaviour.js';
import { standardBehaviours } from '../behaviours/standard.js';
import { watchConfig } from '../config/reload.js';
import { runtimeProcesses } from '../config/runtime-processes.js';
import {
  ciResultNotice,
  forcedShutdownNotice,
  listenFailedMessage,
  logFileFailedNotice,
  nonLoopbackWarning,
  openBrowserFailedMessage,
  portInUseMessage,
  shuttingDownNotice,
  stoppingOthersNotice,
  unexpectedErrorMessage,
  unknownProcessNamesMessage,
  viewerOffIntro,
  viewerUrlIntro,
  viewOnlyUrlIntro,
} from '../errors.js';
import { watchFolders } from '../folder-watcher.js';
import { publishInstance } from '../instance-publication.js';
import { attachLogFiles, type LogFiles } from '../output/log-files.js';
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

  let logFiles: LogFiles | null = null;
  let supervisor: Supervisor | null = null;
  let server: RunningServer | null = null;
  let guard: RunGuard | null = null;
  let detachPrinter = () => {};
  let detachBehaviours = () => {};
  let unpublish = () => {};
  let stopCi = () => {};
  let restoreKeyboard: (() => void) | null = null;
  let stopConfigWatch = () => {};
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
    // A view token means nothing while anyone may control without a token, so it brings a control token along.
    if (token === null && settings.viewToken !== null) token = randomBytes(18).toString('base64url');

    // chalk's own detection (NO_COLOR, FORCE_COLOR, a terminal or not) unless --color or --no-color decide.
    const chalk = settings.color === null ? undefined : new Chalk({ level: settings.color ? 1 : 0 });
    const instanceId = newInstanceId();
    supervisor = new Supervisor(processes, engine, { instanceId });
    detachPrinter = attachTerminalPrinter(supervisor, {
      out: io.stdout,
      ...(chalk === undefined ? {} : { chalk }),
      shows: filter.shows,
      timestamps: settings.timestamps,
      raw: settings.raw,
      stripColors: settings.color === false,
      holdOutput: (held) => supervisor?.holdOutput(held ? filter.shows : null),
    });
    if (settings.logDir !== null) {
      logFiles = attachLogFiles(supervisor, {
        dir: path.resolve(projectRoot, settings.logDir),
        format: settings.logFormat,
        maxBytes: settings.logMaxBytes,
        keep: settings.logKeep,
        onFailure: (file, error) => print(io.stderr, logFileFailedNotice(file, error.message)),
      });
    }
    const ci = ciModeOf(settings);
    let ciCode: number | null = null;
    if (ci !== null) {
      stopCi = watchFinalExits(supervisor, names, ci, {
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
          viewToken: settings.viewToken,
          allowedOrigins: settings.allowedOrigins,
          webRoot: path.join(pkg.root, 'dist', 'web'),
          version: pkg.version,
          viewerLines: settings.viewerLines,
          replayLines: settings.replayLines,
          maxClients: settings.maxClients,
          runtimeProcesses: settings.allowRuntimeProcesses
            ? runtimeProcesses(supervisor, {
                // Relative paths mean what they would in the config file; without one, what they would on
                // the command line.
                baseDir:
                  planned.plan.reload === null ? io.cwd : path.dirname(planned.plan.reload.initial.file),
                cwd: io.cwd,
                topLevelEnv: planned.plan.reload?.initial.topLevelEnv ?? {},
              })
            : null,
        },
        supervisor,
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
      unpublish = await publishInstance(projectRoot, server, { wsPath: settings.wsPath, token });
      if (server.viewUrl !== null) print(own, `${viewOnlyUrlIntro()}${server.viewUrl}\n`);
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
    detachBehaviours = attachBehaviours(
      supervisor,
      standardBehaviours({ report: (line) => print(io.stdout, line) }),
    );
    const running = supervisor;
    if (planned.plan.reload !== null) {
      stopConfigWatch = watchConfig({
        ...planned.plan.reload,
        apply: (specs) => running.apply(specs),
        applied: (changes) => running.reportConfigApplied(changes),
        reject: (code, message) => running.reportConfigRejection(code, message),
        cwd: io.cwd,
        watchFolders,
        timers: { setTimeout, clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
        out: (text) => print(io.stdout, text),
        err: (text) => print(io.stderr, text),
      });
    }
    // Shortcuts need a person at a terminal on both ends; in a pipe or CI nothing ever waits for input. They
    // come before the first start, which a process waiting on a failed dependency can hold up indefinitely.
    if (signalCount === 0 && io.stdoutIsTerminal) {
      const onKeys = shortcuts({
        control: supervisor,
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
    // A start held back by its dependencies may wait for as long as a failed dependency stays failed, so
    // the first start must not keep a Ctrl-C from being heard; the shutdown abandons such waits.
    if (signalCount === 0) await Promise.race([supervisor.startAll(), stopRequested]);
    if (signalCount === 0 && !settings.raw) {
      print(own, startupSummary({ processes: supervisor.list(), viewerUrl }, chalk ?? defaultChalk));
    }
    await stopRequested;

    // Behaviours and the config watch stop first, so that none of them starts a process the shutdown stops.
    stopConfigWatch();
    detachBehaviours();
    if (ciCode === null) print(io.stderr, shuttingDownNotice());
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
    stopConfigWatch();
    detachBehaviours();
    print(io.stderr, unexpectedErrorMessage(error));
    await supervisor?.shutdown({ force: true }).catch(() => {});
    await server?.close().catch(() => {});
    return EXIT_FAILURE;
  } finally {
    unpublish();
    // Every path here has stopped the processes (or never started them), so the watchdog may stand down.
    restoreKeyboard?.();
    await guard?.release();
    await logFiles?.close();
    stopCi();
    detachPrinter();
    for (const signal of SHUTDOWN_SIGNALS) io.signals.off(signal, onSignal);
  }
}

const isUp = (snapshot: ProcessSnapshot) => snapshot.status === 'starting' || snapshot.status === 'running';

/**
 * The one place that decides what a final exit is: an exit followed by a new run is not one, whether a
 * restart was asked for (the viewer, a shortcut, a watched file, a config change) or restart-on-failure
 * scheduled one. The `exit` event says the first; the status that settles it carries the second.
 */
function finalExitTracker(names: readonly string[]): (event: SupervisorEvent) => FinalExit | null {
  const restarting = new Set<string>();
  const exitedAt = new Map<string, number>();
  return (event) => {
    if (event.kind === 'exit') {
      if (event.restarting) restarting.add(event.name);
      else restarting.delete(event.name);
      exitedAt.set(event.name, event.exitedAt);
      return null;
    }
    if (event.kind !== 'status') return null;
    const { name, status, exitCode, facts } = event.snapshot;
    if (status !== 'stopped' && status !== 'error') return null;
    if (restarting.delete(name) || facts.restartAt !== undefined) return null;
    // A process that never ran (its dependency failed) has no exit event: it ended when it was given up.
    return { name, index: names.indexOf(name), exitCode, exitedAt: exitedAt.get(name) ?? event.timestamp };
  };
}

/**
 * CI mode: keeps each process's final exit (a process started again is up again, so its exit is dropped),
 * stops the others when the mode says so, and once every process is down, decides the exit code.
 */
function watchFinalExits(
  control: Pick<ProcessControl, 'subscribe'>,
  names: readonly string[],
  ci: CiMode,
  on: { stopOthers: (exit: FinalExit) => void; allEnded: (code: number, decider: string | null) => void },
): () => void {
  const exits = new Map<string, FinalExit>();
  let othersStopped = false;
  let decided = false;
  const finalExitOf = finalExitTracker(names);
  return control.subscribe((event) => {
    if (decided) return;
    if (event.kind === 'status' && isUp(event.snapshot)) exits.delete(event.snapshot.name);
    const exit = finalExitOf(event);
    // A process added at run time (or by a config reload) is not one the run started with: counting its exit
    // would decide the run while one of those still runs.
    if (exit === null || !names.includes(exit.name)) return;
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
