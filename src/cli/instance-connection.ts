// Connects a client subcommand (status, logs, restart, start, stop, mcp) to the running instance of the
// project, over the same WebSocket protocol as the viewer: found through the runtime file (instance.ts) from
// the folder it runs in, or named with --url. It waits for the greeting and the whole replay, so a subcommand
// starts from the full picture.
//
// The URL holds the token, so no message here ever prints it: only the host and port are shown.

import { WebSocket } from 'ws';
import { LucidLinesClient } from '../client.js';
import { badInstanceUrlMessage, instanceUnreachableMessage, noInstanceMessage } from '../errors.js';
import { findInstance, instanceWebSocketUrl } from '../instance.js';
import type { InfoMessage, ProcessOutputMessage } from '../protocol.js';

export interface InstanceSession {
  client: LucidLinesClient;
  info: InfoMessage;
  /** The scrollback the server replayed on connecting, in the order it was produced. */
  replay: ProcessOutputMessage[];
}

export type Connection = { ok: true; session: InstanceSession } | { ok: false; message: string };

type Target = { ok: true; url: string } | { ok: false; message: string };

/** How long a connection may take before it counts as unanswered; an upper bound, never a wait. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The WebSocket URL for --url: the viewer URL lucidlines prints (http, with `?token=` and `?ws=` when they
 * apply), or a WebSocket URL as is.
 */
export function webSocketUrlFromFlag(given: string): Target {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return { ok: false, message: badInstanceUrlMessage('it is not a URL.') };
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return { ok: true, url: url.href };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: badInstanceUrlMessage(`${url.protocol} is neither http: nor ws:.`) };
  }
  const token = url.searchParams.get('token');
  const socket = new URL(url.searchParams.get('ws') ?? '/ws', url);
  socket.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  socket.search = token === null ? '' : `?${new URLSearchParams({ token })}`;
  return { ok: true, url: socket.href };
}

async function resolveTarget(cwd: string, urlFlag: string | undefined): Promise<Target> {
  if (urlFlag !== undefined) return webSocketUrlFromFlag(urlFlag);
  const found = await findInstance(cwd);
  if (found.kind === 'none') {
    return {
      ok: false,
      message: noInstanceMessage(
        cwd,
        found.stale.map((stale) => stale.pid),
      ),
    };
  }
  return { ok: true, url: instanceWebSocketUrl(found.record) };
}

/** Connects and waits for `info` and the replay; a failure is a message ready to print (exit code 3). */
export async function connectToInstance(cwd: string, urlFlag: string | undefined): Promise<Connection> {
  const target = await resolveTarget(cwd, urlFlag);
  if (!target.ok) return target;
  const address = new URL(target.url).host;
  const client = new LucidLinesClient({ url: target.url, WebSocket, reconnect: false });
  return new Promise<Connection>((resolve) => {
    let info: InfoMessage | null = null;
    const replay: ProcessOutputMessage[] = [];
    const finish = (connection: Connection) => {
      clearTimeout(timer);
      offInfo();
      offProcess();
      offRun();
      offClose();
      if (!connection.ok) client.close();
      resolve(connection);
    };
    const complete = () => {
      if (info !== null && replay.length + replayedRuns >= (info.replayMessages ?? 0)) {
        finish({ ok: true, session: { client, info, replay } });
      }
    };
    const offInfo = client.on('info', (message) => {
      info = message;
      complete();
    });
    /** The `run` messages of the replay (separators between runs) count towards `replayMessages` too. */
    let replayedRuns = 0;
    const offProcess = client.on('process', (message) => {
      if (message.replay === true) replay.push(message);
      complete();
    });
    const offRun = client.on('run', (message) => {
      if (message.replay === true) replayedRuns++;
      complete();
    });
    const offClose = client.on('close', ({ code, reason }) => {
      const why =
        code === 1006
          ? 'the connection was refused or dropped'
          : `closed with ${code}${reason ? ` (${reason})` : ''}`;
      finish({ ok: false, message: instanceUnreachableMessage(address, why) });
    });
    const timer = setTimeout(
      () => finish({ ok: false, message: instanceUnreachableMessage(address, 'it did not answer in time') }),
      CONNECT_TIMEOUT_MS,
    );
  });
}
