// Pure parsers for the process table, one per platform, kept apart from the I/O so both can be
// unit-tested here, where only Linux runs (macOS outputs are recorded under test/fixtures/macos/).

/** One process as the census sees it. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  zombie: boolean;
  /**
   * Opaque, but the same for the whole life of a pid and different for a later process that reuses it,
   * so a recorded (pid, startTime) never names an unrelated process. Linux: field 22 of /proc/<pid>/stat
   * (clock ticks since boot); elsewhere: `ps -o lstart` (to the second).
   */
  startTime: string;
  /**
   * What the process used, where the table tells it (Linux; `ps` is not asked, see metrics.ts): CPU time in
   * clock ticks (user + system, fields 14 and 15 of /proc/<pid>/stat) and resident memory in pages (field 24).
   */
  usage?: { cpuTicks: number; rssPages: number };
}

/** Parses one /proc/<pid>/stat; null when it is not in the expected shape. */
export function parseProcStat(stat: string): ProcessEntry | null {
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses, so the
  // fields are counted from the last closing parenthesis: fields[0] is field 3 (state).
  const nameEnd = stat.lastIndexOf(')');
  if (nameEnd === -1) return null;
  const fields = stat.slice(nameEnd + 2).split(' ');
  const pid = Number.parseInt(stat, 10);
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  const startTime = fields[19];
  if (
    !Number.isInteger(pid) ||
    !Number.isInteger(ppid) ||
    !Number.isInteger(pgid) ||
    startTime === undefined ||
    !/^\d+$/.test(startTime)
  ) {
    return null;
  }
  const entry: ProcessEntry = { pid, ppid, pgid, zombie: fields[0] === 'Z', startTime };
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const rssPages = Number(fields[21]);
  if (Number.isInteger(cpuTicks) && Number.isInteger(rssPages)) entry.usage = { cpuTicks, rssPages };
  return entry;
}

/**
 * Parses the output of `ps -axo pid=,ppid=,pgid=,stat=,lstart=` (macOS and the BSDs). lstart is the last
 * column and has spaces of its own ("Mon Mar  4 10:15:22 2024"), so it is everything after the fourth
 * column, with runs of spaces folded so the value does not depend on column padding.
 */
export function parsePsTable(output: string): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const line of output.split('\n')) {
    const [pid, ppid, pgid, stat, ...lstart] = line.trim().split(/\s+/);
    if (pid === undefined || ppid === undefined || pgid === undefined || stat === undefined) continue;
    if (lstart.length === 0) continue;
    const entry = {
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      zombie: stat.startsWith('Z'),
      startTime: lstart.join(' '),
    };
    if (Number.isInteger(entry.pid) && Number.isInteger(entry.ppid) && Number.isInteger(entry.pgid)) {
      entries.push(entry);
    }
  }
  return entries;
}
