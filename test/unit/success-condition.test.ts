import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ciModeOf, decide, type FinalExit, stopsTheOthers } from '../../src/cli/success-condition.js';

let clock = 0;
/** An exit at the next instant: the exits a test lists happened in the order it lists them. */
const exit = (name: string, index: number, exitCode: number | null): FinalExit => ({
  name,
  index,
  exitCode,
  exitedAt: ++clock,
});

// In exit order: api was killed by a signal after e2e failed with 3, then lint passed.
const E2E_FAILED = [exit('e2e', 1, 3), exit('api', 0, null), exit('lint', 2, 0)];
const E2E_PASSED = [exit('e2e', 1, 0), exit('api', 0, null), exit('lint', 2, 0)];

describe('CI mode', () => {
  test('is off without any CI setting, and "all" is the default condition with a kill flag', () => {
    assert.equal(ciModeOf({ success: null, killOthers: false, killOthersOnFail: false }), null);
    assert.deepEqual(ciModeOf({ success: null, killOthers: true, killOthersOnFail: false }), {
      success: 'all',
      killOthersOn: 'any-exit',
    });
    assert.deepEqual(ciModeOf({ success: null, killOthers: false, killOthersOnFail: true }), {
      success: 'all',
      killOthersOn: 'failure',
    });
    assert.deepEqual(ciModeOf({ success: 'first', killOthers: false, killOthersOnFail: false }), {
      success: 'first',
      killOthersOn: 'never',
    });
  });

  test('--kill-others stops the others on any exit, --kill-others-on-fail only on a failed one', () => {
    const any = { success: 'all', killOthersOn: 'any-exit' } as const;
    const onFail = { success: 'all', killOthersOn: 'failure' } as const;
    const never = { success: 'all', killOthersOn: 'never' } as const;
    assert.equal(stopsTheOthers(exit('a', 0, 0), any), true);
    assert.equal(stopsTheOthers(exit('a', 0, 0), onFail), false);
    assert.equal(stopsTheOthers(exit('a', 0, 2), onFail), true);
    assert.equal(stopsTheOthers(exit('a', 0, null), onFail), true);
    assert.equal(stopsTheOthers(exit('a', 0, 2), never), false);
  });

  test('first and last look at the first and last process to exit', () => {
    assert.equal(decide(E2E_FAILED, 'first').exitCode, 3);
    assert.equal(decide(E2E_PASSED, 'first').exitCode, 0);
    assert.equal(decide(E2E_PASSED, 'last').exitCode, 0);
    assert.equal(decide([exit('a', 0, 0), exit('b', 1, 5)], 'last').exitCode, 5);
  });

  test('goes by when the processes exited, not by the order their exits were reported in', () => {
    // b's exit was reported first (its output ended sooner), though a had exited before it.
    const a = exit('a', 0, 3);
    const b = exit('b', 1, 0);
    const c = exit('c', 2, 5);
    const reported = [b, a, c];
    assert.equal(decide(reported, 'first').decider, a);
    assert.equal(decide(reported, 'first').exitCode, 3);
    assert.equal(decide([a, c, b], 'last').decider, c);
    assert.equal(decide(reported, 'all').decider, a);
  });

  test('all needs every exit to be 0, and fails with the first failure in exit order', () => {
    assert.equal(decide([exit('a', 0, 0), exit('b', 1, 0)], 'all').exitCode, 0);
    assert.equal(decide(E2E_FAILED, 'all').exitCode, 3);
    // A signal (the killed api) gives 1.
    assert.equal(decide(E2E_PASSED, 'all').exitCode, 1);
    assert.equal(decide(E2E_PASSED, 'all').decider, E2E_PASSED[1]);
  });

  test('command-x looks at process x only, by name or by index', () => {
    assert.equal(decide(E2E_PASSED, 'command-e2e').exitCode, 0);
    assert.equal(decide(E2E_PASSED, 'command-1').exitCode, 0);
    assert.equal(decide(E2E_FAILED, 'command-e2e').exitCode, 3);
    assert.equal(decide(E2E_FAILED, 'command-lint').exitCode, 0);
    assert.equal(decide(E2E_PASSED, 'command-api').exitCode, 1);
  });

  test('command-x naming no process fails with 1, as in concurrently', () => {
    assert.deepEqual(decide(E2E_PASSED, 'command-nope'), { holds: false, decider: null, exitCode: 1 });
    assert.equal(decide(E2E_PASSED, 'command-nope').exitCode, 1);
  });

  test('!command-x needs every process but x to exit with 0', () => {
    assert.equal(decide([exit('e2e', 1, 0), exit('api', 0, null)], '!command-api').exitCode, 0);
    assert.equal(decide([exit('e2e', 1, 0), exit('api', 0, null)], '!command-0').exitCode, 0);
    assert.equal(decide(E2E_FAILED, '!command-api').exitCode, 3);
    assert.equal(decide(E2E_FAILED, '!command-e2e').exitCode, 1);
  });

  test('a run in which nothing ended is a success', () => {
    assert.equal(decide([], 'all').exitCode, 0);
    assert.equal(decide([], 'command-x').exitCode, 0);
  });
});
