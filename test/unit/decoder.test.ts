import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Utf8StreamDecoder } from '../../src/output/decoder.js';

describe('Utf8StreamDecoder', () => {
  it('decodes multi-byte characters split at every byte offset', () => {
    const text = 'aé€😀z';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new Utf8StreamDecoder();
      const decoded =
        decoder.write(bytes.subarray(0, cut)) + decoder.write(bytes.subarray(cut)) + decoder.end();
      assert.equal(decoded, text, `cut at byte ${cut}`);
    }
  });

  it('decodes a character delivered one byte per chunk', () => {
    const decoder = new Utf8StreamDecoder();
    let decoded = '';
    for (const byte of Buffer.from('😀')) decoded += decoder.write(Buffer.from([byte]));
    assert.equal(decoded, '😀');
  });

  it('turns an incomplete character at the end of the stream into U+FFFD', () => {
    const decoder = new Utf8StreamDecoder();
    assert.equal(decoder.write(Buffer.from('😀').subarray(0, 2)), '');
    assert.equal(decoder.end(), '\ufffd');
  });
});
