import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  openProjectStateFolder,
  projectHash,
  type StateFolderContext,
  stateFolderChain,
} from '../../src/project-state.js';

const temp = realpathSync(mkdtempSync(path.join(tmpdir(), 'lucid-state-')));
after(() => rmSync(temp, { recursive: true, force: true }));

const uid = process.getuid?.() ?? null;
let counter = 0;

/** A fresh project folder and a fresh fake temporary folder, so no test sees another's state. */
function scene(env: NodeJS.ProcessEnv = {}): { project: string; context: StateFolderContext; tmp: string } {
  counter++;
  const project = path.join(temp, `project-${counter}`);
  const tmp = path.join(temp, `tmp-${counter}`);
  mkdirSync(project);
  mkdirSync(tmp);
  return { project, tmp, context: { env, tmpdir: () => tmp, uid } };
}

const modeOf = (folder: string) => statSync(folder).mode & 0o777;

describe('project state folder', () => {
  it('lives in $XDG_RUNTIME_DIR/lucidlines/<hash of the real path>, mode 0700', async () => {
    const runtime = path.join(temp, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const { project, context } = scene({ XDG_RUNTIME_DIR: runtime });
    const result = await openProjectStateFolder(project, context);
    assert.deepEqual(result, { ok: true, folder: path.join(runtime, 'lucidlines', projectHash(project)) });
    assert.equal(modeOf(path.join(runtime, 'lucidlines')), 0o700);
    assert.equal(modeOf(path.join(runtime, 'lucidlines', projectHash(project))), 0o700);
  });

  it('falls back to <tmpdir>/lucidlines-<uid>/<hash> when XDG_RUNTIME_DIR is unset or not absolute', async () => {
    for (const env of [{}, { XDG_RUNTIME_DIR: '' }, { XDG_RUNTIME_DIR: 'relative/run' }]) {
      const { project, tmp, context } = scene(env);
      const result = await openProjectStateFolder(project, context);
      const expected = path.join(tmp, `lucidlines-${uid}`, projectHash(project));
      assert.deepEqual(result, { ok: true, folder: expected }, JSON.stringify(env));
      assert.equal(modeOf(path.dirname(expected)), 0o700);
      assert.equal(modeOf(expected), 0o700);
    }
  });

  it('gives a symlinked checkout the same folder and another project a different one', async () => {
    const { project, context } = scene();
    const link = path.join(temp, `link-${counter}`);
    symlinkSync(project, link);
    const other = path.join(temp, `other-${counter}`);
    mkdirSync(other);
    const direct = await openProjectStateFolder(project, context);
    const viaLink = await openProjectStateFolder(link, context);
    const elsewhere = await openProjectStateFolder(other, context);
    assert.ok(direct.ok && viaLink.ok && elsewhere.ok);
    assert.equal(viaLink.folder, direct.folder);
    assert.notEqual(elsewhere.folder, direct.folder);
  });

  it('closes a folder of ours that others may enter', async () => {
    const { project, context } = scene();
    const [base] = stateFolderChain(project, context);
    mkdirSync(base as string, { mode: 0o755 });
    chmodSync(base as string, 0o777);
    const result = await openProjectStateFolder(project, context);
    assert.equal(result.ok, true);
    assert.equal(modeOf(base as string), 0o700);
  });

  it('refuses a folder that belongs to another user', async () => {
    const { project, tmp } = scene();
    // Another user's folder, as seen by a process of a different user id than its owner.
    const stranger = (uid ?? 0) + 4242;
    const result = await openProjectStateFolder(project, { env: {}, tmpdir: () => tmp, uid: stranger });
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.problem === 'foreign-owner', JSON.stringify(result));
    assert.equal(result.folder, path.join(tmp, `lucidlines-${stranger}`));
  });

  it('refuses a symbolic link planted where its folder belongs', async () => {
    const { project, context } = scene();
    const [base] = stateFolderChain(project, context);
    const elsewhere = path.join(temp, `planted-${counter}`);
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, base as string);
    const result = await openProjectStateFolder(project, context);
    assert.ok(!result.ok && result.problem === 'not-a-folder', JSON.stringify(result));
  });

  it('reports a project root that does not exist as a value', async () => {
    const { context } = scene();
    const result = await openProjectStateFolder(path.join(temp, 'missing'), context);
    assert.ok(!result.ok && result.problem === 'unusable', JSON.stringify(result));
  });
});
