// The arithmetic of the virtual list: which rows exist in the DOM for a scroll position. Only the rows in
// view plus a margin are rendered, so the node count stays bounded however much scrollback is retained.

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** Extra rows rendered above and below, so fast scrolling shows no blank gap before the next frame. */
  overscan: number;
}

/** Rows [start, end) to render, and where the first one sits. */
export interface RowWindow {
  start: number;
  end: number;
  offsetTop: number;
}

export function rowWindow(input: WindowInput): RowWindow {
  const { rowHeight, rowCount, overscan } = input;
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0 };
  const scrollTop = Math.max(0, input.scrollTop);
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(Math.max(0, input.viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(rowCount - 1, first - overscan));
  const end = Math.min(rowCount, first + visible + overscan);
  return { start, end: Math.max(start, end), offsetTop: start * rowHeight };
}

export function contentHeight(rowCount: number, rowHeight: number): number {
  return Math.max(0, rowCount) * rowHeight;
}

/** Within `slack` pixels of the end counts as the bottom: zoom and subpixel layout leave fractions. */
export function isAtBottom(
  scrollTop: number,
  viewportHeight: number,
  scrollHeight: number,
  slack: number,
): boolean {
  return scrollHeight - (scrollTop + viewportHeight) <= slack;
}

/** The scrollTop that brings `row` into view, moving as little as possible; unchanged if already visible. */
export function scrollTopToReveal(
  row: number,
  rowHeight: number,
  scrollTop: number,
  viewportHeight: number,
): number {
  const top = row * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}
