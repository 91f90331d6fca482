// `lucidlines restart <name…> | --all`, `lucidlines stop <name…> | --all`, `lucidlines start <name…>`,
// `lucidlines kill <name…> | --all` (SIGKILL to each whole tree at once, for a process that hangs on SIGTERM): sends
// the command to the running instance, waits until each process reports the resulting state (by the id
// the server echoes), prints it, and exits non-zero when a process did not get there.

import { parseArgs } from 'node:util';
import { clientUsageMessage, instanceClosedMessage, unknownProcessesMessage } from '../errors.js';
import type { TargetedAction } from '../protocol.js';
import { reachedGoal, type Settlement, sendAndSettle } from './command-settlement.js';
import { connectToInstance } from './instance-connection.js';
import { type CliIo, EXIT_FAILURE, EXIT_NO_INSTANCE, EXIT_OK, EXIT_USAGE, print } from './io.js';
import { readArgs, URL_OPTION } from './subcommand-args.js';

function describe(settlement: Settlement): string {
  const pid = settlement.pid === null ? '' : ` (pid ${settlement.pid})`;
  const failure = settlement.failure === null ? '' : `: ${settlement.failure}`;
  return `${settlement.name}: ${settlement.status}${pid}${failure}\n`;
}

export async function runControl(io: CliIo, action: TargetedAction, argv: string[]): Promise<number> {
  const parsed = readArgs(action, () =>
    parseArgs({
      args: argv,
      // `start --all` would mostly start what already runs; the processes to start are named.
      options: { ...(action === 'start' ? {} : { all: { type: 'boolean' } as const }), ...URL_OPTION },
      allowPositionals: true,
      strict: true,
    }),
  );
  if (!parsed.ok) {
    print(io.stderr, parsed.message);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed.args;
  const all = 'all' in values && values.all === true;
  if (all === positionals.length > 0) {
    // A bare `lucidlines stop` may have meant a program of that name, which `--` runs as a command.
    const problem = all
      ? '--all and process names do not go together.'
      : `${action === 'start' ? 'Name the processes to start.' : 'Name the processes, or pass --all.'} To run a command named ${action} instead: lucidlines -- ${action}`;
    print(io.stderr, clientUsageMessage(action, problem));
    return EXIT_USAGE;
  }
  const connection = await connectToInstance(io.cwd, values.url);
  if (!connection.ok) {
    print(io.stderr, connection.message);
    return EXIT_NO_INSTANCE;
  }
  const { session } = connection;
  try {
    const known = session.info.processes.map((process) => process.name);
    const unknown = positionals.filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      print(io.stderr, unknownProcessesMessage(unknown, known));
      return EXIT_FAILURE;
    }
    const outcome = await sendAndSettle(session, action, all ? 'all' : [...new Set(positionals)]);
    if (!outcome.ok) {
      print(io.stderr, instanceClosedMessage());
      return EXIT_FAILURE;
    }
    let failed = false;
    for (const settlement of outcome.settlements) {
      const reached = reachedGoal(action, settlement);
      failed ||= !reached;
      print(reached ? io.stdout : io.stderr, describe(settlement));
    }
    return failed ? EXIT_FAILURE : EXIT_OK;
  } finally {
    session.client.close();
  }
}
