// What a run starts, from one of three sources: the config file (found in this folder or above it up to the
// repository root), the workspace's scripts when there is no config file, or the commands on the command
// line. Each yields the same plan, so everything after it (engine, watchdog, viewer) is the same for all.

import path from 'node:path';
import { commandProcessNames, namesFromFlag } from '../config/command-names.js';
import { discover, findRepositoryRoot } from '../config/discover.js';
import type { Settings } from '../config/fields.js';
import { findConfigFile } from '../config/find.js';
import type { RawFlags } from '../config/flags.js';
import { type LoadResult, type LucidConfig, loadConfig, settingsFromFlags } from '../config/load.js';
import {
  adHocNamesMessage,
  configProblemsMessage,
  configWarningsMessage,
  discoveredProcessesMessage,
  discoveryProblemMessage,
  flagNotApplicableMessage,
  nothingToRunMessage,
} from '../errors.js';
import type { EngineOptions, ProcessSpec } from '../process/spec.js';
import { EXIT_FAILURE, EXIT_USAGE } from './io.js';

export interface Plan {
  processes: ProcessSpec[];
  settings: Settings;
  engine: EngineOptions;
  /**
   * The folder the run belongs to, which keys its state folder (so the next start here cleans up after a
   * killed run): the config file's folder, else the repository root, else the folder lucidlines runs in.
   */
  projectRoot: string;
  /** Printed on stdout before the start: what discovery found. */
  summary: string | null;
  /** Printed on stderr before the start: config warnings. */
  notices: string[];
  /**
   * The config file to watch for edits, and how to load it again; null without a config file. Discovered
   * workspaces are not watched: they come from many package.json files and the workspace globs, and
   * re-running discovery on every install would restart processes nobody edited.
   */
  reload: { initial: LucidConfig; load: () => Promise<LoadResult> } | null;
}

export type Planned = { kind: 'plan'; plan: Plan } | { kind: 'refused'; code: number; message: string };

const refused = (code: number, message: string): Planned => ({ kind: 'refused', code, message });

/** The folder that discovery and the config lookup treat as the top: null outside a repository. */
async function repositoryRootOf(cwd: string): Promise<string | null> {
  const root = await findRepositoryRoot(cwd);
  // A package.json on the way up that cannot be read hides where the root is; discovery reports that file
  // when it is needed, and a config file in `cwd` itself can still be used meanwhile.
  return root.kind === 'root' ? root.folder : null;
}

export async function planFromConfigOrDiscovery(cwd: string, flags: RawFlags): Promise<Planned> {
  const explicit = typeof flags.config === 'string' ? flags.config : undefined;
  const found = await findConfigFile(cwd, explicit, await repositoryRootOf(cwd));
  if (!found.ok && !found.explicit) return planFromDiscovery(cwd, flags);

  const discoveryFlag =
    flags.script !== undefined ? '--script' : flags.filter !== undefined ? '--filter' : null;
  if (discoveryFlag !== null && found.ok) {
    return refused(
      EXIT_USAGE,
      flagNotApplicableMessage(
        discoveryFlag,
        `when a config file (${path.relative(cwd, found.absolute) || found.absolute}) is found`,
        'to pick the workspace scripts to run when there is no config file, and with init',
      ),
    );
  }
  const loaded = await loadConfig({ cwd, flags, found });
  const notices =
    loaded.warnings.length > 0 ? [configWarningsMessage(loaded.warnings, loaded.omitted.warnings)] : [];
  if (!loaded.ok) {
    const message = notices.join('') + configProblemsMessage(loaded.problems, loaded.omitted.problems);
    return refused(
      loaded.problems.some((problem) => problem.kind === 'flag') ? EXIT_USAGE : EXIT_FAILURE,
      message,
    );
  }
  const { settings, processes, engine, file } = loaded.config;
  return {
    kind: 'plan',
    plan: {
      processes,
      settings,
      engine,
      projectRoot: path.dirname(file),
      summary: null,
      notices,
      reload: { initial: loaded.config, load: () => loadConfig({ cwd, flags, found }) },
    },
  };
}

async function planFromDiscovery(cwd: string, flags: RawFlags): Promise<Planned> {
  const fromFlags = settingsFromFlags(flags);
  if (!fromFlags.ok) return refused(EXIT_USAGE, configProblemsMessage(fromFlags.problems));
  const discovery = await discover({
    cwd,
    ...(typeof flags.script === 'string' ? { script: flags.script } : {}),
    filter: (flags.filter ?? []).filter((glob) => typeof glob === 'string'),
  });
  switch (discovery.kind) {
    case 'problem':
      return refused(EXIT_FAILURE, discoveryProblemMessage(discovery));
    case 'nothing':
      return refused(EXIT_FAILURE, nothingToRunMessage(discovery));
    case 'found':
      return {
        kind: 'plan',
        plan: {
          processes: discovery.processes.map(({ name, command, cwd: folder }) => ({
            name,
            command,
            cwd: folder,
            env: {},
          })),
          settings: fromFlags.settings,
          engine: fromFlags.engine,
          projectRoot: discovery.root,
          summary: discoveredProcessesMessage(discovery),
          notices: [],
          reload: null,
        },
      };
  }
}

/** Commands given on the command line run in the folder lucidlines runs in, as they would by hand. */
export async function planFromCommands(
  cwd: string,
  flags: RawFlags,
  commands: readonly string[],
): Promise<Planned> {
  const fromFlags = settingsFromFlags(flags);
  if (!fromFlags.ok) return refused(EXIT_USAGE, configProblemsMessage(fromFlags.problems));
  let names = commandProcessNames(commands);
  if (typeof flags.names === 'string') {
    const given = namesFromFlag(flags.names, commands.length);
    if (!given.ok) return refused(EXIT_USAGE, adHocNamesMessage(given.problem));
    names = given.names;
  }
  return {
    kind: 'plan',
    plan: {
      processes: commands.map((command, index) => ({ name: names[index] ?? '', command, cwd, env: {} })),
      settings: fromFlags.settings,
      engine: fromFlags.engine,
      projectRoot: (await repositoryRootOf(cwd)) ?? cwd,
      summary: null,
      notices: [],
      reload: null,
    },
  };
}
