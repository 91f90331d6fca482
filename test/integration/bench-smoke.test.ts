// Keeps the benchmark harness from rotting: one tiny pass of the throughput measurement against the built
// CLI. It asserts only that every contender produced a figure and that the client received every byte;
// budgets are for `npm run bench`, never for a test on a shared machine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blocksLoad, linesLoad, measureThroughput, timeLucid, timeRelay } from '../../bench/throughput.js';

test('the throughput harness measures all contenders on a small load', { timeout: 120_000 }, async () => {
  const result = await measureThroughput(linesLoad(5_000), 1, () => {});
  for (const summary of [result.raw, result.lucid, result.peer, result.nodePipe, result.relay]) {
    assert.equal(summary.samples.length, 1);
    assert.ok(Number.isFinite(summary.median) && summary.median > 0, `bad figure ${summary.median}`);
  }
  assert.ok(Number.isFinite(result.ratioToRaw.median) && result.ratioToRaw.median > 0);
});

test('every byte of a line flood reaches the WebSocket client', { timeout: 120_000 }, async () => {
  const load = linesLoad(20_000);
  const result = await timeLucid(load);
  assert.equal(result.receivedContentChars, load.contentChars);
  assert.equal(result.invalidFrames, 0);
});

test('every byte of a flood without newlines reaches the WebSocket client', {
  timeout: 120_000,
}, async () => {
  const load = blocksLoad(2 * 1024 * 1024);
  const result = await timeLucid(load);
  assert.equal(result.receivedContentChars, load.contentChars);
  assert.equal(result.invalidFrames, 0);
});

test('the relay floor delivers every byte of a flood without newlines and exits', {
  timeout: 120_000,
}, async () => {
  // timeRelay itself fails unless its client received exactly every character and the relay, whose children
  // had to end first, exited with 0.
  const ms = await timeRelay(blocksLoad(2 * 1024 * 1024));
  assert.ok(Number.isFinite(ms) && ms > 0, `bad figure ${ms}`);
});
