// The `lucidlines` command: reads the command line and hands it to the subcommand it names, or runs
// processes (from the config, from discovery, or given on the command line). Returns the exit code instead
// of exiting, so it can be driven by tests and so pending output is flushed by a normal exit.

import { CLIENT_SUBCOMMANDS, type ClientSubcommandName, classify } from './cli/command.js';
import { type CliIo, defaultIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, findPackage, print } from './cli/io.js';
import { planFromCommands, planFromConfigOrDiscovery } from './cli/plan.js';
import { runProcesses } from './cli/run.js';
import { FLAG_HELP, parseCommandLine } from './config/flags.js';
import {
  clientSubcommandNotFirstMessage,
  flagNotApplicableMessage,
  helpText,
  subcommandTypoMessage,
  switchWithValueMessage,
  unexpectedArgumentMessage,
  unexpectedErrorMessage,
  unknownFlagMessage,
} from './errors.js';

export type { CliIo, SignalSource } from './cli/io.js';

/**
 * A client of the running instance. Each is loaded only when asked for, with its libraries: every launch of
 * `lucidlines` itself paid for loading them (the HTML export's renderer alone took about 20 ms).
 */
async function runClientSubcommand(
  io: CliIo,
  subcommand: ClientSubcommandName,
  argv: string[],
): Promise<number> {
  switch (subcommand) {
    case 'status': {
      const { runStatus } = await import('./cli/status.js');
      return runStatus(io, argv);
    }
    case 'logs': {
      const { runLogs } = await import('./cli/logs.js');
      return runLogs(io, argv);
    }
    case 'restart':
    case 'start':
    case 'stop':
    case 'kill': {
      const { runControl } = await import('./cli/control.js');
      return runControl(io, subcommand, argv);
    }
    case 'mcp': {
      const { runMcp } = await import('./cli/mcp.js');
      return runMcp(io, argv);
    }
  }
}

export async function run(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...defaultIo(), ...ioOverrides };
  // Writing to a closed pipe must not crash lucidlines before it has stopped its processes.
  const ignoreWriteError = () => {};
  io.stderr.on?.('error', ignoreWriteError);
  try {
    const [first, ...rest] = argv;
    const client = CLIENT_SUBCOMMANDS.find((name) => name === first);
    if (client !== undefined) return await runClientSubcommand(io, client, rest);
    const parsed = parseCommandLine(argv);
    const pkg = findPackage();
    switch (parsed.kind) {
      case 'unknown-flag':
        print(io.stderr, unknownFlagMessage(parsed.flag, parsed.suggestion));
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
    const command = classify(parsed.flags, parsed.positionals, parsed.afterDashDash);
    switch (command.kind) {
      case 'client-subcommand-not-first':
        print(io.stderr, clientSubcommandNotFirstMessage(command.subcommand));
        return EXIT_USAGE;
      case 'typo':
        print(io.stderr, subcommandTypoMessage(command.word, command.subcommand));
        return EXIT_USAGE;
      case 'unexpected-argument':
        print(io.stderr, unexpectedArgumentMessage(command.subcommand, command.argument));
        return EXIT_USAGE;
      case 'flag-not-applicable':
        print(io.stderr, flagNotApplicableMessage(command.flag, command.mode, command.usedWith));
        return EXIT_USAGE;
      case 'init': {
        const { runInit } = await import('./cli/init.js');
        return await runInit(io, command.flags);
      }
      case 'commands':
        return await runProcesses(io, pkg, () => planFromCommands(io.cwd, command.flags, command.commands));
      case 'run':
        return await runProcesses(io, pkg, () => planFromConfigOrDiscovery(io.cwd, command.flags));
    }
    command satisfies never;
    throw new Error('Every kind of command is handled above.');
  } catch (error) {
    print(io.stderr, unexpectedErrorMessage(error));
    return EXIT_FAILURE;
  } finally {
    io.stderr.off?.('error', ignoreWriteError);
  }
}
