import type { CommandTicket } from './events.js';

/**
 * Why `add` did not add a process. `invalid`: an entry the config file would not accept either (`message`
 * names the field); `name-taken`: a process of that name exists (or is being removed); `shutting-down`:
 * lucidlines is stopping everything.
 */
export type RuntimeAddRefusal =
  | { reason: 'invalid'; message: string }
  | { reason: 'name-taken' }
  | { reason: 'shutting-down' };

export type RuntimeAdd = { ok: true } | ({ ok: false } & RuntimeAddRefusal);

/**
 * Processes added and removed at run time (the `add` and `remove` commands). Present only when the config sets
 * `allowRuntimeProcesses`, since adding one runs whatever command a client sends.
 */
export interface RuntimeProcesses {
  /**
   * Validates `fields` as a process entry of the config file, adds the process and starts it; resolves once the
   * start is done (or refused). A ticket settles with the start, as for `start`.
   */
  add(fields: Readonly<Record<string, unknown>>, ticket?: CommandTicket): Promise<RuntimeAdd>;
  /** Stops the process's tree and drops the process; a ticket settles with the stop. */
  remove(name: string, ticket?: CommandTicket): Promise<void>;
}
