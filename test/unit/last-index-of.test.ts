import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lastIndexOfChar } from '../../src/output/last-index-of.js';
import { seededRandom } from '../fixtures/seeded-random.js';

/** What lastIndexOfChar promises, spelled out with the built-in search. */
function expected(text: string, char: string, from: number, floor: number): number {
  const found = text.lastIndexOf(char, from);
  return found >= floor ? found : -1;
}

describe('lastIndexOfChar', () => {
  it('finds what lastIndexOf finds at or after the floor, and -1 otherwise, on random text', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 2000; round++) {
      let text = '';
      for (let i = 0, length = random(40); i < length; i++) text += 'ab\n\x1b'[random(4)];
      const char = random(2) === 0 ? '\n' : '\x1b';
      const from = random(text.length + 1);
      const floor = random(text.length + 1);
      assert.equal(
        lastIndexOfChar(text, char, from, floor),
        expected(text, char, from, floor),
        JSON.stringify({ text, char, from, floor }),
      );
    }
  });

  it('searches the whole text by default', () => {
    assert.equal(lastIndexOfChar('a\nb\nc', '\n'), 3);
    assert.equal(lastIndexOfChar('x'.repeat(70_000), '\n'), -1);
  });
});
