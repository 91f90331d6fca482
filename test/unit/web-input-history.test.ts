import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputHistory } from '../../web/input-history.js';

describe('InputHistory', () => {
  it('walks back and forth through sent lines and restores the draft', () => {
    const history = new InputHistory();
    assert.equal(history.previous(''), null, 'nothing sent yet');
    history.add('rs');
    history.add('help');
    history.add('help');
    assert.equal(history.previous('dra'), 'help');
    assert.equal(history.previous('help'), 'rs', 'a repeated line is kept once');
    assert.equal(history.previous('rs'), null, 'the oldest stays');
    assert.equal(history.next(), 'help');
    assert.equal(history.next(), 'dra', 'past the newest comes the draft back');
    assert.equal(history.next(), null);
    history.add('q');
    assert.equal(history.previous(''), 'q', 'sending stops the walk at the newest entry');
  });
});
