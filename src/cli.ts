// The `lucidlines` command: reads the config, runs the processes, serves the viewer, and on Ctrl-C (or
// SIGTERM/SIGHUP) stops every process tree before returning. Returns the exit code instead of exiting, so
// it can be driven by tests and so pending output is flushed by a normal exit.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLAG_HELP, parseCommandLine } from './config/flags.js';
import { loadConfig } from './config/load.js';
import {
  configProblemsMessage,
  configWarningsMessage,
  forcedShutdownNotice,
  helpText,
  listenFailedMessage,
  nonLoopbackWarning,
  openBrowserFailedMessage,
  portInUseMessage,
  shuttingDownNotice,
  switchWithValueMessage,
  unexpectedErrorMessage,
  unknownCommandMessage,
  unknownFlagMessage,
  viewerUrlIntro,
} from './errors.js';
import { newInstanceId } from './process/marker.js';
import { Supervisor } from './process/supervisor.js';
import { type GuardRun, guardRun, type RunGuard } from './process/watchdog-guard.js';
import { isLoopbackHost, type RunningServer, startServer } from './server/server.js';
import { attachTerminalPrinter, type TerminalOutput } from './terminal.js';

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface CliIo {
  stdout: TerminalOutput;
  stderr: TerminalOutput;
  cwd: string;
  signals: SignalSource;
  /** Opens the URL in the default browser; resolves to the reason when that failed, null otherwise. */
  openInBrowser: (url: string) => Promise<string | null>;
  /** Stops what killed earlier runs left behind, and makes sure this run leaves nothing behind either. */
  guardRun: GuardRun;
}

/** The installed package's root, found from this file so it works from src/ (tsx), dist/ and node_modules. */
function findPackage(): { root: string; version: string } {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'lucidlines' && typeof manifest.version === 'string') {
        return { root: dir, version: manifest.version };
      }
    } catch {
      // No readable package.json here; keep climbing.
    }
    if (path.dirname(dir) === dir)
      throw new Error(`The package.json of lucidlines was not found above ${start}.`);
  }
}

function openInDefaultBrowser(url: string): Promise<string | null> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
      child.once('error', (error) => resolve(`${command}: ${error.message}`));
      child.once('spawn', () => {
        child.unref();
        resolve(null);
      });
    } catch (error) {
      resolve((error as Error).message);
    }
  });
}

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    signals: process,
    openInBrowser: openInDefaultBrowser,
    guardRun,
  };
}

export async function run(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...defaultIo(), ...ioOverrides };
  // Writing to a closed pipe must not crash lucidlines before it has stopped its processes.
  const ignoreWriteError = () => {};
  io.stderr.on?.('error', ignoreWriteError);
  const print = (stream: TerminalOutput, text: string) => {
    try {
      stream.write(text);
    } catch {
      // The terminal is gone; there is nobody left to tell.
    }
  };

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
  try {
    const parsed = parseCommandLine(argv);
    const pkg = findPackage();
    switch (parsed.kind) {
      case 'unknown-flag':
        print(io.stderr, unknownFlagMessage(parsed.flag, parsed.suggestion));
        return EXIT_USAGE;
      case 'unexpected-argument':
        print(io.stderr, unknownCommandMessage(parsed.argument));
        return EXIT_USAGE;
      case 'switch-with-value':
        print(io.stderr, switchWithValueMessage(parsed.flag));
        return EXIT_USAGE;
      case 'help':
        print(io.stdout, helpText(pkg.version, FLAG_HELP));
        return EXIT_OK;
      case 'version':
        print(io.stdout, `${pkg.version}\n`);
        return EXIT_OK;
    }

    const loaded = await loadConfig({ cwd: io.cwd, flags: parsed.flags });
    if (loaded.warnings.length > 0)
      print(io.stderr, configWarningsMessage(loaded.warnings, loaded.omitted.warnings));
    if (!loaded.ok) {
      print(io.stderr, configProblemsMessage(loaded.problems, loaded.omitted.problems));
      return loaded.problems.some((problem) => problem.kind === 'flag') ? EXIT_USAGE : EXIT_FAILURE;
    }
    if (signalCount > 0) return EXIT_OK;
    const { settings, processes, engine } = loaded.config;

    let token = settings.token;
    if (token === null && !isLoopbackHost(settings.host)) {
      token = randomBytes(18).toString('base64url');
      print(io.stderr, nonLoopbackWarning(settings.host));
    }

    const instanceId = newInstanceId();
    supervisor = new Supervisor(processes, engine, { instanceId });
    detachPrinter = attachTerminalPrinter(supervisor, { out: io.stdout });
    guard = await io.guardRun(
      { projectRoot: path.dirname(loaded.config.file), instanceId, killTimeoutMs: engine.killTimeoutMs },
      supervisor,
    );
    for (const notice of guard.notices) print(io.stderr, notice);

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
    if (settings.open) {
      const failure = await io.openInBrowser(server.url);
      if (failure !== null) print(io.stderr, openBrowserFailedMessage(server.url, failure));
    }

    if (signalCount === 0) await supervisor.startAll();
    await stopRequested;

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
    print(io.stderr, unexpectedErrorMessage(error));
    await supervisor?.shutdown({ force: true }).catch(() => {});
    await server?.close().catch(() => {});
    return EXIT_FAILURE;
  } finally {
    // Every path here has stopped the processes (or never started them), so the watchdog may stand down.
    await guard?.release();
    detachPrinter();
    for (const signal of SHUTDOWN_SIGNALS) io.signals.off(signal, onSignal);
    io.stderr.off?.('error', ignoreWriteError);
  }
}
