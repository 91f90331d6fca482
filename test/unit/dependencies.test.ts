import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependencies, stopOrder } from '../../src/behaviours/dependencies.js';
import type { DependencySpec, ProcessSpec } from '../../src/process/spec.js';
import { FakeHost } from '../fixtures/fake-host-ready.js';

function spec(name: string, dependsOn?: (string | DependencySpec)[]): ProcessSpec {
  return {
    name,
    command: `run ${name}`,
    cwd: '/',
    env: {},
    ...(dependsOn === undefined
      ? {}
      : {
          dependsOn: dependsOn.map((entry) =>
            typeof entry === 'string' ? { name: entry, condition: 'ready' as const } : entry,
          ),
        }),
  };
}

function setup(specs: ProcessSpec[]) {
  const host = new FakeHost(specs);
  const detach = dependencies().attach(host);
  /** Asks the gate as the engine does before a spawn, then reports `starting` without a pid as it does. */
  const askGate = (name: string) => {
    const gate = host.gate?.(name) ?? null;
    if (gate === null) return { released: true, gate };
    const state = { released: false, gate };
    void gate.then(() => {
      state.released = true;
    });
    host.setStatus(name, { status: 'starting', pid: null });
    return state;
  };
  return { host, detach, askGate };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('dependencies', () => {
  test('without any dependsOn it holds nothing back and orders no stops', () => {
    const { host, detach } = setup([spec('a'), spec('b')]);
    assert.equal(host.gate?.('a'), null);
    assert.equal(host.stopOrder, null);
    detach();
    assert.equal(host.gate, null);
    assert.equal(host.listenerCount, 0);
  });

  test('a config reload that adds a dependency applies to the next start and to the stop order', () => {
    const { host, askGate } = setup([spec('api'), spec('db')]);
    host.replaceSpec(spec('api', ['db']));
    assert.deepEqual(host.stopOrder, [['api'], ['db']]);
    assert.equal(askGate('api').released, false);
    assert.deepEqual(host.snapshot('api').facts.waitingFor, ['db']);
    host.replaceSpec(spec('api'));
    assert.equal(host.stopOrder, null);
    assert.equal(host.snapshot('api').facts.waitingFor, undefined, 'the wait ends with the dependency');
  });

  test('holds a start until its dependency runs, saying what it waits for, then clears it', async () => {
    const { host, askGate } = setup([spec('api', ['db', 'cache']), spec('db'), spec('cache')]);
    host.setStatus('cache', { status: 'running', pid: 7 });
    const wait = askGate('api');
    assert.equal(wait.released, false);
    assert.deepEqual(host.snapshot('api').facts.waitingFor, ['db']);
    host.spawn('db');
    await settle();
    assert.equal(wait.released, false, 'starting is not ready');
    host.setStatus('db', { status: 'running' });
    await settle();
    assert.equal(wait.released, true);
    assert.equal(host.snapshot('api').facts.waitingFor, undefined);
  });

  test('the list shrinks as dependencies come up', () => {
    const { host, askGate } = setup([spec('api', ['db', 'cache']), spec('db'), spec('cache')]);
    askGate('api');
    assert.deepEqual(host.snapshot('api').facts.waitingFor, ['db', 'cache']);
    host.setStatus('cache', { status: 'running', pid: 7 });
    assert.deepEqual(host.snapshot('api').facts.waitingFor, ['db']);
  });

  test('lets a start through at once when its dependencies are up', () => {
    const { host, askGate } = setup([spec('api', ['db']), spec('db')]);
    host.setStatus('db', { status: 'running', pid: 7 });
    assert.equal(askGate('api').gate, null);
    assert.equal(host.snapshot('api').facts.waitingFor, undefined);
  });

  test('"completed" waits for an exit with code 0; a failure keeps it waiting', async () => {
    const { host, askGate } = setup([
      spec('api', [{ name: 'build', condition: 'completed' }]),
      spec('build'),
    ]);
    const wait = askGate('api');
    host.spawn('build');
    host.setStatus('build', { status: 'running' });
    host.exit('build', 2);
    await settle();
    assert.equal(wait.released, false);
    assert.deepEqual(host.snapshot('api').facts.waitingFor, ['build']);
    host.spawn('build');
    host.exit('build', 0);
    await settle();
    assert.equal(wait.released, true);
  });

  test('a stop abandons the wait and clears waitingFor; a later start waits again', () => {
    const { host, askGate } = setup([spec('api', ['db']), spec('db')]);
    askGate('api');
    host.setStatus('api', { status: 'stopped' });
    assert.equal(host.snapshot('api').facts.waitingFor, undefined);
    host.setStatus('db', { status: 'running', pid: 7 });
    assert.equal(host.snapshot('api').status, 'stopped');
    host.setStatus('db', { status: 'stopped', pid: null });
    assert.equal(askGate('api').released, false);
    assert.deepEqual(host.snapshot('api').facts.waitingFor, ['db']);
  });

  test('detaching removes the gate but keeps the stop order for the shutdown that follows', () => {
    const { host, detach } = setup([spec('api', ['db']), spec('db')]);
    assert.deepEqual(host.stopOrder, [['api'], ['db']]);
    detach();
    assert.equal(host.gate, null);
    assert.deepEqual(host.stopOrder, [['api'], ['db']]);
    assert.equal(host.listenerCount, 0);
  });
});

describe('stopOrder', () => {
  const graph = (entries: Record<string, string[]>) =>
    new Map(
      Object.entries(entries).map(([name, names]) => [
        name,
        names.map((dependency) => ({ name: dependency, condition: 'ready' as const })),
      ]),
    );

  test('stops each process after everything that depends on it', () => {
    assert.deepEqual(
      stopOrder(graph({ web: ['api'], api: ['db', 'cache'], db: [], cache: ['db'], docs: [] })),
      [['web', 'docs'], ['api'], ['cache'], ['db']],
    );
  });

  test('puts the members of a cycle last instead of never, and ignores unknown names', () => {
    assert.deepEqual(stopOrder(graph({ a: ['b', 'ghost'], b: ['a'], c: ['a'] })), [['c'], ['a', 'b']]);
  });
});
