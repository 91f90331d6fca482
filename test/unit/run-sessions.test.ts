import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RunSession, RunSessions } from '../../src/behaviours/run-sessions.js';

class FakeSession implements RunSession {
  started = 0;
  ended = 0;
  constructor(readonly run: number) {}
  start(): void {
    this.started++;
  }
  end(): void {
    this.ended++;
  }
}

describe('RunSessions', () => {
  it('lets a session begin once per run, whatever the status events repeat', () => {
    const sessions = new RunSessions<FakeSession>();
    assert.equal(sessions.firstTimeFor('api', 1), true);
    assert.equal(sessions.firstTimeFor('api', 1), false);
    assert.equal(sessions.firstTimeFor('web', 1), true, 'per process');
    assert.equal(sessions.firstTimeFor('api', 2), true, 'a new run may begin again');
  });

  it('starts a session on begin and ends the one it replaces', () => {
    const sessions = new RunSessions<FakeSession>();
    const first = new FakeSession(1);
    sessions.begin('api', first);
    assert.equal(first.started, 1);
    const second = new FakeSession(2);
    sessions.begin('api', second);
    assert.equal(first.ended, 1);
    assert.equal(sessions.get('api'), second);
  });

  it('ends a session when its run changes or leaves the status, and keeps it otherwise', () => {
    const sessions = new RunSessions<FakeSession>();
    const session = new FakeSession(1);
    sessions.begin('api', session);
    sessions.endUnless('api', 1, true);
    assert.equal(session.ended, 0);
    sessions.endUnless('api', 2, true);
    assert.equal(session.ended, 1, 'another run');
    assert.equal(sessions.get('api'), undefined);

    const next = new FakeSession(2);
    sessions.begin('api', next);
    sessions.endUnless('api', 2, false);
    assert.equal(next.ended, 1, 'the same run, out of its status');
  });

  it('ends only the given run on request, and every session on endAll', () => {
    const sessions = new RunSessions<FakeSession>();
    const api = new FakeSession(3);
    const web = new FakeSession(1);
    sessions.begin('api', api);
    sessions.begin('web', web);
    sessions.end('api', 2);
    assert.equal(api.ended, 0, 'an exit of an earlier run leaves the current session alone');
    sessions.endAll();
    assert.deepEqual([api.ended, web.ended], [1, 1]);
    assert.equal(sessions.get('api'), undefined);
    assert.equal(sessions.get('web'), undefined);
  });
});
