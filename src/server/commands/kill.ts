import type { CommandHandler } from './handler.js';

// Kill (issue 15): for a process that hangs on SIGTERM, the whole tree gets SIGKILL at once. The result reaches
// every client as a `status` event (`stopped`, signal `SIGKILL`), so there is nothing to reply here.
export const kill: CommandHandler<{ type: 'command'; action: 'kill'; target: string }> = (
  command,
  { control },
) => control.kill(command.target);
