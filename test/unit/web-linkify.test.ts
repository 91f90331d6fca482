import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findUrls } from '../../web/linkify.js';
import { socketUrl } from '../../web/socket-url.js';

describe('URL detection', () => {
  test('finds http and https URLs and trims sentence punctuation', () => {
    const text =
      'see https://example.com/a?b=1, and (http://localhost:3000/x). Wiki https://en.wikipedia.org/wiki/A_(b)';
    assert.deepEqual(
      findUrls(text).map((url) => [text.slice(url.start, url.end), url.href]),
      [
        ['https://example.com/a?b=1', 'https://example.com/a?b=1'],
        ['http://localhost:3000/x', 'http://localhost:3000/x'],
        ['https://en.wikipedia.org/wiki/A_(b)', 'https://en.wikipedia.org/wiki/A_(b)'],
      ],
    );
  });

  test('nothing else becomes a link', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.com/file',
      'file:///etc/passwd',
      'xhttp://example.com',
      'http://',
      '<a href="javascript:alert(1)">x</a>',
    ]) {
      assert.deepEqual(findUrls(text), [], text);
    }
    const quoted = findUrls('<a href="https://ok.test/">');
    assert.deepEqual(
      quoted.map((url) => url.href),
      ['https://ok.test/'],
      'quotes and angle brackets end a URL',
    );
  });
});

describe('WebSocket URL', () => {
  test('same host as the page, default path, token carried over', () => {
    assert.equal(
      socketUrl({ href: 'http://127.0.0.1:8080/?token=a%2Fb', protocol: 'http:', search: '?token=a%2Fb' }),
      'ws://127.0.0.1:8080/ws?token=a%2Fb',
    );
    assert.equal(socketUrl({ href: 'https://h.test/', protocol: 'https:', search: '' }), 'wss://h.test/ws');
  });

  test('a custom path from the query, which cannot name another host', () => {
    const page = (search: string) => ({ href: `http://127.0.0.1:8080/${search}`, protocol: 'http:', search });
    assert.equal(socketUrl(page('?ws=/live')), 'ws://127.0.0.1:8080/live');
    assert.equal(socketUrl(page('?ws=//evil.test/x')), 'ws://127.0.0.1:8080/ws');
    assert.equal(socketUrl(page('?ws=ws://evil.test/')), 'ws://127.0.0.1:8080/ws');
    assert.equal(
      socketUrl(page('?ws=/%5Cevil.test/x')),
      'ws://127.0.0.1:8080/ws',
      'a backslash acts as a slash',
    );
  });
});
