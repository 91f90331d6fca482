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

/** Flags as typed: a string, `true` for a value flag given without a value, or a boolean for a switch. */
export type RawFlags = { config?: string | true } & { [K in SettingsFlagKey]?: string | boolean };

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
  {
    flags: '--config <path>',
    description: 'Config file to use (default: ./lucidlines.config.json, then .jsonc)',
  },
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
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  ...Object.fromEntries(
    SETTING_FLAGS.map((flag) => [flag.long, { type: isSwitch(flag) ? 'boolean' : 'string' }] as const),
  ),
} as const;

/** Every spelling a token may have, as typed, so that `--no-port` is as unknown as `--prot`. */
const KNOWN_SPELLINGS = new Set([
  '--config',
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
  | { kind: 'run'; flags: RawFlags }
  | { kind: 'unknown-flag'; flag: string; suggestion: string | null }
  | { kind: 'unexpected-argument'; argument: string }
  | { kind: 'switch-with-value'; flag: string };

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { tokens } = parseArgs({
    args: [...argv],
    options: PARSE_OPTIONS,
    strict: false,
    allowPositionals: true,
    allowNegative: true,
    tokens: true,
  });
  const flags: Record<string, string | boolean> = {};
  let help = false;
  let version = false;
  for (const token of tokens) {
    if (token.kind === 'positional') return { kind: 'unexpected-argument', argument: token.value };
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
    const key =
      token.name === 'config' ? 'config' : SETTING_FLAGS.find((flag) => flag.long === token.name)?.key;
    if (key === undefined) continue;
    if (option.type === 'boolean') {
      if (token.inlineValue === true) return { kind: 'switch-with-value', flag: token.rawName };
      flags[key] = !token.rawName.startsWith('--no-');
      continue;
    }
    const value = token.value;
    if (value !== undefined && (token.inlineValue === true || !value.startsWith('-'))) {
      flags[key] = value;
      continue;
    }
    // No value, or parseArgs took the next flag as the value (`--port --host x`): the words after it no
    // longer mean what the user meant, so the missing value is the one thing to report.
    flags[key] = true;
    return { kind: 'run', flags: flags as RawFlags };
  }
  if (help) return { kind: 'help' };
  if (version) return { kind: 'version' };
  return { kind: 'run', flags: flags as RawFlags };
}

/**
 * Checks flag values with the fields' own rules. A value made only of digits is tried as a number when the
 * string is not accepted, so `--port 0123` is port 123 while `--token 0123` stays the string "0123".
 */
export function validateFlags(flags: RawFlags): { layer: SettingsLayer; problems: ConfigProblem[] } {
  const layer: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  if (flags.config === true || flags.config === '') {
    problems.push({ kind: 'flag', flag: '--config', message: 'needs a file path, like --config dev.json.' });
  }
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
