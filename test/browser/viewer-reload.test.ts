/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// A live config reload seen in the viewer (real headless Chromium, the built CLI): the new process appears,
// and the lines the unchanged process printed before the reload are still shown.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, openViewer } from '../fixtures/chromium.js';
import { cliHarness } from '../fixtures/cli-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const idle = path.join(root, 'test', 'fixtures', 'watch-idle.mjs');
const { temp, startCli } = cliHarness('lucid-viewer-reload-');
const WAIT_MS = 30_000;

describe('viewer after a config reload', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser | null = null;
  after(async () => {
    await browser?.close();
  });

  test('shows an added process and keeps the earlier lines of the unchanged one', async () => {
    const cwd = mkdtempSync(path.join(temp, 'reload-'));
    const file = path.join(cwd, 'lucidlines.config.json');
    const keep = { name: 'keep', command: `node "${idle}" keep` };
    writeFileSync(file, JSON.stringify({ processes: [keep] }));
    const run = startCli(['--port', '0'], cwd);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    await run.waitForOutput(/^lucidlines: watching lucidlines\.config\.json for edits$/m, 'the config watch');
    await run.waitForOutput(/^\[keep\] +keep started pid=\d+$/m, 'keep');

    browser = await launchChromium();
    const page = await openViewer(browser, url ?? '', WAIT_MS);
    const rowWith = (text: string) =>
      page.waitForFunction(
        (wanted) =>
          [...document.querySelectorAll('#output .row .tx')].some((tx) => tx.textContent?.includes(wanted)),
        text,
        { timeout: WAIT_MS },
      );
    await rowWith('keep started pid=');

    writeFileSync(
      file,
      JSON.stringify({ processes: [keep, { name: 'added', command: `node "${idle}" added` }] }),
    );
    await page.waitForSelector('#process-list button.proc[data-name="added"]', { timeout: WAIT_MS });
    await rowWith('added started pid=');
    // The "All" view shows both: the line from before the reload was not dropped, as a second `info` would.
    await rowWith('keep started pid=');
    await page.click('#process-list button.proc[data-name="keep"]');
    await page.waitForFunction(() => document.getElementById('output')?.dataset.process === 'keep', null, {
      timeout: WAIT_MS,
    });
    await rowWith('keep started pid=');
    const keepRows = await page.evaluate(() =>
      [...document.querySelectorAll('#output .row .tx')].map((tx) => tx.textContent ?? ''),
    );
    assert.equal(
      keepRows.filter((text) => text.includes('keep started pid=')).length,
      1,
      keepRows.join('\n'),
    );

    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
  });
});
