import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlainTextStripper } from '../../src/output/plain-text.js';

describe('PlainTextStripper', () => {
  it('removes colours, cursor moves and control strings, and keeps line feeds, carriage returns and tabs', () => {
    const stripper = new PlainTextStripper();
    assert.equal(
      stripper.strip('\x1b[32mok\x1b[0m\ttab\r\n\x1b]0;title\x07\x1b[2Kbar 50%\rbar 100%\n\x07\x08'),
      'ok\ttab\r\nbar 50%\rbar 100%\n',
    );
  });

  it('removes a sequence split across chunks, even when the second half looks like plain text', () => {
    const stripper = new PlainTextStripper();
    assert.equal(stripper.strip('before \x1b[3'), 'before ');
    assert.equal(stripper.strip('2mgreen\n'), 'green\n');
    assert.equal(stripper.strip('plain\n'), 'plain\n');
  });

  it('holds a run of a million digits after ESC[ to the decoder bound', () => {
    assert.equal(new PlainTextStripper().strip(`\x1b[${'9'.repeat(1_000_000)}mtext\n`), 'text\n');
  });
});
