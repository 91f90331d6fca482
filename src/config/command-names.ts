// Names for commands given on the command line (`lucidlines "npm run dev" "node api.js"`): derived from each
// command, or given with `--names web,api`, and held to the same rule as names in a config file, since they
// become URL paths and file names just the same.

import path from 'node:path';
import * as v from 'valibot';
import { PROCESS } from './fields.js';
import { numberRemainingClashes, safeName } from './process-names.js';

/** Tools whose next word says more about the process than the tool does (`npm run dev` → `dev`). */
const SCRIPT_RUNNERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const PROGRAM_RUNNERS = new Set(['npx', 'pnpx', 'bunx', 'node', 'deno', 'tsx', 'python', 'python3']);

/** The word of a command that names what it runs: the script, the program file, or the program. */
function telltaleWord(command: string): string {
  const words = command.trim().split(/\s+/);
  let index = 0;
  if (SCRIPT_RUNNERS.has(words[0] ?? '')) index = words[1] === 'run' ? 2 : 1;
  else if (PROGRAM_RUNNERS.has(words[0] ?? '')) index = 1;
  // Flags of the runner (`node --watch api.js`) say nothing about the process.
  while (words[index]?.startsWith('-')) index++;
  const word = (words[index] ?? words[0] ?? '').replace(/^["']|["']$/g, '');
  const base = path.posix.basename(word.replaceAll('\\', '/'));
  // `api.js` → `api`, but a name that is only an extension (`.env`) keeps its text for safeName to clean.
  return base.replace(/(.)\.[^.]+$/, '$1');
}

/** One valid, unique name per command, in order: `npm run dev` → `dev`, `node api.js` → `api`. */
export function commandProcessNames(commands: readonly string[]): string[] {
  return numberRemainingClashes(commands.map((command) => safeName(telltaleWord(command))));
}

/** The names of `--names a,b`, checked against the commands and the name rule. */
export function namesFromFlag(
  text: string,
  commandCount: number,
): { ok: true; names: string[] } | { ok: false; problem: string } {
  const names = text.split(',').map((name) => name.trim());
  if (names.length !== commandCount) {
    return {
      ok: false,
      problem: `gives ${names.length} name${names.length === 1 ? '' : 's'} for ${commandCount} command${commandCount === 1 ? '' : 's'}.`,
    };
  }
  for (const [index, name] of names.entries()) {
    const checked = v.safeParse(PROCESS.name.schema, name, { abortPipeEarly: true });
    if (!checked.success)
      return { ok: false, problem: `${JSON.stringify(name)} ${checked.issues[0].message}` };
    if (names.indexOf(name) !== index) return { ok: false, problem: `names ${JSON.stringify(name)} twice.` };
  }
  return { ok: true, names };
}
