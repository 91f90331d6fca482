// A pure parser for `lsof -F` output (macOS and the BSDs have no /proc); the I/O is in pipe-holders.ts.

/** One open file of one process. */
export interface OpenFile {
  pid: number;
  /** The descriptor ("1", "2") or a word such as "cwd" or "txt". */
  fd: string;
  type: string;
  /** st_dev as lsof prints it (hex, "0x1000004"), parsed; null when lsof gave none. */
  device: number | null;
  inode: number | null;
}

/**
 * Parses `lsof -F pftDi` output: one field per line, the first character naming it. A `p` line starts a
 * process; an `f` line starts one of its files; the lines after it describe that file.
 */
export function parseLsofFields(output: string): OpenFile[] {
  const files: OpenFile[] = [];
  let pid: number | null = null;
  let current: OpenFile | null = null;
  for (const line of output.split('\n')) {
    const field = line[0];
    const value = line.slice(1);
    if (field === 'p') {
      pid = Number(value);
      current = null;
    } else if (field === 'f' && pid !== null) {
      current = { pid, fd: value, type: '', device: null, inode: null };
      files.push(current);
    } else if (current !== null) {
      if (field === 't') current.type = value;
      else if (field === 'D') current.device = Number.parseInt(value, value.startsWith('0x') ? 16 : 10);
      else if (field === 'i') current.inode = Number(value);
    }
  }
  return files.map((file) => ({
    ...file,
    device: Number.isFinite(file.device) ? file.device : null,
    inode: Number.isFinite(file.inode) ? file.inode : null,
  }));
}
