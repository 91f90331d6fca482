// Read-only access (issue 15) in its pure parts: which access a token grants, the config's refusal of a view
// token equal to the control token, and the viewer store's record of the access and of a stop under way.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig, settingsFromFlags } from '../../src/config/load.js';
import type { InfoMessage } from '../../src/protocol.js';
import { checkToken, type GuardConfig } from '../../src/server/request-guard.js';
import { createState, emptyChanges, update } from '../../web/store.js';

const guard: GuardConfig = {
  host: '127.0.0.1',
  port: 4400,
  allowedOrigins: [],
  token: 'ctl',
  viewToken: 'see',
};

describe('checkToken with a view token', () => {
  test('grants control for the token, view for the view token, and nothing for anything else', () => {
    assert.deepEqual(checkToken('ctl', guard), { ok: true, access: 'control' });
    assert.deepEqual(checkToken('see', guard), { ok: true, access: 'view' });
    assert.equal(checkToken('seee', guard).ok, false);
    assert.equal(checkToken(null, guard).ok, false);
    assert.deepEqual(checkToken('see', { ...guard, viewToken: null }), {
      ok: false,
      status: 403,
      reason: 'The token is wrong.',
    });
  });

  test('grants control to everyone when no token is in force', () => {
    assert.deepEqual(checkToken(null, { ...guard, token: null, viewToken: null }), {
      ok: true,
      access: 'control',
    });
  });
});

describe('viewToken in the config', () => {
  const temp = mkdtempSync(path.join(tmpdir(), 'lucid-access-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  const processes = '"processes": [{ "name": "web", "command": "npm run dev" }]';

  test('equal to the token in the file is a problem at the field, with its line and column', async () => {
    writeFileSync(
      path.join(temp, 'lucidlines.config.json'),
      `{\n  "token": "same",\n  "viewToken": "same",\n  ${processes}\n}`,
    );
    const result = await loadConfig({ cwd: temp, flags: {} });
    assert.equal(result.ok, false);
    const problem = result.ok ? undefined : result.problems[0];
    assert.equal(problem?.kind, 'field');
    assert.deepEqual(problem?.kind === 'field' ? [problem.path, problem.line, problem.column] : null, [
      'viewToken',
      3,
      16,
    ]);
    assert.match(problem?.message ?? '', /must differ from "token"/);
  });

  test('equal to the token through a flag is a problem of the flag', async () => {
    writeFileSync(path.join(temp, 'lucidlines.config.json'), `{ "token": "same", ${processes} }`);
    const result = await loadConfig({ cwd: temp, flags: { viewToken: 'same' } });
    assert.deepEqual(result.ok ? null : result.problems.map((p) => p.kind === 'flag' && p.flag), [
      '--view-token',
    ]);
    const flagsOnly = settingsFromFlags({ token: 'x', viewToken: 'x' });
    assert.equal(flagsOnly.ok, false);
  });

  test('different from the token is accepted', async () => {
    writeFileSync(
      path.join(temp, 'lucidlines.config.json'),
      `{ "token": "a", "viewToken": "b", ${processes} }`,
    );
    const result = await loadConfig({ cwd: temp, flags: {} });
    assert.deepEqual(result.ok ? [result.config.settings.token, result.config.settings.viewToken] : null, [
      'a',
      'b',
    ]);
  });
});

describe('viewer store', () => {
  const info = (access?: 'control' | 'view'): InfoMessage => ({
    type: 'info',
    version: '0.1.0',
    timestamp: 1,
    processes: [{ name: 'web', status: 'running', command: 'run web', pid: 7, stopping: true }],
    ...(access === undefined ? {} : { access }),
  });

  test('records the access, control when the server does not say', () => {
    const state = createState();
    update(state, info('view'), emptyChanges());
    assert.equal(state.access, 'view');
    update(state, info(), emptyChanges());
    assert.equal(state.access, 'control');
  });

  test('tracks a stop under way from info and from each status', () => {
    const state = createState();
    update(state, info(), emptyChanges());
    assert.equal(state.processes.get('web')?.stopping, true);
    const status = { type: 'status', name: 'web', pid: null, timestamp: 2 } as const;
    update(state, { ...status, status: 'stopped', stopping: true }, emptyChanges());
    assert.equal(state.processes.get('web')?.stopping, true);
    update(state, { ...status, status: 'stopped' }, emptyChanges());
    assert.equal(state.processes.get('web')?.stopping, false);
  });
});
