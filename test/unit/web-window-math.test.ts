import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentHeight, isAtBottom, rowWindow, scrollTopToReveal } from '../../web/window-math.js';

describe('virtual list math', () => {
  test('renders the rows in view plus the overscan, positioned at the first one', () => {
    const window = rowWindow({
      scrollTop: 1800,
      viewportHeight: 360,
      rowHeight: 18,
      rowCount: 100_000,
      overscan: 5,
    });
    assert.deepEqual(window, { start: 95, end: 126, offsetTop: 95 * 18 });
  });

  test('the number of rendered rows does not depend on the scrollback', () => {
    for (const rowCount of [100, 100_000, 10_000_000]) {
      const { start, end } = rowWindow({
        scrollTop: contentHeight(rowCount, 18) - 500,
        viewportHeight: 500,
        rowHeight: 18,
        rowCount,
        overscan: 20,
      });
      assert.ok(end - start <= Math.ceil(500 / 18) + 1 + 40, `${rowCount}: ${end - start} rows`);
      assert.equal(end, rowCount);
    }
  });

  test('clamps at both ends and handles an empty list', () => {
    assert.deepEqual(
      rowWindow({ scrollTop: -50, viewportHeight: 100, rowHeight: 10, rowCount: 5, overscan: 3 }),
      {
        start: 0,
        end: 5,
        offsetTop: 0,
      },
    );
    assert.deepEqual(
      rowWindow({ scrollTop: 0, viewportHeight: 100, rowHeight: 10, rowCount: 0, overscan: 3 }),
      {
        start: 0,
        end: 0,
        offsetTop: 0,
      },
    );
    const past = rowWindow({
      scrollTop: 99_999,
      viewportHeight: 100,
      rowHeight: 10,
      rowCount: 50,
      overscan: 3,
    });
    assert.ok(past.start < past.end && past.end === 50);
  });

  test('bottom detection tolerates subpixel slack', () => {
    assert.equal(isAtBottom(900, 100, 1000, 2), true);
    assert.equal(isAtBottom(898.5, 100, 1000, 2), true);
    assert.equal(isAtBottom(850, 100, 1000, 2), false);
  });

  test('revealing a row scrolls as little as possible', () => {
    assert.equal(scrollTopToReveal(5, 10, 0, 100), 0, 'already visible');
    assert.equal(scrollTopToReveal(50, 10, 0, 100), 410, 'below: aligned to the bottom');
    assert.equal(scrollTopToReveal(2, 10, 300, 100), 20, 'above: aligned to the top');
  });
});
