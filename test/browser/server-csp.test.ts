// In real Chromium: the strict CSP still lets our page open its WebSocket (connect-src 'self' covers ws: to
// the same host and port), and a page from another origin cannot connect (cross-site WebSocket hijacking).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../src/server/server.js';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { FakeControl, start } from '../fixtures/server-test-kit.js';

/** The page script: connects to the server it was loaded from and reports the outcome in the title. */
const PROBE_SCRIPT = `
const target = new URLSearchParams(location.search).get('target') ?? location.host;
const ws = new WebSocket('ws://' + target + '/ws');
ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'info') document.title = 'connected:' + message.version;
};
ws.onerror = () => { document.title = 'error'; };
`;

describe('server in Chromium', { skip: CHROMIUM_MISSING ?? false }, () => {
  let webRoot: string;
  let server: RunningServer;
  let foreign: Server;
  let foreignPort: number;
  let browser: Browser;

  before(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'lucidlines-csp-'));
    await writeFile(
      join(webRoot, 'index.html'),
      '<!doctype html><title>loading</title><script src="/probe.js"></script>',
    );
    await writeFile(join(webRoot, 'probe.js'), PROBE_SCRIPT);
    server = await start(new FakeControl(['web']), { webRoot });
    // A hostile page on another port of the same machine: the most common real-world attacker position.
    foreign = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(`<!doctype html><title>loading</title><script>${PROBE_SCRIPT}</script>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const address = foreign.address();
    foreignPort = typeof address === 'object' && address !== null ? address.port : 0;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => foreign?.close(resolve));
    await rm(webRoot, { recursive: true, force: true });
  });

  it('our page connects under its strict CSP, with no CSP violation', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    try {
      await page.goto(server.url);
      await page.waitForFunction("document.title !== 'loading'", undefined, { timeout: 20_000 });
      assert.equal(await page.title(), 'connected:9.9.9-test');
      assert.deepEqual(violations, []);
    } finally {
      await page.close();
    }
  });

  it('a page from another origin cannot open our WebSocket', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`http://127.0.0.1:${foreignPort}/?target=127.0.0.1:${server.port}`);
      await page.waitForFunction("document.title !== 'loading'", undefined, { timeout: 20_000 });
      assert.equal(await page.title(), 'error');
    } finally {
      await page.close();
    }
  });

  it('the same probe with the same target connects when loaded from our origin, so only the Origin differs', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}?target=127.0.0.1:${server.port}`);
      await page.waitForFunction("document.title !== 'loading'", undefined, { timeout: 20_000 });
      assert.equal(await page.title(), 'connected:9.9.9-test');
    } finally {
      await page.close();
    }
  });
});
