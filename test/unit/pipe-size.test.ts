import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import {
  enlargeWhenFull,
  FLOODED_PIPE_BYTES,
  type HelperSpawn,
  MAX_ENLARGED_PIPES,
} from '../../src/process/pipe-size.js';

const onLinux = { skip: process.platform !== 'linux' ? 'F_SETPIPE_SZ is Linux-only' : false };

/** Records the helpers started instead of starting them. */
function recordingStart() {
  const started: { command: string; args: readonly string[]; fd: number }[] = [];
  const start: HelperSpawn = (command, args, fd) => {
    started.push({ command, args, fd });
    return { on: () => undefined };
  };
  return { started, start };
}

function flowing(): PassThrough {
  const reader = new PassThrough();
  reader.on('data', () => {});
  return reader;
}

async function closeAll(readers: readonly PassThrough[]): Promise<void> {
  await Promise.all(
    readers.map(
      (reader) =>
        new Promise<void>((resolve) => {
          reader.once('close', () => resolve());
          reader.destroy();
        }),
    ),
  );
}

describe('enlargeWhenFull', () => {
  it('enlarges a pipe once, at its first full read, on the descriptor it was given', onLinux, async () => {
    const { started, start } = recordingStart();
    const reader = flowing();
    enlargeWhenFull(reader, 42, start);
    reader.write(Buffer.alloc(1000));
    reader.write(Buffer.alloc(64 * 1024 - 1));
    await new Promise((wake) => setImmediate(wake));
    assert.equal(started.length, 0, 'reads shorter than a full pipe leave it alone');
    reader.write(Buffer.alloc(64 * 1024));
    reader.write(Buffer.alloc(64 * 1024));
    await new Promise((wake) => setImmediate(wake));
    assert.equal(started.length, 1);
    const helper = started[0];
    assert.equal(helper?.command, 'perl');
    assert.equal(helper?.fd, 42);
    assert.match(helper?.args.join(' ') ?? '', new RegExp(`fcntl\\(\\$pipe, 1031, ${FLOODED_PIPE_BYTES}\\)`));
    await closeAll([reader]);
  });

  it(
    `enlarges at most ${MAX_ENLARGED_PIPES} pipes at once, and another once one has closed`,
    onLinux,
    async () => {
      const { started, start } = recordingStart();
      const readers = Array.from({ length: MAX_ENLARGED_PIPES + 2 }, () => flowing());
      readers.forEach((reader, fd) => {
        enlargeWhenFull(reader, fd, start);
      });
      for (const reader of readers.slice(0, MAX_ENLARGED_PIPES + 1)) reader.write(Buffer.alloc(64 * 1024));
      await new Promise((wake) => setImmediate(wake));
      assert.equal(started.length, MAX_ENLARGED_PIPES);
      await closeAll(readers.slice(0, 1));
      const last = readers.at(-1) as PassThrough;
      last.write(Buffer.alloc(64 * 1024));
      await new Promise((wake) => setImmediate(wake));
      assert.equal(started.length, MAX_ENLARGED_PIPES + 1);
      assert.equal(started.at(-1)?.fd, readers.length - 1);
      await closeAll(readers.slice(1));
    },
  );

  it('survives a helper that cannot start', onLinux, async () => {
    const reader = flowing();
    enlargeWhenFull(reader, 7, () => {
      throw new Error('spawn EAGAIN');
    });
    reader.write(Buffer.alloc(64 * 1024));
    await new Promise((wake) => setImmediate(wake));
    await closeAll([reader]);
  });
});
