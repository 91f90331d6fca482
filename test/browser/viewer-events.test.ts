/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// The events panel in real headless Chromium against the built CLI: the replayed lifecycle log with a crash
// and its code told apart from a start, a live restart arriving at the top, and a process name that selects
// the process.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, openViewer } from '../fixtures/chromium.js';
import { type CliRun, cliHarness } from '../fixtures/cli-harness.js';

const WAIT_MS = 30_000;
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const { temp, startCli } = cliHarness('lucid-viewer-events-');

/** The rows of the events panel, top to bottom. */
function eventRows(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('#events .event')].map((row) => ({
      event: row.dataset.event ?? '',
      tone: [...row.classList].find((name) => name.startsWith('ev-')) ?? '',
      process: row.querySelector('.ev-process')?.textContent ?? '',
      message: row.querySelector('.ev-message')?.textContent ?? '',
      time: row.querySelector('.ev-time')?.textContent ?? '',
    })),
  );
}

describe('viewer: the events panel', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser;
  let page: Page;
  let lucidlines: CliRun;

  before(async () => {
    const cwd = mkdtempSync(path.join(temp, 'viewer-'));
    writeFileSync(
      path.join(cwd, 'lucidlines.config.json'),
      JSON.stringify({
        processes: [
          { name: 'crasher', command: 'echo "crasher output"; exit 3' },
          { name: 'web', command: `node ${JSON.stringify(path.join(fixtures, 'watch-idle.mjs'))} web` },
        ],
      }),
    );
    lucidlines = startCli(['--port', '0'], cwd);
    await lucidlines.waitForOutput(/^\[crasher\] +crashed with exit code 3$/m, 'the crash');
    const [url] = await lucidlines.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    browser = await launchChromium();
    page = await openViewer(browser, url, WAIT_MS);
  });

  after(async () => {
    await browser?.close();
    lucidlines?.child.kill('SIGINT');
    await lucidlines?.exit;
  });

  test('the header button opens the panel with the replayed log: a crash with its code, unlike a start', async () => {
    assert.equal(await page.isVisible('#events'), false);
    await page.click('#events-button');
    await page.waitForSelector('#events .event[data-event="crashed"]', { timeout: WAIT_MS });
    assert.equal(await page.getAttribute('#events-button', 'aria-pressed'), 'true');
    const rows = await eventRows(page);
    const crash = rows.find((row) => row.event === 'crashed');
    assert.deepEqual(
      { tone: crash?.tone, process: crash?.process, message: crash?.message },
      { tone: 'ev-problem', process: 'crasher', message: 'crashed with exit code 3' },
    );
    assert.match(crash?.time ?? '', /^\d\d:\d\d:\d\d\.\d{3}$/);
    const start = rows.find((row) => row.event === 'started' && row.process === 'crasher');
    assert.equal(start?.tone, 'ev-good');
    assert.match(start?.message ?? '', /^started \(pid \d+\)$/);
    // Newest first: the crash came after the start.
    assert.ok(rows.indexOf(crash as (typeof rows)[number]) < rows.indexOf(start as (typeof rows)[number]));
    const problemColour = await page.$eval(
      '#events .event[data-event="crashed"] .ev-message',
      (element) => getComputedStyle(element).color,
    );
    const startColour = await page.$eval(
      '#events .event[data-event="started"] .ev-message',
      (element) => getComputedStyle(element).color,
    );
    assert.notEqual(problemColour, startColour);
  });

  test('a live restart arrives at the top, and a process name selects that process', async () => {
    await page.click('#process-list button.proc[data-name="web"]');
    await page.click('#restart');
    await page.waitForSelector('#events .event:first-child[data-event="restarted"]', { timeout: WAIT_MS });
    const [top] = await eventRows(page);
    assert.equal(top?.process, 'web');
    assert.match(top?.message ?? '', /^restarted on request \(pid \d+\)$/);

    await page.click('#events .event[data-event="crashed"] .ev-process');
    await page.waitForSelector('#output[data-process="crasher"]', { timeout: WAIT_MS });
    assert.equal(await page.textContent('#view-title'), 'crasher');
  });
});
