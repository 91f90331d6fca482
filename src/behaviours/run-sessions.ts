/** The work a behaviour does for one run of one process (probing it, checking it), until it is ended. */
export interface RunSession {
  readonly run: number;
  start(): void;
  /** Stops the work; safe to call more than once. */
  end(): void;
}

/**
 * The sessions of a behaviour that works on one run of a process at a time while the run is in a given status
 * (readiness probes while it is `starting`, health checks while it is `running`): at most one per process,
 * begun once per run although status events repeat, ended when the run changes or leaves that status, and
 * all ended when the behaviour is detached, so nothing keeps probing a process nobody asked about.
 */
export class RunSessions<S extends RunSession> {
  readonly #sessions = new Map<string, S>();
  /** The last run a session was asked for, per process. */
  readonly #askedFor = new Map<string, number>();

  get(name: string): S | undefined {
    return this.#sessions.get(name);
  }

  /**
   * Whether a session may begin for this run of the process: true the first time it is asked for the run,
   * false for the repeated status events that follow.
   */
  firstTimeFor(name: string, run: number): boolean {
    if (this.#askedFor.get(name) === run) return false;
    this.#askedFor.set(name, run);
    return true;
  }

  begin(name: string, session: S): void {
    this.end(name);
    this.#sessions.set(name, session);
    session.start();
  }

  /** Ends the process's session, unless it is of `run` and `keep` holds. */
  endUnless(name: string, run: number, keep: boolean): void {
    const current = this.#sessions.get(name);
    if (current !== undefined && (current.run !== run || !keep)) this.end(name);
  }

  /** Ends the process's session; given a run, only if the session is of that run. */
  end(name: string, run?: number): void {
    const current = this.#sessions.get(name);
    if (current === undefined || (run !== undefined && current.run !== run)) return;
    current.end();
    this.#sessions.delete(name);
  }

  endAll(): void {
    for (const name of [...this.#sessions.keys()]) this.end(name);
  }
}
