// restart-on-failure against real processes: the engine, the behaviour and its real timers, with waits on
// the events the engine reports (never on time).

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { attachBehaviours } from '../../src/behaviours/behaviour.js';
import { restartOnFailure } from '../../src/behaviours/restart-on-failure.js';
import type { SupervisorEvent } from '../../src/process/events.js';
import {
  DEFAULT_ENGINE_OPTIONS,
  DEFAULT_RESTART_TIMING,
  type ProcessSpec,
  type RestartPolicy,
} from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';

const TEST_TIMEOUT = 120_000;
const WAIT_LIMIT_MS = 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Exit = Extract<SupervisorEvent, { kind: 'exit' }>;
type Status = Extract<SupervisorEvent, { kind: 'status' }>;

function spec(command: string, restart: Partial<RestartPolicy>): ProcessSpec {
  return {
    name: 'app',
    command,
    cwd: process.cwd(),
    env: {},
    restart: { when: 'on-failure', ...DEFAULT_RESTART_TIMING, ...restart },
  };
}

/** A supervisor with restart-on-failure attached, what it reported, and a wait for a reported state. */
function setup(processSpec: ProcessSpec) {
  const supervisor = new Supervisor([processSpec], { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 500 });
  const events: SupervisorEvent[] = [];
  const waiters = new Set<() => void>();
  supervisor.subscribe((event) => {
    events.push(event);
    for (const waiter of [...waiters]) waiter();
  });
  const detach = attachBehaviours(supervisor, [restartOnFailure()]);
  cleanups.push(async () => {
    detach();
    await supervisor.shutdown({ force: true });
  });
  /** Resolves once `condition` holds over the events so far; the limit is only an upper bound. */
  const until = (what: string, condition: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const limit = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Timed out waiting for ${what}; events: ${JSON.stringify(events.map(eventName))}`));
      }, WAIT_LIMIT_MS);
      const check = () => {
        if (!condition()) return;
        waiters.delete(check);
        clearTimeout(limit);
        resolve();
      };
      waiters.add(check);
      check();
    });
  const runs = () => events.flatMap((event) => (event.kind === 'run' ? [event.start] : []));
  const exits = () => events.flatMap((event) => (event.kind === 'exit' ? [event] : []));
  const statuses = () => events.flatMap((event) => (event.kind === 'status' ? [event] : []));
  const errors = () => events.flatMap((event) => (event.kind === 'error' ? [event] : []));
  return { supervisor, events, until, runs, exits, statuses, errors };
}

function eventName(event: SupervisorEvent): string {
  return event.kind === 'status' ? `status:${event.snapshot.status}` : event.kind;
}

/** The wait each exit announced: the `restartAt` of the status that reported it, minus the exit's time. */
function announcedWaits(exits: Exit[], statuses: Status[]): number[] {
  return exits.flatMap((exit) => {
    const status = statuses.find(
      (s) =>
        s.snapshot.run === exit.run && (s.snapshot.status === 'error' || s.snapshot.status === 'stopped'),
    );
    const restartAt = status?.snapshot.facts.restartAt;
    return restartAt === undefined ? [] : [restartAt - exit.timestamp];
  });
}

function assertNear(actual: number[], expected: number[], slackMs: number): void {
  assert.equal(actual.length, expected.length, `${actual} vs ${expected}`);
  actual.forEach((value, i) => {
    assert.ok(Math.abs(value - (expected[i] ?? 0)) <= slackMs, `${actual} vs ${expected}`);
  });
}

describe('restart-on-failure with real processes', { timeout: TEST_TIMEOUT }, () => {
  it('backs off a crash loop with growing waits and gives up after maxRestarts, in error', async () => {
    const fake = setup(spec('echo crashing; exit 1', { delayMs: 50, maxDelayMs: 400, maxRestarts: 4 }));
    await fake.supervisor.startAll();
    await fake.until('giving up', () => fake.errors().some((error) => error.code === 'RESTARTS_EXHAUSTED'));

    const runs = fake.runs();
    assert.deepEqual(
      runs.map((run) => run.reason),
      ['start', 'auto-restart', 'auto-restart', 'auto-restart', 'auto-restart'],
    );
    assertNear(announcedWaits(fake.exits(), fake.statuses()), [50, 100, 200, 400], 5);
    // A restart never comes before its wait is over, so the gaps between the runs grow with the waits.
    const gaps = runs.slice(1).map((run, i) => run.timestamp - (runs[i]?.timestamp ?? 0));
    [50, 100, 200, 400].forEach((wait, i) => {
      assert.ok((gaps[i] ?? 0) >= wait - 5, `gaps ${gaps} must be at least the waits`);
    });
    const last = fake.supervisor.list()[0];
    assert.equal(last?.status, 'error');
    assert.equal(last?.restarts, 4);
    assert.equal(last?.facts.restartAt, undefined);
    assert.match(fake.errors().at(-1)?.message ?? '', /4 automatic restarts in a row.*maxRestarts/s);
  });

  it('with "always", restarts a process that exits with code 0 too', async () => {
    const fake = setup(spec('echo done', { when: 'always', delayMs: 10, maxRestarts: 2 }));
    await fake.supervisor.startAll();
    await fake.until('giving up', () => fake.errors().some((error) => error.code === 'RESTARTS_EXHAUSTED'));
    assert.deepEqual(
      fake.exits().map((exit) => exit.exitCode),
      [0, 0, 0],
    );
    assert.equal(fake.runs().length, 3);
    assert.equal(fake.supervisor.list()[0]?.status, 'stopped');
  });

  it('a manual stop cancels a scheduled restart', async () => {
    // A wait far longer than the test: only the cancellation can clear the scheduled restart in time.
    const fake = setup(spec('exit 3', { delayMs: 3_600_000, maxDelayMs: 3_600_000 }));
    await fake.supervisor.startAll();
    await fake.until('a scheduled restart', () => fake.supervisor.list()[0]?.facts.restartAt !== undefined);
    const statusesBefore = fake.statuses().length;
    await fake.supervisor.stop('app');
    await fake.until(
      'the restart to be cancelled',
      () =>
        fake.statuses().length > statusesBefore &&
        fake.statuses().at(-1)?.snapshot.facts.restartAt === undefined,
    );
    assert.equal(fake.runs().length, 1);

    // Started by hand again, the process begins a fresh streak: the first wait again.
    await fake.supervisor.start('app', 'start');
    await fake.until('the next exit', () => fake.exits().length === 2);
    assertNear(announcedWaits(fake.exits(), fake.statuses()), [3_600_000, 3_600_000], 5);
  });

  it('a run that stayed up for restartResetAfter starts the waits over', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lucid-restart-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const counter = join(dir, 'runs');
    // The third run stays up far longer than restartResetAfter before it crashes; the others crash at once.
    const command = `n=$(cat "${counter}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${counter}"; if [ $n -eq 3 ]; then sleep 2; fi; exit 1`;
    const fake = setup(spec(command, { delayMs: 20, maxDelayMs: 10_000, resetAfterMs: 500 }));
    await fake.supervisor.startAll();
    await fake.until('the fourth run', () => fake.runs().length >= 4);
    assertNear(announcedWaits(fake.exits(), fake.statuses()).slice(0, 3), [20, 40, 20], 5);
  });
});
