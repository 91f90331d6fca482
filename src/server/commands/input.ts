import type { InputCommand } from '../../protocol.js';
import { errorMessage } from '../server-messages.js';
import type { CommandHandler } from './handler.js';

/**
 * Writes the text to the process's stdin. A refusal concerns only the sender (who typed into a process that
 * does not take input, or is not running), so it is a reply, never a broadcast; the connection stays open.
 */
export const input: CommandHandler<InputCommand> = async (command, { control, reply }) => {
  const written = control.write(command.target, command.data);
  if (written.ok) return;
  const name = JSON.stringify(command.target);
  switch (written.reason) {
    case 'stdin-disabled':
      reply(
        errorMessage(
          'STDIN_DISABLED',
          `${name} does not accept input: set "stdin": true on it in the config to allow it.`,
          command.target,
        ),
      );
      return;
    case 'not-running':
      reply(
        errorMessage(
          'NOT_RUNNING',
          `${name} is not running, so there is nothing to read the input; start it and send it again.`,
          command.target,
        ),
      );
      return;
    case 'stdin-full':
      reply(
        errorMessage(
          'STDIN_FULL',
          `${name} has not read the input sent before, so this input was dropped; send it again once it reads.`,
          command.target,
        ),
      );
      return;
  }
};
