/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// Liveness in the viewer, in real headless Chromium against the built CLI and a real server fixture: the
// sidebar's health badge follows what the process's `healthCheck` finds.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, openViewer } from '../fixtures/chromium.js';
import { type CliRun, cliHarness } from '../fixtures/cli-harness.js';
import { freePort } from '../fixtures/free-port.js';

const WAIT_MS = 30_000;
const SERVER = fileURLToPath(new URL('../fixtures/health-server.mjs', import.meta.url));
const { temp, startCli } = cliHarness('lucid-viewer-health-');

describe('health in the viewer', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser;
  let page: Page;
  let lucidlines: CliRun;
  let port: number;

  before(async () => {
    port = await freePort();
    const cwd = mkdtempSync(path.join(temp, 'viewer-'));
    writeFileSync(
      path.join(cwd, 'lucidlines.config.json'),
      JSON.stringify({
        processes: [
          {
            name: 'api',
            command: `node "${SERVER}" ${port}`,
            // Checks begin once it is running; without a probe that is before Node even listens.
            readyPort: port,
            healthCheck: {
              url: `http://127.0.0.1:${port}/health`,
              interval: 100,
              timeout: 1000,
              failures: 2,
            },
          },
          { name: 'plain', command: 'echo plain; sleep 600' },
        ],
      }),
    );
    lucidlines = startCli(['--port', '0'], cwd);
    const [url] = await lucidlines.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    browser = await launchChromium();
    page = await openViewer(browser, url, WAIT_MS);
  });

  after(async () => {
    await browser?.close();
    lucidlines?.child.kill('SIGINT');
    await lucidlines?.exit;
  });

  const entry = (name: string) => page.locator(`#process-list button.proc[data-name="${name}"]`);
  const poke = async (where: string) =>
    assert.equal((await fetch(`http://127.0.0.1:${port}${where}`)).status, 200);

  test('a process with a check shows healthy, then unhealthy when it stops answering, then healthy again', async () => {
    await page.waitForSelector('#process-list button.proc[data-name="api"][data-health="healthy"]', {
      timeout: WAIT_MS,
    });
    assert.equal(await entry('api').locator('.health').textContent(), '♥ healthy');
    assert.equal(await entry('plain').getAttribute('data-health'), null, 'no check, no badge');
    assert.equal(await entry('plain').locator('.health').count(), 0);

    await poke('/sick');
    await page.waitForSelector('#process-list button.proc[data-name="api"][data-health="unhealthy"]', {
      timeout: WAIT_MS,
    });
    const badge = entry('api').locator('.health');
    assert.equal(await badge.textContent(), '♡ unhealthy');
    assert.match((await badge.getAttribute('class')) ?? '', /health-unhealthy/);
    assert.match(
      (await entry('api').locator('.badge').textContent()) ?? '',
      /running/,
      'it is still running',
    );

    await poke('/well');
    await page.waitForSelector('#process-list button.proc[data-name="api"][data-health="healthy"]', {
      timeout: WAIT_MS,
    });
  });
});
