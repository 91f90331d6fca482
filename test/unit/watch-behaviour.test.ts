// The watch behaviour against a fake host, a fake folder watcher and fake timers: which changes restart which
// process, how a burst collapses into one restart, and that every watcher is closed when no longer needed.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { watchBehaviour } from '../../src/behaviours/watch.js';
import type { FolderWatchHandlers, FolderWatchOptions, WatchFolders } from '../../src/folder-watcher.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { WatchFakeHost } from '../fixtures/fake-host-watch.js';

interface FakeWatcher {
  paths: readonly string[];
  options: FolderWatchOptions;
  handlers: FolderWatchHandlers;
  closed: boolean;
}

function fakes() {
  const watchers: FakeWatcher[] = [];
  const watchFolders: WatchFolders = (paths, options, handlers) => {
    const watcher: FakeWatcher = { paths, options, handlers, closed: false };
    watchers.push(watcher);
    return {
      close: () => {
        watcher.closed = true;
        return Promise.resolve();
      },
    };
  };
  let nextHandle = 0;
  const pending = new Map<number, { callback: () => void; ms: number }>();
  const timers = {
    setTimeout: (callback: () => void, ms: number) => {
      pending.set(++nextHandle, { callback, ms });
      return nextHandle;
    },
    clearTimeout: (handle: unknown) => {
      pending.delete(handle as number);
    },
  };
  const fireTimers = () => {
    const due = [...pending.values()];
    pending.clear();
    for (const timer of due) timer.callback();
  };
  const lines: string[] = [];
  return {
    watchers,
    watchFolders,
    timers,
    pending,
    fireTimers,
    lines,
    report: (line: string) => lines.push(line),
  };
}

const spec = (name: string, globs?: string[], extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
  name,
  command: `run ${name}`,
  cwd: `/repo/${name}`,
  env: {},
  ...(globs === undefined ? {} : { watch: { globs, ignore: ['dist/**'], debounceMs: 300 } }),
  ...extra,
});

describe('watch behaviour', () => {
  it('restarts only the watched process, once per burst, naming the first file', () => {
    const f = fakes();
    const host = new WatchFakeHost([spec('web', ['src/**']), spec('api')]);
    const detach = watchBehaviour(f).attach(host);
    assert.equal(f.watchers.length, 1, 'only the process with globs is watched');
    const [watcher] = f.watchers;
    assert.ok(watcher);
    assert.deepEqual(watcher.paths, ['/repo/web/src']);

    watcher.handlers.ready();
    assert.match(f.lines.join(''), /\[web\] watching src\/\*\* for changes/);
    watcher.handlers.changed('/repo/web/src/a.ts');
    watcher.handlers.changed('/repo/web/src/b.ts');
    watcher.handlers.changed('/repo/web/src/a.ts');
    watcher.handlers.changed('/repo/web/README.md');
    assert.equal(f.pending.size, 1, 'one pending restart for the whole burst');
    assert.equal([...f.pending.values()][0]?.ms, 300, 'after watchDebounce of quiet');
    assert.deepEqual(host.restarts, []);
    f.fireTimers();
    assert.deepEqual(host.restarts, [{ name: 'web', reason: 'watch' }]);
    assert.match(f.lines.join(''), /\[web\] src\/a\.ts changed, restarting/);

    watcher.handlers.changed('/repo/web/README.md');
    assert.equal(f.pending.size, 0, 'a file outside the globs changes nothing');
    detach();
    assert.equal(watcher.closed, true);
    assert.equal(host.listenerCount, 0);
  });

  it('asks the watcher to skip node_modules, .git and watchIgnore, so they are never read', () => {
    const f = fakes();
    watchBehaviour(f).attach(new WatchFakeHost([spec('web', ['**/*.ts'])]));
    const ignored = f.watchers[0]?.options.ignored;
    assert.ok(ignored);
    assert.equal(ignored('/repo/web/node_modules'), true);
    assert.equal(ignored('/repo/web/.git'), true);
    assert.equal(ignored('/repo/web/dist'), true);
    assert.equal(ignored('/repo/web/src'), false);
    assert.equal(ignored('/repo/web'), false);
  });

  it('follows a reload: new and changed processes get a new watcher, removed ones lose theirs', () => {
    const f = fakes();
    const keep = spec('keep', ['src/**']);
    const host = new WatchFakeHost([keep, spec('edit', ['src/**']), spec('gone', ['src/**'])]);
    const detach = watchBehaviour(f).attach(host);
    const [keepWatcher, editWatcher, goneWatcher] = f.watchers;
    editWatcher?.handlers.changed('/repo/edit/src/a.ts');

    host.reload([keep, spec('edit', ['lib/**']), spec('added', ['src/**'])]);
    assert.equal(keepWatcher?.closed, false, 'an unchanged spec keeps its watcher');
    assert.equal(editWatcher?.closed, true);
    assert.equal(goneWatcher?.closed, true);
    assert.deepEqual(
      f.watchers.slice(3).map((watcher) => watcher.paths),
      [['/repo/edit/lib'], ['/repo/added/src']],
    );
    assert.equal(f.pending.size, 0, 'the pending restart of a closed watcher is dropped');
    editWatcher?.handlers.changed('/repo/edit/src/b.ts');
    assert.equal(f.pending.size, 0, 'a closed watcher no longer acts');

    detach();
    assert.ok(f.watchers.every((watcher) => watcher.closed));
  });
});
