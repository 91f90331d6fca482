import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { urlDetection, urlsInLine } from '../../src/behaviours/url-detection.js';
import { MAX_URLS } from '../../src/protocol.js';
import { FakeUrlHost } from '../fixtures/fake-host-urls.js';

/** Vite 5's banner, byte for byte as it prints it with colours on: the port is bold inside the URL. */
const VITE_BANNER =
  '\n  \u001b[32m\u001b[1mVITE\u001b[22m v5.4.10\u001b[39m  \u001b[2mready in \u001b[0m\u001b[1m312\u001b[22m\u001b[2m\u001b[0m ms\u001b[22m\n\n' +
  '  \u001b[32m➜\u001b[39m  \u001b[1mLocal\u001b[22m:   \u001b[36mhttp://localhost:\u001b[1m5173\u001b[22m/\u001b[39m\n' +
  '  \u001b[32m➜\u001b[39m  \u001b[1mNetwork\u001b[22m: \u001b[2muse \u001b[22m\u001b[1m--host\u001b[22m\u001b[2m to expose\u001b[22m\n';

describe('urlsInLine', () => {
  it('finds what dev servers announce, escape sequences stripped', () => {
    assert.deepEqual(
      urlsInLine('  ➜  Local:   \u001b[36mhttp://localhost:\u001b[1m5173\u001b[22m/\u001b[39m'),
      ['http://localhost:5173/'],
    );
    assert.deepEqual(urlsInLine('Server listening on http://0.0.0.0:8080.'), ['http://0.0.0.0:8080']);
    assert.deepEqual(urlsInLine('ready - started server on 0.0.0.0:3000, url: http://localhost:3000'), [
      'http://localhost:3000',
    ]);
    assert.deepEqual(urlsInLine('(http://127.0.0.1:3000)'), ['http://127.0.0.1:3000']);
    assert.deepEqual(urlsInLine('  ➜  Network: http://192.168.1.5:5173/'), ['http://192.168.1.5:5173/']);
    assert.deepEqual(urlsInLine('[::1] https://[::1]:4433/app'), ['https://[::1]:4433/app']);
  });

  it('ignores remote URLs in ordinary log lines, and anything but http and https', () => {
    assert.deepEqual(urlsInLine('GET https://registry.npmjs.org/react 200'), []);
    assert.deepEqual(urlsInLine('see ftp://localhost/x and javascript:alert(1)'), []);
  });
});

describe('the URL-detection behaviour', () => {
  it("annotates Vite's coloured banner once, even split across chunks, and clears it when the run ends", () => {
    const host = new FakeUrlHost();
    const detach = urlDetection().attach(host);
    const middle = VITE_BANNER.indexOf('5173');
    host.output('web', VITE_BANNER.slice(0, middle));
    assert.equal(host.annotations.length, 0, 'half a URL is not a URL');
    host.output('web', VITE_BANNER.slice(middle));
    host.output('web', VITE_BANNER);
    assert.deepEqual(host.annotations, [{ name: 'web', facts: { urls: ['http://localhost:5173/'] } }]);

    host.exit('web', 1);
    assert.deepEqual(host.facts.get('web')?.urls, []);
    host.output('web', 'Local: http://localhost:5174/\n');
    assert.deepEqual(host.facts.get('web')?.urls, ['http://localhost:5174/'], 'a new run starts afresh');
    detach();
    assert.equal(host.listenerCount, 0);
  });

  it('finds a URL whose "://" is cut between two chunks, after lines that hold no URL', () => {
    const line = 'server listening on http://localhost:3000/\n';
    for (const cut of [line.indexOf('://') + 1, line.indexOf('://') + 2]) {
      const host = new FakeUrlHost();
      urlDetection().attach(host);
      host.output('api', `${'GET /api/items 200\n'.repeat(3)}${line.slice(0, cut)}`);
      host.output('api', line.slice(cut));
      assert.deepEqual(host.facts.get('api')?.urls, ['http://localhost:3000/'], `cut at ${cut}`);
    }
  });

  it('keeps at most MAX_URLS per process', () => {
    const host = new FakeUrlHost();
    urlDetection().attach(host);
    for (let port = 3000; port < 3000 + MAX_URLS * 2; port++)
      host.output('api', `http://localhost:${port}\n`);
    assert.equal(host.facts.get('api')?.urls?.length, MAX_URLS);
    assert.equal(host.annotations.length, MAX_URLS);
  });
});
