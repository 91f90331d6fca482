// Reads the command line of a client subcommand with Node's util.parseArgs, strictly: an unknown flag or a
// missing value is a usage error (exit code 2) with the subcommand's usage, returned as a value.

import { type CLIENT_USAGE, clientUsageMessage } from '../errors.js';

export type ClientSubcommand = keyof typeof CLIENT_USAGE;

export type ParsedArgs<T> = { ok: true; args: T } | { ok: false; message: string };

/** Runs a parseArgs call and turns its TypeError (the only way it reports a wrong command line) into a value. */
export function readArgs<T>(subcommand: ClientSubcommand, parse: () => T): ParsedArgs<T> {
  try {
    return { ok: true, args: parse() };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return { ok: false, message: clientUsageMessage(subcommand, error.message) };
  }
}

/** The option every client subcommand takes: the instance to talk to, instead of the project's own. */
export const URL_OPTION = { url: { type: 'string' } } as const;
