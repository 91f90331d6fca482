// `lucidlines logs [name…] [--lines N] [--follow] [--grep <regex>] [--no-color] [--html]`: the scrollback of
// the running instance (and with --follow, its live output), with the terminal's prefixes; or with --html, one
// process's log as a standalone page.

import { parseArgs } from 'node:util';
import { Chalk } from 'chalk';
import {
  clientUsageMessage,
  invalidGrepMessage,
  olderOutputFailedMessage,
  unknownProcessesMessage,
} from '../errors.js';
import { renderLogHtml } from '../output/html-export.js';
import type { OutputChunk, ProcessSnapshot, SupervisorListener } from '../process/events.js';
import type { InfoMessage, ProcessOutputMessage } from '../protocol.js';
import { lastLines } from '../server/read-api.js';
import { attachTerminalPrinter } from '../terminal/printer.js';
import { connectToInstance } from './instance-connection.js';
import { type CliIo, EXIT_FAILURE, EXIT_NO_INSTANCE, EXIT_OK, EXIT_USAGE, print } from './io.js';
import { LineCollector, type LogLine, plainLine } from './log-lines.js';
import { withOlderOutput } from './older-output.js';
import { readArgs, URL_OPTION } from './subcommand-args.js';

const OPTIONS = {
  lines: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  grep: { type: 'string' },
  'no-color': { type: 'boolean' },
  html: { type: 'boolean' },
  ...URL_OPTION,
} as const;

const FOLLOW_STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface LogsOptions {
  names: string[];
  lines: number | null;
  follow: boolean;
  grep: RegExp | null;
  color: boolean;
  html: boolean;
  url: string | undefined;
}

type Options = { ok: true; options: LogsOptions } | { ok: false; message: string };

function readOptions(argv: string[]): Options {
  const parsed = readArgs('logs', () =>
    parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }),
  );
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.args;
  let lines: number | null = null;
  if (values.lines !== undefined) {
    lines = /^[0-9]{1,9}$/.test(values.lines) ? Number(values.lines) : 0;
    if (lines < 1)
      return { ok: false, message: clientUsageMessage('logs', '--lines takes a whole number from 1.') };
  }
  let grep: RegExp | null = null;
  if (values.grep !== undefined) {
    try {
      grep = new RegExp(values.grep);
    } catch (error) {
      return { ok: false, message: invalidGrepMessage(values.grep, (error as Error).message) };
    }
  }
  const html = values.html === true;
  if (html && (values.follow === true || grep !== null)) {
    return {
      ok: false,
      message: clientUsageMessage(
        'logs',
        '--html writes a page of the log as it is: it goes without --follow and --grep.',
      ),
    };
  }
  return {
    ok: true,
    options: {
      names: [...new Set(positionals)],
      lines,
      follow: values.follow === true,
      grep,
      color: values['no-color'] !== true,
      html,
      url: values.url,
    },
  };
}

/** The terminal printer, driven by lines from the protocol instead of by the engine: the same prefixes. */
function linePrinter(
  io: CliIo,
  info: InfoMessage,
  color: boolean,
): { print(line: LogLine): void; detach(): void } {
  let listener: SupervisorListener = () => {};
  const snapshots: ProcessSnapshot[] = info.processes.map((process) => ({
    name: process.name,
    command: process.command,
    status: process.status,
    pid: process.pid ?? null,
    exitCode: process.exitCode ?? null,
    signal: process.signal ?? null,
    restarts: process.restarts ?? 0,
    startedAt: process.startedAt ?? null,
    run: 0,
    reason: null,
    facts: {},
  }));
  const detach = attachTerminalPrinter(
    {
      list: () => snapshots,
      subscribe: (next) => {
        listener = next;
        return () => {};
      },
    },
    {
      out: io.stdout,
      ...(color ? {} : { chalk: new Chalk({ level: 0 }), stripColors: true }),
      // A client writes what was asked for; dropping lines under a slow pipe would make `logs | less` lie.
      maxQueuedBytes: Number.POSITIVE_INFINITY,
    },
  );
  let seq = 0;
  return {
    print(line) {
      const chunk: OutputChunk = {
        name: line.name,
        stream: line.stream,
        text: `${line.text}\n`,
        timestamp: line.timestamp,
        seq: ++seq,
      };
      listener({ kind: 'output', chunk });
    },
    detach,
  };
}

function htmlPage(name: string, replay: readonly ProcessOutputMessage[], lines: number | null): string {
  const chunks: OutputChunk[] = replay
    .filter((message) => message.name === name)
    .map((message, index) => ({
      name,
      stream: message.stream ?? 'stdout',
      text: message.output,
      timestamp: message.timestamp,
      seq: index,
    }));
  return renderLogHtml({ name, chunks: lines === null ? chunks : lastLines(chunks, lines) });
}

export async function runLogs(io: CliIo, argv: string[]): Promise<number> {
  const read = readOptions(argv);
  if (!read.ok) {
    print(io.stderr, read.message);
    return EXIT_USAGE;
  }
  const { options } = read;
  const connection = await connectToInstance(io.cwd, options.url);
  if (!connection.ok) {
    print(io.stderr, connection.message);
    return EXIT_NO_INSTANCE;
  }
  const { client, info } = connection.session;
  // Live output that arrives while older output is paged in is kept, for --follow to print after it.
  const arrivedLive: ProcessOutputMessage[] = [];
  const offArrivedLive = client.on('process', (message) => {
    if (message.replay !== true) arrivedLive.push(message);
  });
  const known = info.processes.map((process) => process.name);
  const unknown = options.names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    client.close();
    print(io.stderr, unknownProcessesMessage(unknown, known));
    return EXIT_FAILURE;
  }
  const wanted = (name: string) => options.names.length === 0 || options.names.includes(name);

  if (options.html) {
    const [name, ...others] = options.names.length > 0 ? options.names : known;
    if (name === undefined || others.length > 0) {
      client.close();
      print(io.stderr, clientUsageMessage('logs', '--html writes the page of one process: name it.'));
      return EXIT_USAGE;
    }
    const scrollback = await withOlderOutput(client, connection.session.replay, [name], options.lines);
    client.close();
    if (!scrollback.ok) {
      print(io.stderr, olderOutputFailedMessage(scrollback.message));
      return EXIT_FAILURE;
    }
    print(io.stdout, htmlPage(name, scrollback.messages, options.lines));
    return EXIT_OK;
  }

  // History (issue 15): the replay holds only the newest `replayLines` lines per process; what the user asked
  // for may reach further back, so the rest of the retained output is paged in first. With --grep every line
  // may match, so all of it is needed; otherwise --lines says how far back is enough.
  const older = await withOlderOutput(
    client,
    connection.session.replay,
    known.filter(wanted),
    options.grep === null ? options.lines : null,
  );
  if (!older.ok) {
    client.close();
    print(io.stderr, olderOutputFailedMessage(older.message));
    return EXIT_FAILURE;
  }
  const replay = older.messages;

  const selected = (line: LogLine) =>
    wanted(line.name) && (options.grep === null || options.grep.test(plainLine(line)));
  const printer = linePrinter(io, info, options.color);
  const collector = new LineCollector();
  const scrollback = [
    ...replay.flatMap((message) => collector.push(message)),
    ...collector.flush(Date.now()),
  ];
  const shown = scrollback.filter(selected);
  for (const line of options.lines === null ? shown : shown.slice(-options.lines)) printer.print(line);

  if (!options.follow) {
    client.close();
    printer.detach();
    return EXIT_OK;
  }
  // Live output until Ctrl-C, or until the instance goes away.
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  offArrivedLive();
  const printLive = (message: ProcessOutputMessage) => {
    for (const line of collector.push(message)) if (selected(line)) printer.print(line);
  };
  for (const message of arrivedLive) printLive(message);
  client.on('process', printLive);
  client.on('close', stop);
  for (const signal of FOLLOW_STOP_SIGNALS) io.signals.on(signal, stop);
  await stopped;
  for (const signal of FOLLOW_STOP_SIGNALS) io.signals.off(signal, stop);
  client.close();
  printer.detach();
  return EXIT_OK;
}
