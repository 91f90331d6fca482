// The messages lucidlines prints for a person (problems, notices, help) and the reasons it gives when a
// process fails, in one place so the wording stays consistent. Each says what happened and, where there
// is one, the way out. All functions are pure and return the text.
//
// Two kinds of wording live elsewhere on purpose: the one-word statuses and their terminal phrasing
// (src/terminal/, web/view-sidebar.ts), which are display rather than messages; and the protocol's replies to
// clients (src/server/: `error` texts, close reasons, refused upgrades), which are part of the protocol
// documented in docs/protocol.md and are read by programs as much as by people.

import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { chalkStderr as chalk } from 'chalk';
import type { Discovery } from './config/discover.js';
import type { EnvFileFailure } from './config/env-files.js';
import type { FlagHelp } from './config/flags.js';
import type { ConfigProblem, ConfigWarning } from './config/problems.js';

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
    case 'env-file':
      return chalk.bold(problem.failure.file);
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
    case 'env-file':
      return envFailureLines(problem.failure).join('\n  ');
  }
}

/** The line that stands for everything beyond the reporting cap, so the user knows the list is not whole. */
function notShown(count: number | 'some', what: string): string[] {
  if (count === 0) return [];
  return [`  ${chalk.dim(`… and ${count === 'some' ? 'more' : `${count} more`} ${what} not shown.`)}`];
}

/** One message for all problems, so a single run shows everything that needs fixing. */
/** `more` says that problems beyond these exist; they were neither collected nor counted. */
export function configProblemsMessage(problems: readonly ConfigProblem[], more = false): string {
  const envFiles = problems.flatMap((problem) => (problem.kind === 'env-file' ? [problem.failure] : []));
  if (envFiles.length > 0 && envFiles.length === problems.length) return envFileProblemsMessage(envFiles);
  const missing = problems.find((problem) => problem.kind === 'missing-file');
  if (missing !== undefined && problems.length === 1) {
    const lookedFor = missing.lookedFor.map((name) => chalk.bold(name)).join(' or ');
    return format({
      title: 'NO CONFIG FILE',
      body: missing.explicit
        ? `The config file ${chalk.bold(missing.file)} given with --config does not exist.`
        : `There is no ${lookedFor} in this folder or above it, up to the repository root.`,
      wayOut: [
        `Create ${chalk.bold('lucidlines.config.json')} with the processes to run, for example:`,
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
  const count = more
    ? `more than ${problems.length} problems, the first of which are`
    : problems.length === 1
      ? 'this problem'
      : `these ${problems.length} problems`;
  const lines = [...problems.map((p) => `  ${problemLine(p)}`), ...notShown(more ? 'some' : 0, 'problems')];
  return format({
    title: syntax ? 'CONFIG IS NOT VALID JSON' : 'CONFIG PROBLEMS',
    body: `lucidlines could not start because of ${count}:\n\n${lines.join('\n')}`,
    wayOut: syntax
      ? 'Fix the text at that position, then run lucidlines again. The config is JSON with comments (// and /* */) and trailing commas allowed.'
      : 'Fix the fields listed above, then run lucidlines again. The "$schema" field gives your editor completion.',
  });
}

export function configWarningsMessage(warnings: readonly ConfigWarning[], omitted = 0): string {
  const lines = warnings.map(
    (warning) =>
      `  ${chalk.bold(`${warning.file}:${warning.line}:${warning.column}`)}  ${chalk.yellow(warning.path)} ${warning.message}`,
  );
  return `${chalk.yellow('lucidlines: config warnings (still starting):')}\n${[...lines, ...notShown(omitted, 'warnings')].join('\n')}\n`;
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

export function switchWithValueMessage(flag: string): string {
  return format({
    title: 'WRONG FLAG',
    body: `The flag ${chalk.bold(flag.split('=')[0] ?? flag)} is a switch and takes no value.`,
    wayOut: [
      `Write ${chalk.bold(flag)} alone (or its ${chalk.bold('--no-')} form). See all flags with:`,
      command('lucidlines --help'),
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

export function unexpectedArgumentMessage(subcommand: string, argument: string): string {
  return format({
    title: 'UNEXPECTED ARGUMENT',
    body: `lucidlines ${subcommand} takes no arguments, but got ${chalk.bold(JSON.stringify(argument))}.`,
    wayOut: ['See how each command is used:', command('lucidlines --help')].join('\n'),
  });
}

/** A word one typo away from a subcommand: most likely the subcommand, so it is not run as a shell command. */
export function subcommandTypoMessage(word: string, subcommand: string): string {
  return format({
    title: 'UNKNOWN SUBCOMMAND',
    body: `lucidlines has no subcommand ${chalk.bold(word)}.`,
    wayOut: [
      `Did you mean ${chalk.bold(`lucidlines ${subcommand}`)}? To run ${chalk.bold(word)} as a shell command instead, put -- before it:`,
      command(`lucidlines -- ${word}`),
    ].join('\n'),
  });
}

/** A flag that means nothing in the mode the command line chose; ignoring it would hide a mistake. */
export function flagNotApplicableMessage(flag: string, mode: string, usedWith: string): string {
  return format({
    title: 'FLAG DOES NOT APPLY',
    body: `${chalk.bold(flag)} does nothing ${mode}.`,
    wayOut: [`It is used ${usedWith}. See how each command is used:`, command('lucidlines --help')].join(
      '\n',
    ),
  });
}

export function adHocNamesMessage(problem: string): string {
  return format({
    title: 'WRONG --names',
    body: `--names ${problem}`,
    wayOut: [
      'Give one name per command, separated by commas, in the order of the commands:',
      command('lucidlines --names web,api "npm run dev" "node api.js"'),
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

/** Printed when a process first announces a URL, so it can be opened from the terminal. */
export function detectedUrlLine(name: string, url: string): string {
  return `${name} → ${url}`;
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

export function helpText(version: string, options: readonly FlagHelp[]): string {
  const width = Math.max(...options.map((option) => option.flags.length));
  return [
    `lucidlines ${version}`,
    '',
    'Runs dev processes with prefixed output, and serves a live viewer.',
    '',
    'Usage:',
    '  lucidlines [options]                   the processes of lucidlines.config.json, found in this folder',
    '                                         or above it up to the repository root; with no config file,',
    '                                         the "dev" script of every workspace package',
    '  lucidlines [options] "<command>"...    these shell commands (-- before them always means commands)',
    '  lucidlines init [--force]              write lucidlines.config.json from what would run',
    '  lucidlines status [--json]             the running instance of this project: every process',
    '  lucidlines logs [name…] [--follow]     its scrollback (--lines N, --grep <re>, --no-color, --html)',
    '  lucidlines restart|stop|kill <name…>   act and wait for it (--all: every one; also start <name…>)',
    '  lucidlines mcp                         an MCP server on stdio for coding agents',
    '',
    'Options:',
    ...options.map((option) => `  ${option.flags.padEnd(width)}  ${option.description}`),
    '',
    'Exit codes: 0 after Ctrl-C, 1 when the config or the port is unusable, 2 for a wrong command line,',
    '3 when status, logs, restart, start or stop find no running lucidlines.',
    '',
  ].join('\n');
}

/** A config file is where init would write; replacing a hand-edited file must be asked for. */
export function initWouldOverwriteMessage(file: string): string {
  return format({
    title: 'CONFIG FILE EXISTS',
    body: `${chalk.bold(file)} already exists, and lucidlines init does not overwrite it unless told to.`,
    wayOut: ['To replace it with what lucidlines finds now:', command('lucidlines init --force')].join('\n'),
  });
}

export function initWriteFailedMessage(file: string, reason: string): string {
  return format({
    title: 'CANNOT WRITE THE CONFIG FILE',
    body: `lucidlines init could not write ${chalk.bold(file)}: ${reason}`,
    wayOut: 'Check that the folder is writable by you, then run lucidlines init again.',
  });
}

/** What init wrote, and whether it came from discovery or is a starter to fill in. */
export function initWroteMessage(file: string, text: string, from: 'discovery' | 'starter'): string {
  const intro =
    from === 'discovery'
      ? `${chalk.bold('lucidlines:')} wrote ${chalk.bold(file)} with the processes it found:`
      : `${chalk.bold('lucidlines:')} found no script to run, so it wrote a starter to fill in, ${chalk.bold(file)}:`;
  return [
    intro,
    '',
    text.trimEnd(),
    '',
    chalk.dim('Edit it as you like (comments are allowed), then run:'),
    command('lucidlines'),
    '',
  ].join('\n');
}

/** The reason a process cannot start because an env file of its own is missing; the others still start. */
export function missingEnvFileReason(name: string, files: readonly string[]): string {
  const which = files.length === 1 ? `its env file ${files[0]} does` : `its env files ${files.join(', ')} do`;
  return processCouldNotStartMessage(
    name,
    `${which} not exist. Create it, or fix "envFile" for "${name}" in the config.`,
  );
}

// What happened to one process: plain text, because it reaches the terminal and every client (as the
// `message` of an `error`) alike.

export function processCouldNotStartMessage(name: string, reason: string): string {
  return `Process "${name}" could not be started: ${reason}`;
}

export function shellCouldNotRunMessage(name: string, command: string, code: number): string {
  return processCouldNotStartMessage(
    name,
    `the shell could not find or run "${command}" (exit code ${code}). Check the command in the config.`,
  );
}

export function processExitedMessage(name: string, code: number | null, signal: string | null): string {
  return code !== null
    ? `Process "${name}" exited with code ${code}.`
    : `Process "${name}" was killed by signal ${signal ?? 'unknown'}.`;
}

/** restart-on-failure stopped restarting a process that kept failing; it stays in `error`. */
export function restartsExhaustedMessage(name: string, restarts: number): string {
  return (
    `Process "${name}" failed again after ${restarts} automatic restart${restarts === 1 ? '' : 's'} in a row, ` +
    `so it is no longer restarted ("maxRestarts"). Fix the cause and restart it from the viewer, ` +
    `or raise "maxRestarts" for "${name}" in the config.`
  );
}

/** The reason a process could not start because its working directory is missing; the others still start. */
export function missingWorkingDirectoryMessage(name: string, cwd: string): string {
  return processCouldNotStartMessage(
    name,
    `its working directory ${cwd} does not exist. Create it, or fix "cwd" for "${name}" in the config.`,
  );
}

const MAX_COMMAND_SHOWN = 60;

/**
 * Cuts a long command line in the middle: its start says which program runs and its end usually names the
 * script, while the middle is most often a long path that tells the two processes apart least.
 */
function shortenCommand(command: string): string {
  if (command.length <= MAX_COMMAND_SHOWN) return command;
  const head = Math.floor((MAX_COMMAND_SHOWN - 1) / 3);
  return `${command.slice(0, head)}…${command.slice(command.length - (MAX_COMMAND_SHOWN - 1 - head))}`;
}

/**
 * One line naming every process that stopping a process also stopped outside its tree (found by its run
 * marker or because it still held the output pipes), so nothing disappears silently.
 */
export function sweptProcessesLine(
  processes: readonly { pid: number; command: string; foundBy: 'marker' | 'pipe' }[],
): string {
  const names = processes.map(({ pid, command, foundBy }) => {
    const shown = shortenCommand(command);
    const how = foundBy === 'marker' ? 'it carried its run marker' : 'it held its output';
    return `${pid}${shown === '' ? '' : ` "${shown}"`} (${how})`;
  });
  const count = processes.length === 1 ? '1 process' : `${processes.length} processes`;
  return `also stopped ${count} that had left its process tree: ${names.join(', ')}. To keep one running, start it with LUCIDLINES_KEEP=1 in its environment.`;
}

/** Printed before starting what discovery found, so a person sees what runs and how to pin it down. */
export function discoveredProcessesMessage(found: Extract<Discovery, { kind: 'found' }>): string {
  const { root, packageManager, processes } = found;
  const count = processes.length === 1 ? '1 process' : `${processes.length} processes`;
  const chosenBy =
    packageManager.source === 'default' ? 'no lockfile found' : `from the ${packageManager.source}`;
  const rows = processes.map((process) => ({
    cells: [process.name, process.packageName, path.relative(root, process.cwd) || '.'],
    run: process.command,
    renamed: process.renamed === true,
  }));
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row.cells[column]?.length ?? 0)));
  const pad = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0));
  const lines = rows.map(({ cells, run, renamed }) => {
    const [name = '', ...rest] = pad(cells);
    const note = renamed ? chalk.yellow('  renamed: another package has the same short name') : '';
    return `  ${[chalk.bold(name), ...rest, run].join('  ')}${note}`;
  });
  return [
    `${chalk.bold('lucidlines:')} no config file, so it runs the ${count} found in ${chalk.bold(root)} (${packageManager.name}: ${chosenBy}):`,
    ...lines,
    chalk.dim('To keep this list and change it, save it as lucidlines.config.json:'),
    command('lucidlines init'),
    '',
  ].join('\n');
}

export function nothingToRunMessage(nothing: Extract<Discovery, { kind: 'nothing' }>): string {
  return format({
    title: 'NOTHING TO RUN',
    body: [
      `There is no lucidlines.config.json, and lucidlines found no script to run in ${chalk.bold(nothing.root)}.`,
      'It looked for:',
      ...nothing.lookedFor.map((item) => `  - ${item}`),
    ].join('\n'),
    wayOut: [
      'Write a config file to fill in with the commands to run:',
      command('lucidlines init'),
      'or create lucidlines.config.json yourself:',
      chalk.cyan('    { "processes": [{ "name": "web", "command": "npm run dev" }] }'),
    ].join('\n'),
  });
}

export function discoveryProblemMessage(problem: Extract<Discovery, { kind: 'problem' }>): string {
  return format({
    title: 'CANNOT READ THE WORKSPACE',
    body: `With no config file, lucidlines reads the repository to find its dev scripts, but ${chalk.bold(problem.file)} ${problem.reason}`,
    wayOut: [
      'Fix that file, or list the processes in a config file so lucidlines does not need to read it:',
      chalk.cyan('    { "processes": [{ "name": "web", "command": "npm run dev" }] }'),
    ].join('\n'),
  });
}

function envFailureLines(failure: EnvFileFailure): string[] {
  switch (failure.kind) {
    case 'missing':
      return [`${chalk.bold(failure.file)}  does not exist.`];
    case 'unreadable':
      return [`${chalk.bold(failure.file)}  could not be read: ${failure.reason}`];
    case 'invalid':
      return failure.problems.map(
        (problem) =>
          `${chalk.bold(`${failure.file}:${problem.line}`)}  ${chalk.yellow(problem.text)}  ${problem.message}`,
      );
  }
}

export function envFileProblemsMessage(failures: readonly EnvFileFailure[]): string {
  const onlyMissing = failures.every((failure) => failure.kind === 'missing');
  return format({
    title: onlyMissing ? 'ENV FILE MISSING' : 'ENV FILE PROBLEMS',
    body: `lucidlines could not read the environment files:\n\n${failures
      .flatMap(envFailureLines)
      .map((line) => `  ${line}`)
      .join('\n')}`,
    wayOut: onlyMissing
      ? 'Create the file, or remove it from "envFile" in the config file.'
      : [
          'Each line must be KEY=value (optionally after "export "), a # comment, or blank; a value in',
          `quotes may span lines. \${VAR} is not expanded. Fix the lines above, then run lucidlines again.`,
        ].join('\n'),
  });
}

/** One line at start, after the processes a killed earlier run left behind were stopped. */
export function leftoversStoppedNotice(ownerPids: readonly number[], processes: number): string {
  const runs = ownerPids.length === 1 ? `run (pid ${ownerPids[0]})` : `runs (pids ${ownerPids.join(', ')})`;
  const count = processes === 1 ? '1 process' : `${processes} processes`;
  return chalk.yellow(
    `lucidlines: stopped ${count} left running by an earlier ${runs} in this project that was killed before it could stop them.\n`,
  );
}

/** The state folder is not ours; lucidlines runs, but cannot leave a record for the next start to clean up after. */
export function stateFolderRefusedNotice(folder: string, detail: string): string {
  return chalk.yellow(
    `lucidlines: not using the state folder ${folder} (${detail}); if lucidlines is killed, the next start cannot find what it left running. Remove that folder, or set XDG_RUNTIME_DIR to a folder of your own.\n`,
  );
}

export function unknownProcessNamesMessage(
  flag: string,
  unknown: readonly string[],
  known: readonly string[],
): string {
  const list = (names: readonly string[]) => names.map((name) => JSON.stringify(name)).join(', ');
  return format({
    title: 'UNKNOWN PROCESS NAME',
    body: `${flag} names ${unknown.length === 1 ? 'a process' : 'processes'} that this run does not have: ${list(unknown)}.`,
    wayOut: `The processes are: ${list(known)}.`,
  });
}

export function viewerOffIntro(version: string, processCount: number): string {
  const processes = processCount === 1 ? '1 process' : `${processCount} processes`;
  return `${chalk.bold(`lucidlines ${version}`)}: running ${processes}, without the viewer (--no-viewer)\n`;
}

export function stoppingOthersNotice(name: string, exitCode: number | null, flag: string): string {
  const how = exitCode === null ? 'was ended by a signal' : `exited with code ${exitCode}`;
  return chalk.dim(`lucidlines: ${name} ${how}; stopping the other processes (${flag}).\n`);
}

export function ciResultNotice(code: number, decider: string | null): string {
  const by = decider === null ? '' : ` (decided by ${decider})`;
  return chalk.dim(`lucidlines: every process has ended; exiting with code ${code}${by}.\n`);
}

// Watch-restart and live config reload (src/behaviours/watch.ts, src/config/reload.ts).

/** Printed once a process's watcher has read its folders: from here on, every change restarts it. */
export function watchReadyNotice(name: string, globs: readonly string[]): string {
  return chalk.dim(`lucidlines: [${name}] watching ${globs.join(', ')} for changes\n`);
}

export function watchRestartNotice(name: string, file: string): string {
  return chalk.dim(`lucidlines: [${name}] ${file} changed, restarting\n`);
}

export function watchFailedNotice(name: string, detail: string): string {
  return chalk.yellow(
    `lucidlines: [${name}] cannot watch for changes (${detail}); it is no longer restarted on changes. Narrow "watch", add "watchIgnore" for big generated folders, or on Linux raise fs.inotify.max_user_watches; then save the config or restart lucidlines.\n`,
  );
}

/** Printed once the config file is watched, so a user (or a test) knows that edits are seen from now on. */
export function configWatchReadyNotice(file: string): string {
  return chalk.dim(`lucidlines: watching ${file} for edits\n`);
}

export function configWatchFailedNotice(file: string, detail: string): string {
  return chalk.yellow(
    `lucidlines: cannot watch ${file} for edits (${detail}); restart lucidlines to apply changes to it.\n`,
  );
}

/** What an applied edit changed, process by process. */
export function configReloadedNotice(
  file: string,
  changes: { added: readonly string[]; removed: readonly string[]; changed: readonly string[] },
): string {
  const parts = [
    changes.added.length > 0 ? `started ${changes.added.join(', ')}` : null,
    changes.removed.length > 0 ? `stopped ${changes.removed.join(', ')}` : null,
    changes.changed.length > 0 ? `restarted ${changes.changed.join(', ')} (changed)` : null,
  ].filter((part) => part !== null);
  const what = parts.length === 0 ? 'no process changed' : parts.join('; ');
  return chalk.dim(`lucidlines: applied the edit of ${file}: ${what}\n`);
}

/** The same problems as at start, but lucidlines keeps running the config it had. */
export function configEditProblemsMessage(
  file: string,
  problems: readonly ConfigProblem[],
  more = false,
): string {
  const count = more
    ? 'problems'
    : problems.length === 1
      ? 'this problem'
      : `these ${problems.length} problems`;
  const lines = [...problems.map((p) => `  ${problemLine(p)}`), ...notShown(more ? 'some' : 0, 'problems')];
  return format({
    title: 'CONFIG EDIT NOT APPLIED',
    body: `The edited ${chalk.bold(file)} has ${count}, so the processes keep running as configured before:\n\n${lines.join('\n')}`,
    wayOut: 'Fix the config and save it again: the edit is applied as soon as the file is valid.',
  });
}

/** Settings that only take effect at start (the viewer's address, its token, the engine's limits). */
export function configNeedsRestartMessage(file: string, settings: readonly string[]): string {
  const names = settings.map((setting) => `"${setting}"`).join(', ');
  return chalk.yellow(
    `lucidlines: the edit of ${file} changes ${names}, which takes effect only when lucidlines starts: stop it (Ctrl-C) and start it again. The processes of the edit were applied.\n`,
  );
}

/** Writing a log file failed; lucidlines runs on, without that log. */
export function logFileFailedNotice(file: string, detail: string): string {
  return chalk.yellow(
    `lucidlines: stopped writing the log file ${file} (${detail}). The processes run on and the viewer still shows everything; check that the folder is writable and has space, or leave out "logDir".\n`,
  );
}

// Readiness and dependencies (src/behaviours/readiness.ts, dependencies.ts).

/** Why a run went to `error` because no readiness probe succeeded in time; `lastSeen` says what each found. */
export function notReadyMessage(name: string, timeoutMs: number, lastSeen: readonly string[]): string {
  const seconds = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 100) / 10} s` : `${timeoutMs} ms`;
  return `Process "${name}" was not ready after ${seconds} (${lastSeen.join('; ')}), so it was stopped. Check that it starts and that its probe fits what it prints or where it listens, or raise "readyTimeout" for "${name}" in the config.`;
}

/** Said when a dependency that a start waits for fails: the start waits on, which must not look like a hang. */
export function waitingForFailedNotice(name: string, dependency: string): string {
  return `"${name}" is waiting for "${dependency}", which failed: it starts once "${dependency}" is ready. Fix "${dependency}" and restart it (or stop "${name}").`;
}

// --- Clients of a running instance: lucidlines status, logs, restart, start, stop, mcp ---------------------

/** The usage of the client subcommands, shown with their help and after a wrong command line. */
export const CLIENT_USAGE: Record<'status' | 'logs' | 'restart' | 'start' | 'stop' | 'kill' | 'mcp', string> =
  {
    status: 'lucidlines status [--json] [--url <viewer URL>]',
    logs: 'lucidlines logs [name…] [--lines N] [--follow] [--grep <regex>] [--no-color] [--html] [--url <viewer URL>]',
    restart: 'lucidlines restart <name…> | --all [--url <viewer URL>]',
    start: 'lucidlines start <name…> [--url <viewer URL>]',
    stop: 'lucidlines stop <name…> | --all [--url <viewer URL>]',
    kill: 'lucidlines kill <name…> | --all [--url <viewer URL>]',
    mcp: 'lucidlines mcp [--url <viewer URL>]',
  };

export function clientSubcommandNotFirstMessage(subcommand: keyof typeof CLIENT_USAGE): string {
  return format({
    title: 'SUBCOMMAND AFTER FLAGS',
    body: `${chalk.bold(subcommand)} talks to a running lucidlines and takes its own flags, after it.`,
    wayOut: ['Usage:', command(CLIENT_USAGE[subcommand])].join('\n'),
  });
}

export function clientUsageMessage(subcommand: keyof typeof CLIENT_USAGE, problem: string): string {
  return format({
    title: 'WRONG COMMAND LINE',
    body: problem,
    wayOut: ['Usage:', command(CLIENT_USAGE[subcommand])].join('\n'),
  });
}

/**
 * No running lucidlines was found for the folder. The stale files are named so that a user who knows an
 * instance ran there learns it was killed rather than wondering why it is not found.
 */
export function noInstanceMessage(cwd: string, stalePids: readonly number[]): string {
  const stale =
    stalePids.length === 0
      ? ''
      : `\n\nThe runtime file of a lucidlines that is gone (pid ${stalePids.join(', ')}) was found and ignored: it was killed without cleaning up.`;
  return format({
    title: 'NO RUNNING LUCIDLINES',
    body: `No lucidlines is running for ${chalk.bold(cwd)} or any folder above it (one started with --no-viewer cannot be reached).${stale}`,
    wayOut: [
      'Start it in the project (in another terminal), then try again:',
      command('lucidlines'),
      'Or point at an instance by the URL it printed:',
      command('lucidlines status --url http://127.0.0.1:4400/'),
    ].join('\n'),
  });
}

/** The URL given with --url is not one lucidlines prints. The URL itself is not repeated: it may hold a token. */
export function badInstanceUrlMessage(problem: string): string {
  return format({
    title: 'UNUSABLE --url',
    body: `The URL given with --url cannot be used: ${problem}`,
    wayOut: 'Pass the viewer URL lucidlines printed at startup, e.g. http://127.0.0.1:4400/?token=…',
  });
}

/** An instance was found (or named) but did not answer; the token-free address is shown. */
export function instanceUnreachableMessage(address: string, reason: string): string {
  return format({
    title: 'LUCIDLINES DID NOT ANSWER',
    body: `Could not connect to the lucidlines at ${chalk.bold(address)}: ${reason}`,
    wayOut:
      'It may be shutting down or have been started with another token. Check that it still runs, or pass the URL it printed with --url.',
  });
}

/** History (issue 15): `lucidlines logs` could not page back through the older output of a process. */
export function olderOutputFailedMessage(reason: string): string {
  return format({
    title: 'OLDER OUTPUT NOT LOADED',
    body: `The newest lines arrived, but asking for the older ones failed: ${reason}`,
    wayOut:
      'lucidlines may be shutting down; run the command again, or use --lines to ask for the newest lines only.',
  });
}

export function unknownProcessesMessage(names: readonly string[], known: readonly string[]): string {
  return format({
    title: names.length === 1 ? 'NO SUCH PROCESS' : 'NO SUCH PROCESSES',
    body: `The running lucidlines has no process named ${names.map((name) => chalk.bold(name)).join(', ')}.`,
    wayOut: `Its processes: ${known.join(', ') || '(none)'}.`,
  });
}

export function invalidGrepMessage(pattern: string, reason: string): string {
  return format({
    title: 'INVALID --grep',
    body: `${chalk.bold(pattern)} is not a valid regular expression: ${reason}`,
    wayOut: 'Quote the pattern for your shell, and escape characters such as ( [ + * with a backslash.',
  });
}

export function instanceClosedMessage(): string {
  return format({
    title: 'LUCIDLINES WENT AWAY',
    body: 'The running lucidlines closed the connection (it is shutting down, or it restarted).',
  });
}

/** The MCP server could not load its libraries: an installation with them left out (`--omit=optional`, a pruned tree). */
export function mcpUnavailableMessage(reason: string): string {
  return format({
    title: 'MCP SERVER UNAVAILABLE',
    body: `lucidlines mcp could not load its MCP libraries: ${reason}`,
    wayOut: 'Reinstall lucidlines with its dependencies (npm install lucidlines), then try again.',
  });
}

// Access (issue 15).

/** The answer to a command from a client that presented the view token (sent in an `error` message). */
export function forbiddenCommandMessage(action: string): string {
  return `This connection may watch but not control: the ${action} command was refused. Open the URL with the control token (the first one lucidlines printed) to control the processes.`;
}

/** Printed under the viewer's URL when a view token is set. */
export function viewOnlyUrlIntro(): string {
  return chalk.dim('view-only (share this one: it can watch, not control):\n');
}

// --- Liveness checks and memory limits (issue 15): lines of the lifecycle log ----------------------------
// Like every entry of the log, they leave out the process's name: the terminal puts it in front of the line,
// the viewer and the `event` message carry it beside.

/** Memory as `top` and the viewer show it: MiB (KiB below one), powers of 1024. */
function formatMemory(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / 1024 / 1024).toLocaleString('en', { maximumFractionDigits: bytes < 10 * 1024 * 1024 ? 1 : 0 })} MiB`;
}

/**
 * What follows an unhealthy verdict: `report` (no "restart" in its check), `restart`, or `give-up` when that
 * many restarts in a row never brought a passing check, so restarting again would only loop.
 */
export type UnhealthyOutcome =
  | { kind: 'report' }
  | { kind: 'restart' }
  | { kind: 'give-up'; restarts: number };

export function unhealthyNotice(
  name: string,
  failures: number,
  lastFailure: string,
  outcome: UnhealthyOutcome,
): string {
  const checks = failures === 1 ? 'its health check failed' : `${failures} health checks in a row failed`;
  const next =
    outcome.kind === 'restart'
      ? 'so it is restarted ("restart": true in its "healthCheck").'
      : outcome.kind === 'give-up'
        ? `it is left running, since none of the last ${outcome.restarts} restarts for it made a check pass. Look at its output, fix it and restart it.`
        : `it keeps running. Look at its output, or set "restart": true in the "healthCheck" of "${name}" to restart it when this happens.`;
  return `unhealthy: ${checks} (last: ${lastFailure}); ${next}`;
}

export function healthyAgainNotice(): string {
  return 'healthy again: its health check passed.';
}

export function memoryLimitNotice(usedBytes: number, limitBytes: number): string {
  return `used ${formatMemory(usedBytes)} of its ${formatMemory(limitBytes)} memory limit ("maxMemory"), so it is restarted.`;
}

export function memoryLimitGaveUpMessage(
  name: string,
  usedBytes: number,
  limitBytes: number,
  restarts: number,
): string {
  return `Process "${name}" used ${formatMemory(usedBytes)} of its ${formatMemory(limitBytes)} memory limit ("maxMemory") again soon after each of its last ${restarts} restarts for it, so it was stopped instead of restarted again. Find what makes it grow, or raise "maxMemory" for "${name}" in the config, then start it.`;
}

// Processes added and removed at run time (issue 15): the texts of the `error` replies to `add` and `remove`.

/** The answer to `add` or `remove` while the config does not allow runtime processes. */
export function runtimeProcessesDisabledMessage(action: string): string {
  return `The ${action} command was refused: this lucidlines does not allow processes to be added or removed at run time. Set "allowRuntimeProcesses": true in the config file (or start lucidlines with --allow-runtime-processes) and restart lucidlines to allow it.`;
}

/** The answer to `add` with a name some process already has. */
export function nameTakenMessage(name: string): string {
  return `A process is already named ${JSON.stringify(name)}: pick another name, or remove that process first.`;
}

/** The answer to `add` with a field the config file would not accept; `field` is its path, like process.restart. */
export function invalidRuntimeFieldMessage(field: string, problem: string): string {
  return `The process was not added: ${field} ${problem}`;
}

/** The answer to `add` with a field no process has; `field` is its path, like process.comand. */
export function unknownRuntimeFieldMessage(field: string, suggestion: string | null): string {
  return `The process was not added: ${field} is not a field of a process.${
    suggestion === null ? '' : ` Did you mean "${suggestion}"?`
  }`;
}

/** The answer to `add` whose own env files cannot be used (bad lines, unreadable); missing ones fail the start instead. */
export function runtimeEnvFileMessage(failures: readonly EnvFileFailure[]): string {
  return `The process was not added: process.envFile cannot be used: ${stripVTControlCharacters(
    failures.flatMap(envFailureLines).join('; '),
  )}`;
}

/** The answer to `add` while lucidlines shuts down. */
export function addWhileShuttingDownMessage(name: string): string {
  return `${JSON.stringify(name)} was not added: lucidlines is shutting down.`;
}
