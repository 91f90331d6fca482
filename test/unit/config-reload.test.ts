// The config reload's decisions, with a fake loader, a fake folder watcher and fake timers: what is applied,
// what is refused and reported, and that reloads never overlap.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadResult, LucidConfig } from '../../src/config/load.js';
import { engineOptions, mergeSettings } from '../../src/config/merge.js';
import { watchConfig } from '../../src/config/reload.js';
import type { FolderWatchHandlers, FolderWatchOptions, WatchFolders } from '../../src/folder-watcher.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { type SpecChanges, specChanges } from '../../src/process/spec-changes.js';

const FILE = '/repo/lucidlines.config.json';

function config(processes: ProcessSpec[], settings = {}, envFiles: string[] = []): LucidConfig {
  const merged = mergeSettings(settings, {});
  return {
    file: FILE,
    settings: merged,
    processes,
    engine: engineOptions(merged),
    envFiles,
    topLevelEnv: {},
  };
}

const spec = (name: string, command = `run ${name}`): ProcessSpec => ({
  name,
  command,
  cwd: '/repo',
  env: {},
});

const loaded = (value: LucidConfig): LoadResult => ({
  ok: true,
  config: value,
  warnings: [],
  omitted: { problems: false, warnings: 0 },
});

function setup(initial: LucidConfig) {
  const watchers: {
    paths: readonly string[];
    options: FolderWatchOptions;
    handlers: FolderWatchHandlers;
    closed: boolean;
  }[] = [];
  const watchFolders: WatchFolders = (paths, options, handlers) => {
    const watcher = { paths, options, handlers, closed: false };
    watchers.push(watcher);
    return {
      close: () => {
        watcher.closed = true;
        return Promise.resolve();
      },
    };
  };
  const pending: (() => void)[] = [];
  let results: LoadResult[] = [];
  let loads = 0;
  let loading = 0;
  let maxLoading = 0;
  const releases: (() => void)[] = [];
  const applied: ProcessSpec[][] = [];
  const rejected: { code: string; message: string }[] = [];
  const reported: { added: string[]; removed: string[]; changed: string[] }[] = [];
  const out: string[] = [];
  const err: string[] = [];
  let current = initial.processes;
  const stop = watchConfig({
    initial,
    load: async () => {
      loads++;
      loading++;
      maxLoading = Math.max(maxLoading, loading);
      await new Promise<void>((resolve) => releases.push(resolve));
      loading--;
      const [result, ...rest] = results;
      results = rest;
      assert.ok(result, 'a load result was prepared');
      return result;
    },
    apply: async (specs): Promise<SpecChanges> => {
      applied.push([...specs]);
      const changes = specChanges(current, specs);
      current = [...specs];
      return changes;
    },
    applied: (changes) => reported.push(changes),
    reject: (code, message) => rejected.push({ code, message }),
    cwd: '/repo',
    watchFolders,
    timers: {
      setTimeout: (callback: () => void) => {
        pending.push(callback);
        return pending.length;
      },
      clearTimeout: () => {
        pending.length = 0;
      },
    },
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  /** The file changed and the settle time passed. */
  const edit = () => {
    watchers.at(-1)?.handlers.changed(FILE);
    for (const callback of pending.splice(0)) callback();
  };
  /** Lets every load in progress finish, and the work after it. */
  const settle = async () => {
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    watchers,
    prepare: (...next: LoadResult[]) => {
      results.push(...next);
    },
    edit,
    settle,
    applied,
    reported,
    rejected,
    out,
    err,
    stop,
    stats: () => ({ loads, maxLoading }),
  };
}

describe('config reload', () => {
  it("watches the config file's folder, only for that file and the env files", () => {
    const s = setup(config([spec('a')], {}, ['/repo/env/.env']));
    const [watcher] = s.watchers;
    assert.deepEqual(watcher?.paths, ['/repo', '/repo/env']);
    assert.equal(watcher?.options.ignored('/repo'), false);
    assert.equal(watcher?.options.ignored(FILE), false);
    assert.equal(watcher?.options.ignored('/repo/env/.env'), false);
    assert.equal(watcher?.options.ignored('/repo/node_modules'), true);
    assert.equal(watcher?.options.ignored('/repo/.lucidlines.config.json.swp'), true);
    watcher?.handlers.ready();
    assert.match(s.out.join(''), /watching lucidlines\.config\.json for edits/);
    s.stop();
    assert.equal(watcher?.closed, true);
  });

  it('applies a valid edit and reports what changed', async () => {
    const s = setup(config([spec('a'), spec('b')]));
    s.prepare(loaded(config([spec('a'), spec('c')])));
    s.edit();
    await s.settle();
    assert.deepEqual(
      s.applied.at(-1)?.map((p) => p.name),
      ['a', 'c'],
    );
    assert.match(s.out.join(''), /applied the edit of lucidlines\.config\.json: started c; stopped b/);
    assert.deepEqual(s.reported, [{ added: ['c'], removed: ['b'], changed: [] }]);
    assert.deepEqual(s.rejected, []);
  });

  it('keeps the old config on an invalid edit and reports it in the terminal and to clients', async () => {
    const s = setup(config([spec('a')]));
    s.prepare({
      ok: false,
      problems: [
        {
          kind: 'field',
          file: 'lucidlines.config.json',
          path: 'processes[0].command',
          message: 'must not be empty.',
          line: 3,
          column: 7,
        },
      ],
      warnings: [],
      omitted: { problems: false, warnings: 0 },
    });
    s.edit();
    await s.settle();
    assert.deepEqual(s.applied, []);
    assert.match(s.err.join(''), /CONFIG EDIT NOT APPLIED/);
    assert.match(s.err.join(''), /lucidlines\.config\.json:3:7 +processes\[0\]\.command must not be empty\./);
    assert.equal(s.rejected[0]?.code, 'CONFIG_INVALID');
    assert.match(s.rejected[0]?.message ?? '', /processes\[0\]\.command must not be empty/);
  });

  it('reports settings that need a restart without applying them, against the settings in force', async () => {
    const s = setup(config([spec('a')], { port: 8080 }));
    s.prepare(
      loaded(config([spec('a')], { port: 9090, wsPath: '/live', open: true })),
      loaded(config([spec('a')], { port: 9090, open: true })),
      loaded(config([spec('a')], { port: 8080 })),
    );
    s.edit();
    await s.settle();
    assert.equal(s.rejected.length, 1);
    assert.equal(s.rejected[0]?.code, 'CONFIG_NEEDS_RESTART');
    assert.match(s.rejected[0]?.message ?? '', /"port", "wsPath"/);
    assert.doesNotMatch(s.rejected[0]?.message ?? '', /"open"/, '"open" matters only at start');
    s.edit();
    await s.settle();
    assert.equal(s.rejected.length, 2, 'still not in force, so still reported');
    s.edit();
    await s.settle();
    assert.equal(s.rejected.length, 2, 'back to the port in force: nothing to report');
    assert.equal(s.applied.length, 3, 'the processes of every valid edit are applied');
  });

  it('never runs two reloads at once; an edit during a reload is read after it, once', async () => {
    const s = setup(config([spec('a')]));
    s.prepare(loaded(config([spec('a', 'v2')])), loaded(config([spec('a', 'v3')])));
    s.edit();
    s.edit();
    s.edit();
    await s.settle();
    assert.deepEqual(s.stats(), { loads: 2, maxLoading: 1 });
    assert.deepEqual(
      s.applied.map((specs) => specs[0]?.command),
      ['v2', 'v3'],
    );
  });

  it('watches the env files of the new config after an edit adds one', async () => {
    const s = setup(config([spec('a')]));
    s.prepare(loaded(config([spec('a')], {}, ['/repo/shared/.env'])));
    s.edit();
    await s.settle();
    assert.equal(s.watchers.length, 2);
    assert.equal(s.watchers[0]?.closed, true);
    assert.deepEqual(s.watchers[1]?.paths, ['/repo', '/repo/shared']);
  });
});
