// CI mode's decisions, with concurrently's meanings (its CompletionListener and KillOthers): whether an exit
// stops the other processes, and once every process has ended, the exit code of lucidlines. Pure, so each
// rule is tested on its own; run.ts feeds it the processes' final exits.
//
// A final exit is one after which the process stays down: an exit that lucidlines follows with a restart
// (one asked for, or an automatic one) is not one, and must not reach these functions.

/** One process's final exit. */
export interface FinalExit {
  name: string;
  /** The process's position in the config or on the command line, from 0. */
  index: number;
  /** Null when a signal ended it. */
  exitCode: number | null;
  /** When it exited; the exits are reported in nearly but not always this order (see the `exit` event). */
  exitedAt: number;
}

export interface CiMode {
  /** first | last | all | command-<name|index> | !command-<name|index>; concurrently's default is all. */
  success: string;
  /** Which exits stop the other processes: any exit (--kill-others), a failed one, or none. */
  killOthersOn: 'any-exit' | 'failure' | 'never';
}

/** Null unless a CI flag is given: then lucidlines keeps running after its processes end, as it always did. */
export function ciModeOf(settings: {
  success: string | null;
  killOthers: boolean;
  killOthersOnFail: boolean;
}): CiMode | null {
  if (settings.success === null && !settings.killOthers && !settings.killOthersOnFail) return null;
  return {
    success: settings.success ?? 'all',
    killOthersOn: settings.killOthers ? 'any-exit' : settings.killOthersOnFail ? 'failure' : 'never',
  };
}

const succeeded = (exit: FinalExit) => exit.exitCode === 0;

export function stopsTheOthers(exit: FinalExit, mode: CiMode): boolean {
  if (mode.killOthersOn === 'any-exit') return true;
  return mode.killOthersOn === 'failure' && !succeeded(exit);
}

export interface Decision {
  holds: boolean;
  /**
   * The process whose exit the condition looked at, or when it fails, the first one (in exit order) that
   * made it fail; null when no process was involved (nothing ran, or `command-x` named no process).
   */
  decider: FinalExit | null;
  /** 0 when the condition holds, else the decider's own exit code, 1 when a signal ended it or none decided. */
  exitCode: number;
}

const decision = (holds: boolean, decider: FinalExit | null): Decision => ({
  holds,
  decider,
  exitCode: holds ? 0 : (decider?.exitCode ?? 1),
});

/** Whether the success condition holds once every process has ended, and the exit code that follows. */
export function decide(reported: readonly FinalExit[], success: string): Decision {
  // concurrently counts a run in which nothing ended as a success.
  if (reported.length === 0) return decision(true, null);
  // "First", "last" and the first failure are about when the processes exited, not when their exits were
  // reported; the sort is stable, so exits at the same instant keep the order they were reported in.
  const exits = [...reported].sort((a, b) => a.exitedAt - b.exitedAt);
  const firstFailure = (among: readonly FinalExit[]) => among.find((exit) => !succeeded(exit)) ?? null;
  if (success === 'first' || success === 'last') {
    const decider = (success === 'first' ? exits[0] : exits.at(-1)) ?? null;
    return decision(decider !== null && succeeded(decider), decider);
  }
  const target = /^(!?)command-(.+)$/.exec(success);
  if (target === null) {
    // "all", and as in concurrently, any condition it does not recognise.
    const failure = firstFailure(exits);
    return decision(failure === null, failure);
  }
  const [, negated, nameOrIndex] = target;
  // A name that is also a number matches both the process of that name and the process at that index.
  const isTarget = (exit: FinalExit) => exit.name === nameOrIndex || exit.index === Number(nameOrIndex);
  const considered = exits.filter((exit) => (negated === '!' ? !isTarget(exit) : isTarget(exit)));
  const failure = firstFailure(considered);
  if (negated !== '!' && considered.length === 0) return decision(false, null);
  return decision(failure === null, failure ?? considered.at(-1) ?? null);
}
