/// <reference lib="dom" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// The HTML export in real headless Chromium: colours render, and hostile output (a <script>, an <img onerror>)
// stays text, both in the read API's answer and in the file the viewer's "Save as HTML" downloads.

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../src/server/server.js';
import { ensureBuilt, ROOT } from '../fixtures/build.js';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { FakeControl, start } from '../fixtures/server-test-kit.js';

const TOKEN = 'export-test-token';
const HOSTILE =
  '<script>window.pwned = "script"</script>\n<img src=x onerror="window.pwned = \'img\'">\n' +
  '\x1b[31m<svg onload="window.pwned = \'svg\'">\x1b[0m\n';

interface Rendered {
  title: string;
  pwned: unknown;
  elements: number;
  text: string;
  green: string | null;
  background: string;
}

/** What the exported page shows: its title, any element the output created, the colour of the green word. */
function inspect(page: Page): Promise<Rendered> {
  return page.evaluate(() => {
    const pre = document.querySelector('pre');
    const green = [...document.querySelectorAll('pre span')].find((span) => span.textContent === 'compiled');
    return {
      title: document.title,
      pwned: (window as unknown as { pwned?: unknown }).pwned,
      elements: pre?.querySelectorAll('*:not(span):not(b):not(i):not(u)').length ?? -1,
      text: pre?.textContent ?? '',
      green: green === undefined ? null : getComputedStyle(green).color,
      background: getComputedStyle(document.body).backgroundColor,
    };
  });
}

function assertSafeAndColoured(rendered: Rendered): void {
  assert.equal(rendered.title, 'web');
  assert.equal(rendered.pwned, undefined);
  assert.equal(rendered.elements, 0, 'the output created no element');
  assert.ok(rendered.text.includes('<script>window.pwned = "script"</script>'), rendered.text);
  assert.ok(rendered.text.includes('<img src=x onerror='), rendered.text);
  assert.ok(rendered.text.includes('<svg onload='), rendered.text);
  assert.equal(rendered.green, 'rgb(63, 185, 80)');
  assert.equal(rendered.background, 'rgb(13, 17, 23)');
}

describe('HTML export in Chromium', { skip: CHROMIUM_MISSING ?? false }, () => {
  let server: RunningServer;
  let browser: Browser;
  let downloads: string;

  before(async () => {
    await ensureBuilt();
    downloads = await mkdtemp(path.join(tmpdir(), 'lucidlines-export-'));
    const control = new FakeControl(['web', 'api']);
    control.output('web', '\x1b[32mcompiled\x1b[39m in 120 ms\n');
    control.output('web', HOSTILE);
    control.output('api', 'listening\n');
    server = await start(control, { token: TOKEN, webRoot: path.join(ROOT, 'dist', 'web') });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(downloads, { recursive: true, force: true });
  });

  it("the read API's format=html renders colours and keeps hostile output inert", async () => {
    const page = await browser.newPage();
    const response = await page.goto(
      `http://127.0.0.1:${server.port}/api/processes/web/logs?format=html&token=${TOKEN}`,
    );
    assert.equal(response?.status(), 200);
    assertSafeAndColoured(await inspect(page));
    await page.close();
  });

  it('the escaping alone keeps it inert: the page opened as a file, its policy removed', async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/processes/web/logs?format=html`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const html = (await response.text()).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
    assert.doesNotMatch(html, /Content-Security-Policy/);
    const file = path.join(downloads, 'no-policy.html');
    await writeFile(file, html);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href);
    assertSafeAndColoured(await inspect(page));
    await page.close();
  });

  it('"Save as HTML" in the viewer downloads the shown process as that page', async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    const save = page.locator('#save-html');
    // In the "All" view there is no single process to save.
    await page.locator('#process-list button[data-name="web"]').waitFor();
    assert.equal(await save.isDisabled(), true);
    await page.locator('#process-list button[data-name="web"]').click();
    await page.waitForFunction(() => !(document.getElementById('save-html') as HTMLButtonElement).disabled);
    const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
    assert.equal(download.suggestedFilename(), 'web.html');
    const file = path.join(downloads, 'saved.html');
    await download.saveAs(file);
    const html = await readFile(file, 'utf8');
    assert.ok(!html.includes(TOKEN), 'the saved page does not carry the token');
    const saved = await browser.newPage();
    await saved.goto(pathToFileURL(file).href);
    assertSafeAndColoured(await inspect(saved));
    await saved.close();
    await page.close();
  });
});
