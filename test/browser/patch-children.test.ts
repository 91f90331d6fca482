// patchChildren in a real Chromium: which elements survive a patch decides whether a click pressed on one of
// them is delivered, so the test checks identities, not only the resulting markup.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';

interface PatchModule {
  patchChildren(parent: Element, children: Element[]): void;
  arrangeChildren(parent: Element, wanted: Element[]): void;
}

/**
 * Fills `#root` with `before`, patches it with elements built from `after`, and says which old elements
 * stayed without ever being detached: a MutationObserver records every removal, also one followed by a
 * re-insertion, which would lose a press on the element just the same.
 */
async function patch(page: Page, before: string, after: string): Promise<{ html: string; kept: string[] }> {
  return page.evaluate(
    ({ oldHtml, newHtml }) => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = oldHtml;
      const old = [...root.querySelectorAll('*')];
      const template = document.createElement('div');
      template.innerHTML = newHtml;
      const observer = new MutationObserver(() => {});
      observer.observe(root, { childList: true, subtree: true });
      (window as unknown as { patchModule: PatchModule }).patchModule.patchChildren(root, [
        ...template.children,
      ]);
      const removed = new Set(observer.takeRecords().flatMap((record) => [...record.removedNodes]));
      observer.disconnect();
      const kept = old
        .filter((element) => element.isConnected && !removed.has(element))
        .map((element) => element.className);
      return { html: root.innerHTML, kept };
    },
    { oldHtml: before, newHtml: after },
  );
}

/** Patches `before` into `after` and checks that the result shows `after` and that exactly `kept` stayed. */
async function assertPatched(page: Page, before: string, after: string, kept: string[]): Promise<void> {
  const result = await patch(page, before, after);
  assert.equal(result.html, after);
  assert.deepEqual(result.kept, kept);
}

describe('patchChildren and arrangeChildren (browser)', { skip: CHROMIUM_MISSING ?? false }, () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    const bundle = await build({
      entryPoints: ['web/patch-children.ts'],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'patchModule',
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent('<div id="root"></div>');
    await page.addScriptTag({
      content: `${bundle.outputFiles[0]?.text}\nwindow.patchModule = patchModule;`,
    });
  });

  after(async () => {
    await browser?.close();
  });

  test('changed texts and attributes are patched into the elements that are there', async () => {
    await assertPatched(
      page,
      '<span class="head"><span class="name n1">web</span></span><span class="meta"><span class="badge st-running" title="a">● running</span><span class="pid">pid 10</span></span>',
      '<span class="head"><span class="name n1">web</span></span><span class="meta"><span class="badge st-stopped">■ stopped</span><span class="pid">no pid</span></span>',
      ['head', 'name n1', 'meta', 'badge st-stopped', 'pid'],
    );
  });

  test('an element that appears is inserted in its place and one that goes is removed; the rest stay', async () => {
    await assertPatched(
      page,
      '<span class="meta"><span class="badge">●</span><span class="pid">pid 1</span><span class="usage">5%</span></span>',
      '<span class="meta"><span class="badge">●</span><span class="health">♥</span><span class="pid">pid 1</span></span>',
      ['meta', 'badge', 'pid'],
    );
  });

  test('an element whose role changed is replaced, and text becomes elements without a stray text node', async () => {
    await assertPatched(
      page,
      '<span class="dot">•</span><b class="name">x</b>',
      '<span class="dot"><i class="mark">!</i></span><span class="name">x</span>',
      ['dot'],
    );
  });

  test('arrangeChildren removes and inserts around the children that stay, never detaching one', async () => {
    const result = await page.evaluate(() => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = '<button class="a"></button><div class="links"></div><button class="b"></button>';
      const [a, links, b] = [...root.children] as Element[];
      const observer = new MutationObserver(() => {});
      observer.observe(root, { childList: true });
      // No function is declared in here: the test runner's transform would wrap it in a helper that exists
      // only in Node.
      const { arrangeChildren } = (window as unknown as { patchModule: PatchModule }).patchModule;
      const c = document.createElement('button');
      c.className = 'c';
      // A process's links go (its restart cleared its URLs), then come back, and a new process is added.
      arrangeChildren(root, [a as Element, b as Element]);
      arrangeChildren(root, [a as Element, links as Element, b as Element, c]);
      const removed = observer
        .takeRecords()
        .flatMap((record) => [...record.removedNodes].map((node) => (node as Element).className));
      observer.disconnect();
      return { html: root.innerHTML, removed };
    });
    assert.equal(
      result.html,
      '<button class="a"></button><div class="links"></div><button class="b"></button><button class="c"></button>',
    );
    assert.deepEqual(result.removed, ['links'], 'only the element that went away was detached');
  });
});
