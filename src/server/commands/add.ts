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
 * the start; a refusal concerns only the sender, so it is a reply.
 */
export const add: CommandHandler<AddCommand> = async (command, { runtime, reply, ticket }) => {
  const name = typeof command.process.name === 'string' ? command.process.name : undefined;
  if (runtime === null) {
    reply(errorMessage('RUNTIME_PROCESSES_DISABLED', runtimeProcessesDisabledMessage('add'), name));
    return;
  }
  const added = await runtime.add(command.process, ticket);
  if (added.ok) return;
  switch (added.reason) {
    case 'invalid':
      reply(errorMessage('INVALID_MESSAGE', added.message, name));
      return;
    case 'name-taken':
      reply(errorMessage('NAME_TAKEN', nameTakenMessage(name ?? ''), name));
      return;
    case 'shutting-down':
      reply(errorMessage(undefined, addWhileShuttingDownMessage(name ?? ''), name));
      return;
  }
};
