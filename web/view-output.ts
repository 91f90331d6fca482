// The output pane: a virtual list that keeps only the rows in view (plus a margin) in the DOM, whatever the
// scrollback, and follows the tail until the user scrolls up.

import type { Line } from './line-model.js';
import { type RowOptions, renderRow } from './view-line.js';
import { contentHeight, isAtBottom, rowWindow, scrollTopToReveal } from './window-math.js';

/** What the pane shows: a ring of lines, or the matching subset of one. */
export interface RowSource {
  /** Identifies the sequence; a new key means different rows, so no scroll anchoring across it. */
  readonly key: unknown;
  readonly count: number;
  /**
   * A counter of the rows ever dropped from the front of this sequence: when it grows by n while the user
   * reads back, the pane scrolls up by n rows so the text under their eyes stays put. It shrinks by n when n
   * older rows are put in front (history), and the pane scrolls down by n rows for the same reason.
   */
  readonly dropped: number;
  line(row: number): Line | undefined;
}

export interface PaneOptions {
  showTimestamp: boolean;
  prefix(line: Line): RowOptions['prefix'];
  highlights(line: Line): Array<[number, number]>;
  isCurrent(line: Line): boolean;
  /** Changes whenever the options change the look of every row (timestamps, highlight query, view). */
  readonly key: string;
}

const OVERSCAN = 20;
const BOTTOM_SLACK_PX = 4;

interface RenderedRow {
  element: HTMLDivElement;
  revision: number;
}

export class OutputPane {
  readonly #scroller: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #rows: HTMLElement;
  readonly #onChange: () => void;
  #rowHeight = 18;
  #follow = true;
  #rendered = new Map<Line, RenderedRow>();
  #optionsKey = '';
  #sourceKey: unknown = null;
  #dropped = 0;

  /** `onChange` asks for a frame: the user scrolled, or the follow state changed. */
  constructor(scroller: HTMLElement, onChange: () => void) {
    this.#scroller = scroller;
    this.#onChange = onChange;
    this.#spacer = document.createElement('div');
    this.#spacer.className = 'spacer';
    this.#rows = document.createElement('div');
    this.#rows.className = 'rows';
    scroller.append(this.#spacer, this.#rows);
    scroller.addEventListener(
      'scroll',
      () => {
        const atBottom = isAtBottom(
          scroller.scrollTop,
          scroller.clientHeight,
          scroller.scrollHeight,
          BOTTOM_SLACK_PX,
        );
        // Scrolling up pauses the tail; coming back to the bottom resumes it.
        if (atBottom !== this.#follow) this.#follow = atBottom;
        this.#onChange();
      },
      { passive: true },
    );
  }

  get following(): boolean {
    return this.#follow;
  }

  /** History (issue 15): the first row is in view, so the user has reached the top of what is shown. */
  get atTop(): boolean {
    return this.#scroller.scrollTop < this.#rowHeight;
  }

  setFollow(follow: boolean): void {
    this.#follow = follow;
    this.#onChange();
  }

  /** Reads the real row height once the stylesheet applies, so the math matches the layout. */
  measure(): void {
    const probe = renderRow(
      { name: '', stream: 'stdout', timestamp: 0, segments: [], text: '', revision: 0, open: false },
      { showTimestamp: false, prefix: null, highlights: [], current: false },
    );
    probe.textContent = 'M';
    this.#rows.append(probe);
    const height = probe.getBoundingClientRect().height;
    probe.remove();
    if (height > 0) this.#rowHeight = height;
  }

  /** Scrolls so that `row` is visible, pausing the tail unless it is the last row. */
  reveal(row: number, count: number): void {
    const scroller = this.#scroller;
    this.#follow = row >= count - 1;
    scroller.scrollTop = scrollTopToReveal(
      row,
      this.#rowHeight,
      scroller.scrollTop,
      scroller.clientHeight - this.#rowHeight,
    );
  }

  /** Brings the DOM in line with the source; the only place this pane touches the DOM for output. */
  render(source: RowSource, options: PaneOptions, changed: ReadonlySet<Line>): void {
    const scroller = this.#scroller;
    if (options.key !== this.#optionsKey) {
      this.#optionsKey = options.key;
      this.#dropRows();
    }
    // The height comes first: rows put in front make the content taller, and the scroll position that keeps
    // the same text in view would be clamped to the old height.
    this.#spacer.style.height = `${contentHeight(source.count, this.#rowHeight)}px`;
    if (source.key !== this.#sourceKey) {
      this.#sourceKey = source.key;
      this.#dropRows();
    } else if (!this.#follow && source.dropped !== this.#dropped) {
      scroller.scrollTop -= (source.dropped - this.#dropped) * this.#rowHeight;
    }
    this.#dropped = source.dropped;

    if (this.#follow) scroller.scrollTop = scroller.scrollHeight;
    const window = rowWindow({
      scrollTop: scroller.scrollTop,
      viewportHeight: scroller.clientHeight,
      rowHeight: this.#rowHeight,
      rowCount: source.count,
      overscan: OVERSCAN,
    });
    this.#rows.style.transform = `translateY(${window.offsetTop}px)`;

    const wanted: HTMLDivElement[] = [];
    const next = new Map<Line, RenderedRow>();
    for (let row = window.start; row < window.end; row++) {
      const line = source.line(row);
      if (line === undefined) continue;
      let rendered = this.#rendered.get(line);
      if (rendered === undefined || rendered.revision !== line.revision || changed.has(line)) {
        rendered = {
          element: renderRow(line, {
            showTimestamp: options.showTimestamp,
            prefix: options.prefix(line),
            highlights: options.highlights(line),
            current: options.isCurrent(line),
          }),
          revision: line.revision,
        };
      }
      next.set(line, rendered);
      wanted.push(rendered.element);
    }
    this.#reconcile(wanted);
    this.#rendered = next;
  }

  /**
   * Updates the children to `wanted` while leaving rows that stay in place untouched, so that a text
   * selection inside them survives new output arriving.
   */
  #reconcile(wanted: HTMLDivElement[]): void {
    const keep = new Set<Element>(wanted);
    for (const child of [...this.#rows.children]) {
      if (!keep.has(child)) child.remove();
    }
    let cursor = this.#rows.firstElementChild;
    for (const element of wanted) {
      if (cursor === element) {
        cursor = cursor.nextElementSibling;
      } else {
        this.#rows.insertBefore(element, cursor);
      }
    }
  }

  #dropRows(): void {
    this.#rendered.clear();
    this.#rows.replaceChildren();
  }
}
