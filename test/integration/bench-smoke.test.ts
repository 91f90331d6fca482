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
  for (const ratio of [result.ratioToRaw, result.ratioToRelay, result.relayToNodePipe]) {
    assert.ok(Number.isFinite(ratio.median) && ratio.median > 0, `bad ratio ${ratio.median}`);
  }
  // The CPU figures come from three sources (/proc for lucidlines, the preloaded report of concurrently and of
  // the relay); each must have produced a number. A tiny load can take less than one clock tick, so 0 is fine.
  for (const summary of [result.cpuMsPerMb, result.peerCpuMsPerMb, result.relayCpuMsPerMb]) {
    assert.ok(Number.isFinite(summary.median) && summary.median >= 0, `bad CPU figure ${summary.median}`);
  }
  for (const summary of Object.values(result.coresBusy)) {
    assert.ok(summary.median > 0 && summary.median <= 1, `bad share of busy cores ${summary.median}`);
  }
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
  const run = await timeRelay(blocksLoad(2 * 1024 * 1024));
  assert.ok(Number.isFinite(run.ms) && run.ms > 0, `bad figure ${run.ms}`);
  assert.ok(run.cpuMs !== null && Number.isFinite(run.cpuMs) && run.cpuMs >= 0, `bad CPU ${run.cpuMs}`);
});
