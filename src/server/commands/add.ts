import {
  addWhileShuttingDownMessage,
  nameTakenMessage,
  runtimeProcessesDisabledMessage,
} from '../../errors.js';
import type { AddCommand } from '../../protocol.js';
import { errorMessage } from '../server-messages.js';
import type { CommandHandler } from './handler.js';

/**
 * Adds a process at run time and starts it (runtime processes, issue 15). The new list reaches every client as
 * a `processes` message, the start as `status` messages, and a command with an `id` settles with the status of
 * the start; a refusal concerns only the sender, so it is a reply. Refusals carry no `process`: the process
 * was not added, and a viewer would otherwise mark an existing process of that name as failed.
 */
export const add: CommandHandler<AddCommand> = async (command, { runtime, reply, ticket }) => {
  if (runtime === null) {
    reply(errorMessage('RUNTIME_PROCESSES_DISABLED', runtimeProcessesDisabledMessage('add')));
    return;
  }
  const added = await runtime.add(command.process, ticket);
  if (added.ok) return;
  // Only an entry with a valid name gets this far without being `invalid`.
  const name = String(command.process.name);
  switch (added.reason) {
    case 'invalid':
      reply(errorMessage('INVALID_MESSAGE', added.message));
      return;
    case 'name-taken':
      reply(errorMessage('NAME_TAKEN', nameTakenMessage(name)));
      return;
    case 'shutting-down':
      reply(errorMessage(undefined, addWhileShuttingDownMessage(name)));
      return;
  }
};
