import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ring } from '../../web/ring.js';
import { compileQuery, type Matcher, MatchIndex } from '../../web/search.js';

function matcherFor(source: string, regex = false, caseSensitive = false): Matcher {
  const compiled = compileQuery(source, { regex, caseSensitive });
  assert.ok(compiled.ok && compiled.matcher !== null);
  return compiled.matcher;
}

describe('search queries', () => {
  test('plain text matches literally and ignores case by default', () => {
    const matcher = matcherFor('a.b(');
    assert.equal(matcher.test('xA.B(y'), true);
    assert.equal(matcher.test('axb('), false, 'regex characters are literal');
    assert.deepEqual(matcher.ranges('a.b( A.B('), [
      [0, 4],
      [5, 9],
    ]);
    assert.equal(matcherFor('Error', false, true).test('error'), false);
  });

  test('regex mode, including patterns that can match the empty string', () => {
    const matcher = matcherFor('err(or)?\\b', true);
    assert.equal(matcher.test('ERROR: x'), true);
    assert.deepEqual(matcherFor('x*', true).ranges('axxb'), [[1, 3]]);
    assert.equal(matcherFor('^GET ', true).test('GET /'), true);
    // A non-global test must not keep lastIndex between lines.
    const anchored = matcherFor('a', true);
    assert.equal(anchored.test('a'), true);
    assert.equal(anchored.test('a'), true);
  });

  test('an invalid regex is a value with a message, and an empty query matches nothing', () => {
    const invalid = compileQuery('(unclosed', { regex: true, caseSensitive: false });
    assert.equal(invalid.ok, false);
    assert.ok(!invalid.ok && invalid.error.length > 0);
    assert.deepEqual(compileQuery('', { regex: true, caseSensitive: false }), { ok: true, matcher: null });
    assert.equal(compileQuery('(unclosed', { regex: false, caseSensitive: false }).ok, true);
  });
});

describe('incremental match index', () => {
  const line = (text: string) => ({ text });

  test('filters 100,000 lines and follows new lines, drops and changed open lines', () => {
    const ring = new Ring<{ text: string }>(100_000);
    for (let i = 0; i < 100_000; i++)
      ring.push(line(i % 10 === 0 ? `GET /api/${i} 500` : `GET /static/${i} 200`));
    const matcher = matcherFor(' 5\\d\\d$', true);
    const index = new MatchIndex<{ text: string }>();
    index.sync(ring, matcher, []);
    assert.equal(index.count, 10_000);
    assert.equal(index.position(0), 0);
    assert.equal(index.position(1), 10);

    const open = line('partial');
    ring.push(open);
    index.sync(ring, matcher, []);
    assert.equal(index.count, 9_999, 'the oldest match fell off the front as the new line arrived');
    assert.equal(index.dropped, 1);
    open.text = 'partial 503';
    index.sync(ring, matcher, [open]);
    assert.equal(index.count, 10_000, 'the changed open line is re-tested');
    assert.equal(index.position(index.count - 1), 100_000);
    open.text = 'partial 200';
    index.sync(ring, matcher, [open]);
    assert.equal(index.count, 9_999);
    assert.equal(index.indexAtOrAfter(15), 1);
  });

  test('a new ring or a new matcher rescans from scratch', () => {
    const ring = new Ring<{ text: string }>(10);
    for (const text of ['alpha', 'beta', 'alphabet']) ring.push(line(text));
    const index = new MatchIndex<{ text: string }>();
    index.sync(ring, matcherFor('alpha'), []);
    assert.equal(index.count, 2);
    index.sync(ring, matcherFor('bet'), []);
    assert.equal(index.count, 2);
    const other = new Ring<{ text: string }>(10);
    other.push(line('bet'));
    index.sync(other, matcherFor('bet'), []);
    assert.equal(index.count, 1);
  });
});
