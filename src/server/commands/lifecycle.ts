import type { CommandHandler } from './handler.js';

// The lifecycle commands of the seed protocol. Their results reach every client as `status` and `error`
// events of the supervisor, so there is nothing to reply here; the ticket of a command with an `id` comes
// back through the engine's `settled` event, which the hub turns into a status for the sender.

export const restart: CommandHandler<{ type: 'command'; action: 'restart'; target: string }> = (
  command,
  { control, ticket },
) => control.restart(command.target, 'manual', ticket);

export const stop: CommandHandler<{ type: 'command'; action: 'stop'; target: string }> = (
  command,
  { control, ticket },
) => control.stop(command.target, ticket);

export const start: CommandHandler<{ type: 'command'; action: 'start'; target: string }> = (
  command,
  { control, ticket },
) => control.start(command.target, 'start', ticket);

export const restartAll: CommandHandler<{ type: 'command'; action: 'restart-all' }> = (
  _command,
  { control, ticket },
) => control.restartAll(ticket);

export const stopAll: CommandHandler<{ type: 'command'; action: 'stop-all' }> = (
  _command,
  { control, ticket },
) => control.stopAll(ticket);
