import { stripVTControlCharacters } from 'node:util';
import { notReadyMessage } from '../errors.js';
import type { Timers } from '../output/line-splitter.js';
import type { BehaviourHost, ReadinessProbe } from '../process/events.js';
import type { ReadinessSpec } from '../process/spec.js';
import type { Behaviour } from './behaviour.js';
import { networkProbes, type ProbeResult, type Probes } from './probes.js';
import { RunSessions } from './run-sessions.js';

export interface ReadinessDeps {
  timers: Timers;
  probes: Probes;
  /** Pause between two attempts of a network probe (after one ends, before the next begins). */
  pollIntervalMs: number;
}

const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Short enough that a dependant starts soon after its dependency is up, long enough to cost nothing. */
const POLL_INTERVAL_MS = 250;

/**
 * The longest line kept while waiting for its end. A process that writes megabytes without a newline must
 * not make every chunk rescan megabytes; only the line's last part is matched then.
 */
const MAX_LINE_CHARS = 64 * 1024;

const LINE_BREAK = /\r\n|\n|\r/;

/**
 * Readiness probes: a process with `readyPattern`, `readyUrl` or `readyPort` is spawned with `awaitReady`,
 * so it stays `starting` until one of its probes succeeds for that run; then it is marked ready and goes
 * `running`. Every run (each restart) is probed afresh. A run still not ready after `readyTimeout` is failed:
 * its tree is stopped and it goes to `error` with NOT_READY. Probing ends with the run, at the first
 * success, and when the behaviour is detached, so nothing keeps polling.
 */
export function readiness(deps: Partial<ReadinessDeps> = {}): Behaviour {
  const { timers, probes, pollIntervalMs } = {
    timers: systemTimers,
    probes: networkProbes,
    pollIntervalMs: POLL_INTERVAL_MS,
    ...deps,
  };
  return {
    attach(host) {
      const sessions = new RunSessions<ProbeSession>();
      const unsubscribe = host.subscribe((event) => {
        switch (event.kind) {
          case 'status': {
            const { name, status, pid, run, facts } = event.snapshot;
            sessions.endUnless(name, run, status === 'starting');
            // A start held back by the start gate is `starting` without a pid: nothing to probe yet.
            if (status !== 'starting' || pid === null || !sessions.firstTimeFor(name, run)) break;
            const spec = host.spec(name)?.readiness;
            if (spec !== undefined) {
              sessions.begin(
                name,
                new ProbeSession(host, name, run, spec, { timers, probes, pollIntervalMs }),
              );
            }
            // The fact is about the run that became ready; this new one has not, and may have no probe now.
            if (facts.readyBy !== undefined) host.annotate(name, { readyBy: undefined });
            break;
          }
          case 'output':
            sessions.get(event.chunk.name)?.onOutput(event.chunk.text);
            break;
          case 'exit':
            sessions.end(event.name, event.run);
            break;
        }
      });
      return () => {
        unsubscribe();
        sessions.endAll();
      };
    },
  };
}

/** The probing of one run of one process. */
class ProbeSession {
  readonly run: number;
  readonly #host: BehaviourHost;
  readonly #name: string;
  readonly #spec: ReadinessSpec;
  readonly #deps: ReadinessDeps;
  readonly #abort = new AbortController();
  #timeout: unknown = null;
  /** The current line, until its end arrives: a pattern may match text split over several chunks. */
  #partial = '';
  /** What each probe found last, for the message if the run times out. */
  readonly #lastSeen = new Map<ReadinessProbe, string>();

  constructor(host: BehaviourHost, name: string, run: number, spec: ReadinessSpec, deps: ReadinessDeps) {
    this.#host = host;
    this.#name = name;
    this.run = run;
    this.#spec = spec;
    this.#deps = deps;
  }

  start(): void {
    const { pattern, url, port, hosts, timeoutMs } = this.#spec;
    this.#timeout = this.#deps.timers.setTimeout(() => this.#timedOut(), timeoutMs);
    if (pattern !== undefined) this.#lastSeen.set('pattern', `no line matched ${String(pattern)}`);
    if (url !== undefined) {
      this.#lastSeen.set('url', `${url} was not tried yet`);
      void this.#poll('url', (signal) => this.#deps.probes.http(url, signal));
    }
    if (port !== undefined) {
      this.#lastSeen.set('port', `port ${port} was not tried yet`);
      void this.#poll('port', (signal) => this.#deps.probes.tcp(hosts, port, signal));
    }
  }

  /** Stops every probe of this run; safe to call more than once. */
  end(): void {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    if (this.#timeout !== null) this.#deps.timers.clearTimeout(this.#timeout);
    this.#timeout = null;
    this.#partial = '';
  }

  onOutput(text: string): void {
    const { pattern } = this.#spec;
    if (pattern === undefined || this.#abort.signal.aborted) return;
    const lines = (this.#partial + text).split(LINE_BREAK);
    const last = lines.pop() ?? '';
    this.#partial = last.length > MAX_LINE_CHARS ? last.slice(-MAX_LINE_CHARS) : last;
    // The unfinished line is tried too: a server may print "ready" and then wait without a newline.
    for (const line of [...lines, this.#partial]) {
      if (pattern.test(stripVTControlCharacters(line))) {
        this.#ready('pattern');
        return;
      }
    }
  }

  async #poll(by: ReadinessProbe, attempt: (signal: AbortSignal) => Promise<ProbeResult>): Promise<void> {
    const { signal } = this.#abort;
    while (!signal.aborted) {
      const result = await attempt(signal);
      if (signal.aborted) return;
      if (result.ready) {
        this.#ready(by);
        return;
      }
      this.#lastSeen.set(by, result.detail);
      await this.#pause();
    }
  }

  /** Waits one poll interval, or less if the session ends meanwhile. */
  #pause(): Promise<void> {
    const { signal } = this.#abort;
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#deps.timers.clearTimeout(handle);
        resolve();
      };
      const handle = this.#deps.timers.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, this.#deps.pollIntervalMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #ready(by: ReadinessProbe): void {
    const host = this.#host;
    this.end();
    host.annotate(this.#name, { readyBy: by });
    host.markReady(this.#name, this.run);
  }

  #timedOut(): void {
    this.#timeout = null;
    const message = notReadyMessage(this.#name, this.#spec.timeoutMs, [...this.#lastSeen.values()]);
    this.end();
    void this.#host.failRun(this.#name, this.run, message);
  }
}
