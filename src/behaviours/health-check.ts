import { healthyAgainNotice, type UnhealthyOutcome, unhealthyNotice } from '../errors.js';
import type { Timers } from '../output/line-splitter.js';
import type { BehaviourHost, Health } from '../process/events.js';
import type { HealthCheckSpec } from '../process/spec.js';
import type { Behaviour } from './behaviour.js';
import { networkProbes, type ProbeResult, type Probes } from './probes.js';
import { RunSessions } from './run-sessions.js';

export interface HealthCheckDeps {
  timers: Timers;
  probes: Probes;
  /** Told when a restart of an unhealthy process rejected, which only a bug in the engine makes happen. */
  onRestartFailed: (name: string, error: unknown) => void;
}

const systemDeps: HealthCheckDeps = {
  timers: {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  },
  probes: networkProbes,
  onRestartFailed: (name, error) =>
    process.emitWarning(`lucidlines could not restart the unhealthy "${name}": ${String(error)}`),
};

/**
 * Restarts for health in a row that never brought a passing check, after which an unhealthy process is left
 * running: a process that cannot pass its check (a wrong URL, a server that needs a missing service) would
 * otherwise be restarted every `interval` × `failures` forever.
 */
export const MAX_FRUITLESS_HEALTH_RESTARTS = 3;

/** Per process, across its runs: restarts for health since a check last passed. */
interface RestartStreak {
  fruitless: number;
}

/**
 * Liveness checks: a process with a `healthCheck` is checked while a run of it is `running` (so after its
 * readiness probe, if it has one), first one interval after it went `running`, then one interval after each
 * check ended, so a slow check never overlaps the next. Its `health` fact says what the checks found;
 * `failures` failed checks in a row make it unhealthy (announced, and with `restart` the process is
 * restarted with the reason `health-check`, up to MAX_FRUITLESS_HEALTH_RESTARTS in a row without a pass in
 * between), the next passing check makes it healthy again (announced).
 * Checking ends when somebody stops or restarts the run, when it ends, and when the behaviour is detached;
 * the fact is cleared with the run, so an old verdict is never shown for a new run.
 */
export function healthCheck(deps: Partial<HealthCheckDeps> = {}): Behaviour {
  const resolved: HealthCheckDeps = { ...systemDeps, ...deps };
  return {
    attach(host) {
      const sessions = new RunSessions<CheckSession>();
      /** Processes whose snapshot carries a `health` fact, to clear it when their run ends. */
      const reported = new Set<string>();
      const streaks = new Map<string, RestartStreak>();
      const streakOf = (name: string): RestartStreak => {
        let streak = streaks.get(name);
        if (streak === undefined) {
          streak = { fruitless: 0 };
          streaks.set(name, streak);
        }
        return streak;
      };
      const unsubscribe = host.subscribe((event) => {
        switch (event.kind) {
          case 'status': {
            const { name, status, run, facts } = event.snapshot;
            sessions.endUnless(name, run, status === 'running');
            // A run being stopped still says `running` until it exits; a check then would only fail.
            if (status !== 'running' || facts.stopping === true || !sessions.firstTimeFor(name, run)) break;
            const spec = host.spec(name)?.healthCheck;
            if (spec === undefined) break;
            sessions.begin(
              name,
              new CheckSession(host, name, run, spec, resolved, streakOf(name), () => {
                reported.add(name);
              }),
            );
            break;
          }
          case 'request':
            // A stop or restart ends this run: its checks would race the stop and report a process going down.
            if (event.action !== 'start') sessions.end(event.name);
            // Somebody else took over (a person, a file change): they may have fixed the cause.
            if (event.reason !== 'health-check') streaks.delete(event.name);
            break;
          case 'exit':
            sessions.end(event.name);
            if (reported.delete(event.name)) host.annotate(event.name, { health: undefined });
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

/** The checking of one run of one process. */
class CheckSession {
  readonly run: number;
  readonly #host: BehaviourHost;
  readonly #name: string;
  readonly #spec: HealthCheckSpec;
  readonly #deps: HealthCheckDeps;
  readonly #streak: RestartStreak;
  readonly #onReport: () => void;
  readonly #abort = new AbortController();
  #failures = 0;
  #health: Health | undefined;

  constructor(
    host: BehaviourHost,
    name: string,
    run: number,
    spec: HealthCheckSpec,
    deps: HealthCheckDeps,
    streak: RestartStreak,
    onReport: () => void,
  ) {
    this.#host = host;
    this.#name = name;
    this.run = run;
    this.#spec = spec;
    this.#deps = deps;
    this.#streak = streak;
    this.#onReport = onReport;
  }

  start(): void {
    void this.#loop();
  }

  /** Stops checking; safe to call more than once. */
  end(): void {
    this.#abort.abort();
  }

  async #loop(): Promise<void> {
    const { signal } = this.#abort;
    while (!signal.aborted) {
      await this.#pause();
      if (signal.aborted) return;
      const result = await this.#check(signal);
      if (signal.aborted) return;
      if (result.ready) this.#passed();
      else this.#failed(result.detail);
    }
  }

  #check(signal: AbortSignal): Promise<ProbeResult> {
    const { url, port, hosts, timeoutMs } = this.#spec;
    if (url !== undefined) return this.#deps.probes.http(url, signal, timeoutMs);
    return this.#deps.probes.tcp(hosts, port ?? 0, signal, timeoutMs);
  }

  /** Waits one interval, or less if the session ends meanwhile. */
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
      }, this.#spec.intervalMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #passed(): void {
    this.#failures = 0;
    this.#streak.fruitless = 0;
    if (this.#health === 'healthy') return;
    const wasUnhealthy = this.#health === 'unhealthy';
    this.#set('healthy');
    if (wasUnhealthy) this.#host.announce(this.#name, 'healthy', healthyAgainNotice());
  }

  #failed(detail: string): void {
    this.#failures++;
    if (this.#failures < this.#spec.failures || this.#health === 'unhealthy') return;
    const outcome: UnhealthyOutcome = !this.#spec.restart
      ? { kind: 'report' }
      : this.#streak.fruitless >= MAX_FRUITLESS_HEALTH_RESTARTS
        ? { kind: 'give-up', restarts: this.#streak.fruitless }
        : { kind: 'restart' };
    this.#set('unhealthy');
    this.#host.announce(
      this.#name,
      'unhealthy',
      unhealthyNotice(this.#name, this.#failures, detail, outcome),
    );
    if (outcome.kind !== 'restart') return;
    this.#streak.fruitless++;
    this.end();
    this.#host
      .restart(this.#name, 'health-check')
      .catch((error: unknown) => this.#deps.onRestartFailed(this.#name, error));
  }

  #set(health: Health): void {
    this.#health = health;
    this.#onReport();
    this.#host.annotate(this.#name, { health });
  }
}
