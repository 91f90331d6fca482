// A flooded FIFO is enlarged by the real helper (Perl's fcntl), as lucidlines' children's pipes are.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { enlargeWhenFull, FLOODED_PIPE_BYTES, spawnHelper } from '../../src/process/pipe-size.js';

const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;

/** The pipe's size by F_GETPIPE_SZ, asked of a Perl that inherits `fd`. */
function pipeSize(fd: number): number {
  const result = spawnSync('perl', ['-e', 'open(my $p, "<&=", 3) or die; print fcntl($p, 1032, 0) + 0'], {
    stdio: ['ignore', 'pipe', 'inherit', fd],
    encoding: 'utf8',
  });
  return Number(result.stdout);
}

describe('pipe size', () => {
  it('gives a FIFO that a read found full room for 1 MiB', {
    skip: process.platform !== 'linux' || !hasPerl ? 'needs Linux and Perl' : false,
    timeout: 60_000,
  }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lucidlines-pipe-size-'));
    const fifo = join(directory, 'out');
    execFileSync('mkfifo', [fifo]);
    const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(fifo, constants.O_WRONLY);
    rmSync(directory, { recursive: true, force: true });
    const reader = new Socket({ fd: readFd, readable: true, writable: false });
    try {
      assert.equal(pipeSize(writeFd), 64 * 1024, 'a new pipe holds 64 KiB');
      // Filled before anyone reads, so the first read takes all of it.
      writeSync(writeFd, Buffer.alloc(64 * 1024, 'x'));
      // The real helper, watched for its exit: once it has exited, the pipe has whatever size it will get.
      const helperDone = new Promise<void>((resolve) => {
        enlargeWhenFull(reader, readFd, (command, args, fd) => {
          const helper = spawnHelper(command, args, fd);
          helper.once('exit', () => resolve());
          return helper;
        });
      });
      let received = 0;
      reader.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      await helperDone;
      assert.equal(pipeSize(writeFd), FLOODED_PIPE_BYTES, 'the pipe was enlarged');
      assert.equal(received, 64 * 1024);
      // The room is real: a write of more than the old size no longer waits for a reader. The write goes
      // through a non-blocking descriptor, so a pipe still too small fails the test instead of hanging it.
      reader.pause();
      const nonBlocking = openSync(`/proc/self/fd/${writeFd}`, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        assert.equal(writeSync(nonBlocking, Buffer.alloc(512 * 1024, 'y')), 512 * 1024);
      } finally {
        closeSync(nonBlocking);
      }
    } finally {
      closeSync(writeFd);
      reader.destroy();
    }
  });
});
