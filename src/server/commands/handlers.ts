import { add } from './add.js';
import type { CommandHandlers } from './handler.js';
import { input } from './input.js';
import { kill } from './kill.js';
import { restart, restartAll, start, stop, stopAll } from './lifecycle.js';
import { remove } from './remove.js';

export const COMMAND_HANDLERS: CommandHandlers = {
  restart,
  stop,
  start,
  'restart-all': restartAll,
  'stop-all': stopAll,
  kill,
  input,
  add,
  remove,
};
