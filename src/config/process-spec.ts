// Turns one validated process entry into what the engine runs. Shared by the loader (every entry of the
// config file) and by processes added at run time (src/config/runtime-processes.ts), so that a process added
// through the protocol means exactly what the same entry in the file would mean.

import path from 'node:path';
import { missingEnvFileReason } from '../errors.js';
import { DEFAULT_WATCH_DEBOUNCE_MS, type ProcessSpec } from '../process/spec.js';
import { type EnvFileFailure, type EnvValues, mergeEnvLayers, readEnvFiles } from './env-files.js';
import type { ProcessFields } from './fields.js';
import { healthAndMemory } from './health-spec.js';
import { readinessAndDependencies } from './readiness-spec.js';
import { restartPolicyOf } from './restart-policy.js';
import { asList } from './validate.js';

export interface ProcessSpecContext {
  /** What relative paths (`cwd`, `envFile`) are relative to: the config file's folder, or the project folder. */
  baseDir: string;
  /** Where paths in messages are shown relative to (the folder lucidlines was started in). */
  cwd: string;
  /** The values of the config's top-level env files. */
  topLevelEnv: EnvValues;
}

export interface BuiltProcessSpec {
  spec: ProcessSpec;
  /** Absolute paths of the entry's own env files, read or missing. */
  envFiles: string[];
  /** Env files that refuse the start (bad lines, unreadable), with absolute paths. */
  refusing: EnvFileFailure[];
}

/** Shows a path relative to where the user is, so terminals and editors can open `file:line:col`. */
export function displayPath(cwd: string, absolutePath: string): string {
  const relative = path.relative(cwd, absolutePath);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? absolutePath : relative;
}

export async function processSpecOf(
  fields: ProcessFields,
  { baseDir, cwd, topLevelEnv }: ProcessSpecContext,
): Promise<BuiltProcessSpec> {
  const envFiles = asList(fields.envFile).map((file) => path.resolve(baseDir, file));
  const own = await processEnvFile(envFiles);
  const restart = restartPolicyOf(fields);
  const spec: ProcessSpec = {
    name: fields.name,
    command: fields.command,
    // A cwd that does not exist is not a config problem: the engine puts that one process in `error` and
    // the others start, so the path is only resolved here.
    cwd: fields.cwd === undefined ? baseDir : path.resolve(baseDir, fields.cwd),
    // The engine lays these over the inherited environment when it spawns (see childEnvironment), where it
    // also decides FORCE_COLOR from what the config set, so the inherited layer stays out of the spec.
    env: mergeEnvLayers({
      inherited: {},
      topLevelFile: topLevelEnv,
      processFile: own.values,
      processEnv: fields.env ?? {},
    }),
    ...(fields.watch === undefined
      ? {}
      : {
          watch: {
            globs: asList(fields.watch),
            ignore: asList(fields.watchIgnore),
            debounceMs: fields.watchDebounce ?? DEFAULT_WATCH_DEBOUNCE_MS,
          },
        }),
    ...(fields.stdin === true ? { stdin: true } : {}),
    ...(restart === undefined ? {} : { restart }),
    ...(own.missing.length === 0
      ? {}
      : {
          startProblem: missingEnvFileReason(
            fields.name,
            own.missing.map((file) => displayPath(cwd, file)),
          ),
        }),
    ...readinessAndDependencies(fields),
    ...healthAndMemory(fields),
  };
  return { spec, envFiles, refusing: own.refusing };
}

/**
 * A process's own env files. Missing ones follow the rule of a missing `cwd` (that process fails to start,
 * the others start), since such a file is often made by a step that has not run yet; bad lines and
 * unreadable files refuse the start, as they are mistakes in files the user wrote.
 */
async function processEnvFile(
  files: readonly string[],
): Promise<{ values: EnvValues; missing: string[]; refusing: EnvFileFailure[] }> {
  const read = await readEnvFiles(files);
  if (read.kind === 'loaded') return { values: read.values, missing: [], refusing: [] };
  return {
    values: {},
    missing: read.failures.flatMap((failure) => (failure.kind === 'missing' ? [failure.file] : [])),
    refusing: read.failures.filter((failure) => failure.kind !== 'missing'),
  };
}
