// patchChildren in a real Chromium: which elements survive a patch decides whether a click pressed on one of
// them is delivered, so the test checks identities, not only the resulting markup.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from '../fixtures/chromium.js';

/** Fills `#root` with `before`, patches it with elements built from `after`, and says which old elements stayed. */
async function patch(page: Page, before: string, after: string): Promise<{ html: string; kept: string[] }> {
  return page.evaluate(
    ({ oldHtml, newHtml }) => {
      const root = document.getElementById('root') as HTMLElement;
      root.innerHTML = oldHtml;
      const old = [...root.querySelectorAll('*')];
      const template = document.createElement('div');
      template.innerHTML = newHtml;
      (window as unknown as { patchChildren: (parent: Element, children: Element[]) => void }).patchChildren(
        root,
        [...template.children],
      );
      const kept = old.filter((element) => element.isConnected).map((element) => element.className);
      return { html: root.innerHTML, kept };
    },
    { oldHtml: before, newHtml: after },
  );
}

describe('patchChildren (browser)', { skip: CHROMIUM_MISSING ?? false }, () => {
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
      content: `${bundle.outputFiles[0]?.text}\nwindow.patchChildren = patchModule.patchChildren;`,
    });
  });

  after(async () => {
    await browser?.close();
  });

  test('changed texts and attributes are patched into the elements that are there', async () => {
    const result = await patch(
      page,
      '<span class="head"><span class="name n1">web</span></span><span class="meta"><span class="badge st-running" title="a">● running</span><span class="pid">pid 10</span></span>',
      '<span class="head"><span class="name n1">web</span></span><span class="meta"><span class="badge st-stopped">■ stopped</span><span class="pid">no pid</span></span>',
    );
    assert.equal(
      result.html,
      '<span class="head"><span class="name n1">web</span></span><span class="meta"><span class="badge st-stopped">■ stopped</span><span class="pid">no pid</span></span>',
    );
    assert.deepEqual(result.kept, ['head', 'name n1', 'meta', 'badge st-stopped', 'pid']);
  });

  test('an element that appears is inserted in its place and one that goes is removed; the rest stay', async () => {
    const result = await patch(
      page,
      '<span class="meta"><span class="badge">●</span><span class="pid">pid 1</span><span class="usage">5%</span></span>',
      '<span class="meta"><span class="badge">●</span><span class="health">♥</span><span class="pid">pid 1</span></span>',
    );
    assert.equal(
      result.html,
      '<span class="meta"><span class="badge">●</span><span class="health">♥</span><span class="pid">pid 1</span></span>',
    );
    assert.deepEqual(result.kept, ['meta', 'badge', 'pid']);
  });

  test('an element whose role changed is replaced, and text becomes elements without a stray text node', async () => {
    const result = await patch(
      page,
      '<span class="dot">•</span><b class="name">x</b>',
      '<span class="dot"><i class="mark">!</i></span><span class="name">x</span>',
    );
    assert.equal(result.html, '<span class="dot"><i class="mark">!</i></span><span class="name">x</span>');
    assert.deepEqual(result.kept, ['dot']);
  });
});
