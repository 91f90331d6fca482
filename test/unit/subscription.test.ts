import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsMessage, ServerMessage, SubscriptionRequest } from '../../src/protocol.js';
import {
  admits,
  applyRequest,
  clampInterval,
  describeSubscription,
  narrowMetrics,
  processScopeKey,
  type Subscription,
  unsubscribed,
} from '../../src/server/subscription.js';

const DEFAULT_INTERVAL = 2000;

function after(...requests: SubscriptionRequest[]): Subscription {
  return requests.reduce(
    (current, request) => applyRequest(current, request, DEFAULT_INTERVAL),
    unsubscribed(DEFAULT_INTERVAL),
  );
}

const output = (name: string): ServerMessage => ({ type: 'process', name, output: 'x\n', timestamp: 1 });
const status = (name: string): ServerMessage => ({
  type: 'status',
  name,
  status: 'running',
  pid: 1,
  timestamp: 1,
});
const system: ServerMessage = {
  type: 'system',
  cpu: 3,
  cores: 2,
  memoryUsed: 1,
  memoryTotal: 2,
  load: [0, 0, 0],
  timestamp: 1,
};
const crashed = (process: string): ServerMessage => ({
  type: 'event',
  event: 'crashed',
  process,
  message: 'crashed with exit code 1',
  exitCode: 1,
  signal: null,
  timestamp: 1,
});
const processes: ServerMessage = { type: 'processes', processes: [], timestamp: 1 };
const configError: ServerMessage = { type: 'error', message: 'bad', code: 'CONFIG_INVALID', timestamp: 1 };
const metrics: MetricsMessage = {
  type: 'metrics',
  processes: ['web', 'api', 'db'].map((name) => ({ name, cpu: 1, memory: 2, uptime: 3, restarts: 0 })),
  timestamp: 1,
};

describe('subscription filter', () => {
  it('lets a client that never subscribed receive everything it received before, and nothing new', () => {
    const filter = unsubscribed(DEFAULT_INTERVAL);
    for (const message of [output('web'), status('api'), processes, configError, metrics]) {
      assert.ok(admits(filter, message), message.type);
    }
    assert.equal(admits(filter, system), false, 'system is for subscribers only');
    assert.equal(admits(filter, crashed('web')), false, 'lifecycle events are for subscribers only');
    assert.equal(filter.interval, DEFAULT_INTERVAL);
  });

  it('subscribe replaces the filter; omitted fields mean all, including the subscriber-only types', () => {
    const all = after({ type: 'subscribe' });
    assert.ok(admits(all, system));
    assert.ok(admits(all, crashed('web')));
    assert.equal(
      admits(after({ type: 'subscribe', processes: ['api'] }), crashed('web')),
      false,
      'by process',
    );
    assert.ok(admits(all, output('anything')));
    const narrow = after(
      { type: 'subscribe', processes: ['web'], types: ['process'] },
      { type: 'subscribe', processes: ['api'] },
    );
    assert.equal(admits(narrow, output('web')), false, 'the second subscribe replaced the first');
    assert.ok(admits(narrow, output('api')));
    assert.ok(admits(narrow, status('api')), 'types were omitted the second time: all');
  });

  it('filters by process on messages that name one, and passes those that name none', () => {
    const filter = after({ type: 'subscribe', processes: ['web'] });
    assert.ok(admits(filter, output('web')));
    assert.equal(admits(filter, output('api')), false);
    assert.equal(admits(filter, status('api')), false);
    assert.equal(admits(filter, { ...configError, process: 'api', code: 'PROCESS_EXITED' }), false);
    assert.ok(admits(filter, configError), 'an error about no process');
    assert.ok(admits(filter, processes));
    assert.ok(admits(filter, system));
    assert.ok(
      admits(filter, { type: 'info', version: '1', processes: [], timestamp: 1 }),
      'info cannot be subscribed away',
    );
  });

  it('filters by type', () => {
    const filter = after({ type: 'subscribe', types: ['status', 'system'] });
    assert.equal(admits(filter, output('web')), false);
    assert.ok(admits(filter, status('web')));
    assert.ok(admits(filter, system));
    assert.equal(admits(filter, processes), false);
  });

  it('unsubscribe removes named items; from "every process" it leaves all but those', () => {
    const fromList = after(
      { type: 'subscribe', processes: ['web', 'api'], types: ['process', 'status'] },
      { type: 'unsubscribe', processes: ['web'], types: ['status'] },
    );
    assert.equal(admits(fromList, output('web')), false);
    assert.ok(admits(fromList, output('api')));
    assert.equal(admits(fromList, status('api')), false);
    assert.deepEqual(describeSubscription(fromList, 5), {
      type: 'subscription',
      processes: ['api'],
      types: ['process'],
      interval: DEFAULT_INTERVAL,
      timestamp: 5,
    });

    const fromAll = after({ type: 'unsubscribe', processes: ['chatty'] });
    assert.equal(admits(fromAll, output('chatty')), false);
    assert.ok(admits(fromAll, output('later-added')), 'a process that appears later is included');
    assert.equal(admits(fromAll, system), false, 'still not a subscriber of system');
    assert.deepEqual(describeSubscription(fromAll, 5), {
      type: 'subscription',
      processes: null,
      exceptProcesses: ['chatty'],
      types: ['process', 'status', 'run', 'error', 'processes', 'metrics'],
      interval: DEFAULT_INTERVAL,
      timestamp: 5,
    });
  });

  it('a bare unsubscribe restores the never-subscribed state', () => {
    const restored = after(
      { type: 'subscribe', processes: ['web'], types: ['system'], interval: 9000 },
      { type: 'unsubscribe' },
    );
    assert.deepEqual(
      describeSubscription(restored, 1),
      describeSubscription(unsubscribed(DEFAULT_INTERVAL), 1),
    );
  });

  it('clamps the interval to 500–60,000 ms in whole milliseconds', () => {
    assert.equal(clampInterval(1), 500);
    assert.equal(clampInterval(-5), 500);
    assert.equal(clampInterval(1e9), 60_000);
    assert.equal(clampInterval(1234.6), 1235);
    assert.equal(after({ type: 'subscribe', interval: 10 }).interval, 500);
    assert.equal(
      after({ type: 'subscribe', interval: 10 }, { type: 'unsubscribe', types: ['process'] }).interval,
      500,
    );
    assert.equal(
      after({ type: 'subscribe', interval: 10 }, { type: 'subscribe' }).interval,
      DEFAULT_INTERVAL,
    );
  });

  it('narrows metrics to the subscribed processes, sharing the message when nothing is narrowed', () => {
    assert.equal(narrowMetrics(after({ type: 'subscribe' }), metrics), metrics);
    const one = after({ type: 'subscribe', processes: ['api'] });
    assert.deepEqual(
      narrowMetrics(one, metrics).processes.map((entry) => entry.name),
      ['api'],
    );
    const allButDb = after({ type: 'unsubscribe', processes: ['db'] });
    assert.deepEqual(
      narrowMetrics(allButDb, metrics).processes.map((entry) => entry.name),
      ['web', 'api'],
    );
    assert.equal(
      processScopeKey(after({ type: 'subscribe', processes: ['a', 'b'] })),
      processScopeKey(after({ type: 'subscribe', processes: ['b', 'a'], types: ['metrics'] })),
    );
    assert.notEqual(processScopeKey(one), processScopeKey(allButDb));
  });
});
