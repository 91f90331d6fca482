import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  findInstance,
  INSTANCE_FILE,
  type InstanceLookupContext,
  type InstanceRecord,
  instanceWebSocketUrl,
  removeInstanceFileSync,
  writeInstanceFile,
} from '../../src/instance.js';
import { stateFolderChain } from '../../src/project-state.js';

const temp = realpathSync(mkdtempSync(path.join(tmpdir(), 'lucid-instance-unit-')));
after(() => rmSync(temp, { recursive: true, force: true }));

const uid = process.getuid?.() ?? null;
let counter = 0;

function record(overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    version: 1,
    pid: 4242,
    processStartTime: '777',
    startedAt: 1,
    host: '127.0.0.1',
    port: 4400,
    wsPath: '/ws',
    token: null,
    ...overrides,
  };
}

/** A project with nested folders, its own runtime folder, and a process table of one's choosing. */
function scene(live: Record<number, string>) {
  counter++;
  const project = path.join(temp, `project-${counter}`);
  const nested = path.join(project, 'a', 'b');
  const runtime = path.join(temp, `runtime-${counter}`);
  mkdirSync(nested, { recursive: true });
  mkdirSync(runtime, { mode: 0o700 });
  const context: InstanceLookupContext = {
    env: { XDG_RUNTIME_DIR: runtime },
    tmpdir: () => temp,
    uid,
    startTimeOf: async (pid) => live[pid] ?? null,
  };
  const stateOf = (root: string) => {
    const folder = stateFolderChain(root, context).at(-1) ?? '';
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return folder;
  };
  return { project, nested, context, stateOf };
}

describe('runtime file', () => {
  it('is written with mode 0600 and found from a nested folder', async () => {
    const { project, nested, context, stateOf } = scene({ 4242: '777' });
    const file = await writeInstanceFile(stateOf(project), record({ token: 'secret' }));
    assert.equal(path.basename(file), INSTANCE_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const found = await findInstance(nested, context);
    assert.equal(found.kind, 'found');
    assert.equal(
      found.kind === 'found' && instanceWebSocketUrl(found.record),
      'ws://127.0.0.1:4400/ws?token=secret',
    );
  });

  it('ignores a file whose pid is dead or was recycled (another start time), and says so', async () => {
    const { project, nested, context, stateOf } = scene({ 4242: '999' });
    await writeInstanceFile(stateOf(project), record({ pid: 4242 }));
    await writeInstanceFile(stateOf(path.join(project, 'a')), record({ pid: 5151 }));
    const found = await findInstance(nested, context);
    assert.deepEqual(found.kind === 'none' ? found.stale.map((stale) => stale.pid) : found, [5151, 4242]);
  });

  it('prefers the nearest running project, and ignores malformed files and symbolic links', async () => {
    const { project, nested, context, stateOf } = scene({ 1: 'a', 2: 'b' });
    await writeInstanceFile(stateOf(project), record({ pid: 1, processStartTime: 'a', port: 1 }));
    const inner = stateOf(path.join(project, 'a'));
    writeFileSync(path.join(inner, INSTANCE_FILE), '{ not json', { mode: 0o600 });
    const found = await findInstance(nested, context);
    assert.equal(found.kind === 'found' && found.record.port, 1);

    rmSync(path.join(inner, INSTANCE_FILE));
    const elsewhere = path.join(temp, `planted-${counter}.json`);
    writeFileSync(elsewhere, JSON.stringify(record({ pid: 2, processStartTime: 'b', port: 2 })));
    symlinkSync(elsewhere, path.join(inner, INSTANCE_FILE));
    const again = await findInstance(nested, context);
    assert.equal(again.kind === 'found' && again.record.port, 1, 'the link is not followed');
  });

  it('is removed by its own instance only: a later instance that replaced it keeps its file', async () => {
    const { project, stateOf } = scene({});
    const folder = stateOf(project);
    const file = await writeInstanceFile(folder, record({ pid: 1 }));
    await writeInstanceFile(folder, record({ pid: 2 }));
    removeInstanceFileSync(file, 1);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).pid, 2);
    removeInstanceFileSync(file, 2);
    assert.throws(() => statSync(file), { code: 'ENOENT' });
  });
});
