/// <reference lib="dom" />
// The input line, the detected-URL links and the metrics in real headless Chromium, against the built CLI.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../fixtures/build.js';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { cliHarness } from '../fixtures/cli-harness.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const WAIT_MS = 30_000;
const harness = cliHarness('lucidlines-stdin-urls-');

describe('viewer: stdin, detected URLs and metrics', { skip: CHROMIUM_MISSING ?? false }, () => {
  test('links the announced URL, sends typed lines with history, and shows cpu and memory', async () => {
    const config = path.join(harness.temp, 'lucidlines.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        port: 0,
        processes: [
          { name: 'web', command: `node ${JSON.stringify(path.join(FIXTURES, 'url-vite-banner.mjs'))}` },
          {
            name: 'shell',
            command: `node ${JSON.stringify(path.join(FIXTURES, 'stdin-echo.mjs'))}`,
            stdin: true,
          },
        ],
      }),
    );
    const run = harness.startCli(['--config', config], harness.temp);
    const browser = await launchChromium();
    try {
      const [url] = await run.waitForOutput(/^http:\/\/\S+\/(\?\S*)?$/m, 'the viewer URL');
      await run.waitForOutput(/^web → http:\/\/localhost:5173\/$/m, 'the detected URL in the terminal');
      const page = await browser.newPage();
      await page.goto(url);

      const link = page.locator('#process-list .urls[data-name="web"] a');
      await link.waitFor({ timeout: WAIT_MS });
      assert.equal(await link.getAttribute('href'), 'http://localhost:5173/');
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      assert.equal(await link.getAttribute('target'), '_blank');

      await page.click('#process-list button.proc[data-name="web"]');
      await page.waitForSelector('#input-line[hidden]', { state: 'attached', timeout: WAIT_MS });
      await page.click('#process-list button.proc[data-name="shell"]');
      await page.waitForSelector('#input-line:not([hidden])', { timeout: WAIT_MS });
      await page.fill('#stdin', 'rs');
      await page.press('#stdin', 'Enter');
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('#output .row .tx')].some((row) => row.textContent === 'echo: rs'),
        null,
        { timeout: WAIT_MS },
      );
      assert.equal(await page.inputValue('#stdin'), '', 'the line is cleared once sent');
      await page.press('#stdin', 'ArrowUp');
      assert.equal(await page.inputValue('#stdin'), 'rs', 'Up recalls the line sent last');

      const usage = page.locator('#process-list button.proc[data-name="shell"] .usage');
      await page.waitForFunction(
        () =>
          /\d% · [\d.]+ MB$/.test(
            document.querySelector('#process-list button.proc[data-name="shell"] .usage')?.textContent ?? '',
          ),
        null,
        { timeout: WAIT_MS },
      );
      assert.match((await usage.textContent()) ?? '', /MB$/);

      // A restart clears the process's URLs until it announces them again, so its links go and come back.
      // The entries must stay in the page meanwhile: one detached and put back would lose a click on it.
      await page.evaluate(() => {
        const list = document.getElementById('process-list') as HTMLElement;
        const removed: string[] = [];
        (window as unknown as { removedEntries: string[] }).removedEntries = removed;
        new MutationObserver((records) => {
          for (const record of records) {
            for (const node of record.removedNodes) removed.push((node as Element).className);
          }
        }).observe(list, { childList: true });
      });
      await page.click('#process-list button.proc[data-name="web"]');
      await page.click('#restart');
      await page.waitForSelector('#process-list button.proc[data-name="web"][data-restarts="1"]', {
        timeout: WAIT_MS,
      });
      await link.waitFor({ timeout: WAIT_MS });
      const removed = await page.evaluate(
        () => (window as unknown as { removedEntries: string[] }).removedEntries,
      );
      assert.deepEqual(
        removed.filter((className) => className.startsWith('proc')),
        [],
        'no sidebar entry was detached',
      );
    } finally {
      await browser.close();
      run.child.kill('SIGINT');
      await run.exit;
    }
  });
});
