// Turns the `process` messages of one or more processes back into whole lines (a message may end in the
// middle of a line; docs/protocol.md, "What `output` carries"), for `lucidlines logs` and the MCP tools,
// which filter, count and match by line.

import { PlainTextStripper } from '../output/plain-text.js';
import type { OutputStream, ProcessOutputMessage } from '../protocol.js';

export interface LogLine {
  name: string;
  stream: OutputStream;
  /** The line as written, escape codes included, without its line end. */
  text: string;
  /** When the message that ended the line arrived at the server (Unix ms). */
  timestamp: number;
}

/** The line with its escape codes removed, for matching and for output without colours. */
export function plainLine(line: LogLine): string {
  return new PlainTextStripper().strip(line.text);
}

/** Keeps one partial line per process and stream, and hands out each line once it is complete. */
export class LineCollector {
  readonly #partial = new Map<string, { name: string; stream: OutputStream; text: string }>();

  /** The lines this message completes. */
  push(message: ProcessOutputMessage): LogLine[] {
    const stream = message.stream ?? 'stdout';
    const key = `${stream}:${message.name}`;
    const pieces = message.output.split('\n');
    const last = pieces.pop() ?? '';
    const lines: LogLine[] = [];
    pieces.forEach((piece, index) => {
      const before = index === 0 ? (this.#partial.get(key)?.text ?? '') : '';
      const text = before + piece;
      lines.push({
        name: message.name,
        stream,
        text: text.endsWith('\r') ? text.slice(0, -1) : text,
        timestamp: message.timestamp,
      });
    });
    const carried = pieces.length === 0 ? (this.#partial.get(key)?.text ?? '') + last : last;
    if (carried === '') this.#partial.delete(key);
    else this.#partial.set(key, { name: message.name, stream, text: carried });
    return lines;
  }

  /** The partial lines still held, as lines: the end of a replay, or of a process that printed a prompt. */
  flush(timestamp: number): LogLine[] {
    const lines = [...this.#partial.values()].map((partial) => ({ ...partial, timestamp }));
    this.#partial.clear();
    return lines;
  }
}
