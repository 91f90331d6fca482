// Persisted logs: one file per process in `logDir`, `<name>.log`, rotated by size to `<name>.1.log` …
// `<name>.<keep>.log`, appended across runs of lucidlines and restarts of the process with a separator line
// for every new run.
//
// The hazard is the disk: a slow or stalled disk must never slow the children (whose pipes would fill) or the
// viewer. So the supervisor's listener only strips and queues, synchronously and in time linear in the chunk,
// and one writer drains the queue asynchronously. The queue is bounded: output that arrives while it is full
// is dropped, counted, and replaced in the file by one note saying how much is missing.

import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessControl, ProcessSnapshot } from '../process/events.js';
import type { OutputStream } from '../protocol.js';
import { PlainTextStripper } from './plain-text.js';

export type LogFormat = 'text' | 'ansi';

/** One open log file; the real one appends to the file system, a unit test's may be slow on purpose. */
export interface LogFileHandle {
  /** Bytes in the file when it was opened. */
  readonly size: number;
  append(data: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** The file-system operations the writer needs, injectable so a test can stall the disk. */
export interface LogFileSystem {
  makeDirectory(path: string): Promise<void>;
  openForAppend(path: string): Promise<LogFileHandle>;
  /** Renames, replacing the target; a missing source is not an error. */
  move(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export interface LogFilesOptions {
  dir: string;
  format: LogFormat;
  maxBytes: number;
  keep: number;
  /** Characters waiting to be written, all processes together, beyond which output is dropped. */
  maxQueuedChars?: number;
  /** Called once per process (or once for the folder) when writing fails; that log is then given up. */
  onFailure(path: string, error: Error): void;
  fileSystem?: LogFileSystem;
}

export interface LogFiles {
  /** Resolves once everything queued so far is on disk (or dropped after a failure). */
  flushed(): Promise<void>;
  /** Stops listening, writes what is queued and closes the files. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_QUEUED_CHARS = 8 * 1024 * 1024;

const NODE_FILE_SYSTEM: LogFileSystem = {
  async makeDirectory(path) {
    await mkdir(path, { recursive: true });
  },
  async openForAppend(path) {
    const handle = await open(path, 'a', 0o600);
    const { size } = await handle.stat();
    return {
      size,
      async append(data) {
        await handle.appendFile(data);
      },
      close: () => handle.close(),
    };
  },
  async move(from, to) {
    await rename(from, to).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  },
  async remove(path) {
    await rm(path, { force: true });
  },
};

/**
 * The line written before the output of every new run of a process. Its format lives here only, so that every
 * run looks alike and a reader (or a script) can split a file into runs by it.
 */
export function runSeparator(snapshot: ProcessSnapshot, timestamp: number): string {
  const restart = snapshot.restarts === 0 ? 'first start' : `restart ${snapshot.restarts}`;
  return `──── ${snapshot.name} started ${new Date(timestamp).toISOString()}, pid ${snapshot.pid}, ${restart} ────\n`;
}

/** Written where output had to be dropped because the disk did not keep up. */
export function droppedOutputNote(chars: number): string {
  return `──── lucidlines: ${chars} characters of output are missing here: the disk did not keep up ────\n`;
}

export function logFileName(name: string, generation: number): string {
  return generation === 0 ? `${name}.log` : `${name}.${generation}.log`;
}

interface ProcessLog {
  readonly name: string;
  handle: LogFileHandle | null;
  size: number;
  /** The pid whose run the file is on; a status with another pid starts a new run. */
  pid: number | null;
  strippers: Map<OutputStream, PlainTextStripper>;
  droppedChars: number;
  /** Whether the last queued text ended a line, so that a separator or a note never joins a partial line. */
  atLineStart: boolean;
  failed: boolean;
}

/** The largest prefix of `data` of at most `limit` bytes that does not end inside a UTF-8 character. */
function prefixLength(data: Buffer, limit: number): number {
  if (data.length <= limit) return data.length;
  let end = limit;
  while (end > 0 && ((data[end] ?? 0) & 0xc0) === 0x80) end--;
  return end === 0 ? limit : end;
}

export function attachLogFiles(control: ProcessControl, options: LogFilesOptions): LogFiles {
  const fileSystem = options.fileSystem ?? NODE_FILE_SYSTEM;
  const maxQueuedChars = options.maxQueuedChars ?? DEFAULT_MAX_QUEUED_CHARS;
  const logs = new Map<string, ProcessLog>();
  const queue: { log: ProcessLog; text: string }[] = [];
  let queuedChars = 0;
  let draining: Promise<void> | null = null;
  let directory: Promise<boolean> | null = null;

  function logOf(name: string): ProcessLog {
    let log = logs.get(name);
    if (log === undefined) {
      log = {
        name,
        handle: null,
        size: 0,
        pid: null,
        strippers: new Map(),
        droppedChars: 0,
        atLineStart: true,
        failed: false,
      };
      logs.set(name, log);
    }
    return log;
  }

  function push(log: ProcessLog, text: string): void {
    queue.push({ log, text });
    queuedChars += text.length;
    log.atLineStart = text.endsWith('\n');
  }

  /** A line of lucidlines' own (a separator, a note), on a line of its own. */
  function pushOwnLine(log: ProcessLog, line: string): void {
    push(log, log.atLineStart ? line : `\n${line}`);
  }

  function enqueue(log: ProcessLog, text: string, own = false): void {
    if (log.failed || text === '') return;
    if (queuedChars + text.length > maxQueuedChars) {
      log.droppedChars += text.length;
      return;
    }
    if (log.droppedChars > 0) {
      // The note takes the place of what was dropped, so the reader sees where the gap is.
      pushOwnLine(log, droppedOutputNote(log.droppedChars));
      log.droppedChars = 0;
    }
    if (own) pushOwnLine(log, text);
    else push(log, text);
    draining ??= drain().finally(() => {
      draining = null;
    });
  }

  function fail(log: ProcessLog | null, path: string, error: unknown): void {
    if (log !== null) {
      if (log.failed) return;
      log.failed = true;
    }
    options.onFailure(path, error instanceof Error ? error : new Error(String(error)));
  }

  async function rotate(log: ProcessLog): Promise<void> {
    await log.handle?.close();
    log.handle = null;
    const path = (generation: number) => join(options.dir, logFileName(log.name, generation));
    if (options.keep === 0) {
      await fileSystem.remove(path(0));
    } else {
      for (let generation = options.keep - 1; generation >= 0; generation--) {
        await fileSystem.move(path(generation), path(generation + 1));
      }
    }
  }

  async function write(log: ProcessLog, text: string): Promise<void> {
    let data = Buffer.from(text, 'utf8');
    while (data.length > 0) {
      if (log.handle !== null && log.size > 0 && log.size + data.length > options.maxBytes) await rotate(log);
      if (log.handle === null) {
        log.handle = await fileSystem.openForAppend(join(options.dir, logFileName(log.name, 0)));
        log.size = log.handle.size;
        if (log.size > 0 && log.size + data.length > options.maxBytes) continue;
      }
      // A piece larger than a whole file is split, so no file ever exceeds the cap.
      const length = prefixLength(data, options.maxBytes - log.size);
      await log.handle.append(data.subarray(0, length));
      log.size += length;
      data = data.subarray(length);
    }
  }

  /**
   * Once the queue has drained, the note about what was dropped goes out even if the process stays quiet, so a
   * gap is never left unmarked; returns the first entry queued, if any.
   */
  function noteDrops(): { log: ProcessLog; text: string } | undefined {
    for (const log of logs.values()) {
      if (log.droppedChars > 0 && !log.failed) {
        pushOwnLine(log, droppedOutputNote(log.droppedChars));
        log.droppedChars = 0;
      }
    }
    return queue.shift();
  }

  async function drain(): Promise<void> {
    directory ??= fileSystem.makeDirectory(options.dir).then(
      () => true,
      (error: unknown) => {
        fail(null, options.dir, error);
        return false;
      },
    );
    const usable = await directory;
    for (let entry = queue.shift(); entry !== undefined; entry = queue.shift() ?? noteDrops()) {
      // Consecutive pieces of one process go out in one write.
      let text = entry.text;
      while (queue[0]?.log === entry.log) text += (queue.shift() as { text: string }).text;
      if (usable && !entry.log.failed) {
        try {
          await write(entry.log, text);
        } catch (error) {
          fail(entry.log, join(options.dir, logFileName(entry.log.name, 0)), error);
        }
      }
      queuedChars -= text.length;
    }
  }

  const unsubscribe = control.subscribe((event) => {
    if (event.kind === 'output') {
      const log = logOf(event.chunk.name);
      let text = event.chunk.text;
      if (options.format === 'text') {
        let stripper = log.strippers.get(event.chunk.stream);
        if (stripper === undefined) {
          stripper = new PlainTextStripper();
          log.strippers.set(event.chunk.stream, stripper);
        }
        text = stripper.strip(text);
      }
      enqueue(log, text);
    } else if (event.kind === 'status') {
      const log = logOf(event.snapshot.name);
      const pid = event.snapshot.pid;
      if (pid !== null && pid !== log.pid) {
        log.pid = pid;
        // A new process starts with no escape state of its own; a sequence the old one left unfinished ends here.
        log.strippers.clear();
        enqueue(log, runSeparator(event.snapshot, event.timestamp), true);
      }
    }
  });

  async function flushed(): Promise<void> {
    while (draining !== null) await draining;
  }

  return {
    flushed,
    async close() {
      unsubscribe();
      await flushed();
      for (const log of logs.values()) {
        await log.handle?.close().catch(() => {});
        log.handle = null;
      }
    },
  };
}
