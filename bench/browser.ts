import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from '../test/fixtures/chromium.js';
import { fixtureCommand, StartGate } from './gate.js';
import { launchLucidIn, type RunningLucid, scratchDir, writeConfig } from './lucidlines-process.js';
import { formatSummary, type ResultRow } from './report.js';
import { percentile, summarise } from './stats.js';

/** Two frames at 60 Hz: a gap longer than this means at least one frame was not produced. */
const DROPPED_FRAME_MS = 2 * (1000 / 60);
const STREAM_NAME = 'stream';
const BULK_NAME = 'bulk';

export interface BrowserPlan {
  seconds: number;
  linesPerSecond: number;
  filterLines: number;
  repetitions: number;
}

export type BrowserResult = { ok: true; rows: ResultRow[] } | { ok: false; reason: string };

/**
 * Runs in the page before the viewer's own script. It timestamps each WebSocket message on arrival (the
 * listener is added in the constructor, so it runs before the viewer's handler) by the last timestamped
 * line it carries, notes when a row with that line enters the DOM and takes the next animation frame,
 * which starts after the frame that painted it, as the paint time. It also records long tasks and every
 * animation frame. Kept as plain JavaScript text because it is evaluated inside Chromium.
 */
const INSTRUMENTATION = `(() => {
  const bench = { recording: false, arrivals: new Map(), paints: [], longTasks: [], frames: [] };
  window.__bench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const decoder = new TextDecoder();
  const tailText = (buffer) => decoder.decode(new Uint8Array(buffer, Math.max(0, buffer.byteLength - 512)));
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (!bench.recording) return;
        // The viewer asks for binary output frames, whose output comes last: the tail holds the last line.
        const text = typeof event.data === 'string' ? event.data : tailText(event.data);
        const at = text.lastIndexOf('LAT ');
        const match = at === -1 ? null : /^LAT (\\d+)/.exec(text.slice(at, at + 24));
        if (match) bench.arrivals.set(Number(match[1]), performance.now());
      });
    }
  };
  const frame = (time) => {
    if (bench.recording) bench.frames.push(time);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const painted = new Set();
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver((records) => {
      const fresh = [];
      for (const record of records) {
        for (const node of record.addedNodes) {
          const match = /LAT (\\d+)/.exec(node.textContent || '');
          if (!match) continue;
          const sequence = Number(match[1]);
          if (bench.arrivals.has(sequence) && !painted.has(sequence)) {
            painted.add(sequence);
            fresh.push(sequence);
          }
        }
      }
      if (fresh.length === 0) return;
      requestAnimationFrame(() => {
        const now = performance.now();
        for (const sequence of fresh) bench.paints.push(now - bench.arrivals.get(sequence));
      });
    }).observe(document.getElementById('output'), { childList: true, subtree: true });
  });
})();`;

// The page-side code below is handed to Chromium as text: it runs against the DOM, which the Node type
// configuration of the bench does not describe, and text keeps the bundler's helpers out of it.

/** Stops recording and returns the stream figures gathered by INSTRUMENTATION. */
function collectStreamFigures(droppedFrameMs: number): string {
  return `(() => {
    const bench = window.__bench;
    bench.recording = false;
    const tasks = bench.longTasks.filter((task) => task.start >= bench.start).map((task) => task.duration);
    let dropped = 0;
    for (let i = 1; i < bench.frames.length; i++) if (bench.frames[i] - bench.frames[i - 1] > ${droppedFrameMs}) dropped++;
    return { longestTaskMs: Math.max(0, ...tasks), droppedFrames: dropped, frames: bench.frames.length, paints: bench.paints };
  })()`;
}

/**
 * Types `query` into the search box in one input event (as a paste would) with filtering on, and measures
 * until the match count shows `expected` and the next frame has started, which is after the result was
 * painted. Then clears the query again.
 */
function timeFilter(query: string, expected: number): string {
  return `(async () => {
    const input = document.getElementById('search');
    const count = document.getElementById('match-count');
    const shown = () => (count.textContent || '').startsWith('${expected} match');
    const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const start = performance.now();
    input.value = ${JSON.stringify(query)};
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve, reject) => {
      if (shown()) return resolve();
      const stuck = setTimeout(() => {
        observer.disconnect();
        reject(new Error('The viewer showed "' + count.textContent + '" instead of ${expected} matches.'));
      }, 60000);
      const observer = new MutationObserver(() => {
        if (!shown()) return;
        observer.disconnect();
        clearTimeout(stuck);
        resolve();
      });
      observer.observe(count, { childList: true, characterData: true, subtree: true });
    });
    await nextFrame();
    const elapsed = performance.now() - start;
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await nextFrame();
    return elapsed;
  })()`;
}

interface StreamPass {
  longestTaskMs: number;
  droppedFrames: number;
  frames: number;
  paintP50: number;
  paintP99: number;
  paintSamples: number;
}

async function openViewer(browser: Browser, lucid: RunningLucid): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (error) => process.stderr.write(`viewer page error: ${error.message}\n`));
  await page.addInitScript(INSTRUMENTATION);
  await page.goto(lucid.url);
  await page.waitForSelector('#connection[data-state="open"]', { timeout: 15_000 });
  return page;
}

async function streamPass(browser: Browser, plan: BrowserPlan): Promise<StreamPass> {
  const dir = scratchDir('browser');
  const gate = new StartGate(dir.path);
  const tickMs = 10;
  const perTick = Math.round((plan.linesPerSecond * tickMs) / 1000);
  const ticks = Math.round((plan.seconds * 1000) / tickMs);
  const config = writeConfig(dir.path, [
    {
      name: STREAM_NAME,
      command: fixtureCommand(
        'paced.mjs',
        `--per-tick ${perTick} --ticks ${ticks} --interval ${tickMs} ${gate.args(STREAM_NAME)}`,
      ),
    },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  try {
    const page = await openViewer(browser, lucid);
    await gate.waitReady([STREAM_NAME]);
    await page.evaluate('window.__bench.recording = true; window.__bench.start = performance.now();');
    gate.open();
    await new Promise((wake) => setTimeout(wake, plan.seconds * 1000 + 500));
    const figures = (await page.evaluate(collectStreamFigures(DROPPED_FRAME_MS))) as {
      longestTaskMs: number;
      droppedFrames: number;
      frames: number;
      paints: number[];
    };
    await page.close();
    if (figures.paints.length === 0) throw new Error('No streamed line was ever painted by the viewer.');
    return {
      longestTaskMs: figures.longestTaskMs,
      droppedFrames: figures.droppedFrames,
      frames: figures.frames,
      paintP50: percentile(figures.paints, 50),
      paintP99: percentile(figures.paints, 99),
      paintSamples: figures.paints.length,
    };
  } finally {
    await lucid.stop();
    dir.remove();
  }
}

/** How many of the flood fixture's lines 0..count-1 contain `/api/items/7`: those whose number starts with 7. */
function expectedMatches(count: number): number {
  let matches = 0;
  for (let i = 0; i < count; i++) if (String(i).startsWith('7')) matches++;
  return matches;
}

async function filterPasses(browser: Browser, plan: BrowserPlan): Promise<number[]> {
  const dir = scratchDir('filter');
  const gate = new StartGate(dir.path);
  const config = writeConfig(dir.path, [
    {
      name: BULK_NAME,
      command: fixtureCommand(
        'flood.mjs',
        `--mode lines --lines ${plan.filterLines} ${gate.args(BULK_NAME)}`,
      ),
    },
  ]);
  const lucid = await launchLucidIn(dir, { config, terminal: 'discard' });
  try {
    const page = await openViewer(browser, lucid);
    // The lines must stream to the open page: lucidlines replays only its bounded scrollback to a page that
    // connects later, which would leave far fewer lines to filter.
    await gate.waitReady([BULK_NAME]);
    gate.open();
    // The viewer follows the tail, so the last line on screen means every line has been taken in.
    // Polled from here: Playwright's waitForFunction compiles its predicate inside the page, which the
    // viewer's Content Security Policy (no 'unsafe-eval') rightly forbids.
    const lastLine = `'/api/items/${plan.filterLines - 1} '`;
    const deadline = performance.now() + 120_000;
    while (
      !(await page.evaluate(`(document.getElementById('output').textContent || '').includes(${lastLine})`))
    ) {
      if (performance.now() > deadline)
        throw new Error('The viewer never showed the last of the bulk lines.');
      await new Promise((wake) => setTimeout(wake, 50));
    }
    await page.click('#filter');
    const timings: number[] = [];
    for (let round = 0; round < plan.repetitions; round++) {
      const ms = (await page.evaluate(
        timeFilter('/api/items/7', expectedMatches(plan.filterLines)),
      )) as number;
      timings.push(ms);
    }
    await page.close();
    return timings;
  } finally {
    await lucid.stop();
    dir.remove();
  }
}

export async function measureBrowser(plan: BrowserPlan, log: (line: string) => void): Promise<BrowserResult> {
  if (CHROMIUM_MISSING !== null) return { ok: false, reason: CHROMIUM_MISSING };
  const browser = await launchChromium();
  try {
    const passes: StreamPass[] = [];
    for (let round = 0; round < plan.repetitions; round++) {
      const pass = await streamPass(browser, plan);
      passes.push(pass);
      log(
        `  browser stream round ${round + 1}: longest task ${pass.longestTaskMs.toFixed(0)} ms, ${pass.droppedFrames}/${pass.frames} frames dropped, arrival to paint p50 ${pass.paintP50.toFixed(0)} ms p99 ${pass.paintP99.toFixed(0)} ms (${pass.paintSamples} lines)`,
      );
    }
    const filter = await filterPasses(browser, plan);
    log(`  browser filter of ${plan.filterLines} lines: ${filter.map((ms) => ms.toFixed(0)).join(', ')} ms`);
    const pick = (key: keyof StreamPass) => summarise(passes.map((pass) => pass[key]));
    const label = `${plan.linesPerSecond.toLocaleString('en')} lines/s for ${plan.seconds} s`;
    const droppedShare = summarise(
      passes.map((pass) => (100 * pass.droppedFrames) / Math.max(1, pass.frames)),
    );
    return {
      ok: true,
      rows: [
        {
          section: 'Browser',
          metric: `${label}: longest task (0: none over 50 ms)`,
          value: formatSummary(pick('longestTaskMs'), 'ms'),
        },
        {
          section: 'Browser',
          metric: `${label}: dropped frames (gap > 33 ms)`,
          value: `${formatSummary(pick('droppedFrames'), 'frames')}; ${formatSummary(droppedShare, '% of frames', 1)}`,
        },
        {
          section: 'Browser',
          metric: `${label}: arrival to paint p50`,
          value: formatSummary(pick('paintP50'), 'ms'),
        },
        {
          section: 'Browser',
          metric: `${label}: arrival to paint p99`,
          value: formatSummary(pick('paintP99'), 'ms'),
        },
        {
          section: 'Browser',
          metric: `filter ${plan.filterLines.toLocaleString('en')} lines until the result is painted`,
          value: formatSummary(summarise(filter), 'ms'),
        },
      ],
    };
  } finally {
    await browser.close();
  }
}
