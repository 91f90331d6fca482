// Processes added and removed at run time (issue 15): the `add` and `remove` commands over a real WebSocket,
// against the real engine running real process trees, and a real edit of a real config file.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { LucidLinesClient } from '../../src/client.js';
import { loadConfig } from '../../src/config/load.js';
import { watchConfig } from '../../src/config/reload.js';
import { runtimeProcesses } from '../../src/config/runtime-processes.js';
import { watchFolders } from '../../src/folder-watcher.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { DEFAULT_HUB_TUNING, type HubTuning } from '../../src/server/hub.js';
import type { ServerOptions } from '../../src/server/server.js';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { isAliveProcess as isAlive } from '../fixtures/process-probes.js';
import { serverOptions, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const TREE = `node ${JSON.stringify(path.join(fixtures, 'runtime-tree.mjs'))}`;
const TICKER = `node -e "let n = 0; setInterval(() => console.log('tick ' + n++), 50)"`;
const temp = mkdtempSync(path.join(tmpdir(), 'lucid-runtime-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function spec(name: string, command: string): ProcessSpec {
  return { name, command, cwd: fixtures, env: {} };
}

/** A supervisor and a server, with runtime processes allowed unless `allow` is false; all of it gone after. */
async function withEngine(
  specs: ProcessSpec[],
  options: { allow: boolean; server?: Partial<ServerOptions>; baseDir?: string; tuning?: Partial<HubTuning> },
  body: (supervisor: Supervisor, server: RunningServer) => Promise<void>,
): Promise<void> {
  const supervisor = new Supervisor(specs, DEFAULT_ENGINE_OPTIONS);
  const runtime = options.allow
    ? runtimeProcesses(supervisor, { baseDir: options.baseDir ?? temp, cwd: temp, topLevelEnv: {} })
    : null;
  const started = await startServer(
    serverOptions({ ...options.server, runtimeProcesses: runtime }),
    supervisor,
    options.tuning,
  );
  if (!started.ok) throw new Error(started.message);
  try {
    await supervisor.startAll();
    await body(supervisor, started.server);
  } finally {
    await started.server.close();
    await supervisor.shutdown({ force: true });
  }
}

async function connected(url: string): Promise<TestClient> {
  const client = new TestClient(url);
  await client.opened;
  await waitUntil('info', () => client.of('info').length === 1);
  return client;
}

/** The pids the tree printed: the parent's and the child's. */
async function treePids(client: TestClient, name: string): Promise<number[]> {
  await waitUntil(`both pids of ${name}`, () => /child pid=\d+/.test(client.output(name)));
  const output = client.output(name);
  return [/parent pid=(\d+)/, /child pid=(\d+)/].map((pattern) => Number(pattern.exec(output)?.[1]));
}

const errorFor = (client: TestClient, id: string) => client.of('error').find((e) => e.ids?.includes(id));
const statusFor = (client: TestClient, id: string) => client.of('status').find((s) => s.ids?.includes(id));
const lastList = (client: TestClient) =>
  client
    .of('processes')
    .at(-1)
    ?.processes.map((p) => p.name);

describe('runtime processes', () => {
  it('refuses add and remove with RUNTIME_PROCESSES_DISABLED unless the config allows them', async () => {
    await withEngine([spec('ticker', TICKER)], { allow: false }, async (supervisor, server) => {
      const client = await connected(wsUrl(server));
      try {
        assert.equal(client.of('info')[0]?.runtimeProcesses, undefined);
        client.send({ type: 'command', action: 'add', id: 'a', process: { name: 'extra', command: TREE } });
        client.send({ type: 'command', action: 'remove', id: 'r', target: 'ticker' });
        await waitUntil(
          'both refusals',
          () => errorFor(client, 'a') !== undefined && errorFor(client, 'r') !== undefined,
        );
        assert.equal(errorFor(client, 'a')?.code, 'RUNTIME_PROCESSES_DISABLED');
        assert.match(errorFor(client, 'a')?.message ?? '', /allowRuntimeProcesses/);
        assert.equal(errorFor(client, 'r')?.code, 'RUNTIME_PROCESSES_DISABLED');
        assert.deepEqual(
          supervisor.list().map((p) => [p.name, p.status]),
          [['ticker', 'running']],
        );
        assert.equal(client.of('processes').length, 0);
      } finally {
        client.close();
      }
    });
  });

  it('adds a process that runs with its fields, lists it, and removes its whole tree', async () => {
    const folder = path.join(temp, 'app');
    mkdirSync(folder, { recursive: true });
    await withEngine([spec('ticker', TICKER)], { allow: true }, async (_supervisor, server) => {
      const client = await connected(wsUrl(server));
      const watcher = await connected(wsUrl(server));
      try {
        assert.equal(client.of('info')[0]?.runtimeProcesses, true);
        client.send({
          type: 'command',
          action: 'add',
          id: 'add-1',
          process: { name: 'extra', command: TREE, cwd: 'app', env: { GREETING: 'hello' } },
        });
        await waitUntil('the add to settle', () => statusFor(client, 'add-1') !== undefined);
        assert.equal(statusFor(client, 'add-1')?.status, 'running');
        assert.deepEqual(lastList(client), ['ticker', 'extra']);
        assert.deepEqual(lastList(watcher), ['ticker', 'extra'], 'every client hears of the new list');
        const pids = await treePids(watcher, 'extra');
        assert.match(watcher.output('extra'), new RegExp(`cwd=${folder} greeting=hello`));
        for (const pid of pids) assert.equal(await isAlive(pid), true);

        client.send({ type: 'command', action: 'remove', id: 'remove-1', target: 'extra' });
        await waitUntil('the list without it', () => lastList(watcher)?.join() === 'ticker');
        assert.equal(statusFor(client, 'remove-1')?.status, 'stopped');
        for (const pid of pids) assert.equal(await isAlive(pid), false, `process ${pid} was left behind`);
        assert.equal(client.of('error').length, 0, JSON.stringify(client.of('error')));

        client.send({ type: 'command', action: 'remove', id: 'remove-2', target: 'extra' });
        await waitUntil('the refusal', () => errorFor(client, 'remove-2') !== undefined);
        assert.equal(errorFor(client, 'remove-2')?.code, 'UNKNOWN_PROCESS');
      } finally {
        client.close();
        watcher.close();
      }
    });
  });

  it('refuses a taken name with NAME_TAKEN and an invalid entry with INVALID_MESSAGE naming the field', async () => {
    // Every refusal takes a token of the rate limiter, as any command does; this test sends more than its burst.
    const tuning = {
      rateLimit: { ...DEFAULT_HUB_TUNING.rateLimit, allProcesses: { burst: 100, perSecond: 1 } },
    };
    await withEngine([spec('ticker', TICKER)], { allow: true, tuning }, async (supervisor, server) => {
      const client = await connected(wsUrl(server));
      try {
        const refusals: [string, Record<string, unknown>, string, RegExp][] = [
          ['taken', { name: 'ticker', command: TREE }, 'NAME_TAKEN', /already named "ticker"/],
          [
            'restart',
            { name: 'x', command: TREE, restart: 'sometimes' },
            'INVALID_MESSAGE',
            /process\.restart must be/,
          ],
          [
            'typo',
            { name: 'x', comand: TREE },
            'INVALID_MESSAGE',
            /process\.comand is not a field.*"command"/,
          ],
          ['no-command', { name: 'x' }, 'INVALID_MESSAGE', /process\.command is missing/],
          [
            'env',
            { name: 'x', command: TREE, env: { PORT: 3000 } },
            'INVALID_MESSAGE',
            /process\.env\.PORT must be a string/,
          ],
          [
            'depends',
            { name: 'x', command: TREE, dependsOn: ['tickr'] },
            'INVALID_MESSAGE',
            /process\.dependsOn\[0\].*"ticker"/,
          ],
          [
            'self',
            { name: 'x', command: TREE, dependsOn: ['x'] },
            'INVALID_MESSAGE',
            /process\.dependsOn\[0\] closes a dependsOn cycle/,
          ],
        ];
        for (const [id, process] of refusals) client.send({ type: 'command', action: 'add', id, process });
        client.send({ type: 'command', action: 'add', id: 'shape', process: 'x' });
        await waitUntil('every refusal', () => refusals.every(([id]) => errorFor(client, id) !== undefined));
        for (const [id, , code, pattern] of refusals) {
          assert.equal(errorFor(client, id)?.code, code, id);
          assert.match(errorFor(client, id)?.message ?? '', pattern, id);
        }
        await waitUntil('the shape refusal', () =>
          client.of('error').some((e) => /"process" object/.test(e.message)),
        );
        assert.deepEqual(
          supervisor.list().map((p) => p.name),
          ['ticker'],
        );
        assert.equal(client.of('processes').length, 0);
      } finally {
        client.close();
      }
    });
  });

  it('adds and removes through lucidlines/client, settling each with the id it was given', async () => {
    await withEngine([spec('ticker', TICKER)], { allow: true }, async (_supervisor, server) => {
      const client = new LucidLinesClient({ url: wsUrl(server), WebSocket, reconnect: false });
      const statuses: { name: string; status: string; ids?: string[] }[] = [];
      const lists: string[][] = [];
      let runtimeAllowed: boolean | undefined;
      client.on('info', (info) => {
        runtimeAllowed = info.runtimeProcesses;
      });
      client.on('status', (status) => statuses.push(status));
      client.on('processes', (message) => lists.push(message.processes.map((p) => p.name)));
      try {
        await waitUntil('info', () => runtimeAllowed !== undefined);
        assert.equal(runtimeAllowed, true);
        assert.equal(client.add({ name: 'extra', command: TREE }, { id: 'a' }), true);
        await waitUntil('the add to settle', () => statuses.some((s) => s.ids?.includes('a')));
        assert.deepEqual(lists.at(-1), ['ticker', 'extra']);
        assert.equal(client.remove('extra', { id: 'r' }), true);
        await waitUntil('the list without it', () => lists.at(-1)?.join() === 'ticker');
        assert.equal(statuses.find((s) => s.ids?.includes('r'))?.status, 'stopped');
      } finally {
        client.close();
      }
    });
  });

  it('refuses add and remove from a view client with FORBIDDEN', async () => {
    const tokens = { token: 'control-secret', viewToken: 'view-secret' };
    await withEngine(
      [spec('ticker', TICKER)],
      { allow: true, server: tokens },
      async (supervisor, server) => {
        const url = new URL(wsUrl(server));
        url.searchParams.set('token', 'view-secret');
        const viewer = await connected(url.toString());
        try {
          viewer.send({ type: 'command', action: 'add', id: 'a', process: { name: 'extra', command: TREE } });
          viewer.send({ type: 'command', action: 'remove', id: 'r', target: 'ticker' });
          await waitUntil(
            'both refusals',
            () => errorFor(viewer, 'a') !== undefined && errorFor(viewer, 'r') !== undefined,
          );
          assert.equal(errorFor(viewer, 'a')?.code, 'FORBIDDEN');
          assert.equal(errorFor(viewer, 'r')?.code, 'FORBIDDEN');
          assert.deepEqual(
            supervisor.list().map((p) => [p.name, p.status]),
            [['ticker', 'running']],
          );
        } finally {
          viewer.close();
        }
      },
    );
  });

  it('leaves a process added at run time running across a config reload, which applies the rest of the edit', async () => {
    const folder = mkdtempSync(path.join(temp, 'reload-'));
    const file = path.join(folder, 'lucidlines.config.json');
    const write = (command: string) =>
      writeFileSync(file, JSON.stringify({ processes: [{ name: 'ticker', command }] }));
    write(TICKER);
    const loaded = await loadConfig({ cwd: folder, flags: {} });
    assert.ok(loaded.ok);
    const out: string[] = [];
    await withEngine(
      loaded.config.processes,
      { allow: true, baseDir: folder },
      async (supervisor, server) => {
        const stopWatching = watchConfig({
          initial: loaded.config,
          load: () => loadConfig({ cwd: folder, flags: {} }),
          apply: (specs) => supervisor.apply(specs),
          reject: (code, message) => supervisor.reportConfigRejection(code, message),
          applied: (changes) => supervisor.reportConfigApplied(changes),
          cwd: folder,
          watchFolders,
          timers: { setTimeout, clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) },
          out: (text) => out.push(text),
          err: (text) => out.push(text),
        });
        const client = await connected(wsUrl(server));
        try {
          client.send({
            type: 'command',
            action: 'add',
            id: 'add',
            process: { name: 'extra', command: TREE },
          });
          await waitUntil('the add to settle', () => statusFor(client, 'add') !== undefined);
          const pids = await treePids(client, 'extra');
          const shellPid = supervisor.list().find((p) => p.name === 'extra')?.pid;
          await waitUntil('the config watch to be ready', () => out.join('').includes('watching'));

          write(`${TICKER} # edited`);
          await waitUntil('the reload', () => out.join('').includes('restarted ticker'), 30_000);
          await waitUntil('the edited ticker to run', () =>
            supervisor.list().some((p) => p.name === 'ticker' && p.status === 'running' && p.restarts === 1),
          );
          assert.doesNotMatch(out.join(''), /stopped extra/);
          const extra = supervisor.list().find((p) => p.name === 'extra');
          assert.equal(extra?.status, 'running');
          assert.equal(extra?.pid, shellPid, 'the added process was not restarted');
          for (const pid of pids) assert.equal(await isAlive(pid), true);
          assert.deepEqual(
            supervisor.list().map((p) => p.name),
            ['ticker', 'extra'],
          );
        } finally {
          client.close();
          stopWatching();
        }
      },
    );
  });
});
