// The chokidar adapter on real folders: what it reads, what it reports, and that an editor's save by rename
// is seen. Every wait is on a reported event.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isAlwaysIgnored } from '../../src/behaviours/watch-globs.js';
import { type FolderWatcher, watchFolders } from '../../src/folder-watcher.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-folder-watch-'));
const open: FolderWatcher[] = [];
after(async () => {
  await Promise.all(open.map((watcher) => watcher.close()));
  rmSync(temp, { recursive: true, force: true });
});

/** Watches `folder`; `changes` collects reported paths, and `next` waits for the next one matching. */
function watchRecording(folder: string, ignored: (target: string) => boolean) {
  const changes: string[] = [];
  const offered: string[] = [];
  const waiters = new Set<() => void>();
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const watcher = watchFolders(
    [folder],
    {
      ignored: (target) => {
        offered.push(target);
        return ignored(target);
      },
    },
    {
      changed: (target) => {
        changes.push(target);
        for (const waiter of [...waiters]) waiter();
      },
      ready: () => onReady(),
      failed: (error) => {
        throw error;
      },
    },
  );
  open.push(watcher);
  const next = (accept: (target: string) => boolean, what: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no change reported for ${what}: ${changes}`)), 30_000);
      const check = () => {
        const found = changes.find(accept);
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  return { watcher, changes, offered, ready, next };
}

describe('watchFolders (chokidar)', () => {
  it('never reads inside node_modules or .git, and reports changes elsewhere after ready', async () => {
    const folder = path.join(temp, 'project');
    mkdirSync(path.join(folder, 'node_modules', 'big', 'lib'), { recursive: true });
    mkdirSync(path.join(folder, '.git', 'objects'), { recursive: true });
    mkdirSync(path.join(folder, 'src', 'deep'), { recursive: true });
    for (let i = 0; i < 50; i++)
      writeFileSync(path.join(folder, 'node_modules', 'big', 'lib', `${i}.js`), '');
    writeFileSync(path.join(folder, '.git', 'objects', 'pack'), '');
    const recording = watchRecording(folder, (target) => isAlwaysIgnored(folder, target));
    await recording.ready;
    const inside = recording.offered.filter(
      (target) =>
        target.includes(`${path.sep}node_modules${path.sep}`) ||
        target.includes(`${path.sep}.git${path.sep}`),
    );
    assert.deepEqual(inside, [], 'nothing below node_modules or .git was even looked at');
    assert.ok(recording.offered.includes(path.join(folder, 'node_modules')), 'the folder itself was refused');

    writeFileSync(path.join(folder, 'node_modules', 'big', 'lib', 'new.js'), '');
    writeFileSync(path.join(folder, 'src', 'deep', 'a.ts'), 'x');
    await recording.next((target) => target.endsWith('a.ts'), 'src/deep/a.ts');
    assert.deepEqual(recording.changes, [path.join(folder, 'src', 'deep', 'a.ts')]);
  });

  it("reports an editor's save by rename of a watched file as a change", async () => {
    const folder = path.join(temp, 'config');
    mkdirSync(folder);
    const file = path.join(folder, 'lucidlines.config.json');
    writeFileSync(file, '{}');
    const recording = watchRecording(folder, (target) => target !== folder && target !== file);
    await recording.ready;
    const swap = path.join(folder, '.lucidlines.config.json.swp');
    writeFileSync(swap, '{ "processes": [] }');
    renameSync(swap, file);
    assert.equal(await recording.next((target) => target === file, 'the renamed config'), file);
    assert.ok(!recording.changes.includes(swap), 'the temporary file is not reported');
  });
});
