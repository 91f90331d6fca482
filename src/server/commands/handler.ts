import type { CommandTicket, ProcessControl } from '../../process/events.js';
import type { RuntimeProcesses } from '../../process/runtime-processes.js';
import type { CommandMessage, ErrorMessage } from '../../protocol.js';

/** Sends a message to the client that sent the command, and to no one else. */
export type Reply = (message: ErrorMessage) => void;

export interface CommandContext {
  control: ProcessControl;
  reply: Reply;
  /** Present when the command carried an `id`: handed to the engine, which reports it back once settled. */
  ticket: CommandTicket | undefined;
  /** The `add` and `remove` commands; null unless the config sets `allowRuntimeProcesses`. */
  runtime: RuntimeProcesses | null;
}

/**
 * Carries out one validated command whose target, if it has one, exists and was admitted by the rate limiter.
 * Expected refusals are replies; the returned promise rejects only on a bug, which the dispatcher reports.
 */
export type CommandHandler<C extends CommandMessage> = (command: C, context: CommandContext) => Promise<void>;

/** One handler per action; TypeScript refuses a protocol action without one. */
export type CommandHandlers = {
  [A in CommandMessage['action']]: CommandHandler<Extract<CommandMessage, { action: A }>>;
};
