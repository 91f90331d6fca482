// The MCP server of `lucidlines mcp`, on tmcp with its valibot adapter and stdio transport (2.9 MB in all,
// where the official SDK brings 29 MB of HTTP frameworks we would not use). This module is only imported by
// `lucidlines mcp`, so no other command loads these libraries.

import { ValibotJsonSchemaAdapter } from '@tmcp/adapter-valibot';
import { StdioTransport } from '@tmcp/transport-stdio';
import { McpServer } from 'tmcp';
import * as v from 'valibot';
import type { TargetedAction } from '../protocol.js';
import {
  controlProcess,
  DEFAULT_READ_LINES,
  listProcesses,
  MAX_WAIT_MS,
  readLogs,
  type ToolAnswer,
  type ToolContext,
  waitForOutput,
} from './tools.js';

const answer = ({ text, isError }: ToolAnswer) => ({ content: [{ type: 'text' as const, text }], isError });

const processName = v.pipe(
  v.string(),
  v.minLength(1),
  v.description('The process name, as list_processes shows it.'),
);

const CONTROL_TOOLS: { name: string; action: TargetedAction; description: string }[] = [
  {
    name: 'restart_process',
    action: 'restart',
    description:
      'Restart one process (stop its whole process tree, start it again) and wait until it runs again or fails; answers with its new status and pid, or why it failed.',
  },
  {
    name: 'stop_process',
    action: 'stop',
    description: 'Stop one process (its whole process tree) and wait until it is gone.',
  },
  {
    name: 'start_process',
    action: 'start',
    description: 'Start one stopped or crashed process and wait until it runs or fails.',
  },
];

export function createMcpServer(version: string, context: ToolContext): McpServer<v.GenericSchema> {
  const server = new McpServer(
    {
      name: 'lucidlines',
      version,
      description:
        'The dev servers lucidlines runs for this project: their status and logs, and restarting them.',
    },
    { adapter: new ValibotJsonSchemaAdapter(), capabilities: { tools: {} } },
  );

  server.tool(
    {
      name: 'list_processes',
      description:
        'List every process of the running lucidlines: name, status (starting, running, stopped, error), pid, uptime, restarts, exit code and the URLs it announced.',
    },
    async () => answer(await listProcesses(context)),
  );

  server.tool(
    {
      name: 'read_logs',
      description: `Read the recent output of one process (stdout and stderr, escape codes removed), oldest line first: the last ${DEFAULT_READ_LINES} lines unless told otherwise.`,
      schema: v.object({
        name: processName,
        lines: v.optional(
          v.pipe(
            v.number(),
            v.integer(),
            v.minValue(1),
            v.maxValue(100_000),
            v.description('How many lines, from the end.'),
          ),
        ),
        since: v.optional(
          v.pipe(v.number(), v.description('Only output from this time on (Unix milliseconds).')),
        ),
        grep: v.optional(
          v.pipe(
            v.string(),
            v.description('Only lines matching this regular expression (JavaScript syntax).'),
          ),
        ),
        context: v.optional(
          v.pipe(
            v.number(),
            v.integer(),
            v.minValue(0),
            v.maxValue(1000),
            v.description('With grep: lines to show around each match.'),
          ),
        ),
      }),
    },
    async (args) => answer(await readLogs(context, args)),
  );

  for (const { name, action, description } of CONTROL_TOOLS) {
    server.tool({ name, description, schema: v.object({ name: processName }) }, async (args) =>
      answer(await controlProcess(context, action, args.name)),
    );
  }

  server.tool(
    {
      name: 'wait_for_output',
      description:
        'Wait until a line of one process matches a regular expression (e.g. "compiled|ready in"), for at most `timeout` ms; answers with the matching line. Only output after the call counts unless includeRecent is true.',
      schema: v.object({
        name: processName,
        pattern: v.pipe(
          v.string(),
          v.minLength(1),
          v.description(
            'A regular expression (JavaScript syntax), matched against each line without escape codes.',
          ),
        ),
        timeout: v.pipe(
          v.number(),
          v.minValue(0),
          v.maxValue(MAX_WAIT_MS),
          v.description('The longest wait, in milliseconds.'),
        ),
        includeRecent: v.optional(
          v.pipe(v.boolean(), v.description('Also match the recent output already printed (default false).')),
        ),
      }),
    },
    async (args) => answer(await waitForOutput(context, args)),
  );
  return server;
}

/** Serves MCP on stdin/stdout until stdin ends; the transport then exits the process. */
export function serveOverStdio(server: McpServer<v.GenericSchema>): void {
  new StdioTransport(server).listen();
}
