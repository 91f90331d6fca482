// Turns a process's validated `healthCheck` and `maxMemory` fields into the parts of its ProcessSpec that the
// health-check and memory-limit behaviours read.

import { DEFAULT_HEALTH_CHECK_TIMING, type ProcessSpec } from '../process/spec.js';
import { parseByteSize } from './byte-size.js';
import type { ProcessFields } from './fields.js';

/** Without "host", both loopbacks are tried, as for "readyPort": a server on "localhost" may bind either. */
const DEFAULT_HEALTH_HOSTS = ['127.0.0.1', '::1'] as const;

export function healthAndMemory(fields: ProcessFields): Pick<ProcessSpec, 'healthCheck' | 'maxMemoryBytes'> {
  const spec: Pick<ProcessSpec, 'healthCheck' | 'maxMemoryBytes'> = {};
  const check = fields.healthCheck;
  if (check !== undefined) {
    spec.healthCheck = {
      ...(check.url === undefined ? {} : { url: check.url }),
      ...(check.port === undefined ? {} : { port: check.port }),
      hosts: check.host === undefined ? DEFAULT_HEALTH_HOSTS : [check.host],
      intervalMs: check.interval ?? DEFAULT_HEALTH_CHECK_TIMING.intervalMs,
      timeoutMs: check.timeout ?? DEFAULT_HEALTH_CHECK_TIMING.timeoutMs,
      failures: check.failures ?? DEFAULT_HEALTH_CHECK_TIMING.failures,
      restart: check.restart ?? false,
    };
  }
  const maxMemoryBytes = parseByteSize(fields.maxMemory);
  if (maxMemoryBytes !== null) spec.maxMemoryBytes = maxMemoryBytes;
  return spec;
}
