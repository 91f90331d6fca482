import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { ProcessControl } from '../process/events.js';
import type { RuntimeProcesses } from '../process/runtime-processes.js';
import { createRequestHandler, loadStaticFiles } from './http.js';
import { createHub, DEFAULT_HUB_TUNING, DEFAULT_MAX_CLIENTS, type HubTuning } from './hub.js';
import { createReadApi } from './read-api.js';
import type { GuardConfig } from './request-guard.js';

export interface ServerOptions {
  host: string;
  /** 0 lets the operating system pick a free port. */
  port: number;
  wsPath: string;
  token: string | null;
  /** Access (issue 15): grants `view` access (watch, never control); needs `token`. */
  viewToken?: string | null;
  allowedOrigins: string[];
  /** The directory of the built viewer. */
  webRoot: string;
  version: string;
  viewerLines: number;
  /** History (issue 15): lines per process replayed on connect; older ones come by `history` request. */
  replayLines: number;
  /** Concurrent WebSocket connections beyond which upgrades get 503; `DEFAULT_MAX_CLIENTS` when absent. */
  maxClients?: number;
  /** Runtime processes (issue 15): the `add` and `remove` commands; absent or null while the config forbids them. */
  runtimeProcesses?: RuntimeProcesses | null;
}

export interface RunningServer {
  /** The page URL to open, with `?token=…` when a token is in force. */
  url: string;
  /** Access (issue 15): the same page with the view token, when one is set; its holder can watch, not control. */
  viewUrl: string | null;
  port: number;
  /** Closes every client with 1001, then the server. */
  close(): Promise<void>;
}

export type ServerStart =
  | { ok: true; server: RunningServer }
  | { ok: false; reason: 'port-in-use' | 'listen-failed'; port: number; host: string; message: string };

/** Whether only this machine can reach the host; any other host gets an access token by default. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/** A host for a URL a browser can open: wildcard addresses are replaced by loopback, IPv6 is bracketed. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}

function listen(server: Server, host: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const onError = (error: NodeJS.ErrnoException) => resolve(error);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve(null);
    });
  });
}

export async function startServer(
  options: ServerOptions,
  control: ProcessControl,
  tuning: Partial<HubTuning> = {},
): Promise<ServerStart> {
  const files = await loadStaticFiles(options.webRoot);
  const server = createServer();
  const error = await listen(server, options.host, options.port);
  if (error !== null) {
    return {
      ok: false,
      reason: error.code === 'EADDRINUSE' ? 'port-in-use' : 'listen-failed',
      port: options.port,
      host: options.host,
      message: error.message,
    };
  }
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('A TCP server reported a non-TCP address.');
  }
  const port = address.port;
  const guard: GuardConfig = {
    host: options.host,
    port,
    allowedOrigins: options.allowedOrigins,
    token: options.token,
    viewToken: options.viewToken ?? null,
  };
  const hub = createHub(control, {
    wsPath: options.wsPath,
    version: options.version,
    viewerLines: options.viewerLines,
    replayLines: options.replayLines,
    guard,
    maxClients: options.maxClients ?? DEFAULT_MAX_CLIENTS,
    runtimeProcesses: options.runtimeProcesses ?? null,
    tuning: { ...DEFAULT_HUB_TUNING, ...tuning },
  });
  // Both listeners are attached in the same turn as the listen callback, before any connection is read.
  server.on(
    'request',
    createRequestHandler(
      files,
      guard,
      createReadApi(control, guard, () => hub.events()),
    ),
  );
  server.on('upgrade', (request, socket, head) => hub.handleUpgrade(request, socket, head));

  // The page learns a non-default WebSocket path from its own URL, since the strict CSP rules out the
  // inline script a server would otherwise use to tell it.
  const pageUrl = (token: string | null): string => {
    const params = new URLSearchParams();
    if (token !== null) params.set('token', token);
    if (options.wsPath !== '/ws') params.set('ws', options.wsPath);
    const query = params.size === 0 ? '' : `?${params}`;
    return `http://${urlHost(options.host)}:${port}/${query}`;
  };
  const viewToken = options.viewToken ?? null;
  return {
    ok: true,
    server: {
      url: pageUrl(options.token),
      viewUrl: viewToken === null ? null : pageUrl(viewToken),
      port,
      async close() {
        // Stop accepting connections first, so that no client can join while the others are being closed.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.close();
        server.closeAllConnections();
        await stopped;
      },
    },
  };
}
