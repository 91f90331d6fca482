// Persisted logs: one file per process in `logDir`, `<name>.log`, rotated by size to `<name>.1.log` …
// `<name>.<keep>.log`, appended across runs of lucidlines and restarts of the process with a separator line
// for every new run.
//
// The hazard is the disk: a slow or stalled disk must never slow the children (whose pipes would fill) or the
// viewer. So the supervisor's listener only queues, in constant time, and one writer drains the queue
// asynchronously, stripping escape sequences as it goes. The queue is bounded: output that arrives while it is full
// is dropped, counted, and replaced in the file by one note saying how much is missing.

import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProcessControl } from '../process/events.js';
import type { OutputStream } from '../protocol.js';
import { runSeparator } from '../run-separator.js';
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
  strippers: Map<OutputStream, PlainTextStripper>;
  droppedChars: number;
  /** Whether the text written last ended a line, so that a separator or a note never joins a partial line. */
  atLineStart: boolean;
  failed: boolean;
}

/**
 * Output as the process wrote it (stripped by the writer, off the hot path), or a line of lucidlines' own: a
 * run separator, which also resets the escape state, or a note about dropped output.
 */
type Entry =
  | { log: ProcessLog; kind: 'output'; stream: OutputStream; text: string }
  | { log: ProcessLog; kind: 'run' | 'note'; text: string };

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
  const queue: Entry[] = [];
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
        strippers: new Map(),
        droppedChars: 0,
        atLineStart: true,
        failed: false,
      };
      logs.set(name, log);
    }
    return log;
  }

  function push(entry: Entry): void {
    queue.push(entry);
    queuedChars += entry.text.length;
  }

  function noteDrops(log: ProcessLog): void {
    if (log.droppedChars === 0 || log.failed) return;
    // The note takes the place of what was dropped, so the reader sees where the gap is.
    push({ log, kind: 'note', text: droppedOutputNote(log.droppedChars) });
    log.droppedChars = 0;
  }

  /** Queues an entry, or counts it as dropped when the queue is full; never waits. */
  function enqueue(entry: Entry): void {
    const { log, text } = entry;
    if (log.failed || text === '') return;
    if (queuedChars + text.length > maxQueuedChars) {
      log.droppedChars += text.length;
      return;
    }
    noteDrops(log);
    push(entry);
    draining ??= drain().finally(() => {
      draining = null;
    });
  }

  /** The text an entry puts in the file. */
  function textOf(entry: Entry): string {
    const { log } = entry;
    let text = entry.text;
    if (entry.kind === 'output') {
      if (options.format === 'text') {
        let stripper = log.strippers.get(entry.stream);
        if (stripper === undefined) {
          stripper = new PlainTextStripper();
          log.strippers.set(entry.stream, stripper);
        }
        text = stripper.strip(text);
      }
    } else {
      // A new process starts with no escape state of its own; a sequence the old one left unfinished ends here.
      if (entry.kind === 'run') log.strippers.clear();
      if (!log.atLineStart) text = `\n${text}`;
    }
    if (text !== '') log.atLineStart = text.endsWith('\n');
    return text;
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

  async function drain(): Promise<void> {
    directory ??= fileSystem.makeDirectory(options.dir).then(
      () => true,
      (error: unknown) => {
        fail(null, options.dir, error);
        return false;
      },
    );
    const usable = await directory;
    for (;;) {
      // Once the queue is empty, the notes of output dropped meanwhile go out, so no gap goes unmarked.
      if (queue.length === 0) for (const log of logs.values()) noteDrops(log);
      if (queue.length === 0) return;
      // Everything queued goes out in one write per file: order matters within a file only.
      const byLog = new Map<ProcessLog, Entry[]>();
      for (const entry of queue.splice(0)) {
        const entries = byLog.get(entry.log);
        if (entries === undefined) byLog.set(entry.log, [entry]);
        else entries.push(entry);
      }
      for (const [log, entries] of byLog) {
        if (usable && !log.failed) {
          try {
            await write(log, entries.map(textOf).join(''));
          } catch (error) {
            fail(log, join(options.dir, logFileName(log.name, 0)), error);
          }
        }
        for (const done of entries) queuedChars -= done.text.length;
      }
    }
  }

  const unsubscribe = control.subscribe((event) => {
    if (event.kind === 'output') {
      const { name, stream, text } = event.chunk;
      enqueue({ log: logOf(name), kind: 'output', stream, text });
    } else if (event.kind === 'run') {
      // The same separator the viewer and the terminal draw, dated: a log outlives the session.
      const { name, timestamp, reason, pid, run } = event.start;
      const text = `${runSeparator(timestamp, reason, pid, run, { withDate: true })}\n`;
      enqueue({ log: logOf(name), kind: 'run', text });
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
