import { StringDecoder } from 'node:string_decoder';

/**
 * Turns the raw bytes of one output pipe into text. A pipe delivers arbitrary byte ranges, so a multi-byte
 * character is often cut between two chunks; decoding each chunk on its own would turn both halves into
 * U+FFFD. The decoder keeps such an incomplete tail until the rest arrives.
 */
export class Utf8StreamDecoder {
  readonly #decoder = new StringDecoder('utf8');

  write(bytes: Buffer): string {
    return this.#decoder.write(bytes);
  }

  /** Returns what is still held back (an incomplete character becomes U+FFFD) once the pipe has ended. */
  end(): string {
    return this.#decoder.end();
  }
}
