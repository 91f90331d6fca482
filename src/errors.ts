// Every message lucidlines shows to a person, in one place so the wording stays consistent. Each message
// says what happened and how to get out of it. All functions are pure and return the text to print.

import { chalkStderr as chalk } from 'chalk';
import type { ConfigProblem, ConfigWarning } from './config.js';

const WIDTH = 80;

interface Message {
  title: string;
  /** What happened. */
  body: string;
  /** How to get out of it; omitted when there is nothing to do. */
  wayOut?: string;
}

function format({ title, body, wayOut }: Message): string {
  const heading = `-- ${title} `.padEnd(WIDTH - ' lucidlines'.length, '-');
  const parts = [chalk.bold.red(heading) + chalk.dim(' lucidlines'), '', body];
  if (wayOut !== undefined) parts.push('', wayOut);
  return `${parts.join('\n')}\n\n`;
}

const command = (text: string) => chalk.cyan(`    ${text}`);

function problemLocation(problem: ConfigProblem): string {
  switch (problem.kind) {
    case 'syntax':
    case 'field':
      return chalk.bold(`${problem.file}:${problem.line}:${problem.column}`);
    case 'flag':
      return chalk.bold(problem.flag);
    default:
      return chalk.bold(problem.file);
  }
}

function problemLine(problem: ConfigProblem): string {
  switch (problem.kind) {
    case 'syntax':
      return `${problemLocation(problem)}  ${problem.message}`;
    case 'field':
      return `${problemLocation(problem)}  ${chalk.yellow(problem.path)} ${problem.message}`;
    case 'flag':
      return `${problemLocation(problem)} ${problem.message}`;
    case 'unreadable':
      return `${problemLocation(problem)}  could not be read: ${problem.message}`;
    case 'missing-file':
      return `${problemLocation(problem)}  does not exist.`;
  }
}

/** One message for all problems, so a single run shows everything that needs fixing. */
export function configProblemsMessage(problems: readonly ConfigProblem[]): string {
  const missing = problems.find((problem) => problem.kind === 'missing-file');
  if (missing !== undefined && problems.length === 1) {
    return format({
      title: 'NO CONFIG FILE',
      body: missing.explicit
        ? `The config file ${chalk.bold(missing.file)} given with --config does not exist.`
        : `There is no ${chalk.bold(missing.file)} in this directory.`,
      wayOut: [
        `Create it with the processes to run, for example:`,
        '',
        chalk.cyan(
          [
            '    {',
            '      "$schema": "./node_modules/lucidlines/schema.json",',
            '      "processes": [{ "name": "web", "command": "npm run dev" }]',
            '    }',
          ].join('\n'),
        ),
        '',
        `or point to another file:`,
        command('lucidlines --config path/to/config.json'),
      ].join('\n'),
    });
  }
  const syntax = problems.some((problem) => problem.kind === 'syntax');
  const count = problems.length === 1 ? 'this problem' : `these ${problems.length} problems`;
  return format({
    title: syntax ? 'CONFIG IS NOT VALID JSON' : 'CONFIG PROBLEMS',
    body: `lucidlines could not start because of ${count}:\n\n${problems.map((p) => `  ${problemLine(p)}`).join('\n')}`,
    wayOut: syntax
      ? 'Fix the JSON at that position (JSON allows no comments and no trailing commas), then run lucidlines again.'
      : 'Fix the fields listed above, then run lucidlines again. The "$schema" field gives your editor completion.',
  });
}

export function configWarningsMessage(warnings: readonly ConfigWarning[]): string {
  const lines = warnings.map(
    (warning) =>
      `  ${chalk.bold(`${warning.file}:${warning.line}:${warning.column}`)}  ${chalk.yellow(warning.path)} ${warning.message}`,
  );
  return `${chalk.yellow('lucidlines: config warnings (still starting):')}\n${lines.join('\n')}\n`;
}

export function portInUseMessage(host: string, port: number): string {
  return format({
    title: 'PORT IN USE',
    body: `Another program is already listening on port ${chalk.bold(String(port))} of ${host}, so the viewer cannot start there.`,
    wayOut: [
      'Stop that program, or choose another port:',
      command(`lucidlines --port ${port === 65_535 ? port - 1 : port + 1}`),
      'or let the system pick a free one:',
      command('lucidlines --port 0'),
      `(or set "port" in the config file).`,
    ].join('\n'),
  });
}

export function listenFailedMessage(host: string, port: number, reason: string): string {
  return format({
    title: 'CANNOT START THE VIEWER',
    body: `The viewer server could not listen on ${chalk.bold(`${host}:${port}`)}: ${reason}`,
    wayOut: [
      'Check that the host is an address of this machine, or use the loopback default:',
      command('lucidlines --host 127.0.0.1'),
    ].join('\n'),
  });
}

export function nonLoopbackWarning(host: string): string {
  return format({
    title: 'VIEWER REACHABLE FROM THE NETWORK',
    body: [
      `The viewer listens on ${chalk.bold(host)}, which other machines can reach. Anyone who can open it`,
      'could read the logs and stop or restart your processes, so a random access token was turned on.',
      'Only the URL printed below (with its ?token=) opens the viewer.',
    ].join('\n'),
    wayOut: [
      'To choose the token yourself, or to keep the viewer on this machine only:',
      command('lucidlines --token <secret>'),
      command('lucidlines --host 127.0.0.1'),
    ].join('\n'),
  });
}

export function unknownFlagMessage(flag: string, suggestion: string | null): string {
  return format({
    title: 'UNKNOWN FLAG',
    body: `lucidlines does not know the flag ${chalk.bold(flag)}.`,
    wayOut: [
      suggestion === null
        ? 'See the flags it knows:'
        : `Did you mean ${chalk.bold(suggestion)}? See all flags with:`,
      command('lucidlines --help'),
    ].join('\n'),
  });
}

export function unknownCommandMessage(argument: string): string {
  return format({
    title: 'UNKNOWN COMMAND',
    body: `lucidlines has no subcommand and takes no arguments, but got ${chalk.bold(JSON.stringify(argument))}.`,
    wayOut: [
      'The processes to run come from the config file. To use another file than lucidlines.config.json:',
      command('lucidlines --config path/to/config.json'),
      'See all flags with:',
      command('lucidlines --help'),
    ].join('\n'),
  });
}

export function openBrowserFailedMessage(url: string, reason: string): string {
  return `${chalk.yellow('lucidlines: could not open a browser')} (${reason}); open ${url} yourself.\n`;
}

export function viewerUrlIntro(version: string, processCount: number): string {
  const processes = processCount === 1 ? '1 process' : `${processCount} processes`;
  return `${chalk.bold(`lucidlines ${version}`)}: running ${processes}; the viewer is at\n`;
}

export function shuttingDownNotice(): string {
  return chalk.dim('lucidlines: stopping all processes (press Ctrl-C again to kill them at once)...\n');
}

export function forcedShutdownNotice(): string {
  return chalk.yellow('lucidlines: killing all processes now.\n');
}

function formatBytes(bytes: number): string {
  if (bytes < 1_000_000) return `${Math.max(1, Math.round(bytes / 1000)).toLocaleString('en')} kB`;
  return `${(bytes / 1_000_000).toLocaleString('en', { maximumFractionDigits: 1 })} MB`;
}

/**
 * One line, printed to the terminal when it reads again after lucidlines had to drop output it did not read.
 * It is plain text: it goes to stdout, whose colour support this module's stderr chalk does not know.
 */
export function terminalOutputDroppedNotice(dropped: { lines: number; bytes: number }): string {
  const lines = dropped.lines === 1 ? '1 line' : `${dropped.lines.toLocaleString('en')} lines`;
  const verb = dropped.lines === 1 ? 'was' : 'were';
  return `lucidlines: ${lines} (${formatBytes(dropped.bytes)}) of output ${verb} not printed here because the terminal did not read in time; open the viewer to see them.\n`;
}

export function unexpectedErrorMessage(error: unknown): string {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return format({
    title: 'UNEXPECTED ERROR',
    body: `This is a bug in lucidlines, not in your setup:\n\n${chalk.dim(detail)}`,
    wayOut: 'Please report it with the text above. Your processes have been asked to stop.',
  });
}

export interface HelpOption {
  /** Like "--port <n>". */
  flags: string;
  description: string;
}

export function helpText(version: string, options: readonly HelpOption[]): string {
  const width = Math.max(...options.map((option) => option.flags.length));
  return [
    `lucidlines ${version}`,
    '',
    'Runs every process of lucidlines.config.json with prefixed output, and serves a live viewer.',
    '',
    'Usage:',
    '  lucidlines [options]',
    '',
    'Options:',
    ...options.map((option) => `  ${option.flags.padEnd(width)}  ${option.description}`),
    '',
    'Exit codes: 0 after Ctrl-C, 1 when the config or the port is unusable, 2 for a wrong command line.',
    '',
  ].join('\n');
}
