import { runtimeProcessesDisabledMessage } from '../../errors.js';
import type { RemoveCommand } from '../../protocol.js';
import { errorMessage } from '../server-messages.js';
import type { CommandHandler } from './handler.js';

/**
 * Stops a process's tree and drops the process (runtime processes, issue 15). The stop reaches every client as
 * `status` messages and a command with an `id` settles with it; the `processes` message without the process
 * follows once its tree is gone.
 */
export const remove: CommandHandler<RemoveCommand> = async (command, { runtime, reply, ticket }) => {
  if (runtime === null) {
    reply(
      errorMessage('RUNTIME_PROCESSES_DISABLED', runtimeProcessesDisabledMessage('remove'), command.target),
    );
    return;
  }
  await runtime.remove(command.target, ticket);
};
