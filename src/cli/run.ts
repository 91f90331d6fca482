// Runs a plan: the engine, the watchdog guard and the viewer, until Ctrl-C (or SIGTERM/SIGHUP) stops every
// process tree. A first signal stops gracefully, a second kills at once.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { attachBehaviours } from '../behaviours/behaviour.js';
import { standardBehaviours } from '../behaviours/standard.js';
import {
  forcedShutdownNotice,
  listenFailedMessage,
  logFileFailedNotice,
  nonLoopbackWarning,
  openBrowserFailedMessage,
  portInUseMessage,
  shuttingDownNotice,
  unexpectedErrorMessage,
  viewerUrlIntro,
} from '../errors.js';
import { publishInstance } from '../instance-publication.js';
import { attachLogFiles, type LogFiles } from '../output/log-files.js';
import { newInstanceId } from '../process/marker.js';
import { Supervisor } from '../process/supervisor.js';
import type { RunGuard } from '../process/watchdog-guard.js';
import { isLoopbackHost, type RunningServer, startServer } from '../server/server.js';
import { attachTerminalPrinter } from '../terminal.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, print } from './io.js';
import type { Planned } from './plan.js';

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
  try {
    const planned = await makePlan();
    if (planned.kind === 'refused') {
      print(io.stderr, planned.message);
      return planned.code;
    }
    const { processes, settings, engine, projectRoot, summary, notices } = planned.plan;
    for (const notice of notices) print(io.stderr, notice);
    if (signalCount > 0) return EXIT_OK;
    if (summary !== null) print(io.stdout, summary);

    let token = settings.token;
    if (token === null && !isLoopbackHost(settings.host)) {
      token = randomBytes(18).toString('base64url');
      print(io.stderr, nonLoopbackWarning(settings.host));
    }

    const instanceId = newInstanceId();
    supervisor = new Supervisor(processes, engine, { instanceId });
    detachPrinter = attachTerminalPrinter(supervisor, { out: io.stdout });
    if (settings.logDir !== null) {
      logFiles = attachLogFiles(supervisor, {
        dir: path.resolve(projectRoot, settings.logDir),
        format: settings.logFormat,
        maxBytes: settings.logMaxBytes,
        keep: settings.logKeep,
        onFailure: (file, error) => print(io.stderr, logFileFailedNotice(file, error.message)),
      });
    }
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
    print(io.stdout, viewerUrlIntro(pkg.version, processes.length));
    print(io.stdout, `${server.url}\n`);
    unpublish = await publishInstance(projectRoot, server, { wsPath: settings.wsPath, token });
    if (settings.open) {
      const failure = await io.openInBrowser(server.url);
      if (failure !== null) print(io.stderr, openBrowserFailedMessage(server.url, failure));
    }

    // The guard comes after the URL, which it does not need, so the URL appears sooner; it still comes before
    // any child is spawned, which is what the leftover sweep and the watchdog need.
    guard = await io.guardRun({ projectRoot, instanceId, killTimeoutMs: engine.killTimeoutMs }, supervisor);
    for (const notice of guard.notices) print(io.stderr, notice);
    detachBehaviours = attachBehaviours(supervisor, standardBehaviours());
    if (signalCount === 0) await supervisor.startAll();
    await stopRequested;

    // Behaviours stop first, so that none of them restarts a process the shutdown is stopping.
    detachBehaviours();
    print(io.stderr, shuttingDownNotice());
    const running = supervisor;
    let forced: Promise<void> = Promise.resolve();
    onForceRequest = () => {
      print(io.stderr, forcedShutdownNotice());
      forced = running.shutdown({ force: true });
    };
    if (signalCount >= 2) onForceRequest();
    await running.shutdown();
    await forced;
    await server.close();
    return EXIT_OK;
  } catch (error) {
    detachBehaviours();
    print(io.stderr, unexpectedErrorMessage(error));
    await supervisor?.shutdown({ force: true }).catch(() => {});
    await server?.close().catch(() => {});
    return EXIT_FAILURE;
  } finally {
    unpublish();
    // Every path here has stopped the processes (or never started them), so the watchdog may stand down.
    await guard?.release();
    await logFiles?.close();
    detachPrinter();
    for (const signal of SHUTDOWN_SIGNALS) io.signals.off(signal, onSignal);
  }
}
