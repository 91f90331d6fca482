import type { BehaviourHost } from '../process/events.js';

/**
 * One automatic behaviour over the running processes: restarting on failure, readiness probes, dependencies,
 * restarting on file changes, and so on, one per file in this folder. A behaviour sees the processes only
 * through the host's events and controls, never the engine's internals, so each can be tested against a fake
 * host, and adding one touches its own file and the list in `attachBehaviours`' caller.
 *
 * The processes can change while a behaviour is attached: a live config reload (src/config/reload.ts) adds,
 * removes and changes processes without detaching anything. So a behaviour reads `host.spec(name)` when it
 * acts, never keeps a spec from `attach`, and one that holds something per process (a watcher, a timer, a
 * stop order) re-reads `host.list()` on the `processes` event. That event follows every applied reload,
 * after the removed processes are gone and before the added and changed ones start; a changed process's
 * spec is a new object, so comparing with `===` finds the changed ones.
 */
export interface Behaviour {
  /**
   * Starts the behaviour before any process is started. The returned function stops it: its timers,
   * watchers and subscriptions end, and it no longer acts on the processes.
   */
  attach(host: BehaviourHost): () => void;
}

/** Attaches behaviours in order; the returned function detaches them in reverse order, once. */
export function attachBehaviours(host: BehaviourHost, behaviours: readonly Behaviour[]): () => void {
  const detachers = behaviours.map((behaviour) => behaviour.attach(host));
  return () => {
    while (detachers.length > 0) detachers.pop()?.();
  };
}
