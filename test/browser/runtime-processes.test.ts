/// <reference lib="dom" />
// "Run a command…" and Remove in the viewer (runtime processes, issue 15), in real headless Chromium against
// the built CLI, with real process trees.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
const TREE = `node ${JSON.stringify(path.join(ROOT, 'test', 'fixtures', 'runtime-tree.mjs'))}`;
const TICKER = `node -e "setInterval(() => console.log('tick'), 200)"`;

interface Instance {
  /** The URLs lucidlines printed, control first (then view-only, with a view token). */
  urls: string[];
  child: ChildProcess;
  exited: Promise<void>;
}

describe('viewer: run a command and remove it', { skip }, () => {
  let browser: Browser;
  let dir: string;
  const instances: Instance[] = [];

  /** Starts the built CLI on the config and resolves once it printed `urlCount` URLs. */
  async function startLucidlines(config: object, urlCount: number): Promise<Instance> {
    const folder = await mkdtemp(path.join(dir, 'run-'));
    const file = path.join(folder, 'lucidlines.config.json');
    await writeFile(file, JSON.stringify(config));
    await mkdir(path.join(folder, 'app'));
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'lucidlines.js'), '--config', file, '--port', '0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const instance: Instance = {
      urls: [],
      child,
      exited: new Promise((resolve) => child.once('exit', () => resolve())),
    };
    instances.push(instance);
    child.stderr?.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('lucidlines printed no URLs')), WAIT_MS);
      // Reading every line keeps the pipe from filling up while the processes print.
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (/^http:\/\/\S+\/(\?\S*)?$/.test(line.trim())) instance.urls.push(line.trim());
        if (instance.urls.length === urlCount) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    return instance;
  }

  async function open(url: string): Promise<Page> {
    const page = await openViewer(browser, url, WAIT_MS);
    await page.waitForSelector('#process-list button.proc[data-name="ticker"]', { timeout: WAIT_MS });
    return page;
  }

  before(async () => {
    await ensureBuilt();
    dir = await mkdtemp(path.join(tmpdir(), 'lucidlines-runtime-'));
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const { child, exited } of instances) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        child.kill('SIGINT');
        await exited;
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  test('adds a process from the form, shows a refusal inline, and removes the process with its tree', async () => {
    const { urls } = await startLucidlines(
      {
        allowRuntimeProcesses: true,
        token: 'control-secret',
        viewToken: 'view-secret',
        processes: [{ name: 'ticker', command: TICKER }],
      },
      2,
    );
    const page = await open(urls[0] ?? '');
    await page.waitForSelector('#run-command', { state: 'visible', timeout: WAIT_MS });
    await page.click('#run-command');
    await page.waitForSelector('#run-command-dialog[open]', { timeout: WAIT_MS });

    await page.fill('#run-name', 'ticker');
    await page.fill('#run-command-line', TREE);
    await page.fill('#run-cwd', 'app');
    await page.click('#run-command-submit');
    await page.waitForSelector('#run-command-form[data-state="refused"]', { timeout: WAIT_MS });
    assert.match((await page.textContent('#run-command-error')) ?? '', /already named "ticker"/);
    assert.equal(await page.isVisible('#run-command-dialog'), true, 'the form stays open to fix the name');

    await page.fill('#run-name', 'extra');
    await page.click('#run-command-submit');
    await page.waitForSelector('#run-command-dialog', { state: 'hidden', timeout: WAIT_MS });
    const entry = page.locator('#process-list button.proc[data-name="extra"]');
    await entry.locator('.badge.st-running').waitFor({ timeout: WAIT_MS });
    // The form selects the process it added, so its output is what the page shows.
    await page.waitForFunction(
      () =>
        document.getElementById('output')?.dataset.process === 'extra' &&
        [...document.querySelectorAll('#output .row .tx')].some((row) =>
          /child pid=\d+/.test(row.textContent ?? ''),
        ),
      null,
      { timeout: WAIT_MS },
    );
    const output = await page.evaluate(() =>
      [...document.querySelectorAll('#output .row .tx')].map((row) => row.textContent ?? '').join('\n'),
    );
    assert.match(output, /cwd=\S+\/app /, 'the folder is relative to the config file');
    const pids = [/parent pid=(\d+)/, /child pid=(\d+)/].map((pattern) => Number(pattern.exec(output)?.[1]));
    for (const pid of pids) assert.equal(await isAlive(pid), true);

    const viewer = await open(urls[1] ?? '');
    await viewer.waitForSelector('body[data-access="view"]', { timeout: WAIT_MS });
    await viewer.click('#process-list button.proc[data-name="extra"]');
    assert.equal(await viewer.isVisible('#run-command'), false, 'a view client is not offered the form');
    assert.equal(await viewer.isVisible('#remove'), false, 'nor Remove');
    await viewer.close();

    await page.click('#remove');
    await entry.waitFor({ state: 'detached', timeout: WAIT_MS });
    for (const pid of pids) assert.equal(await isAlive(pid), false, `process ${pid} was left behind`);
    await page.close();
  });

  test('offers neither the form nor Remove when the config does not allow runtime processes', async () => {
    const { urls } = await startLucidlines({ processes: [{ name: 'ticker', command: TICKER }] }, 1);
    const page = await open(urls[0] ?? '');
    await page.waitForSelector('body[data-access="control"]', { timeout: WAIT_MS });
    await page.click('#process-list button.proc[data-name="ticker"]');
    await page.waitForSelector('#restart:not([disabled])', { timeout: WAIT_MS });
    assert.equal(await page.isVisible('#run-command'), false);
    assert.equal(await page.isVisible('#remove'), false);
    await page.close();
  });
});
