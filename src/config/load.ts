// Loads the config: finds the file, parses it as JSONC, validates it against the declarations, reads the
// positions of whatever needs reporting, and merges it with the flags. Every problem of the file and the
// flags is returned together, so one run shows everything that needs fixing.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineOptions, ProcessSpec } from '../process/spec.js';
import { findRepositoryRoot } from './discover.js';
import { type EnvFileFailure, type EnvValues, readEnvFiles } from './env-files.js';
import { pathText } from './field-path.js';
import type { Settings } from './fields.js';
import { type Found, findConfigFile } from './find.js';
import { type RawFlags, validateFlags } from './flags.js';
import { engineOptions, mergeSettings } from './merge.js';
import { parseJsonc } from './parse.js';
import { locate } from './positions.js';
import { CappedList, type ConfigProblem, type ConfigWarning } from './problems.js';
import { displayPath, processSpecOf } from './process-spec.js';
import { validateFile } from './validate.js';
import { viewTokenClash } from './view-token.js';

export interface LucidConfig {
  /** Absolute path of the config file. */
  file: string;
  settings: Settings;
  processes: ProcessSpec[];
  engine: EngineOptions;
  /** Absolute paths of every env file the config names, read or missing: a reload watches them too. */
  envFiles: string[];
  /** The values of the top-level env files, which processes added at run time get too. */
  topLevelEnv: EnvValues;
}

/** What was left out beyond the caps of problems.ts. */
export interface Omitted {
  /** Whether more problems exist than are listed; validation stops at the cap, so they are not counted. */
  problems: boolean;
  /** How many more warnings were found than are listed. */
  warnings: number;
}

export type LoadResult =
  | { ok: true; config: LucidConfig; warnings: ConfigWarning[]; omitted: Omitted }
  | { ok: false; problems: ConfigProblem[]; warnings: ConfigWarning[]; omitted: Omitted };

export interface LoadOptions {
  /** The directory lucidlines was started in; the config file is looked up here and above. */
  cwd: string;
  flags: RawFlags;
  /** The config file when the caller has already looked for it; otherwise it is looked for here. */
  found?: Found;
}

const NONE_OMITTED: Omitted = { problems: false, warnings: 0 };

export async function loadConfig({ cwd, flags, found: given }: LoadOptions): Promise<LoadResult> {
  const fromFlags = validateFlags(flags);
  const failed = (problems: ConfigProblem[]): LoadResult => ({
    ok: false,
    problems: [...fromFlags.problems, ...problems],
    warnings: [],
    omitted: NONE_OMITTED,
  });

  const found = given ?? (await lookUp(cwd, flags));
  const file = displayPath(cwd, found.absolute);
  if (!found.ok) {
    return failed([{ kind: 'missing-file', file, explicit: found.explicit, lookedFor: found.lookedFor }]);
  }
  let source: string;
  try {
    source = await readFile(found.absolute, 'utf8');
  } catch (error) {
    return failed([{ kind: 'unreadable', file, message: (error as Error).message }]);
  }

  const parsed = parseJsonc(source);
  if (!parsed.ok) return failed([{ kind: 'syntax', file, message: parsed.message, ...parsed.position }]);

  const validated = validateFile(parsed.value);
  const issues = validated.issues.items;
  const located = locate(
    parsed.text,
    issues.flatMap((issue) => [issue.path, ...(issue.mentions ?? [])]),
  );
  const problems = new CappedList<ConfigProblem>();
  for (const problem of fromFlags.problems) problems.add(problem);
  // Problems are collected field by field; shown in the order of the file, they read like the file does.
  const byPosition = issues
    .map((issue) => ({
      issue,
      position: issue.at === 'key' ? located.keyAt(issue.path) : located.valueAt(issue.path),
    }))
    .sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
  for (const { issue, position } of byPosition) {
    const message = typeof issue.message === 'string' ? issue.message : issue.message(located.valueAt);
    problems.add({ kind: 'field', file, path: pathText(issue.path), message, ...position });
  }
  const warnings: ConfigWarning[] = located.warnings.items.map((warning) => ({
    file,
    path: pathText(warning.path),
    message: warning.message,
    ...warning.position,
  }));
  const omitted = {
    problems: problems.omitted + validated.issues.omitted > 0,
    warnings: located.warnings.omitted,
  };
  if (problems.total > 0) return { ok: false, problems: problems.items, warnings, omitted };

  const baseDir = path.dirname(found.absolute);
  const settings = mergeSettings(validated.layer, fromFlags.layer);
  const clash = viewTokenClash(settings, fromFlags.layer);
  if (clash !== null) return { ok: false, problems: [clash], warnings, omitted };
  const resolve = (files: readonly string[]) => files.map((file) => path.resolve(baseDir, file));
  const shown = (failure: EnvFileFailure): EnvFileFailure => ({
    ...failure,
    file: displayPath(cwd, failure.file),
  });
  const envFiles = resolve(validated.envFiles);
  const topLevel = await readEnvFiles(envFiles);
  // Every env file is read before any is reported, so one run shows all of them that need fixing.
  const envFailures: EnvFileFailure[] = topLevel.kind === 'failed' ? topLevel.failures.map(shown) : [];
  const topLevelFile = topLevel.kind === 'loaded' ? topLevel.values : {};
  const processes: ProcessSpec[] = [];
  for (const fields of validated.processes) {
    const built = await processSpecOf(fields, { baseDir, cwd, topLevelEnv: topLevelFile });
    envFiles.push(...built.envFiles);
    envFailures.push(...built.refusing.map(shown));
    processes.push(built.spec);
  }
  if (envFailures.length > 0) {
    return {
      ok: false,
      problems: envFailures.map((failure) => ({ kind: 'env-file', failure })),
      warnings,
      omitted,
    };
  }
  return {
    ok: true,
    warnings,
    omitted,
    config: {
      file: found.absolute,
      settings,
      processes,
      engine: engineOptions(settings),
      envFiles: [...new Set(envFiles)],
      topLevelEnv: topLevelFile,
    },
  };
}

/** Looks for the config from `cwd` up to the repository root. */
async function lookUp(cwd: string, flags: RawFlags): Promise<Found> {
  const root = await findRepositoryRoot(cwd);
  return findConfigFile(
    cwd,
    typeof flags.config === 'string' ? flags.config : undefined,
    root.kind === 'root' ? root.folder : null,
  );
}

/**
 * Settings for a run without a config file (discovery or commands on the command line): the flags over the
 * defaults.
 */
export function settingsFromFlags(
  flags: RawFlags,
): { ok: true; settings: Settings; engine: EngineOptions } | { ok: false; problems: ConfigProblem[] } {
  const { layer, problems } = validateFlags(flags);
  if (problems.length > 0) return { ok: false, problems };
  const settings = mergeSettings({}, layer);
  const clash = viewTokenClash(settings, layer);
  if (clash !== null) return { ok: false, problems: [clash] };
  return { ok: true, settings, engine: engineOptions(settings) };
}
