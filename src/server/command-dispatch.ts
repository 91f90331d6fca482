import type { ProcessControl } from '../process/events.js';
import { type CommandMessage, decodeClientMessage, type ErrorMessage } from '../protocol.js';
import type { CommandLimiter } from './command-limiter.js';
import { errorMessage } from './server-messages.js';

/** Sends an error to the client that sent the command, and to no one else. */
export type Reply = (message: ErrorMessage) => void;

function perform(control: ProcessControl, command: CommandMessage): Promise<void> {
  switch (command.action) {
    case 'restart-all':
      return control.restartAll();
    case 'stop-all':
      return control.stopAll();
    case 'restart':
      return control.restart(command.target);
    case 'stop':
      return control.stop(command.target);
    case 'start':
      return control.start(command.target);
  }
}

/**
 * Validates one text frame from a client and runs the command it holds. Every refusal is a reply to the
 * sender only; the connection always stays open. The order matters: a target is checked to exist before it
 * reaches the limiter, so unknown names never create rate-limit buckets.
 */
export function dispatchCommand(
  control: ProcessControl,
  limiter: CommandLimiter,
  text: string,
  reply: Reply,
): void {
  const decoded = decodeClientMessage(text);
  if (!decoded.ok) {
    reply(errorMessage(decoded.code, decoded.message));
    return;
  }
  const command = decoded.value;
  const target = 'target' in command ? command.target : undefined;
  if (target !== undefined && !control.has(target)) {
    reply(errorMessage('UNKNOWN_PROCESS', `No process is named ${JSON.stringify(target)}.`));
    return;
  }
  if (!limiter.admit(command)) {
    const subject = target === undefined ? 'all processes' : JSON.stringify(target);
    reply(
      errorMessage(
        'RATE_LIMIT',
        `Too many ${command.action} commands for ${subject}; this one was dropped. Try again in a moment.`,
        target,
      ),
    );
    return;
  }
  // The supervisor reports expected failures (a command that cannot spawn) as events that every client
  // sees; a rejection is unexpected, so the client that asked is told rather than left guessing.
  perform(control, command).catch((error: unknown) => {
    reply(errorMessage(undefined, `The ${command.action} command failed: ${String(error)}`, target));
  });
}
