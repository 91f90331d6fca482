import { forbiddenCommandMessage } from '../errors.js';
import type { CommandTicket, ProcessControl } from '../process/events.js';
import type { RuntimeProcesses } from '../process/runtime-processes.js';
import {
  type Access,
  type CommandMessage,
  decodeClientMessage,
  type ServerMessage,
  type SubscriptionRequest,
} from '../protocol.js';
import type { CommandLimiter } from './command-limiter.js';
import type { CommandHandler, Reply } from './commands/handler.js';
import { COMMAND_HANDLERS } from './commands/handlers.js';
import { answerHistory } from './history.js';
import { errorMessage } from './server-messages.js';

/** What the hub's side of the processes offers every client message: the same for every connection. */
export interface CommandEngine {
  control: ProcessControl;
  limiter: CommandLimiter;
  /** Null unless the config allows processes to be added and removed at run time. */
  runtime: RuntimeProcesses | null;
}

/** The connection a message came from: how to answer it, who it is, what it may do. */
export interface MessageSender {
  reply: (message: ServerMessage) => void;
  owner: object;
  access: Access;
  /** Applies a `subscribe` or `unsubscribe` to this connection's filter. */
  onSubscription: (request: SubscriptionRequest) => void;
}

/**
 * Validates one text frame from a client and hands it on: a `history` request is answered, a subscription
 * applied to the sender's filter, and a command handed to its handler (commands/handlers.ts). Every
 * refusal is a reply to the sender only, carrying the command's `id` when it had one; the connection always
 * stays open. The order matters: a target is checked to exist before it reaches the limiter, so unknown names
 * never create rate-limit buckets. `owner` identifies the sender in the tickets of its commands, so the
 * `settled` events of the engine find their way back to it.
 */
export function dispatchClientMessage(text: string, sender: MessageSender, engine: CommandEngine): void {
  const { reply: replyToSender, owner, access, onSubscription } = sender;
  const { control, limiter, runtime } = engine;
  const decoded = decodeClientMessage(text);
  if (!decoded.ok) {
    replyToSender(errorMessage(decoded.code, decoded.message));
    return;
  }
  // History (issue 15): a read of output the client may see anyway, so view clients may ask too; it costs
  // the per-connection token the frame already took, and no command limiter token.
  if (decoded.value.type === 'history') {
    replyToSender(answerHistory(control, decoded.value));
    return;
  }
  // Subscriptions (issue 15) only shape what this client receives, so a view client may send them too.
  if (decoded.value.type !== 'command') {
    onSubscription(decoded.value);
    return;
  }
  const command = decoded.value;
  const id = 'id' in command ? command.id : undefined;
  const ticket: CommandTicket | undefined = id === undefined ? undefined : { id, owner };
  const reply: Reply = (message) => replyToSender(id === undefined ? message : { ...message, ids: [id] });
  const target = 'target' in command ? command.target : undefined;
  // Access (issue 15): checked before anything else about the command, so a view client learns nothing from
  // the answer (not even whether a process of that name exists) and never takes a rate-limit token.
  if (access === 'view') {
    reply(errorMessage('FORBIDDEN', forbiddenCommandMessage(command.action), target));
    return;
  }
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
  const handler = COMMAND_HANDLERS[command.action] as CommandHandler<CommandMessage>;
  handler(command, { control, reply, ticket, runtime }).catch((error: unknown) => {
    reply(errorMessage(undefined, `The ${command.action} command failed: ${String(error)}`, target));
  });
}
