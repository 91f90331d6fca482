/// <reference lib="dom" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// History (issue 15) in real headless Chromium against the built CLI: a process printed more lines than are
// replayed; scrolling to the top of its output loads the older ones, page by page, down to the first line.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { cliHarness } from '../fixtures/cli-harness.js';

const writer = fileURLToPath(new URL('../fixtures/history-numbered.mjs', import.meta.url));
const { temp, startCli } = cliHarness('lucid-viewer-history-');
const WAIT_MS = 60_000;
const TOTAL_LINES = 3000;
const REPLAY_LINES = 200;

/** The texts of the rows in the DOM, in order (the pane renders only the rows in view and a margin). */
function rowTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#output .rows > *')].map((row) => row.textContent ?? ''),
  );
}

async function scrollToTop(page: Page): Promise<void> {
  await page.evaluate(() => {
    const output = document.getElementById('output');
    if (output !== null) output.scrollTop = 0;
  });
}

describe('viewer: older lines on scrolling to the top', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser | undefined;
  after(async () => {
    await browser?.close();
  });

  test('loads the lines older than the replay, keeps the view in place, and ends at the beginning', async () => {
    const dir = mkdtempSync(path.join(temp, 'config-'));
    writeFileSync(
      path.join(dir, 'lucidlines.config.json'),
      JSON.stringify({
        replayLines: REPLAY_LINES,
        processes: [{ name: 'numbers', command: `node "${writer}" ${TOTAL_LINES} 10` }],
      }),
    );
    const run = startCli(['--port', '0'], dir);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/\S*$/m, 'the viewer URL');
    // The whole output is retained before the page connects, so the replay holds only its newest lines.
    await run.waitForOutput(new RegExp(`line ${TOTAL_LINES}$`, 'm'), 'the last line in the terminal');
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('#process-list button.proc[data-name="numbers"]').click();
    await page.waitForFunction(
      (last) =>
        document.getElementById('output')?.dataset.process === 'numbers' &&
        [...document.querySelectorAll('#output .rows > *')].some((row) => row.textContent === last),
      `line ${TOTAL_LINES}`,
      { timeout: WAIT_MS },
    );
    const replayedRows = Number(await page.locator('#output').getAttribute('data-rows'));
    assert.ok(
      replayedRows <= REPLAY_LINES * 2 && replayedRows < TOTAL_LINES,
      `${replayedRows} rows replayed`,
    );

    // The first scroll to the top asks for one page; the rows under the eyes stay where they were.
    await scrollToTop(page);
    // The oldest replayed line, which was the first row when the user reached the top.
    const topBefore = `line ${TOTAL_LINES - replayedRows + 1}`;
    await page.waitForFunction(
      (rows) => Number(document.getElementById('output')?.dataset.rows) > rows,
      replayedRows,
      { timeout: WAIT_MS },
    );
    await page.waitForFunction(() => document.getElementById('output')?.dataset.history !== 'loading', null, {
      timeout: WAIT_MS,
    });
    const firstVisible = await page.evaluate(() => {
      const output = document.getElementById('output');
      if (output === null) return '';
      const rows = [...document.querySelectorAll('#output .rows > *')];
      const top = output.getBoundingClientRect().top;
      return rows.find((row) => row.getBoundingClientRect().bottom > top + 1)?.textContent ?? '';
    });
    assert.equal(firstVisible, topBefore, 'prepending did not move the view');

    // Scrolling to the top again and again loads everything, down to the first line.
    while ((await page.locator('#output').getAttribute('data-history')) !== 'complete') {
      const rows = Number(await page.locator('#output').getAttribute('data-rows'));
      await scrollToTop(page);
      await page.waitForFunction(
        (before) => {
          const output = document.getElementById('output');
          return Number(output?.dataset.rows) > before || output?.dataset.history === 'complete';
        },
        rows,
        { timeout: WAIT_MS },
      );
    }
    assert.equal(Number(await page.locator('#output').getAttribute('data-rows')), TOTAL_LINES);
    await scrollToTop(page);
    await page.waitForFunction(
      () => document.querySelector('.history-marker')?.textContent === 'beginning of scrollback',
      null,
      { timeout: WAIT_MS },
    );
    assert.equal((await rowTexts(page))[0], 'line 1');
    run.child.kill('SIGINT');
    assert.equal((await run.exit).code, 0, run.stderr());
  });
});
