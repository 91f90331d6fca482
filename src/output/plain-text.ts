// Output with its escape sequences removed, for the read API's `format=text` and the log files' default format.
// It goes through the viewer's decoder rather than a regex, so a sequence split across two chunks is still
// removed whole, a run of digits after `ESC[` is held only up to the decoder's bound, and the other control
// characters (which would move the cursor of a terminal that `cat`s the file) are dropped as the viewer drops
// them. Line feeds, carriage returns and tabs stay, so progress lines read as they did in the terminal.

import { AnsiDecoder, type AnsiSink } from '../ansi.js';

/** What the decoder would change: escape and other control characters, but tab, line feed and carriage return. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job.
const DECODER_WORK = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Strips one stream of output; keep one per process and stream, as escape state carries across chunks. */
export class PlainTextStripper {
  readonly #decoder = new AnsiDecoder();
  #parts: string[] = [];
  readonly #sink: AnsiSink = {
    text: (text) => {
      this.#parts.push(text);
    },
    lineFeed: () => {
      this.#parts.push('\n');
    },
    carriageReturn: () => {
      this.#parts.push('\r');
    },
    eraseLine: () => {},
  };

  /** The plain text of the next chunk of the stream. */
  strip(chunk: string): string {
    // Most output has no escape sequence at all; it comes out of the decoder unchanged, so it skips it.
    if (this.#decoder.idle && !DECODER_WORK.test(chunk)) return chunk;
    this.#decoder.feed(chunk, this.#sink);
    const text = this.#parts.join('');
    this.#parts = [];
    return text;
  }
}
