// `lucidlines mcp`: a Model Context Protocol server over stdio for coding agents, talking to the project's
// running instance. Its libraries are loaded here, on demand, so that no other command pays for them.

import { parseArgs } from 'node:util';
import { mcpUnavailableMessage } from '../errors.js';
import { connectToInstance } from './instance-connection.js';
import { type CliIo, EXIT_FAILURE, EXIT_USAGE, findPackage, print } from './io.js';
import { readArgs, URL_OPTION } from './subcommand-args.js';

export async function runMcp(io: CliIo, argv: string[]): Promise<number> {
  const parsed = readArgs('mcp', () => parseArgs({ args: argv, options: URL_OPTION, strict: true }));
  if (!parsed.ok) {
    print(io.stderr, parsed.message);
    return EXIT_USAGE;
  }
  const { url } = parsed.args.values;
  let mcp: typeof import('../mcp/server.js');
  try {
    mcp = await import('../mcp/server.js');
  } catch (error) {
    print(io.stderr, mcpUnavailableMessage((error as Error).message));
    return EXIT_FAILURE;
  }
  const server = mcp.createMcpServer(findPackage().version, {
    connect: () => connectToInstance(io.cwd, url),
    now: Date.now,
  });
  mcp.serveOverStdio(server);
  // The transport ends the process when stdin closes or on SIGINT/SIGTERM; until then the server runs.
  return new Promise<number>(() => {});
}
