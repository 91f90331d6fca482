import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chalk } from 'chalk';
import { describeStatus } from '../../src/terminal/status-text.js';
import { neverStartedSnapshot } from '../fixtures/fake-host.js';

test('the terminal says a running process is unhealthy, and says nothing of health otherwise', () => {
  const chalk = new Chalk({ level: 0 });
  const running = neverStartedSnapshot('api', { status: 'running', pid: 42, run: 1 });
  assert.equal(
    describeStatus({ ...running, facts: { health: 'unhealthy' } }, chalk),
    'running (pid 42), unhealthy',
  );
  assert.equal(describeStatus({ ...running, facts: { health: 'healthy' } }, chalk), 'running (pid 42)');
  assert.equal(describeStatus(running, chalk), 'running (pid 42)');
});
