import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, scratchDir, writeConfig } from './lucidlines-process.js';
import { Observer } from './observer.js';
import { peakRss } from './proc-stats.js';
import { linesLoad } from './throughput.js';

const HISTORY_NAME = 'history';
const FLOOD_NAME = 'flood';
/** More than the default scrollback of one process (8 MiB), so that every replay is as large as it gets. */
const HISTORY_BYTES = 10_000_000;
const SERVER_NAME = 'server';

export interface StalledClientsResult {
  /** Clients the server accepted; the others were refused with 503. */
  accepted: number;
  refused: number;
  /** VmHWM of lucidlines once the reading client had the whole flood. */
  peakRss: number;
  /** Close codes the stalled clients saw after reading again, with how many saw each (null: still open). */
  closeCodes: Map<number | null, number>;
}

/** A client that reads nothing after its handshake, as a frozen tab or a forgotten script does. */
interface StalledClient {
  socket: WebSocket;
  closeCode: number | null;
}

function connectStalled(url: string, origin: string): Promise<StalledClient | null> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { origin, perMessageDeflate: false });
    const client: StalledClient = { socket, closeCode: null };
    socket.on('error', () => {});
    socket.once('open', () => {
      socket.pause();
      resolve(client);
    });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      socket.terminate();
      resolve(null);
    });
    socket.once('close', (code) => {
      client.closeCode = code;
      resolve(null);
    });
  });
}

/** A gate of its own per child, so that each can be let go at a different moment. */
function gateIn(dir: string, name: string): StartGate {
  const path = join(dir, `gate-${name}`);
  mkdirSync(path);
  return new StartGate(path);
}

/**
 * Peak RSS of lucidlines while `clients` connections that never read sit on it. First one process fills its
 * scrollback, so every client that connects is sent a full replay of its own (the largest buffer one client
 * can cost); then another process floods `bytes` of output, which one healthy client reads to the end.
 */
export async function measureStalledClients(clients: number, bytes: number): Promise<StalledClientsResult> {
  const history = linesLoad(Math.round(HISTORY_BYTES / 100));
  const load = linesLoad(Math.round(bytes / 100));
  const dir = scratchDir('client-limits');
  const historyGate = gateIn(dir.path, HISTORY_NAME);
  const floodGate = gateIn(dir.path, FLOOD_NAME);
  const config = writeConfig(dir.path, [
    {
      name: HISTORY_NAME,
      command: fixtureCommand('flood.mjs', `${history.args} ${historyGate.args(HISTORY_NAME)}`),
    },
    { name: FLOOD_NAME, command: fixtureCommand('flood.mjs', `${load.args} ${floodGate.args(FLOOD_NAME)}`) },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  const stalled: StalledClient[] = [];
  let refused = 0;
  let reader: Observer | undefined;
  try {
    reader = await Observer.connect(lucid.url);
    await historyGate.waitReady([HISTORY_NAME]);
    const historyTally = reader.tally(HISTORY_NAME);
    historyGate.open();
    await reader.until(() => historyTally.contentChars >= history.contentChars, 120_000, 'the history');
    const page = new URL(lucid.url);
    const wsUrl = `ws://${page.host}/ws${page.search}`;
    // In batches, so that the listen backlog of the server is never what refuses a connection.
    for (let connected = 0; connected < clients; connected += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, clients - connected) }, () => connectStalled(wsUrl, page.origin)),
      );
      for (const client of batch) {
        if (client === null) refused++;
        else stalled.push(client);
      }
    }
    await floodGate.waitReady([FLOOD_NAME]);
    const tally = reader.tally(FLOOD_NAME);
    floodGate.open();
    await reader.until(() => tally.contentChars >= load.contentChars, 600_000, 'the whole flood');
    const peak = peakRss(lucid.pid);
    for (const client of stalled) client.socket.resume();
    // Reading again lets every queued close frame through; the server's closing timeout bounds the wait, and
    // a client still open after it was never dropped (its backlog fitted).
    const deadline = performance.now() + 15_000;
    while (stalled.some((client) => client.closeCode === null) && performance.now() < deadline) {
      await new Promise((wake) => setTimeout(wake, 20));
    }
    const closeCodes = new Map<number | null, number>();
    for (const client of stalled)
      closeCodes.set(client.closeCode, (closeCodes.get(client.closeCode) ?? 0) + 1);
    return { accepted: stalled.length, refused, peakRss: peak, closeCodes };
  } finally {
    for (const client of stalled) client.socket.terminate();
    reader?.close();
    await lucid.stop();
    dir.remove();
  }
}

export interface RestartFloodResult {
  sent: number;
  /** Restarts that passed the rate limits: every sent one that was not answered with RATE_LIMIT. */
  admitted: number;
  /** From the first command sent until every connection had its answers. */
  elapsedMs: number;
  /** Connections still open at the end; a refusal never closes one. */
  openConnections: number;
}

/** `connections` clients each send `perConnection` restarts of one process at once. */
export async function measureRestartFlood(
  connections: number,
  perConnection: number,
): Promise<RestartFloodResult> {
  const dir = scratchDir('restart-flood');
  const config = writeConfig(dir.path, [
    { name: SERVER_NAME, command: fixtureCommand('idle-server.mjs', '') },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  const observers: Observer[] = [];
  try {
    for (let i = 0; i < connections; i++) observers.push(await Observer.connect(lucid.url));
    const marker = (observer: Observer) =>
      observer.errors.some((error) => error.code === 'UNKNOWN_TYPE' || error.process === undefined);
    const sentAt = performance.now();
    for (const observer of observers) {
      for (let i = 0; i < perConnection; i++) {
        observer.send({ type: 'command', action: 'restart', target: SERVER_NAME });
      }
      // Replies keep their order, so the answer to this marker arrives after every answer to the restarts.
      observer.send({ type: 'marker' });
    }
    await Promise.all(
      observers.map((observer) => observer.until(() => marker(observer), 30_000, 'the marker')),
    );
    const elapsedMs = performance.now() - sentAt;
    const refusals = observers
      .flatMap((observer) => observer.errors)
      .filter((error) => error.code === 'RATE_LIMIT' && error.process === SERVER_NAME).length;
    return {
      sent: connections * perConnection,
      admitted: connections * perConnection - refusals,
      elapsedMs,
      openConnections: observers.filter((observer) => observer.closeCode === null).length,
    };
  } finally {
    for (const observer of observers) observer.close();
    await lucid.stop();
    dir.remove();
  }
}
