import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scrollback } from '../../src/output/scrollback.js';
import type { OutputChunk, RunStart } from '../../src/process/events.js';
import { replayMessages } from '../../src/server/output-batcher.js';

function chunk(seq: number, text: string): OutputChunk {
  return { name: 'api', stream: 'stdout', text, timestamp: 100, seq };
}

function start(seq: number, run: number): RunStart {
  return { name: 'api', run, pid: 900 + run, reason: 'auto-restart', timestamp: 100, seq };
}

describe('Scrollback run starts', () => {
  it('keeps the start of the run the oldest retained output belongs to, and every later one', () => {
    const scrollback = new Scrollback({ maxLines: 3, maxBytes: 1000 });
    scrollback.markRun(start(1, 1));
    scrollback.append(chunk(2, 'a\n'));
    scrollback.markRun(start(3, 2));
    scrollback.append(chunk(4, 'b\n'));
    scrollback.markRun(start(5, 3));
    assert.deepEqual(
      scrollback.runs().map((run) => run.run),
      [1, 2, 3],
    );
    scrollback.append(chunk(6, 'c\n'));
    scrollback.append(chunk(7, 'd\n'));
    assert.deepEqual(
      scrollback.runs().map((run) => run.run),
      [2, 3],
      'run 1 output is gone, so its start is too',
    );
  });

  it('keeps no more starts than lines, for a process that restarts forever without output', () => {
    const scrollback = new Scrollback({ maxLines: 3, maxBytes: 1000 });
    for (let run = 1; run <= 10; run++) scrollback.markRun(start(run, run));
    assert.deepEqual(
      scrollback.runs().map((run) => run.run),
      [8, 9, 10],
    );
  });
});

describe('replayMessages with run starts', () => {
  it('puts each run start at its place among the output, ending the batch it falls into', () => {
    const messages = replayMessages(
      [[chunk(2, 'one\n'), chunk(3, 'two\n'), chunk(5, 'three\n')]],
      { windowMs: 16, maxChars: 1000 },
      [[start(1, 1), start(4, 2), start(6, 3)]],
    );
    assert.deepEqual(
      messages.map((message) => (message.type === 'run' ? `run ${message.run}` : message.output)),
      ['run 1', 'one\ntwo\n', 'run 2', 'three\n', 'run 3'],
    );
    assert.ok(messages.every((message) => message.replay === true));
  });
});
