/// <reference lib="dom" />
// Read-only access and Kill in the viewer (issue 15), in real headless Chromium against the built CLI.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureBuilt, ROOT } from '../fixtures/build.js';
import { CHROMIUM_MISSING, launchChromium, openViewer } from '../fixtures/chromium.js';
import { isAliveProcess as isAlive } from '../fixtures/process-probes.js';

const WAIT_MS = 30_000;
const skip = CHROMIUM_MISSING ?? false;

describe('viewer access and kill', { skip }, () => {
  let browser: Browser;
  let child: ChildProcess;
  let exited: Promise<void>;
  let dir: string;
  /** The control URL and the view-only URL, in the order lucidlines prints them. */
  const urls: string[] = [];
  let stdout = '';

  before(async () => {
    await ensureBuilt();
    dir = await mkdtemp(path.join(tmpdir(), 'lucidlines-access-'));
    const config = path.join(dir, 'lucidlines.config.json');
    const stubborn = path.join(ROOT, 'test', 'fixtures', 'access-stubborn-tree.mjs');
    await writeFile(
      config,
      JSON.stringify({
        token: 'control-secret',
        viewToken: 'view-secret',
        // Far longer than the test waits: only Kill can end the stubborn tree in time.
        killTimeout: 600_000,
        // stdin: true, so the page has an input line, which is a control too.
        processes: [{ name: 'stubborn', command: `node ${JSON.stringify(stubborn)}`, stdin: true }],
      }),
    );
    child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'lucidlines.js'), '--config', config, '--port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lucidlines printed no URLs:\n${stdout}`)), WAIT_MS);
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        stdout += `${line}\n`;
        if (/^http:\/\/\S+\/(\?\S*)?$/.test(line.trim())) urls.push(line.trim());
        if (urls.length === 2 && /child pid=\d+/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      child.kill('SIGINT');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await openViewer(browser, url, WAIT_MS);
    await page.click('#process-list button.proc[data-name="stubborn"]');
    return page;
  }

  test('prints the control URL first and a view-only URL second', () => {
    assert.equal(new URL(urls[0] ?? '').searchParams.get('token'), 'control-secret');
    assert.equal(new URL(urls[1] ?? '').searchParams.get('token'), 'view-secret');
    assert.match(stdout, /view-only/);
  });

  test('with the view token, the viewer shows no controls', async () => {
    const page = await open(urls[1] ?? '');
    await page.waitForSelector('body[data-access="view"]', { timeout: WAIT_MS });
    for (const id of ['restart-all', 'stop-all', 'restart', 'toggle-running', 'kill', 'input-line']) {
      assert.equal(await page.isVisible(`#${id}`), false, `#${id} is hidden`);
    }
    await page.close();
  });

  test('with the control token, Kill appears while a stop hangs and ends the whole tree', async () => {
    const pids = [/parent pid=(\d+)/, /child pid=(\d+)/].map((pattern) => Number(pattern.exec(stdout)?.[1]));
    const page = await open(urls[0] ?? '');
    await page.waitForSelector('body[data-access="control"]', { timeout: WAIT_MS });
    for (const id of ['restart-all', 'stop-all', 'restart', 'toggle-running', 'input-line']) {
      assert.equal(await page.isVisible(`#${id}`), true, `#${id} is shown`);
    }
    assert.equal(await page.isVisible('#kill'), false, 'no Kill before a stop');
    await page.waitForFunction(() => document.getElementById('toggle-running')?.textContent === '■ Stop');
    await page.click('#toggle-running');
    await page.waitForSelector('#kill', { state: 'visible', timeout: WAIT_MS });
    for (const pid of pids) assert.equal(await isAlive(pid), true, `process ${pid} hangs on SIGTERM`);
    await page.click('#kill');
    await page.waitForSelector('#kill', { state: 'hidden', timeout: WAIT_MS });
    for (const pid of pids) assert.equal(await isAlive(pid), false, `process ${pid} is still alive`);
    await page.close();
  });
});
