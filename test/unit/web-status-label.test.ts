import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusLabel } from '../../web/view-sidebar.js';

test('a stopped process with an exit code says how it ended; the other states say their name', () => {
  assert.equal(statusLabel({ status: 'stopped', exitCode: 0 }), '■ exited with code 0');
  assert.equal(statusLabel({ status: 'stopped', exitCode: null }), '■ stopped');
  assert.equal(statusLabel({ status: 'running', exitCode: null }), '● running');
  assert.equal(statusLabel({ status: 'error', exitCode: 1 }), '✖ error');
});
