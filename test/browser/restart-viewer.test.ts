/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// Automatic restarts in the viewer, in real headless Chromium against the built CLI: the separator rows
// between runs (replayed and live), the exit, the restart count and the countdown of a scheduled restart.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, openViewer } from '../fixtures/chromium.js';
import { type CliRun, cliHarness } from '../fixtures/cli-harness.js';

const WAIT_MS = 30_000;
const { temp, startCli } = cliHarness('lucid-restart-viewer-');

/** The rendered rows of the output pane, each with its run number when it is a separator. */
function rows(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#output .row')].map((row) => ({
      text: row.querySelector('.tx')?.textContent ?? '',
      run: row.dataset.run ?? null,
    })),
  );
}

describe('restarts in the viewer', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser;
  let page: Page;
  let lucidlines: CliRun;

  before(async () => {
    const cwd = mkdtempSync(path.join(temp, 'viewer-'));
    writeFileSync(
      path.join(cwd, 'lucidlines.config.json'),
      JSON.stringify({
        processes: [
          // Crashes, is restarted once, crashes again and stays in error.
          {
            name: 'flaky',
            command: 'echo "flaky output"; exit 2',
            restart: 'on-failure',
            restartDelay: 10,
            maxRestarts: 1,
          },
          // Crashes and waits far longer than the test for its restart, so the countdown stays up.
          {
            name: 'patient',
            command: 'echo "patient output"; exit 3',
            restart: 'on-failure',
            restartDelay: 3_600_000,
          },
        ],
      }),
    );
    lucidlines = startCli(['--port', '0'], cwd);
    await lucidlines.waitForOutput(/failed again after 1 automatic restart/, 'flaky giving up');
    const [url] = await lucidlines.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    browser = await launchChromium();
    page = await openViewer(browser, url, WAIT_MS);
  });

  after(async () => {
    await browser?.close();
    lucidlines?.child.kill('SIGINT');
    await lucidlines?.exit;
  });

  test('a late viewer shows a separator row between the runs, and how the process ended', async () => {
    await page.click('#process-list button.proc[data-name="flaky"]');
    await page.waitForSelector('#output .row.sep[data-run="2"]', { timeout: WAIT_MS });
    const shown = await rows(page);
    assert.deepEqual(
      shown.map((row) => (row.run === null ? row.text : `separator ${row.run}`)),
      ['flaky output', 'separator 2', 'flaky output'],
    );
    assert.match(
      shown[1]?.text ?? '',
      /^──── run 2 · \d\d:\d\d:\d\d · restarted automatically · pid \d+ ────$/,
    );
    const entry = page.locator('#process-list button.proc[data-name="flaky"]');
    assert.equal(await entry.getAttribute('data-restarts'), '1');
    assert.equal(await entry.locator('.exit').textContent(), 'exit 2');
    assert.equal(await entry.getAttribute('data-restart-at'), null);
  });

  test('a scheduled restart counts down, and a restart by hand cancels it and draws a separator live', async () => {
    const entry = page.locator('#process-list button.proc[data-name="patient"]');
    await page.waitForSelector('#process-list button.proc[data-name="patient"][data-restart-at]', {
      timeout: WAIT_MS,
    });
    assert.match((await entry.locator('.countdown').textContent()) ?? '', /^restarting in \d+s$/);
    await entry.click();
    await page.click('#restart');
    await page.waitForSelector('#output .row.sep[data-run="2"]', { timeout: WAIT_MS });
    const separator = (await rows(page)).find((row) => row.run === '2');
    assert.match(separator?.text ?? '', /restarted on request/);
    // The new run crashes too and schedules its own restart: a new countdown, from the first wait again.
    await page.waitForSelector(
      '#process-list button.proc[data-name="patient"][data-restarts="1"][data-restart-at]',
      {
        timeout: WAIT_MS,
      },
    );
  });
});
