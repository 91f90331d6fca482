// What the MCP tools of `lucidlines mcp` do, apart from the MCP library: each call connects to the project's
// running instance afresh (so an agent may start and stop lucidlines between calls), acts over the WebSocket
// protocol like every client, and answers with text. Nothing here writes to stdout, which carries MCP.
//
// The token must never reach an agent: messages name an instance by its host and port only, and every text
// is stripped of escape codes, which an agent would read as noise.

import { reachedGoal, sendAndSettle } from '../cli/command-settlement.js';
import type { Connection, InstanceSession } from '../cli/instance-connection.js';
import { LineCollector, type LogLine, plainLine } from '../cli/log-lines.js';
import { withOlderOutput } from '../cli/older-output.js';
import { statusEntries } from '../cli/status.js';
import { instanceClosedMessage, unknownProcessesMessage } from '../errors.js';
import { PlainTextStripper } from '../output/plain-text.js';
import type { ProcessOutputMessage, TargetedAction } from '../protocol.js';

export interface ToolAnswer {
  text: string;
  isError: boolean;
}

export interface ToolContext {
  connect: () => Promise<Connection>;
  now: () => number;
}

/** Lines read_logs returns when the call names no number: enough to see an error and its stack. */
export const DEFAULT_READ_LINES = 200;
/** The longest wait_for_output may wait; MCP clients time calls out on their own well before. */
export const MAX_WAIT_MS = 10 * 60 * 1000;

const plain = (text: string) => new PlainTextStripper().strip(text);
const failure = (text: string): ToolAnswer => ({ text: plain(text).trim(), isError: true });

/** Connects, runs `body` with the session, and always closes it. */
async function withSession(
  context: ToolContext,
  name: string | null,
  body: (session: InstanceSession) => Promise<ToolAnswer>,
): Promise<ToolAnswer> {
  const connection = await context.connect();
  if (!connection.ok) return failure(connection.message);
  const { session } = connection;
  try {
    if (name !== null) {
      const known = session.info.processes.map((process) => process.name);
      if (!known.includes(name)) return failure(unknownProcessesMessage([name], known));
    }
    return await body(session);
  } finally {
    session.client.close();
  }
}

export function listProcesses(context: ToolContext): Promise<ToolAnswer> {
  return withSession(context, null, async ({ info }) => ({
    text: JSON.stringify({ processes: statusEntries(info, context.now()) }, null, 2),
    isError: false,
  }));
}

function scrollbackLines(replay: readonly ProcessOutputMessage[], name: string, now: number): LogLine[] {
  const collector = new LineCollector();
  const lines = replay
    .filter((message) => message.name === name)
    .flatMap((message) => collector.push(message));
  return [...lines, ...collector.flush(now)];
}

/** The lines that match, each with `context` lines around it; separate groups are divided by "--", as grep does. */
function withContext(
  lines: readonly string[],
  matches: (line: string) => boolean,
  context: number,
): string[] {
  const keep = new Set<number>();
  lines.forEach((line, index) => {
    if (!matches(line)) return;
    for (let at = Math.max(0, index - context); at <= Math.min(lines.length - 1, index + context); at++)
      keep.add(at);
  });
  const result: string[] = [];
  let previous = -1;
  for (const index of [...keep].sort((a, b) => a - b)) {
    if (previous !== -1 && index > previous + 1) result.push('--');
    result.push(lines[index] ?? '');
    previous = index;
  }
  return result;
}

export interface ReadLogsArgs {
  name: string;
  lines?: number | undefined;
  since?: number | undefined;
  grep?: string | undefined;
  context?: number | undefined;
}

export function readLogs(context: ToolContext, args: ReadLogsArgs): Promise<ToolAnswer> {
  let pattern: RegExp | null = null;
  if (args.grep !== undefined) {
    try {
      pattern = new RegExp(args.grep);
    } catch (error) {
      return Promise.resolve(failure(`grep is not a valid regular expression: ${(error as Error).message}`));
    }
  }
  return withSession(context, args.name, async (session) => {
    const since = args.since;
    // History (issue 15): the replay holds only the newest `replayLines` lines; older ones are paged in, all
    // of them when a filter may pick any line.
    const enough = pattern === null && since === undefined ? (args.lines ?? DEFAULT_READ_LINES) : null;
    const scrollback = await withOlderOutput(session.client, session.replay, [args.name], enough);
    if (!scrollback.ok) return failure(scrollback.message);
    const texts = scrollbackLines(scrollback.messages, args.name, context.now())
      .filter((line) => since === undefined || line.timestamp >= since)
      .map(plainLine);
    const selected =
      pattern === null ? texts : withContext(texts, (line) => pattern.test(line), args.context ?? 0);
    const shown = selected.slice(-(args.lines ?? DEFAULT_READ_LINES));
    return { text: shown.length === 0 ? '(no output)' : shown.join('\n'), isError: false };
  });
}

export function controlProcess(
  context: ToolContext,
  action: TargetedAction,
  name: string,
): Promise<ToolAnswer> {
  return withSession(context, name, async (session) => {
    const outcome = await sendAndSettle(session, action, [name]);
    if (!outcome.ok) return failure(instanceClosedMessage());
    const [settlement] = outcome.settlements;
    if (settlement === undefined) return failure(instanceClosedMessage());
    const pid = settlement.pid === null ? '' : ` (pid ${settlement.pid})`;
    const why = settlement.failure === null ? '' : `: ${plain(settlement.failure)}`;
    return { text: `${name}: ${settlement.status}${pid}${why}`, isError: !reachedGoal(action, settlement) };
  });
}

export interface WaitForOutputArgs {
  name: string;
  pattern: string;
  timeout: number;
  includeRecent?: boolean | undefined;
}

/** Waits until a line of the process matches; with includeRecent, a line already in the scrollback counts. */
export function waitForOutput(context: ToolContext, args: WaitForOutputArgs): Promise<ToolAnswer> {
  let pattern: RegExp;
  try {
    pattern = new RegExp(args.pattern);
  } catch (error) {
    return Promise.resolve(failure(`pattern is not a valid regular expression: ${(error as Error).message}`));
  }
  const timeout = Math.min(Math.max(0, args.timeout), MAX_WAIT_MS);
  return withSession(context, args.name, async (session) => {
    if (args.includeRecent === true) {
      const recent = scrollbackLines(session.replay, args.name, context.now()).map(plainLine);
      const match = recent.reverse().find((line) => pattern.test(line));
      if (match !== undefined) return { text: `Matched (in recent output): ${match}`, isError: false };
    }
    const collector = new LineCollector();
    return new Promise<ToolAnswer>((resolve) => {
      const finish = (answer: ToolAnswer) => {
        clearTimeout(timer);
        offProcess();
        offClose();
        resolve(answer);
      };
      const offProcess = session.client.on('process', (message) => {
        if (message.name !== args.name) return;
        for (const line of collector.push(message)) {
          const text = plainLine(line);
          if (pattern.test(text)) {
            finish({ text: `Matched: ${text}`, isError: false });
            return;
          }
        }
      });
      const offClose = session.client.on('close', () => finish(failure(instanceClosedMessage())));
      const timer = setTimeout(
        () =>
          finish({
            text: `No line of ${args.name} matched /${args.pattern}/ within ${timeout} ms.`,
            isError: true,
          }),
        timeout,
      );
    });
  });
}
