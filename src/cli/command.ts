// What a command line asks for, once its flags are read: run the config (or what discovery finds), run the
// commands given on it, or a subcommand; and the flags that mean nothing for that choice.
//
// A single word is ambiguous: `lucidlines vite` runs vite, but `lucidlines stauts` is a typo of a subcommand.
// Words equal or close to a reserved subcommand are therefore never run as commands (the message says that
// `--` forces it), so that a later version can add those subcommands without changing what a line means.

import type { RawFlags } from '../config/flags.js';
import { closest } from '../did-you-mean.js';

export const SUBCOMMANDS = ['init', 'status', 'logs', 'restart', 'start', 'stop', 'kill', 'mcp'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
/**
 * The subcommands that talk to a running instance. They read their own flags (cli.ts hands them the rest of
 * the command line when they come first), so reaching one here means it came after other flags.
 */
export const CLIENT_SUBCOMMANDS = ['status', 'logs', 'restart', 'start', 'stop', 'kill', 'mcp'] as const;
export type ClientSubcommandName = (typeof CLIENT_SUBCOMMANDS)[number];
const isClientSubcommand = (word: string): word is ClientSubcommandName =>
  (CLIENT_SUBCOMMANDS as readonly string[]).includes(word);

export type Command =
  /** The config file's processes, or with none, what discovery finds. */
  | { kind: 'run'; flags: RawFlags }
  /** Shell commands given on the command line, with no config at all. */
  | { kind: 'commands'; flags: RawFlags; commands: string[] }
  | { kind: 'init'; flags: RawFlags }
  /** A client subcommand after flags of its own: they belong after it. */
  | { kind: 'client-subcommand-not-first'; subcommand: ClientSubcommandName }
  | { kind: 'typo'; word: string; subcommand: Subcommand }
  | { kind: 'unexpected-argument'; subcommand: Subcommand; argument: string }
  | { kind: 'flag-not-applicable'; flag: string; mode: string; usedWith: string };

/** Where each flag that chooses what runs belongs, for the message when it is given elsewhere. */
const USED_WITH: Record<string, string> = {
  config: 'to run a config file',
  script: 'to run the workspace scripts when there is no config file, and with init',
  filter: 'to run the workspace scripts when there is no config file, and with init',
  names: 'with commands given on the command line, like lucidlines --names web "npm run dev"',
  force: 'with lucidlines init',
};

const SETTING_USE = 'to run processes (with a config file, discovery or commands)';

/** Which flags each mode accepts; settings flags are accepted wherever processes run. */
const ACCEPTS = {
  run: { settings: true, flags: ['config', 'script', 'filter'] },
  commands: { settings: true, flags: ['names'] },
  init: { settings: false, flags: ['script', 'filter', 'force'] },
} as const satisfies Record<string, { settings: boolean; flags: readonly string[] }>;

const MODE_TEXT = {
  run: 'when running a config file or the workspace scripts',
  commands: 'with commands given on the command line',
  init: 'with lucidlines init',
} as const;

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

function misplacedFlag(flags: RawFlags, mode: keyof typeof ACCEPTS): Command | null {
  const accepts = ACCEPTS[mode];
  for (const key of Object.keys(flags)) {
    const used = USED_WITH[key];
    const accepted =
      used === undefined ? accepts.settings : (accepts.flags as readonly string[]).includes(key);
    if (!accepted) {
      return {
        kind: 'flag-not-applicable',
        flag: `--${kebab(key)}`,
        mode: MODE_TEXT[mode],
        usedWith: used ?? SETTING_USE,
      };
    }
  }
  return null;
}

function commandFor(kind: keyof typeof ACCEPTS, flags: RawFlags, commands: string[]): Command {
  const misplaced = misplacedFlag(flags, kind);
  if (misplaced !== null) return misplaced;
  return kind === 'commands' ? { kind, flags, commands } : { kind, flags };
}

export function classify(flags: RawFlags, positionals: readonly string[], afterDashDash: boolean): Command {
  const [first, ...rest] = positionals;
  if (first === undefined) return commandFor('run', flags, []);
  if (afterDashDash) return commandFor('commands', flags, [...positionals]);
  const subcommand = SUBCOMMANDS.find((name) => name === first);
  if (subcommand !== undefined) {
    if (isClientSubcommand(subcommand)) return { kind: 'client-subcommand-not-first', subcommand };
    const [extra] = rest;
    if (extra !== undefined) return { kind: 'unexpected-argument', subcommand, argument: extra };
    return commandFor('init', flags, []);
  }
  // Only a single word can be a misspelt subcommand; `npm run dev` is plainly a command.
  const near = /\s/.test(first) ? null : closest(first, SUBCOMMANDS);
  if (near !== null) return { kind: 'typo', word: first, subcommand: near as Subcommand };
  return commandFor('commands', flags, [...positionals]);
}
