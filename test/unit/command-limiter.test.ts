import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandMessage } from '../../src/protocol.js';
import { CommandLimiter } from '../../src/server/command-limiter.js';

const restart = (target: string): CommandMessage => ({ type: 'command', action: 'restart', target });
const stop = (target: string): CommandMessage => ({ type: 'command', action: 'stop', target });
const restartAll: CommandMessage = { type: 'command', action: 'restart-all' };
const stopAll: CommandMessage = { type: 'command', action: 'stop-all' };

/** The input buckets have their own test; the others leave them out of the way. */
const NO_INPUT = { burst: 0, perSecond: 0 };

function admitted(limiter: CommandLimiter, command: CommandMessage, times: number): number {
  let count = 0;
  for (let i = 0; i < times; i++) if (limiter.admit(command)) count++;
  return count;
}

describe('CommandLimiter', () => {
  it('gives every process its own bucket, shared by restart, stop and start of that process', () => {
    const now = 0;
    const limiter = new CommandLimiter(
      { perProcess: { burst: 3, perSecond: 1 }, allProcesses: { burst: 2, perSecond: 1 }, input: NO_INPUT },
      () => now,
    );
    assert.equal(admitted(limiter, restart('web'), 2), 2);
    assert.equal(admitted(limiter, stop('web'), 5), 1, 'stop takes from the same bucket as restart');
    assert.equal(admitted(limiter, restart('api'), 5), 3, "another process's bucket is untouched");
  });

  it('forgets the buckets of processes that are gone, and keeps the others drained', () => {
    const limiter = new CommandLimiter(
      { perProcess: { burst: 2, perSecond: 1 }, allProcesses: { burst: 1, perSecond: 1 }, input: NO_INPUT },
      () => 0,
    );
    assert.equal(admitted(limiter, restart('gone'), 5), 2);
    assert.equal(admitted(limiter, restart('kept'), 5), 2);
    limiter.keepOnly(new Set(['kept']));
    assert.equal(admitted(limiter, restart('kept'), 5), 0, 'a kept bucket is the same bucket');
    assert.equal(admitted(limiter, restart('gone'), 5), 2, 'a name that comes back starts afresh');
  });

  it('refills each bucket at its rate', () => {
    let now = 0;
    const limiter = new CommandLimiter(
      { perProcess: { burst: 2, perSecond: 4 }, allProcesses: { burst: 1, perSecond: 1 }, input: NO_INPUT },
      () => now,
    );
    assert.equal(admitted(limiter, restart('web'), 10), 2);
    now += 250;
    assert.equal(admitted(limiter, restart('web'), 10), 1);
    now += 10_000;
    assert.equal(admitted(limiter, restart('web'), 10), 2, 'never more than the burst');
  });

  it('gives input one bucket per process of its own, apart from the lifecycle commands', () => {
    const now = 0;
    const limiter = new CommandLimiter(
      {
        perProcess: { burst: 1, perSecond: 1 },
        allProcesses: { burst: 1, perSecond: 1 },
        input: { burst: 3, perSecond: 1 },
      },
      () => now,
    );
    const input = (target: string): CommandMessage => ({
      type: 'command',
      action: 'input',
      target,
      data: 'x\n',
    });
    assert.equal(admitted(limiter, restart('web'), 2), 1);
    assert.equal(admitted(limiter, input('web'), 5), 3, 'an empty restart bucket does not block input');
    assert.equal(admitted(limiter, restart('api'), 1), 1, 'input does not take from the lifecycle bucket');
    assert.equal(admitted(limiter, input('api'), 5), 3, "another process's input bucket is untouched");
  });

  it('gives restart-all and stop-all one bucket of their own, apart from the processes', () => {
    let now = 0;
    const limiter = new CommandLimiter(
      { perProcess: { burst: 1, perSecond: 1 }, allProcesses: { burst: 2, perSecond: 1 }, input: NO_INPUT },
      () => now,
    );
    assert.equal(admitted(limiter, restart('web'), 3), 1);
    assert.equal(admitted(limiter, restartAll, 1), 1, 'an empty process bucket does not block restart-all');
    assert.equal(admitted(limiter, stopAll, 3), 1, 'stop-all shares the bucket of restart-all');
    now += 1000;
    assert.equal(admitted(limiter, restartAll, 3), 1);
  });
});
