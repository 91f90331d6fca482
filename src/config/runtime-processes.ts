// Processes added at run time (the `add` command): the entry a client sends is validated by the very
// declarations that validate a process of the config file (fields.ts, through schema.ts), and turned into a
// spec by the loader's own code (process-spec.ts), so an added process means what the same entry in the file
// would mean. Nothing is written back to the file.

import * as v from 'valibot';
import { closest } from '../did-you-mean.js';
import { invalidRuntimeFieldMessage, runtimeEnvFileMessage, unknownRuntimeFieldMessage } from '../errors.js';
import type { CommandTicket } from '../process/events.js';
import type { RuntimeAdd, RuntimeProcesses } from '../process/runtime-processes.js';
import type { ProcessSpec } from '../process/spec.js';
import { checkDependencies } from './dependency-check.js';
import { pathText } from './field-path.js';
import { PROCESS, type ProcessFields } from './fields.js';
import { type ProcessSpecContext, processSpecOf } from './process-spec.js';
import { processSchema } from './schema.js';

/** What runtime processes need of the engine (the Supervisor). */
export interface RuntimeEngine {
  list(): readonly { name: string }[];
  has(name: string): boolean;
  add(spec: ProcessSpec, ticket?: CommandTicket): Promise<RuntimeAdd>;
  remove(name: string, ticket?: CommandTicket): Promise<void>;
}

/** How the config reports a field: `processes[0].restart` there, `process.restart` in a command. */
const FIELD_PREFIX = 'process';

export function runtimeProcesses(engine: RuntimeEngine, context: ProcessSpecContext): RuntimeProcesses {
  return {
    async add(raw, ticket) {
      const validated = validateEntry(raw, engine);
      if (!validated.ok) return { ok: false, reason: 'invalid', message: validated.message };
      // Checked before the env files are read, so that a taken name is reported as such; the engine checks
      // again when it adds, since another add may take the name while the files are read.
      if (engine.has(validated.fields.name)) return { ok: false, reason: 'name-taken' };
      const built = await processSpecOf(validated.fields, context);
      if (built.refusing.length > 0) {
        return { ok: false, reason: 'invalid', message: runtimeEnvFileMessage(built.refusing) };
      }
      return engine.add(built.spec, ticket);
    },
    remove: (name, ticket) => engine.remove(name, ticket),
  };
}

// One problem per field, as the loader reports them.
const ONE_ISSUE_PER_PIPE = { abortPipeEarly: true } as const;

type Validated = { ok: true; fields: ProcessFields } | { ok: false; message: string };

/**
 * The first problem of the entry, as the config file would report it. Unknown fields, only warned about in
 * the file (where a typo is seen by the person who wrote it), refuse the command: a client gets no warnings.
 */
function validateEntry(raw: Readonly<Record<string, unknown>>, engine: RuntimeEngine): Validated {
  const known = Object.keys(PROCESS);
  const unknown = Object.keys(raw).find((key) => !Object.hasOwn(PROCESS, key));
  if (unknown !== undefined) {
    return {
      ok: false,
      message: unknownRuntimeFieldMessage(pathText([FIELD_PREFIX, unknown]), closest(unknown, known)),
    };
  }
  const result = v.safeParse(processSchema, raw, ONE_ISSUE_PER_PIPE);
  if (!result.success) {
    const [issue] = result.issues;
    const path = (issue.path ?? []).map((item) => item.key as string | number);
    return {
      ok: false,
      message: invalidRuntimeFieldMessage(pathText([FIELD_PREFIX, ...path]), issue.message),
    };
  }
  const fields = result.output as unknown as ProcessFields;
  // The others are listed without their own dependencies: the new process cannot be one of them, so no cycle
  // can pass through it, and only its own entries need checking.
  const others = engine
    .list()
    .filter((process) => process.name !== fields.name)
    .map((process): ProcessFields => ({ name: process.name, command: '-' }));
  const [problem] = checkDependencies([...others, fields]);
  if (problem !== undefined) {
    return {
      ok: false,
      message: invalidRuntimeFieldMessage(
        pathText([FIELD_PREFIX, ...problem.path.slice(2)]),
        problem.message,
      ),
    };
  }
  return { ok: true, fields };
}
