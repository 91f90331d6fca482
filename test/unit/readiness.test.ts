import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProbeResult, Probes } from '../../src/behaviours/probes.js';
import { readiness } from '../../src/behaviours/readiness.js';
import type { ProcessSpec, ReadinessSpec } from '../../src/process/spec.js';
import { FakeHost, ManualTimers } from '../fixtures/fake-host-ready.js';

const TIMEOUT = 5000;
const POLL = 250;

function spec(name: string, readiness?: Partial<ReadinessSpec>): ProcessSpec {
  return {
    name,
    command: `run ${name}`,
    cwd: '/',
    env: {},
    ...(readiness === undefined
      ? {}
      : { awaitReady: true, readiness: { hosts: ['127.0.0.1'], timeoutMs: TIMEOUT, ...readiness } }),
  };
}

/** Probes answering from a script, one result per attempt; attempts past the script wait until aborted. */
function scriptedProbes(results: ProbeResult[]) {
  const attempts: string[] = [];
  /** Attempts still waiting for an answer. */
  const open = { size: 0 };
  const attempt = (what: string, signal: AbortSignal): Promise<ProbeResult> => {
    attempts.push(what);
    const next = results.shift();
    if (next !== undefined) return Promise.resolve(next);
    open.size++;
    return new Promise((resolve) =>
      signal.addEventListener('abort', () => {
        open.size--;
        resolve({ ready: false, detail: 'cancelled' });
      }),
    );
  };
  const probes: Probes = {
    http: (url, signal) => attempt(`http ${url}`, signal),
    tcp: (hosts, port, signal) => attempt(`tcp ${hosts.join('|')}:${port}`, signal),
  };
  return { probes, attempts, open };
}

/** Lets promise continuations (probe results, pauses) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(specs: ProcessSpec[], results: ProbeResult[] = []) {
  const host = new FakeHost(specs);
  const timers = new ManualTimers();
  const scripted = scriptedProbes(results);
  const detach = readiness({ timers, probes: scripted.probes, pollIntervalMs: POLL }).attach(host);
  return { host, timers, detach, ...scripted };
}

describe('readiness', () => {
  test('a pattern matches a line split over chunks with colours in it, once, for the current run', () => {
    const { host, timers } = setup([spec('db', { pattern: /^ready in \d+ ms$/ })]);
    const run = host.spawn('db');
    host.output('db', '\u001b[32mrea');
    host.output('db', 'dy\u001b[0m in \u001b[1m1');
    assert.deepEqual(host.ready, []);
    host.output('db', '2 ms\u001b[0m\n');
    assert.deepEqual(host.ready, [{ name: 'db', run }]);
    assert.equal(host.snapshot('db').facts.readyBy, 'pattern');
    assert.equal(host.snapshot('db').status, 'running');
    assert.deepEqual(timers.pending, [], 'the timeout is cancelled');
    host.output('db', 'ready in 3 ms\n');
    assert.equal(host.ready.length, 1);
  });

  test('a new run clears how the last one became ready, with or without a probe', () => {
    const { host } = setup([spec('db', { pattern: /ready/ })]);
    host.spawn('db');
    host.output('db', 'ready\n');
    assert.equal(host.snapshot('db').facts.readyBy, 'pattern');
    host.exit('db', 0);
    host.spawn('db');
    assert.equal(host.snapshot('db').facts.readyBy, undefined);
    assert.equal(host.snapshot('db').status, 'starting');
    host.output('db', 'ready\n');
    assert.equal(host.snapshot('db').facts.readyBy, 'pattern');
    assert.equal(host.ready.length, 2);
  });

  test('a pattern does not match across two lines, but matches an unfinished line', () => {
    const { host } = setup([spec('db', { pattern: /ready/ })]);
    host.spawn('db');
    host.output('db', 'rea\n');
    host.output('db', 'dy\r\n');
    assert.deepEqual(host.ready, []);
    host.output('db', 'server is rea');
    host.output('db', 'dy');
    assert.equal(host.ready.length, 1);
  });

  test('a line without an end keeps only its last part, and still matches at its end', () => {
    const { host } = setup([spec('db', { pattern: /^x*ready$/ })]);
    host.spawn('db');
    for (let i = 0; i < 100; i++) host.output('db', 'x'.repeat(10_000));
    host.output('db', 'ready');
    assert.equal(host.ready.length, 1);
  });

  test('a run not ready in time is failed with the reason; each restart is probed again', () => {
    const { host, timers } = setup([spec('db', { pattern: /ready/ })]);
    const first = host.spawn('db');
    host.output('db', 'warming up\n');
    timers.fire(TIMEOUT);
    assert.equal(host.failed.length, 1);
    assert.equal(host.failed[0]?.run, first);
    assert.match(host.failed[0]?.message ?? '', /"db" was not ready after 5 s \(no line matched \/ready\/\)/);
    host.exit('db', null);
    const second = host.spawn('db');
    host.output('db', 'ready\n');
    assert.deepEqual(host.ready, [{ name: 'db', run: second }]);
  });

  test('output of a run that ended does not mark the next one ready before it starts', () => {
    const { host, timers } = setup([spec('db', { pattern: /ready/ })]);
    host.spawn('db');
    host.exit('db', 1);
    assert.deepEqual(timers.pending, [], 'the exit ended the probing');
    host.output('db', 'ready\n');
    assert.deepEqual(host.ready, []);
  });

  test('without a probe nothing happens', () => {
    const { host, timers } = setup([spec('web')]);
    host.spawn('web');
    host.output('web', 'ready\n');
    assert.deepEqual([host.ready, timers.pending], [[], []]);
  });

  test('a start held back without a pid is not probed until it spawns', () => {
    const { host, timers, attempts } = setup([spec('api', { port: 3000 })]);
    host.setStatus('api', { status: 'starting', pid: null });
    assert.deepEqual([attempts, timers.pending], [[], []]);
    host.spawn('api');
    assert.deepEqual(attempts, ['tcp 127.0.0.1:3000']);
  });

  test('network probes poll with a pause until one answers, then stop', async () => {
    const refused: ProbeResult = { ready: false, detail: '127.0.0.1:3000: ECONNREFUSED' };
    const { host, timers, attempts } = setup(
      [spec('api', { url: 'http://h/', port: 3000 })],
      [refused, refused],
    );
    host.spawn('api');
    await settle();
    assert.deepEqual(attempts, ['http http://h/', 'tcp 127.0.0.1:3000']);
    assert.deepEqual(timers.pending.sort(), [POLL, POLL, TIMEOUT]);
    timers.fire(POLL);
    await settle();
    // The script is used up: both new attempts hang until the session ends.
    assert.equal(attempts.length, 4);
    assert.deepEqual(host.ready, []);
    host.output('api', 'ignored, there is no pattern\n');
    assert.deepEqual(host.ready, []);
  });

  test('a timeout cancels the attempts under way and says what each probe saw last', async () => {
    const { host, timers, attempts, open } = setup(
      [spec('api', { url: 'http://h/', port: 3000 })],
      [{ ready: false, detail: 'http://h/ answered 503' }],
    );
    host.spawn('api');
    await settle();
    assert.equal(open.size, 1, 'the TCP attempt is still open');
    timers.fire(POLL);
    await settle();
    assert.equal(open.size, 2);
    timers.fire(TIMEOUT);
    await settle();
    assert.equal(open.size, 0);
    assert.deepEqual(timers.pending, []);
    assert.match(host.failed[0]?.message ?? '', /\(http:\/\/h\/ answered 503; port 3000 was not tried yet\)/);
    assert.equal(attempts.length, 3);
  });

  test('an answer makes the run ready, by the probe that answered', async () => {
    const { host, timers } = setup([spec('api', { port: 3000 })], [{ ready: true }]);
    const run = host.spawn('api');
    await settle();
    assert.deepEqual(host.ready, [{ name: 'api', run }]);
    assert.equal(host.snapshot('api').facts.readyBy, 'port');
    assert.deepEqual(timers.pending, []);
  });

  test('detaching cancels every probe and timer and unsubscribes', async () => {
    const { host, timers, detach, open } = setup([spec('api', { port: 3000 }), spec('db', { pattern: /x/ })]);
    host.spawn('api');
    host.spawn('db');
    await settle();
    assert.equal(open.size, 1);
    detach();
    await settle();
    assert.equal(open.size, 0);
    assert.deepEqual(timers.pending, []);
    assert.equal(host.listenerCount, 0);
  });
});
