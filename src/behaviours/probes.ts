// The network probes of the readiness behaviour: one attempt each, answering whether the process is ready
// and, when it is not, why, so a timeout can say what was last seen. The behaviour repeats attempts; every
// attempt ends by itself (a bounded wait) or when its signal aborts, so nothing is left connecting.

import { connect } from 'node:net';

export type ProbeResult = { ready: true } | { ready: false; detail: string };

export interface Probes {
  /** One GET of `url`: ready on a 2xx or 3xx answer. `timeoutMs` bounds the attempt (ATTEMPT_TIMEOUT_MS). */
  http(url: string, signal: AbortSignal, timeoutMs?: number): Promise<ProbeResult>;
  /** One TCP connection attempt to each host: ready when any of them accepts. */
  tcp(hosts: readonly string[], port: number, signal: AbortSignal, timeoutMs?: number): Promise<ProbeResult>;
}

/**
 * A server that accepts the connection but never answers (or a firewall that drops packets) must not stall
 * the polling; past this an attempt counts as failed and the next one begins.
 */
const ATTEMPT_TIMEOUT_MS = 2000;

const describeError = (error: unknown): string =>
  String((error as { cause?: { code?: unknown } }).cause?.code ?? (error as Error).message ?? error);

async function httpRequest(url: string, signal: AbortSignal): Promise<ProbeResult> {
  try {
    const response = await fetch(url, {
      // A redirect already shows the server answers; following it could lead anywhere, even off the machine.
      redirect: 'manual',
      signal,
    });
    // The body is not needed; cancelling it releases the connection at once instead of at garbage collection.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 400) return { ready: true };
    return { ready: false, detail: `${url} answered ${response.status}` };
  } catch (error) {
    return { ready: false, detail: `${url}: ${describeError(error)}` };
  }
}

/**
 * The attempt ends at `timeoutMs` by its own timer, whatever fetch does: fetch follows its signal through a
 * weak reference, and after a garbage collection an abort can be lost (nodejs/undici#4068), which left a
 * check of a server that accepted but never answered waiting forever, so the process was never found
 * unhealthy. The timer also aborts the request, which releases the connection whenever the abort does reach it.
 */
async function httpAttempt(
  url: string,
  signal: AbortSignal,
  timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<ProbeResult> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ready: false, detail: `${url}: no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    return await Promise.race([httpRequest(url, controller.signal), timedOut]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

function tcpAttemptOn(
  host: string,
  port: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    if (signal.aborted) {
      resolve({ ready: false, detail: `${target}: cancelled` });
      return;
    }
    const socket = connect({ host, port });
    const finish = (result: ProbeResult) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ ready: false, detail: `${target}: cancelled` });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => finish({ ready: false, detail: `${target}: no answer` }));
    socket.once('connect', () => finish({ ready: true }));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ ready: false, detail: `${target}: ${error.code ?? error.message}` }),
    );
  });
}

async function tcpAttempt(
  hosts: readonly string[],
  port: number,
  signal: AbortSignal,
  timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<ProbeResult> {
  const results = await Promise.all(hosts.map((host) => tcpAttemptOn(host, port, signal, timeoutMs)));
  const failures = results.flatMap((result) => (result.ready ? [] : [result.detail]));
  return failures.length < results.length ? { ready: true } : { ready: false, detail: failures.join(', ') };
}

export const networkProbes: Probes = { http: httpAttempt, tcp: tcpAttempt };
