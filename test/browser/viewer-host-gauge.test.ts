/// <reference lib="dom" />
// The host gauge (issue 15) in real headless Chromium, against the built CLI reading the real host.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../fixtures/build.js';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';
import { cliHarness } from '../fixtures/cli-harness.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const WAIT_MS = 30_000;
const harness = cliHarness('lucidlines-host-gauge-');

describe('viewer: host gauge', { skip: CHROMIUM_MISSING ?? false }, () => {
  test('subscribes on connect and shows the host CPU, memory and load with a tooltip', async () => {
    const config = path.join(harness.temp, 'lucidlines.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        port: 0,
        processes: [
          { name: 'shell', command: `node ${JSON.stringify(path.join(FIXTURES, 'stdin-echo.mjs'))}` },
        ],
      }),
    );
    const run = harness.startCli(['--config', config], harness.temp);
    const browser = await launchChromium();
    try {
      const [url] = await run.waitForOutput(/^http:\/\/\S+\/(\?\S*)?$/m, 'the viewer URL');
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(url);
      await page.waitForSelector('#host-gauge:not([hidden])', { timeout: WAIT_MS });
      const gauge = await page.evaluate(() => ({
        cpu: document.querySelector('#host-gauge .host-cpu')?.textContent ?? '',
        memory: document.querySelector('#host-gauge .host-memory')?.textContent ?? '',
        load: document.querySelector('#host-gauge .host-load')?.textContent ?? '',
        title: document.getElementById('host-gauge')?.title ?? '',
        meters: [...document.querySelectorAll('#host-gauge meter')].map(
          (meter) => (meter as HTMLMeterElement).value,
        ),
      }));
      assert.match(gauge.cpu, /^CPU (\d{1,3}%|–)$/);
      assert.match(gauge.memory, /^Mem [\d.]+ (GiB|MiB) \/ [\d.]+ (GiB|MiB)$/);
      assert.match(gauge.load, /^Load \d+\.\d\d$/);
      assert.match(gauge.title, /^This machine: CPU .* across \d+ cores; memory .* in use; load average/);
      assert.equal(gauge.meters.length, 2);
      assert.ok(
        gauge.meters.every((value) => value >= 0 && value <= 1),
        JSON.stringify(gauge.meters),
      );
      assert.ok((gauge.meters[1] ?? 0) > 0, 'some memory is in use');
      assert.deepEqual(violations, [], 'the gauge needs no inline style');
    } finally {
      await browser.close();
      run.child.kill('SIGINT');
      await run.exit;
    }
  });
});
