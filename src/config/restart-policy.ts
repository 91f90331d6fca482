import { DEFAULT_RESTART_TIMING, type RestartPolicy } from '../process/spec.js';
import type { ProcessFields } from './fields.js';

/** The restart policy of one validated process entry; undefined for `restart: "no"` (the default). */
export function restartPolicyOf(fields: ProcessFields): RestartPolicy | undefined {
  if (fields.restart === undefined || fields.restart === 'no') return undefined;
  return {
    when: fields.restart,
    delayMs: fields.restartDelay ?? DEFAULT_RESTART_TIMING.delayMs,
    maxDelayMs: fields.restartMaxDelay ?? DEFAULT_RESTART_TIMING.maxDelayMs,
    maxRestarts: fields.maxRestarts ?? DEFAULT_RESTART_TIMING.maxRestarts,
    resetAfterMs: fields.restartResetAfter ?? DEFAULT_RESTART_TIMING.resetAfterMs,
  };
}
