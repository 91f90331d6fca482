// Removes terminal escape sequences from a process's output, for --no-color: CSI sequences (colours, cursor
// moves), OSC sequences (titles, hyperlinks) ended by BEL or ST, and the two-byte escapes.

const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the whole point.
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.includes('\u001b') ? text.replace(ESCAPE_SEQUENCE, '') : text;
}
