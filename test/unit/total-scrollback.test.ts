import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Scrollback } from '../../src/output/scrollback.js';
import { TotalScrollbackBound } from '../../src/output/total-scrollback.js';
import type { OutputChunk } from '../../src/process/events.js';

let seq = 0;
function chunk(name: string, text: string): OutputChunk {
  seq++;
  return { name, stream: 'stdout', text, timestamp: seq, seq };
}

const roomy = { maxLines: 1_000_000, maxBytes: 1_000_000 };

function texts(scrollback: Scrollback): string[] {
  return scrollback.chunks().map((c) => c.text);
}

function retainedBytes(scrollbacks: readonly Scrollback[]): number {
  let sum = 0;
  for (const scrollback of scrollbacks) {
    for (const c of scrollback.chunks()) sum += Buffer.byteLength(c.text);
  }
  return sum;
}

describe('TotalScrollbackBound', () => {
  it('drops the oldest output of any process once all of them together pass the bound', () => {
    const total = new TotalScrollbackBound(12);
    const web = new Scrollback(roomy, total);
    const api = new Scrollback(roomy, total);
    web.append(chunk('web', 'w1\n'));
    api.append(chunk('api', 'a1\n'));
    web.append(chunk('web', 'w2\n'));
    api.append(chunk('api', 'a2\n'));
    assert.equal(total.bytes, 12);
    // One more chunk of three bytes: the oldest, w1, must go, although web is within its own bound.
    api.append(chunk('api', 'a3\n'));
    assert.deepEqual(texts(web), ['w2\n']);
    assert.deepEqual(texts(api), ['a1\n', 'a2\n', 'a3\n']);
    assert.equal(total.bytes, 12);
    // A chatty process pushes out its own old output once that is the oldest.
    api.append(chunk('api', 'a4\n'));
    api.append(chunk('api', 'a5\n'));
    assert.deepEqual(texts(web), []);
    assert.deepEqual(texts(api), ['a2\n', 'a3\n', 'a4\n', 'a5\n']);
    assert.equal(total.bytes, 12);
  });

  it('no longer counts what a process dropped under its own bound', () => {
    const total = new TotalScrollbackBound(100);
    const small = new Scrollback({ maxLines: 2, maxBytes: 1_000_000 }, total);
    for (const text of ['1\n', '2\n', '3\n', '4\n']) small.append(chunk('small', text));
    assert.deepEqual(texts(small), ['3\n', '4\n']);
    assert.equal(total.bytes, 4);
  });

  it('forgets what a process dropped under its own bound, even behind the old output of a quiet process', () => {
    const total = new TotalScrollbackBound(64 * 1024 * 1024);
    const quiet = new Scrollback(roomy, total);
    const chatty = new Scrollback({ maxLines: 100, maxBytes: 1_000_000 }, total);
    quiet.append(chunk('quiet', 'once\n'));
    for (let i = 0; i < 50_000; i++) chatty.append(chunk('chatty', `line ${i}\n`));
    // Without compaction every dropped chunk would wait behind the quiet process's line, the whole 50,000.
    assert.ok(total.queued <= 2 * 1024 + 101, `${total.queued} tickets queued`);
    assert.deepEqual(texts(quiet), ['once\n']);
    assert.equal(chatty.chunks().length, 100);
    assert.equal(total.bytes, retainedBytes([quiet, chatty]));
  });

  it('keeps every scrollback within its own bound and all of them within the total, however they interleave', () => {
    const total = new TotalScrollbackBound(4096);
    const limits = { maxLines: 200, maxBytes: 2048 };
    const scrollbacks = Array.from({ length: 5 }, () => new Scrollback(limits, total));
    let state = 7;
    const next = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state;
    };
    for (let i = 0; i < 20_000; i++) {
      const which = next() % (1 + (i % 5));
      const lines = 1 + (next() % 4);
      const text = `${'x'.repeat(next() % 60)}é\n`.repeat(lines);
      const scrollback = scrollbacks[which] as Scrollback;
      scrollback.append(chunk(`p${which}`, text));
      const own = scrollback.chunks().reduce((sum, c) => sum + Buffer.byteLength(c.text), 0);
      assert.ok(own <= limits.maxBytes, `process bound broken: ${own}`);
      const all = retainedBytes(scrollbacks);
      assert.equal(total.bytes, all, `the total's count drifted at append ${i}`);
      assert.ok(all <= 4096, `total bound broken: ${all}`);
      // The newest chunk always survives: it fits both bounds on its own.
      assert.equal(scrollback.chunks().at(-1)?.text, text);
    }
  });
});
