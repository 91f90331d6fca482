// The input line's history, shell-like: Up walks back through what was sent, Down forward again, and
// walking past the newest entry gives back the line that was being typed before Up was pressed.

const MAX_ENTRIES = 100;

export class InputHistory {
  readonly #entries: string[] = [];
  /** Index into the entries while walking; equal to their count when not walking. */
  #position = 0;
  /** What was typed before walking started, restored when walking past the newest entry. */
  #draft = '';

  /** Records a sent line (an immediate repeat is kept once) and stops walking. */
  add(line: string): void {
    if (line !== '' && this.#entries.at(-1) !== line) this.#entries.push(line);
    if (this.#entries.length > MAX_ENTRIES) this.#entries.shift();
    this.#position = this.#entries.length;
    this.#draft = '';
  }

  /** The older entry to show, or null at the oldest. */
  previous(current: string): string | null {
    if (this.#position === 0) return null;
    if (this.#position === this.#entries.length) this.#draft = current;
    this.#position--;
    return this.#entries[this.#position] ?? null;
  }

  /** The newer entry to show (the draft past the newest), or null when not walking. */
  next(): string | null {
    if (this.#position >= this.#entries.length) return null;
    this.#position++;
    return this.#position === this.#entries.length ? this.#draft : (this.#entries[this.#position] ?? null);
  }
}
