// Turns a process's validated readiness and dependency fields into the parts of its ProcessSpec that the
// readiness and dependencies behaviours read.

import type { DependencySpec, ProcessSpec } from '../process/spec.js';
import { DEFAULT_READY_TIMEOUT_MS, type ProcessFields } from './fields.js';

/** Without "readyHost", both loopbacks are tried: a server that binds "localhost" may get either. */
const DEFAULT_READY_HOSTS = ['127.0.0.1', '::1'] as const;

export function readinessAndDependencies(
  fields: ProcessFields,
): Pick<ProcessSpec, 'awaitReady' | 'readiness' | 'dependsOn'> {
  const spec: Pick<ProcessSpec, 'awaitReady' | 'readiness' | 'dependsOn'> = {};
  const { readyPattern, readyUrl, readyPort } = fields;
  if (readyPattern !== undefined || readyUrl !== undefined || readyPort !== undefined) {
    spec.awaitReady = true;
    spec.readiness = {
      ...(readyPattern === undefined ? {} : { pattern: new RegExp(readyPattern) }),
      ...(readyUrl === undefined ? {} : { url: readyUrl }),
      ...(readyPort === undefined ? {} : { port: readyPort }),
      hosts: fields.readyHost === undefined ? DEFAULT_READY_HOSTS : [fields.readyHost],
      timeoutMs: fields.readyTimeout ?? DEFAULT_READY_TIMEOUT_MS,
    };
  }
  if (fields.dependsOn !== undefined && fields.dependsOn.length > 0) {
    const byName = new Map<string, DependencySpec>();
    for (const entry of fields.dependsOn) {
      const dependency: DependencySpec =
        typeof entry === 'string'
          ? { name: entry, condition: 'ready' }
          : { name: entry.name, condition: entry.condition ?? 'ready' };
      // A name listed twice counts once; the later entry decides its condition, as a repeated key would.
      byName.set(dependency.name, dependency);
    }
    spec.dependsOn = [...byName.values()];
  }
  return spec;
}
