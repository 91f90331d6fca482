/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The functions passed to page.evaluate run in Chromium, so this file also needs the DOM types.
// The viewer in real headless Chromium against a real lucidlines (the built CLI) on a loopback port.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureBuilt, ROOT } from '../fixtures/build.js';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { freePort } from '../fixtures/free-port.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const WAIT_MS = 30_000;
const skip = CHROMIUM_MISSING ?? false;

const XSS_NAME = '<img src=x onerror=alert(1)>';

interface Lucidlines {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

interface ProcessEntry {
  name: string;
  command: string;
  env?: Record<string, string>;
}

function nodeCommand(script: string): string {
  return `node ${JSON.stringify(script)}`;
}

const started: Lucidlines[] = [];
const tempDirs: string[] = [];

async function writeConfig(processes: ProcessEntry[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lucidlines-viewer-'));
  tempDirs.push(dir);
  const file = path.join(dir, 'lucidlines.config.json');
  // History (issue 15): the whole scrollback is replayed, as these tests look at every line without scrolling up.
  const config = {
    viewerLines: 100_000,
    scrollback: { lines: 120_000, bytes: 64 * 1024 * 1024 },
    replayLines: 120_000,
    processes,
  };
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

/** Starts the built CLI and resolves with the viewer URL it prints alone on a line. */
async function startLucidlines(configFile: string, port = 0): Promise<Lucidlines> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin', 'lucidlines.js'), '--config', configFile, '--port', String(port)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`lucidlines printed no URL. stderr:\n${stderr}`)),
      WAIT_MS,
    );
    // The terminal printer writes every output line here; reading all of it keeps the pipe from filling up.
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (/^http:\/\/\S+\/(\?\S*)?$/.test(line.trim())) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lucidlines exited with ${code} before printing a URL. stderr:\n${stderr}`));
    });
  });
  const instance: Lucidlines = {
    url,
    port: Number(new URL(url).port),
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
  started.push(instance);
  return instance;
}

/**
 * The texts of the rendered rows, read in one evaluation: `$$eval` queries and reads in two round trips, and a
 * frame rendered between them hands it rows that are no longer in the page.
 */
async function rowTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#output .row .tx')].map((row) => row.textContent ?? ''),
  );
}

/** What the viewer says it rendered last (the data-* attributes of #output); unset fields match anything. */
interface Shown {
  /** The selected process, or null for the "All processes" view. */
  process?: string | null;
  query?: string;
  filter?: 'on' | 'off';
  rows?: number;
  /** Some rendered row contains this text. */
  row?: string;
}

/**
 * Waits until the viewer reports having rendered `wanted`. A click or a keystroke only schedules the next
 * frame, so the rows in the page right after it may still be the previous view's; this waits for the frame.
 */
async function waitForShown(page: Page, wanted: Shown): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const output = document.getElementById('output');
      if (output === null) return false;
      const shown = output.dataset;
      if (want.process !== undefined && shown.process !== (want.process ?? '')) return false;
      if (want.query !== undefined && shown.query !== want.query) return false;
      if (want.filter !== undefined && shown.filter !== want.filter) return false;
      if (want.rows !== undefined && shown.rows !== String(want.rows)) return false;
      const row = want.row;
      if (row === undefined) return true;
      return [...output.querySelectorAll('.row .tx')].some((tx) => tx.textContent?.includes(row));
    },
    wanted,
    { timeout: WAIT_MS },
  );
}

/** Selects a process (null: all of them) and waits until the viewer rendered that view. */
async function selectProcess(page: Page, name: string | null): Promise<void> {
  if (name === null) await page.click('#process-list button.proc.all');
  else await page.click(`#process-list button.proc[data-name="${name.replace(/["\\]/g, '\\$&')}"]`);
  await waitForShown(page, { process: name });
}

/** The computed style of the output span whose text is exactly `text`. */
async function computedStyle(page: Page, text: string) {
  // Plain arrow functions only: tsx names nested function declarations with a helper the page does not have.
  // One evaluation finds and measures the span: a detached span has an empty computed style.
  return page.evaluate((wanted) => {
    const spans = [...document.querySelectorAll('#output .row .tx span')];
    const span = spans.find((s) => s.textContent === wanted);
    if (span === undefined) return null;
    const computed = getComputedStyle(span);
    return {
      color: computed.color,
      background: computed.backgroundColor,
      weight: computed.fontWeight,
      fontStyle: computed.fontStyle,
      decoration: computed.textDecorationLine,
    };
  }, text);
}

function sidebarEntry(page: Page, name: string) {
  return page.locator(`#process-list button.proc[data-name="${name}"]`);
}

describe('browser viewer', { skip }, () => {
  let browser: Browser;
  let main: Lucidlines;
  let mainConfig: string;
  const dialogs: string[] = [];
  let page: Page;

  before(async () => {
    await ensureBuilt();
    mainConfig = await writeConfig([
      { name: 'colors', command: nodeCommand(path.join(FIXTURES, 'viewer-colors.mjs')) },
      { name: XSS_NAME, command: nodeCommand(path.join(FIXTURES, 'viewer-xss.mjs')) },
      { name: 'ticker', command: nodeCommand(path.join(FIXTURES, 'viewer-ticker.mjs')) },
      { name: 'crash', command: nodeCommand(path.join(FIXTURES, 'viewer-crash.mjs')) },
    ]);
    main = await startLucidlines(mainConfig);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'dark' });
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(main.url);
    await page.waitForSelector('#connection[data-state="open"]', { timeout: WAIT_MS });
  });

  after(async () => {
    await browser?.close();
    await Promise.all(started.map((instance) => instance.stop()));
    await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  test('lists every process with its status, pid and restart count', async () => {
    await page.waitForFunction(
      () => document.querySelectorAll('#process-list button.proc').length === 5,
      null,
      {
        timeout: WAIT_MS,
      },
    );
    await sidebarEntry(page, 'colors').locator('.badge.st-running').waitFor({ timeout: WAIT_MS });
    const colors = sidebarEntry(page, 'colors');
    assert.equal(await colors.locator('.badge').textContent(), '● running');
    assert.match((await colors.locator('.pid').textContent()) ?? '', /^pid \d+$/);
    assert.equal(await colors.locator('.restarts').textContent(), '↻ 0');
  });

  test('sidebar entries and their spans stay the same elements while output streams, so no click is lost', async () => {
    // In the "All" view every ticker line is marked read at once, which re-renders the sidebar in each frame
    // that brings output: a button replaced between mousedown and mouseup would swallow the click.
    await selectProcess(page, null);
    const colors = await sidebarEntry(page, 'colors').elementHandle({ timeout: WAIT_MS });
    // What the mouse presses is a span of the button: Chromium sends no click if it was replaced before the
    // mouse was released, so the spans of an entry that did not change must stay too.
    const name = await sidebarEntry(page, 'colors').locator('.name').elementHandle({ timeout: WAIT_MS });
    const rows = Number(await page.getAttribute('#output', 'data-rows'));
    await page.waitForFunction(
      (before) => Number(document.getElementById('output')?.dataset.rows) > before + 5,
      rows,
      { timeout: WAIT_MS },
    );
    assert.equal(await colors.evaluate((button) => button.isConnected), true);
    assert.equal(await name.evaluate((span) => span.isConnected), true, 'the name span was replaced');
    await colors.dispose();
    await name.dispose();
  });

  test('a process in error shows in the sidebar, the title and the favicon', async () => {
    await sidebarEntry(page, 'crash').locator('.badge.st-error').waitFor({ timeout: WAIT_MS });
    assert.equal(await sidebarEntry(page, 'crash').locator('.badge').textContent(), '✖ error');
    assert.equal(await sidebarEntry(page, 'crash').locator('.errmark').count(), 1);
    await page.waitForFunction(() => document.title.includes('error'), null, { timeout: WAIT_MS });
    const favicon = await page.getAttribute('#favicon', 'href');
    assert.ok(favicon?.startsWith('data:image/svg+xml,'));
    assert.ok(favicon?.includes(encodeURIComponent('#e5534b')), 'the error icon is the red one');
  });

  test('a process that ends by itself with code 0 says "exited with code 0", not a neutral "stopped"', async () => {
    const config = await writeConfig([{ name: 'oneshot', command: 'node -e "console.log(1)"' }]);
    const oneshot = await startLucidlines(config);
    const context = await browser.newContext();
    try {
      const oneshotPage = await context.newPage();
      await oneshotPage.goto(oneshot.url);
      // A page that loads before the first start shows the never-started "stopped" first, so the test waits for
      // the badge of the ended run; a viewer that said a neutral "stopped" for it would never show one.
      const badge = sidebarEntry(oneshotPage, 'oneshot').locator('.badge.st-stopped', { hasText: 'exited' });
      await badge.waitFor({ timeout: WAIT_MS });
      assert.equal(await badge.textContent(), '■ exited with code 0');
    } finally {
      await context.close();
      await oneshot.stop();
    }
  });

  test('renders ANSI colours and attributes with the right computed styles', async () => {
    await selectProcess(page, 'colors');
    await waitForShown(page, { process: 'colors', row: 'then plain' });
    const body = await page.evaluate(() => getComputedStyle(document.body).color);
    const styles = {
      red: await computedStyle(page, 'red-16'),
      orange: await computedStyle(page, 'orange-256'),
      green: await computedStyle(page, 'green-truecolor'),
      bold: await computedStyle(page, 'bold-text'),
      italic: await computedStyle(page, 'italic-text'),
      underline: await computedStyle(page, 'underline-text'),
      inverse: await computedStyle(page, 'inverse-text'),
      carried: await computedStyle(page, 'still magenta on the next line'),
      plain: await computedStyle(page, ' then plain'),
      body,
    };
    assert.equal(styles.red?.color, 'rgb(255, 123, 114)', 'dark theme ANSI red');
    assert.equal(styles.orange?.color, 'rgb(255, 135, 0)', '256-colour 208');
    assert.equal(styles.green?.color, 'rgb(10, 200, 30)', 'truecolor');
    assert.equal(styles.bold?.weight, '700');
    assert.equal(styles.italic?.fontStyle, 'italic');
    assert.equal(styles.underline?.decoration, 'underline');
    assert.equal(styles.inverse?.background, styles.body, 'inverse paints the text colour as background');
    assert.equal(styles.carried?.color, 'rgb(188, 140, 255)', 'magenta carried over to the next line');
    assert.equal(styles.plain?.color, styles.body);
  });

  test('links only http(s) URLs, strips OSC 8, overwrites \\r progress and marks stderr', async () => {
    const links = await page.evaluate(() =>
      [...document.querySelectorAll('#output a')].map((a) => ({
        href: a.getAttribute('href'),
        rel: a.getAttribute('rel'),
        target: a.getAttribute('target'),
        text: a.textContent,
      })),
    );
    assert.deepEqual(links, [
      {
        href: 'https://example.com/docs?q=1',
        rel: 'noopener noreferrer',
        target: '_blank',
        text: 'https://example.com/docs?q=1',
      },
    ]);
    const texts = await rowTexts(page);
    assert.ok(texts.includes('osc-link-text end'), 'OSC 8 leaves only its visible text');
    assert.ok(!texts.join('\n').includes('osc8.example'));
    assert.deepEqual(
      texts.filter((text) => text.startsWith('progress')),
      ['progress 100%'],
    );
    const stderrRows = await page.evaluate(() =>
      [...document.querySelectorAll('#output .row.err .tx')].map((row) => row.textContent),
    );
    assert.deepEqual(stderrRows, ['warning: something on stderr']);
  });

  test('hostile output and a hostile process name stay inert text', async () => {
    await selectProcess(page, XSS_NAME);
    await waitForShown(page, { process: XSS_NAME, row: 'xss-payloads-done' });
    const texts = await rowTexts(page);
    assert.ok(texts.includes('<img src=x onerror="window.__xss=1;alert(1)">'));
    assert.ok(texts.includes('<script>window.__xss=2;alert(2)</script>'));
    assert.ok(texts.some((text) => text.startsWith('<svg onload="window.__xss=3"> <a href="javascript:')));
    const inert = await page.evaluate(() => ({
      xss: (window as { __xss?: unknown }).__xss,
      elements: document.querySelectorAll('#app img, #app script, #app svg, #app b').length,
      scriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
      sidebarName: document.querySelector('#process-list button.proc[aria-current="true"] .name')
        ?.textContent,
      title: document.getElementById('view-title')?.textContent,
    }));
    assert.deepEqual(inert, {
      xss: undefined,
      elements: 0,
      scriptLinks: 0,
      sidebarName: XSS_NAME,
      title: XSS_NAME,
    });
    assert.deepEqual(dialogs, []);
  });

  test('restart brings a new pid, a new status and new output', async () => {
    await selectProcess(page, 'colors');
    await waitForShown(page, { process: 'colors', row: 'then plain' });
    const entry = sidebarEntry(page, 'colors');
    const pidBefore = await entry.locator('.pid').textContent();
    // A click lands only if the element pressed is still there when the mouse is released, so an entry whose
    // status, pid and restart count change keeps its spans and has their texts changed in place.
    const spans = await entry.locator('.name, .badge, .pid, .restarts').elementHandles();
    assert.equal(spans.length, 4);
    await page.click('#restart');
    await entry.locator('.restarts', { hasText: '↻ 1' }).waitFor({ timeout: WAIT_MS });
    await entry.locator('.badge.st-running').waitFor({ timeout: WAIT_MS });
    for (const span of spans) {
      assert.equal(
        await span.evaluate((element) => element.isConnected),
        true,
        `the ${await span.evaluate((element) => (element as Element).className)} span was replaced`,
      );
      await span.dispose();
    }
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#output .row .tx')].filter((row) =>
          row.textContent?.startsWith('started pid='),
        ).length === 2,
      null,
      { timeout: WAIT_MS },
    );
    assert.notEqual(await entry.locator('.pid').textContent(), pidBefore);
    const starts = (await rowTexts(page)).filter((text) => text.startsWith('started pid='));
    assert.notEqual(starts[0], starts[1], 'the second start printed a different pid');
  });

  test('stop and start one process from the toolbar', async () => {
    const entry = sidebarEntry(page, 'colors');
    assert.equal(await page.textContent('#toggle-running'), '■ Stop');
    await page.click('#toggle-running');
    await entry.locator('.badge.st-stopped').waitFor({ timeout: WAIT_MS });
    assert.equal(await entry.locator('.pid').textContent(), 'no pid');
    await page.waitForFunction(() => document.getElementById('toggle-running')?.textContent === '▶ Start');
    await page.click('#toggle-running');
    await entry.locator('.badge.st-running').waitFor({ timeout: WAIT_MS });
  });

  test('keyboard shortcuts, the help overlay, unread marks and plain-text copy', async () => {
    await selectProcess(page, 'colors');
    await sidebarEntry(page, 'ticker').locator('.dot.unread').waitFor({ timeout: WAIT_MS });
    assert.equal(
      await sidebarEntry(page, 'colors').locator('.dot.unread').count(),
      0,
      'the shown process is read',
    );

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('?');
    await page.waitForSelector('#help[open]');
    const help = (await page.textContent('#help')) ?? '';
    assert.ok(help.includes('Restart all processes') && help.includes('Search / filter'), help);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#help:not([open])', { state: 'attached' });

    await page.keyboard.press('j');
    await page.waitForFunction(() => document.getElementById('view-title')?.textContent !== 'colors');
    await page.keyboard.press('k');
    await page.waitForFunction(() => document.getElementById('view-title')?.textContent === 'colors');
    await page.keyboard.press('t');
    await page.waitForSelector('#output .row .ts');
    await page.keyboard.press('t');
    await page.waitForSelector('#output .row .ts', { state: 'detached' });

    await waitForShown(page, { process: 'colors', row: 'red-16' });
    const copied = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('#output .row .tx')];
      const first = rows.find((row) => row.textContent?.startsWith('red-16'));
      const last = rows.find((row) => row.textContent?.startsWith('docs at'));
      if (first === undefined || last === undefined) return null;
      const range = document.createRange();
      range.setStartBefore(first);
      range.setEndAfter(last);
      const selection = document.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      const data = new DataTransfer();
      document.dispatchEvent(
        new ClipboardEvent('copy', { clipboardData: data, bubbles: true, cancelable: true }),
      );
      selection?.removeAllRanges();
      return { text: data.getData('text/plain'), html: data.getData('text/html') };
    });
    assert.ok(copied !== null);
    assert.equal(copied.html, '', 'no markup on the clipboard');
    assert.match(copied.text, /^red-16 orange-256 green-truecolor\n/);
    assert.match(
      copied.text,
      /docs at https:\/\/example\.com\/docs\?q=1 and not-a-link ftp:\/\/example\.com\n?$/,
    );
    assert.ok(!copied.text.includes('\u001b'));
  });

  test('restart all restarts every process', async () => {
    const names = ['colors', XSS_NAME, 'ticker'];
    const before = await Promise.all(
      names.map(async (name) =>
        Number((await sidebarEntry(page, name).locator('.restarts').textContent())?.slice(2)),
      ),
    );
    await page.click('#restart-all');
    for (const [i, name] of names.entries()) {
      await sidebarEntry(page, name)
        .locator('.restarts', { hasText: `↻ ${(before[i] ?? 0) + 1}` })
        .waitFor({ timeout: WAIT_MS });
    }
  });

  test('search highlights, filters with plain text and regex, and reports a bad regex', async () => {
    await selectProcess(page, null);
    await page.fill('#search', 'MAGENTA');
    await waitForShown(page, { process: null, query: 'MAGENTA', filter: 'off' });
    // The ticker keeps the tail busy, so the first match is brought into view before its marks are read.
    await page.press('#search', 'Enter');
    await page.waitForFunction(() =>
      /^1\/\d+$/.test(document.getElementById('match-count')?.textContent ?? ''),
    );
    const found = await page.evaluate(() => ({
      marks: [...new Set([...document.querySelectorAll('#output mark')].map((m) => m.textContent))],
      current: document.querySelector('#output .row.cur .tx')?.textContent ?? '',
    }));
    assert.deepEqual(found.marks, ['magenta']);
    assert.match(found.current, /magenta/i);
    await page.click('#next');
    await page.waitForFunction(() =>
      /^2\/\d+$/.test(document.getElementById('match-count')?.textContent ?? ''),
    );
    await page.click('#previous');
    await page.waitForFunction(() =>
      /^1\/\d+$/.test(document.getElementById('match-count')?.textContent ?? ''),
    );
    await page.click('#filter');
    await waitForShown(page, { query: 'MAGENTA', filter: 'on' });
    const filtered = await rowTexts(page);
    assert.ok(filtered.length >= 2, filtered.join('\n'));
    assert.ok(
      filtered.every((text) => /magenta/i.test(text)),
      filtered.join('\n'),
    );
    await page.click('#regex');
    await page.fill('#search', '^tick \\d*0$');
    await waitForShown(page, { query: '^tick \\d*0$', filter: 'on', row: 'tick' });
    const ticks = await page.evaluate(() => ({
      rows: [...document.querySelectorAll('#output .row .tx')].map((row) => row.textContent ?? ''),
      count: document.getElementById('match-count')?.textContent ?? '',
    }));
    assert.ok(
      ticks.rows.every((text) => /^tick \d*0$/.test(text)),
      ticks.rows.join('\n'),
    );
    assert.match(ticks.count, /^\d+ match/);
    await page.fill('#search', '(unclosed');
    await page.waitForSelector('#search.invalid');
    assert.equal(await page.textContent('#match-count'), 'invalid regex');
    await page.fill('#search', '');
    await page.click('#regex');
    await page.click('#filter');
    await waitForShown(page, { query: '', filter: 'off' });
  });

  test('follow-tail pauses when scrolled up and resumes at the bottom', async () => {
    await selectProcess(page, 'ticker');
    const spacerHeight = () => page.$eval('#output .spacer', (el) => el.getBoundingClientRect().height);
    await page.waitForFunction(
      () => {
        const output = document.getElementById('output');
        return output !== null && output.scrollHeight > output.clientHeight * 2;
      },
      null,
      { timeout: WAIT_MS },
    );
    assert.equal(await page.getAttribute('#follow', 'aria-pressed'), 'true');
    await page.hover('#output');
    await page.mouse.wheel(0, -600);
    await page.waitForFunction(
      () => document.getElementById('follow')?.getAttribute('aria-pressed') === 'false',
    );
    const pausedAt = await page.$eval('#output', (el) => el.scrollTop);
    const heightBefore = await spacerHeight();
    await page.waitForFunction(
      (h) => (document.querySelector('#output .spacer')?.getBoundingClientRect().height ?? 0) > h + 100,
      heightBefore,
      { timeout: WAIT_MS },
    );
    assert.equal(
      await page.$eval('#output', (el) => el.scrollTop),
      pausedAt,
      'paused: new lines do not scroll',
    );

    await page.mouse.wheel(0, 1_000_000);
    await page.waitForFunction(
      () => document.getElementById('follow')?.getAttribute('aria-pressed') === 'true',
    );
    const heightResumed = await spacerHeight();
    await page.waitForFunction(
      (h) => (document.querySelector('#output .spacer')?.getBoundingClientRect().height ?? 0) > h + 100,
      heightResumed,
      { timeout: WAIT_MS },
    );
    const atBottom = await page.$eval('#output', (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(atBottom <= 4, `following: still at the bottom (${atBottom}px away)`);
  });

  test('reconnects after lucidlines restarts and rebuilds the state without duplicates', async () => {
    await selectProcess(page, 'colors');
    await main.stop();
    await page.waitForSelector('#connection[data-state="closed"]', { timeout: WAIT_MS });
    main = await startLucidlines(mainConfig, main.port);
    await page.waitForSelector('#connection[data-state="open"]', { timeout: WAIT_MS });
    await sidebarEntry(page, 'colors').locator('.restarts', { hasText: '↻ 0' }).waitFor({ timeout: WAIT_MS });
    await waitForShown(page, { process: 'colors', row: 'then plain' });
    const texts = await rowTexts(page);
    assert.equal(texts.filter((text) => text.startsWith('started pid=')).length, 1, texts.join('\n'));
    assert.equal(texts.filter((text) => text.includes('red-16')).length, 1);
    assert.equal(await page.locator('#process-list button.proc').count(), 5);
  });

  test('100,000 lines keep the DOM bounded and scroll to any line', async () => {
    const config = await writeConfig([
      {
        name: 'flood',
        command: nodeCommand(path.join(FIXTURES, 'viewer-flood.mjs')),
        env: { FLOOD_LINES: '100000' },
      },
    ]);
    const flood = await startLucidlines(config);
    const floodPage = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
    try {
      await floodPage.goto(flood.url);
      assert.equal(
        await floodPage.evaluate(() => getComputedStyle(document.body).backgroundColor),
        'rgb(255, 255, 255)',
        'a light OS theme gets the light page',
      );
      await selectProcess(floodPage, 'flood');
      await waitForShown(floodPage, { process: 'flood', row: 'flood-done' });
      const measured = await floodPage.evaluate(() => {
        const output = document.getElementById('output') as HTMLElement;
        const rowHeight = (document.querySelector('#output .row') as HTMLElement).getBoundingClientRect()
          .height;
        return { nodes: document.getElementsByTagName('*').length, height: output.scrollHeight, rowHeight };
      });
      assert.ok(measured.nodes < 1500, `${measured.nodes} DOM nodes`);
      assert.ok(
        measured.height >= 100_000 * measured.rowHeight,
        'every retained line has its place in the scroll',
      );
      await floodPage.$eval('#output', (el) => {
        el.scrollTop = el.scrollHeight / 2;
      });
      await floodPage.waitForFunction(() =>
        [...document.querySelectorAll('#output .row .tx')].some((row) =>
          /^flood line 50\d{3} /.test(row.textContent ?? ''),
        ),
      );
      assert.ok((await floodPage.evaluate(() => document.getElementsByTagName('*').length)) < 1500);
      await floodPage.fill('#search', 'flood line 4242');
      await floodPage.click('#filter');
      await waitForShown(floodPage, { query: 'flood line 4242', filter: 'on', rows: 11 });
      assert.equal(await floodPage.textContent('#match-count'), '11 matches');
      assert.deepEqual(
        (await rowTexts(floodPage)).map((text) => text.split(' ').slice(0, 3).join(' ')),
        ['flood line 4242', ...Array.from({ length: 10 }, (_, i) => `flood line 4242${i}`)],
      );
    } finally {
      await floodPage.close();
      await flood.stop();
    }
  });

  test('is usable at 320 px wide, and the screenshot for the README', async () => {
    const webPort = await freePort();
    const examples = path.join(ROOT, 'examples');
    const config = await writeConfig([
      {
        name: 'web',
        command: nodeCommand(path.join(examples, 'web-server.mjs')),
        env: { PORT: String(webPort) },
      },
      { name: 'build', command: nodeCommand(path.join(examples, 'build-watcher.mjs')) },
      { name: 'worker', command: nodeCommand(path.join(examples, 'flaky-worker.mjs')) },
      { name: 'colors', command: nodeCommand(path.join(FIXTURES, 'viewer-colors.mjs')) },
    ]);
    const demo = await startLucidlines(config);
    const context = await browser.newContext({ viewport: { width: 1280, height: 560 }, colorScheme: 'dark' });
    const demoPage = await context.newPage();
    try {
      await demoPage.goto(demo.url);
      await waitForShown(demoPage, { process: null, row: 'compiled' });
      await waitForShown(demoPage, { process: null, row: 'GET /missing' });
      await demoPage.click('#timestamps');
      await demoPage.fill('#search', 'compiled');
      await demoPage.waitForSelector('#output mark');
      await mkdir(path.join(ROOT, 'test-artifacts'), { recursive: true });
      await demoPage.screenshot({ path: path.join(ROOT, 'test-artifacts', 'viewer.png') });
      // The README's picture is renewed on request only: a test run that rewrote a tracked file would leave
      // every checkout dirty, and a commit would pick up a picture taken on whatever machine ran the tests.
      if (process.env.UPDATE_SCREENSHOT === '1') {
        await copyFile(
          path.join(ROOT, 'test-artifacts', 'viewer.png'),
          path.join(ROOT, 'docs', 'screenshot.png'),
        );
      }

      await demoPage.setViewportSize({ width: 320, height: 640 });
      await demoPage.waitForFunction(() => document.getElementById('sidebar')?.offsetParent === null);
      const overflow = await demoPage.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 320, `the page is ${overflow}px wide`);
      await demoPage.click('#menu');
      await demoPage.click('#process-list button.proc[data-name="build"]');
      await demoPage.waitForFunction(() => document.getElementById('view-title')?.textContent === 'build');
      await demoPage.screenshot({ path: path.join(ROOT, 'test-artifacts', 'viewer-320.png') });
    } finally {
      await context.close();
      await demo.stop();
    }
  });
});
