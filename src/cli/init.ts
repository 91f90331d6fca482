// `lucidlines init`: saves what discovery finds as lucidlines.config.json, so the list can be kept and edited;
// with nothing to find, a commented starter to fill in.
//
// The file goes to the repository root (or the folder lucidlines runs in, outside a repository): the config
// lookup walks up to that root, so the file is found from every folder of the repository.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Discovery, discover, findRepositoryRoot } from '../config/discover.js';
import { CONFIG_FILE_NAMES, configFileIn } from '../config/find.js';
import { type RawFlags, validateFlags } from '../config/flags.js';
import {
  configProblemsMessage,
  discoveryProblemMessage,
  initWouldOverwriteMessage,
  initWriteFailedMessage,
  initWroteMessage,
} from '../errors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, print } from './io.js';

export const SCHEMA_REFERENCE = './node_modules/lucidlines/schema.json';

/** Written when discovery finds nothing; JSONC, which the loader accepts in lucidlines.config.json too. */
export const STARTER_CONFIG = `{
  "$schema": "${SCHEMA_REFERENCE}",
  // lucidlines found no script to run here, so this is a starter: list the commands to run.
  // Your editor completes and checks every field through "$schema"; the README describes them.
  "processes": [
    // "cwd" is relative to this file's folder; "env" adds environment variables.
    { "name": "web", "command": "npm run dev", "cwd": ".", "env": { "PORT": "3000" } },
  ],
}
`;

/** The config for what discovery found, with each package's folder relative to the config file. */
export function discoveredConfigText(found: Extract<Discovery, { kind: 'found' }>, folder: string): string {
  const processes = found.processes.map(({ name, command, cwd }) => {
    const relative = path.relative(folder, cwd).split(path.sep).join('/');
    return { name, command, ...(relative === '' ? {} : { cwd: relative }) };
  });
  return `${JSON.stringify({ $schema: SCHEMA_REFERENCE, processes }, null, 2)}\n`;
}

export async function runInit(io: CliIo, flags: RawFlags): Promise<number> {
  const { problems } = validateFlags(flags);
  if (problems.length > 0) {
    print(io.stderr, configProblemsMessage(problems));
    return EXIT_USAGE;
  }
  const root = await findRepositoryRoot(io.cwd);
  if (root.kind === 'problem') {
    print(io.stderr, discoveryProblemMessage(root));
    return EXIT_FAILURE;
  }
  const folder = root.kind === 'root' ? root.folder : path.resolve(io.cwd);
  const shown = (file: string) => path.relative(io.cwd, file) || file;
  // An existing .jsonc is the one replaced: writing a .json beside it would silently take its place.
  const existing = await configFileIn(folder);
  if (existing !== null && flags.force !== true) {
    print(io.stderr, initWouldOverwriteMessage(shown(existing)));
    return EXIT_FAILURE;
  }
  const discovery = await discover({
    cwd: io.cwd,
    ...(typeof flags.script === 'string' ? { script: flags.script } : {}),
    filter: (flags.filter ?? []).filter((glob) => typeof glob === 'string'),
  });
  if (discovery.kind === 'problem') {
    print(io.stderr, discoveryProblemMessage(discovery));
    return EXIT_FAILURE;
  }
  const file = existing ?? path.join(folder, CONFIG_FILE_NAMES[0]);
  const text = discovery.kind === 'found' ? discoveredConfigText(discovery, folder) : STARTER_CONFIG;
  try {
    await writeFile(file, text);
  } catch (error) {
    print(io.stderr, initWriteFailedMessage(shown(file), (error as Error).message));
    return EXIT_FAILURE;
  }
  print(io.stdout, initWroteMessage(shown(file), text, discovery.kind === 'found' ? 'discovery' : 'starter'));
  return EXIT_OK;
}
