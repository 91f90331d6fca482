/// <reference lib="dom" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// The sidebar of the viewer, in real headless Chromium against the built CLI, while a process waits for a
// dependency: its badge says what it waits for, and its tooltip which of those failed.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { cliHarness } from '../fixtures/cli-harness.js';

const server = fileURLToPath(new URL('../fixtures/ready-server.mjs', import.meta.url));
const { temp, startCli } = cliHarness('lucid-viewer-waiting-');
const WAIT_MS = 30_000;

describe('viewer: a process waiting for its dependencies', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser | undefined;
  after(async () => {
    await browser?.close();
  });

  test('shows "waiting for lint" on the badge, and in the tooltip that lint failed', async () => {
    const dir = mkdtempSync(path.join(temp, 'config-'));
    writeFileSync(
      path.join(dir, 'lucidlines.config.json'),
      JSON.stringify({
        processes: [
          {
            name: 'web',
            command: `node "${server}" never`,
            dependsOn: [{ name: 'lint', condition: 'completed' }],
          },
          { name: 'lint', command: `node "${server}" exit 3` },
        ],
      }),
    );
    const run = startCli(['--port', '0'], dir);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/\S*$/m, 'the viewer URL');
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(url);
    const badge = page.locator('#process-list button.proc[data-name="web"] .badge[data-waiting-for="lint"]');
    await badge.waitFor({ timeout: WAIT_MS });
    assert.equal(await badge.textContent(), '◌ waiting for lint');
    await page
      .locator('#process-list button.proc[data-name="lint"] .badge.st-error')
      .waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(
      () =>
        document
          .querySelector('#process-list button.proc[data-name="web"] .badge')
          ?.getAttribute('title')
          ?.includes('lint failed') === true,
      null,
      { timeout: WAIT_MS },
    );
    assert.equal(
      await badge.getAttribute('title'),
      'Waiting for lint before starting; lint failed: it starts once that one is fixed and ready',
    );
    run.child.kill('SIGINT');
    assert.equal((await run.exit).code, 0, run.stderr());
  });
});
