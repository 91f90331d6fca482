import type { CommandHandler } from './handler.js';

// The lifecycle commands of the seed protocol. Their results reach every client as `status` and `error`
// events of the supervisor, so there is nothing to reply here.

export const restart: CommandHandler<{ type: 'command'; action: 'restart'; target: string }> = (
  command,
  { control },
) => control.restart(command.target, 'manual');

export const stop: CommandHandler<{ type: 'command'; action: 'stop'; target: string }> = (
  command,
  { control },
) => control.stop(command.target);

export const start: CommandHandler<{ type: 'command'; action: 'start'; target: string }> = (
  command,
  { control },
) => control.start(command.target, 'start');

export const restartAll: CommandHandler<{ type: 'command'; action: 'restart-all' }> = (
  _command,
  { control },
) => control.restartAll();

export const stopAll: CommandHandler<{ type: 'command'; action: 'stop-all' }> = (_command, { control }) =>
  control.stopAll();
