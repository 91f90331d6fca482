import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningServer, startServer } from '../../src/server/server.js';
import { socketUrl } from '../../web/socket-url.js';
import {
  expectInfo,
  FakeControl,
  rawExchange,
  rawUpgrade,
  serverOptions,
  start,
  statusOf,
  TestClient,
  wsUrl,
} from '../fixtures/server-test-kit.js';

function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<string> {
  return rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
}

function header(response: string, name: string): string | undefined {
  const line = response
    .split('\r\n\r\n')[0]
    ?.split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

describe('server security', () => {
  let webRoot: string;
  let server: RunningServer;
  let port: number;
  const control = new FakeControl(['web']);

  before(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'lucidlines-web-'));
    await writeFile(
      join(webRoot, 'index.html'),
      '<!doctype html><title>viewer</title><script src="app.js"></script>',
    );
    await writeFile(join(webRoot, 'app.js'), 'console.log("viewer");');
    await writeFile(join(webRoot, 'style.css'), 'body{}');
    await writeFile(join(webRoot, '.secret'), 'hidden');
    await mkdir(join(webRoot, 'assets'));
    await writeFile(join(webRoot, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await start(control, { webRoot, allowedOrigins: ['http://localhost:5173'] });
    port = server.port;
  });

  after(async () => {
    await server.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  describe('WebSocket upgrade', () => {
    const rejectedOrigins = [
      'http://evil.com',
      'https://evil.com',
      'null',
      'file://',
      'chrome-extension://abcdefghijklmnop',
      'moz-extension://4b1c2d3e',
      'not a url',
      'http://',
      'http://127.0.0.1', // our host, wrong port
      'http://127.0.0.1:1@evil.com',
      'http://evil.com/#127.0.0.1',
    ];
    for (const origin of rejectedOrigins) {
      it(`rejects Origin ${JSON.stringify(origin)} with 403 before upgrading`, async () => {
        assert.equal(await rawUpgrade(port, { origin }), 403);
      });
    }

    it('rejects Origins that are our host on another port, or our page reached through another name', async () => {
      assert.equal(await rawUpgrade(port, { origin: `http://127.0.0.1:${port + 1}` }), 403);
      assert.equal(await rawUpgrade(port, { origin: `https://127.0.0.1:${port}` }), 403);
    });

    it('accepts our own origins and the configured extra origin', async () => {
      for (const origin of [
        `http://127.0.0.1:${port}`,
        `http://localhost:${port}`,
        `http://[::1]:${port}`,
        'http://localhost:5173',
      ]) {
        assert.equal(await rawUpgrade(port, { origin }), 101, origin);
      }
    });

    it('rejects foreign and rebinding Host headers with 403, and malformed ones with 400', async () => {
      assert.equal(await rawUpgrade(port, { host: 'evil.com' }), 403);
      assert.equal(await rawUpgrade(port, { host: `evil.com:${port}` }), 403);
      assert.equal(
        await rawUpgrade(port, {
          host: `rebind.attacker.example:${port}`,
          origin: `http://rebind.attacker.example:${port}`,
        }),
        403,
      );
      assert.equal(await rawUpgrade(port, { host: '127.0.0.1' }), 403, 'no port means port 80');
      assert.equal(await rawUpgrade(port, { host: '[' }), 400);
      assert.equal(await rawUpgrade(port, { host: null }), 400);
    });

    it('answers 404 for any other path', async () => {
      assert.equal(await rawUpgrade(port, { path: '/other' }), 404);
      assert.equal(await rawUpgrade(port, { path: '/ws/' }), 404);
      assert.equal(await rawUpgrade(port, { path: '/WS' }), 404);
    });

    it('lets a Node client without Origin connect and receive info', async () => {
      await expectInfo(wsUrl(server));
    });

    it('a real ws client with a foreign Origin is refused', async () => {
      const client = new TestClient(wsUrl(server), { origin: 'http://evil.com' });
      await assert.rejects(client.opened, /upgrade refused with 403/);
    });
  });

  describe('HTTP', () => {
    it('serves the page at / and /index.html with the security headers and strict CSP', async () => {
      for (const path of ['/', '/index.html']) {
        const response = await get(port, path);
        assert.equal(statusOf(response), 200, path);
        assert.match(response, /<title>viewer<\/title>/);
        assert.equal(header(response, 'Content-Type'), 'text/html; charset=utf-8');
        assert.equal(header(response, 'X-Content-Type-Options'), 'nosniff');
        assert.equal(header(response, 'Cross-Origin-Resource-Policy'), 'same-origin');
        assert.equal(header(response, 'Referrer-Policy'), 'no-referrer');
        assert.equal(
          header(response, 'Content-Security-Policy'),
          "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        );
      }
    });

    it('serves the viewer files with the right Content-Type', async () => {
      const js = await get(port, '/app.js');
      assert.equal(statusOf(js), 200);
      assert.equal(header(js, 'Content-Type'), 'text/javascript; charset=utf-8');
      assert.equal(header(js, 'X-Content-Type-Options'), 'nosniff');
      assert.equal(header(await get(port, '/style.css'), 'Content-Type'), 'text/css; charset=utf-8');
      const svg = await get(port, '/assets/icon.svg');
      assert.equal(statusOf(svg), 200);
      assert.equal(header(svg, 'Content-Type'), 'image/svg+xml');
    });

    it('answers 404 to traversal attempts, dot-files and unknown paths, with the headers', async () => {
      const paths = [
        '/../package.json',
        '/..%2fpackage.json',
        '/%2e%2e/package.json',
        '/%2e%2e%2fpackage.json',
        '/assets/../app.js',
        '/assets%2ficon.svg',
        '/assets/%2e%2e/app.js',
        '/.secret',
        '/app.js/',
        '//app.js',
        '/nope',
        '/..\\package.json',
      ];
      for (const path of paths) {
        const response = await get(port, path);
        assert.equal(statusOf(response), 404, path);
        assert.equal(header(response, 'X-Content-Type-Options'), 'nosniff');
      }
    });

    it('rejects foreign Host headers (DNS rebinding) on page loads', async () => {
      assert.equal(statusOf(await get(port, '/', 'evil.com')), 403);
      assert.equal(statusOf(await get(port, '/', `attacker.example:${port}`)), 403);
      assert.equal(statusOf(await get(port, '/', `localhost:${port}`)), 200);
      assert.equal(statusOf(await get(port, '/', `[::1]:${port}`)), 200);
    });

    it('answers 400 to a malformed Host and keeps serving', async () => {
      for (const host of ['[', '[::1', 'a b', `127.0.0.1:${port}:1`, `127.0.0.1:99999`]) {
        const response = await get(port, '/', host);
        assert.ok([400, 403].includes(statusOf(response)), `${host}: ${statusOf(response)}`);
      }
      assert.equal(statusOf(await get(port, '/', '[')), 400);
      const noHost = await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n');
      assert.equal(statusOf(noHost), 400);
      assert.equal(statusOf(await get(port, '/')), 200, 'still up');
    });

    it('answers 400 to a request that is not HTTP at all and keeps serving', async () => {
      const response = await rawExchange(port, 'GARBAGE \u0000\r\n\r\n');
      assert.equal(statusOf(response), 400);
      assert.equal(statusOf(await get(port, '/')), 200);
    });

    it('refuses methods other than GET and HEAD', async () => {
      const response = await rawExchange(
        port,
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(statusOf(response), 405);
    });
  });
});

describe('server security with a token', () => {
  let server: RunningServer;
  const token = 's3cret-token';

  before(async () => {
    server = await start(new FakeControl(['web']), { token });
  });
  after(async () => {
    await server.close();
  });

  it('prints a URL carrying the token', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/?token=${token}`);
  });

  it('requires the token on the page: 401 without, 403 when wrong, 200 when right', async () => {
    assert.equal(statusOf(await get(server.port, '/')), 401);
    assert.equal(statusOf(await get(server.port, '/?token=wrong')), 403);
    assert.equal(statusOf(await get(server.port, `/?token=${token}x`)), 403);
    const page = await get(server.port, `/?token=${token}`);
    assert.equal(statusOf(page), 200);
    assert.match(page, /not built/, 'the placeholder page, since this webRoot does not exist');
  });

  it('requires the token on the upgrade', async () => {
    assert.equal(await rawUpgrade(server.port, {}), 401);
    assert.equal(await rawUpgrade(server.port, { path: '/ws?token=wrong' }), 403);
    assert.equal(await rawUpgrade(server.port, { path: `/ws?token=${token}` }), 101);
    await expectInfo(wsUrl(server));
  });
});

describe('server with a custom WebSocket path', () => {
  it('puts the path in the printed URL, from which the viewer finds the socket', async () => {
    const server = await start(new FakeControl(['web']), { wsPath: '/live', token: 'abc' });
    try {
      const page = new URL(server.url);
      assert.equal(page.searchParams.get('ws'), '/live');
      assert.equal(page.searchParams.get('token'), 'abc');
      const socket = socketUrl({ href: page.href, protocol: page.protocol, search: page.search });
      assert.equal(socket, `ws://127.0.0.1:${server.port}/live?token=abc`);
      await expectInfo(socket);
      assert.equal(await rawUpgrade(server.port, { path: '/ws?token=abc' }), 404);
    } finally {
      await server.close();
    }
  });
});

describe('server address handling', () => {
  it('brackets IPv6 hosts in the URL and accepts the bracketed Host', async (t) => {
    const control = new FakeControl(['web']);
    let server: RunningServer;
    try {
      server = await start(control, { host: '::1' });
    } catch (error) {
      t.skip(`no IPv6 loopback here: ${String(error)}`);
      return;
    }
    try {
      assert.equal(server.url, `http://[::1]:${server.port}/`);
      const client = new TestClient(`ws://[::1]:${server.port}/ws`, {
        origin: `http://[::1]:${server.port}`,
      });
      await client.opened;
      client.close();
    } finally {
      await server.close();
    }
  });

  it('reports a port in use as a value, not an exception', async () => {
    const control = new FakeControl(['web']);
    const first = await start(control);
    try {
      const second = await startServer(serverOptions({ port: first.port }), control);
      assert.equal(second.ok, false);
      if (!second.ok) {
        assert.equal(second.reason, 'port-in-use');
        assert.equal(second.port, first.port);
      }
    } finally {
      await first.close();
    }
  });
});
