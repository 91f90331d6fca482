// Supervisor.add and Supervisor.remove with real processes, and how they meet a config reload (apply): the
// cases the protocol tests do not reach, each decided in one place of the engine.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SupervisorEvent } from '../../src/process/events.js';
import { DEFAULT_ENGINE_OPTIONS, type ProcessSpec } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { isAliveProcess as isAlive } from '../fixtures/process-probes.js';

const IDLE = fileURLToPath(new URL('../fixtures/watch-idle.mjs', import.meta.url));
const OPTIONS = { ...DEFAULT_ENGINE_OPTIONS, killTimeoutMs: 500 };

function spec(name: string, version = 'v1'): ProcessSpec {
  return { name, command: `node "${IDLE}" ${name} ${version}`, cwd: process.cwd(), env: {} };
}

const supervisors: Supervisor[] = [];
afterEach(async () => {
  for (const supervisor of supervisors.splice(0)) await supervisor.shutdown({ force: true });
});

function harness(specs: ProcessSpec[]) {
  const supervisor = new Supervisor(specs, OPTIONS);
  supervisors.push(supervisor);
  const events: SupervisorEvent[] = [];
  supervisor.subscribe((event) => events.push(event));
  const names = () => supervisor.list().map((snapshot) => snapshot.name);
  const pidOf = (name: string) => supervisor.list().find((snapshot) => snapshot.name === name)?.pid ?? null;
  const lists = () =>
    events.flatMap((event) => (event.kind === 'processes' ? [event.snapshots.map((s) => s.name)] : []));
  return { supervisor, names, pidOf, lists };
}

describe('Supervisor.add and remove', () => {
  it('refuses a second add of a name taken by the first, even when both are asked for at once', async () => {
    const { supervisor, names, lists } = harness([spec('web')]);
    await supervisor.startAll();
    const [first, second, config] = await Promise.all([
      supervisor.add(spec('extra')),
      supervisor.add(spec('extra', 'v2')),
      supervisor.add(spec('web')),
    ]);
    assert.deepEqual(first, { ok: true });
    assert.deepEqual(second, { ok: false, reason: 'name-taken' });
    assert.deepEqual(config, { ok: false, reason: 'name-taken' });
    assert.deepEqual(names(), ['web', 'extra']);
    assert.deepEqual(lists(), [['web', 'extra']]);
  });

  it('lets the config take over a name it starts listing, and brings back a removed config process on the next apply', async () => {
    const { supervisor, names, pidOf, lists } = harness([spec('web'), spec('worker')]);
    await supervisor.startAll();
    await supervisor.add(spec('extra'));
    await supervisor.add(spec('api'));
    const apiPid = pidOf('api');
    const workerPid = pidOf('worker');
    assert.ok(workerPid !== null && apiPid !== null);

    await supervisor.remove('worker');
    assert.equal(await isAlive(workerPid), false);
    assert.deepEqual(lists().at(-1), ['web', 'extra', 'api']);

    // The file still lists worker and now lists api too, with another command.
    const changes = await supervisor.apply([spec('web'), spec('worker'), spec('api', 'v2')]);
    assert.deepEqual(
      changes.added.map((s) => s.name),
      ['worker'],
    );
    assert.deepEqual(
      changes.changed.map((s) => s.name),
      ['api'],
    );
    assert.deepEqual(changes.removed, [], "extra, added at run time, is not the config's to remove");
    assert.deepEqual(names(), ['web', 'worker', 'api', 'extra']);
    assert.notEqual(pidOf('api'), apiPid, 'the config took api over and restarted it with its command');
    assert.equal(await isAlive(apiPid), false);

    // api is the config's now: an edit that drops it removes it, while extra stays.
    const next = await supervisor.apply([spec('web'), spec('worker')]);
    assert.deepEqual(next.removed, ['api']);
    assert.deepEqual(names(), ['web', 'worker', 'extra']);
  });

  it('adds nothing once the shutdown began', async () => {
    const { supervisor, names } = harness([spec('web')]);
    await supervisor.startAll();
    const shutdown = supervisor.shutdown();
    assert.deepEqual(await supervisor.add(spec('late')), { ok: false, reason: 'shutting-down' });
    await shutdown;
    assert.deepEqual(names(), ['web']);
  });
});
