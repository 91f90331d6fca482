// The command line: which flags exist (derived from the field declarations, plus the few that are not
// settings), reading argv with Node's util.parseArgs, and checking flag values with the same rules as the
// config file.
//
// util.parseArgs rather than cac: cac hands argv to mri, which turns number-like values into numbers before
// any option type applies, so `--token 0123` arrived as "123" and `--port 1e3` as "1000". parseArgs keeps
// every value as the string that was typed, and reports each token so unknown flags can be named exactly.

import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { closest } from '../did-you-mean.js';
import { type Declaration, type Field, SETTINGS, type SettingsLayer } from './fields.js';
import type { ConfigProblem } from './problems.js';

export interface FlagHelp {
  /** Like "--port <n>". */
  flags: string;
  description: string;
}

type SettingsFlagKey = {
  [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K] extends { flag: object } ? K : never;
}[keyof typeof SETTINGS];

/**
 * The flags that are not settings: they choose what runs rather than how. Declared here once, for parsing,
 * --help and the README; `multiple` ones may be repeated and keep every value.
 */
const COMMAND_FLAGS = {
  config: {
    value: '<path>',
    description:
      'Config file to use (default: lucidlines.config.json, then .jsonc, in this folder or above it up to the repository root)',
  },
  script: {
    value: '<name>',
    description: 'With no config file: the package.json script to run in each package (default: dev)',
  },
  filter: {
    value: '<glob>',
    multiple: true,
    description:
      'With no config file: only the packages whose name, folder or process name matches; repeatable',
  },
  names: {
    value: '<a,b>',
    description: 'With commands on the command line: their names, comma-separated, in order',
  },
  force: { description: 'With init: overwrite an existing config file' },
} as const satisfies Record<string, { value?: string; multiple?: true; description: string }>;

type CommandFlagKey = keyof typeof COMMAND_FLAGS;

/**
 * Flags as typed: a string, `true` for a value flag given without a value, or a boolean for a switch; a
 * repeatable flag keeps every value.
 */
export type RawFlags = {
  config?: string | true;
  script?: string | true;
  filter?: (string | true)[];
  names?: string | true;
  force?: boolean;
} & { [K in SettingsFlagKey]?: string | boolean };

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

interface SettingFlag {
  key: SettingsFlagKey;
  long: string;
  field: Field;
}

const SETTING_FLAGS: readonly SettingFlag[] = Object.entries(SETTINGS as Record<string, Declaration>).flatMap(
  ([key, declaration]) =>
    declaration.kind === 'field' && declaration.flag !== undefined
      ? [{ key: key as SettingsFlagKey, long: kebab(key), field: declaration }]
      : [],
);

const isSwitch = (flag: SettingFlag) => flag.field.flag?.value === undefined;

function defaultText(field: Field): string {
  if (field.default === undefined || field.default === null) return '';
  return ` (default: ${String(field.default)})`;
}

/** Every flag with its help line, in the order --help lists them. */
export const FLAG_HELP: readonly FlagHelp[] = [
  ...Object.entries(COMMAND_FLAGS).map(([long, flag]) => ({
    flags: 'value' in flag ? `--${long} ${flag.value}` : `--${long}`,
    description: flag.description,
  })),
  ...SETTING_FLAGS.flatMap((flag) =>
    isSwitch(flag)
      ? [
          { flags: `--${flag.long}`, description: flag.field.description },
          {
            flags: `--no-${flag.long}`,
            description: `Turn "${flag.key}" off, even when the config file turns it on`,
          },
        ]
      : [
          {
            flags: `--${flag.long} ${flag.field.flag?.value}`,
            description: `${flag.field.description}${defaultText(flag.field)}`,
          },
        ],
  ),
  { flags: '-h, --help', description: 'Show this help' },
  { flags: '-v, --version', description: 'Show the version' },
];

/** The flag that sets a settings field, for the README and messages; undefined when it has none. */
export function flagOf(key: string): string | undefined {
  const flag = SETTING_FLAGS.find((candidate) => candidate.key === key);
  if (flag === undefined) return undefined;
  return isSwitch(flag) ? `--${flag.long} / --no-${flag.long}` : `--${flag.long}`;
}

const PARSE_OPTIONS = {
  ...Object.fromEntries(
    Object.entries(COMMAND_FLAGS).map(
      ([long, flag]) => [long, { type: 'value' in flag ? 'string' : 'boolean' }] as const,
    ),
  ),
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  ...Object.fromEntries(
    SETTING_FLAGS.map((flag) => [flag.long, { type: isSwitch(flag) ? 'boolean' : 'string' }] as const),
  ),
} as const;

/** Every spelling a token may have, as typed, so that `--no-port` is as unknown as `--prot`. */
const KNOWN_SPELLINGS = new Set([
  ...Object.keys(COMMAND_FLAGS).map((long) => `--${long}`),
  '--help',
  '-h',
  '--version',
  '-v',
  ...SETTING_FLAGS.flatMap((flag) =>
    isSwitch(flag) ? [`--${flag.long}`, `--no-${flag.long}`] : [`--${flag.long}`],
  ),
]);

export type CommandLine =
  | { kind: 'help' }
  | { kind: 'version' }
  | {
      kind: 'run';
      flags: RawFlags;
      /** The words that are not flags, in order: a subcommand and its arguments, or commands to run. */
      positionals: string[];
      /** Whether `--` came before them, which makes them commands to run whatever they look like. */
      afterDashDash: boolean;
    }
  | { kind: 'unknown-flag'; flag: string; suggestion: string | null }
  | { kind: 'switch-with-value'; flag: string };

const isCommandFlag = (name: string): name is CommandFlagKey => Object.hasOwn(COMMAND_FLAGS, name);

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    allowNegative: true,
    tokens: true,
  });
  const flags: Record<string, string | boolean | (string | true)[]> = {};
  const positionals: string[] = [];
  let afterDashDash = false;
  let help = false;
  let version = false;
  const run = (): CommandLine => ({ kind: 'run', flags: flags as RawFlags, positionals, afterDashDash });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') afterDashDash = true;
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (!KNOWN_SPELLINGS.has(token.rawName)) {
      const suggestion = closest(
        token.rawName.replace(/^-+/, ''),
        [...KNOWN_SPELLINGS].map((spelling) => spelling.replace(/^-+/, '')).filter((name) => name.length > 1),
      );
      return {
        kind: 'unknown-flag',
        flag: token.rawName,
        suggestion: suggestion === null ? null : `--${suggestion}`,
      };
    }
    if (token.name === 'help') help = true;
    else if (token.name === 'version') version = true;
    const option = PARSE_OPTIONS[token.name as keyof typeof PARSE_OPTIONS];
    const key = isCommandFlag(token.name)
      ? token.name
      : SETTING_FLAGS.find((flag) => flag.long === token.name)?.key;
    if (key === undefined) continue;
    const keep = (value: string | true) => {
      if (key === 'filter')
        flags.filter = [...((flags.filter as (string | true)[] | undefined) ?? []), value];
      else flags[key] = value;
    };
    if (option.type === 'boolean') {
      if (token.inlineValue === true) return { kind: 'switch-with-value', flag: token.rawName };
      flags[key] = !token.rawName.startsWith('--no-');
      continue;
    }
    const value = token.value;
    if (value !== undefined && (token.inlineValue === true || !value.startsWith('-'))) {
      keep(value);
      continue;
    }
    // No value, or parseArgs took the next flag as the value (`--port --host x`): the words after it no
    // longer mean what the user meant, so the missing value is the one thing to report.
    keep(true);
    return run();
  }
  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  return run();
}

/**
 * Checks flag values with the fields' own rules. A value made only of digits is tried as a number when the
 * string is not accepted, so `--port 0123` is port 123 while `--token 0123` stays the string "0123".
 */
export function validateFlags(flags: RawFlags): { layer: SettingsLayer; problems: ConfigProblem[] } {
  const layer: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  const needsValue = (value: string | true | undefined, flag: string, example: string) => {
    if (value === true || value === '')
      problems.push({ kind: 'flag', flag, message: `needs a value, like ${flag} ${example}.` });
  };
  needsValue(flags.config, '--config', 'dev.json');
  needsValue(flags.script, '--script', 'start');
  for (const glob of flags.filter ?? []) needsValue(glob, '--filter', "'apps/*'");
  needsValue(flags.names, '--names', 'web,api');
  for (const flag of SETTING_FLAGS) {
    const raw = flags[flag.key];
    if (raw === undefined) continue;
    if (isSwitch(flag)) {
      layer[flag.key] = raw;
      continue;
    }
    const name = `--${flag.long}`;
    if (raw === true || raw === false) {
      problems.push({
        kind: 'flag',
        flag: name,
        message: `needs a value, like ${name} ${flag.field.flag?.example}.`,
      });
      continue;
    }
    let result = v.safeParse(flag.field.schema, raw, { abortPipeEarly: true });
    if (!result.success && /^\d+$/.test(raw))
      result = v.safeParse(flag.field.schema, Number(raw), { abortPipeEarly: true });
    if (result.success) layer[flag.key] = result.output;
    else problems.push({ kind: 'flag', flag: name, message: result.issues[0].message });
  }
  return { layer: layer as SettingsLayer, problems };
}
