import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Linux's F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7). */
const F_SETPIPE_SZ = 1031;

/** A read this large found the pipe full: a pipe holds 64 KiB unless enlarged, and Node reads up to 64 KiB. */
const FULL_READ_BYTES = 64 * 1024;

/** The room a flooding child's pipe is given. */
export const FLOODED_PIPE_BYTES = 1024 * 1024;

/**
 * Enlarged pipes count against the user's pipe quota (/proc/sys/fs/pipe-user-pages-soft, 64 MiB by default),
 * past which Linux gives every new pipe of that user, in any program, a page or two. At most this many are
 * enlarged at once (16 MiB, a quarter of the default quota); a pipe counts until its reader closes.
 */
export const MAX_ENLARGED_PIPES = 16;

/** Starts the helper with `fd` as its fd 3; injectable so unit tests need no Perl. */
export type HelperSpawn = (
  command: string,
  args: readonly string[],
  fd: number,
) => { on(event: 'error', listener: (error: Error) => void): unknown };

/** The real helper: `command` with `fd` as its fd 3. */
export function spawnHelper(command: string, args: readonly string[], fd: number): ChildProcess {
  return spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore', fd], windowsHide: true });
}

let enlargedPipes = 0;

/**
 * Gives the pipe behind `reader` (its read end is `fd`) room for FLOODED_PIPE_BYTES once a read finds it
 * full. A child writes ahead only as far as its pipe holds, so with the default 64 KiB a flooding child and
 * lucidlines take turns instead of working at once: the child waits in its write while lucidlines handles
 * the last read, then lucidlines waits for the child. (concurrently's children write into socket pairs,
 * which hold about 200 KiB.) lucidlines delivering 200 MB written 1,000 lines at a time took 2,237 ms with
 * 64 KiB, 2,042 ms with 256 KiB and 1,796 ms with 1 MiB (medians of four rounds in turn;
 * bench/optimisations.md).
 *
 * Node has no fcntl, so a Perl one-liner does it on the descriptor it inherits (perl-base is part of every
 * Debian and Ubuntu system). Where that cannot work (no Perl, another kernel, a user over the quota), the
 * pipe keeps its size: nothing depends on it but speed.
 */
export function enlargeWhenFull(reader: Readable, fd: number, start: HelperSpawn = spawnHelper): void {
  if (process.platform !== 'linux') return;
  const onData = (chunk: Buffer) => {
    if (chunk.length < FULL_READ_BYTES) return;
    reader.off('data', onData);
    if (enlargedPipes >= MAX_ENLARGED_PIPES) return;
    enlargedPipes++;
    reader.once('close', () => {
      enlargedPipes--;
    });
    // The descriptor is open while its reader delivers data, and the helper has its own copy once `start`
    // returns, so a descriptor number reused by a later open can never make it resize another pipe.
    const script = `open(my $pipe, '<&=', 3) or exit 1; fcntl($pipe, ${F_SETPIPE_SZ}, ${FLOODED_PIPE_BYTES}) or exit 1;`;
    try {
      start('perl', ['-e', script], fd).on('error', () => {});
    } catch {
      // A helper that cannot start leaves the pipe as it was.
    }
  };
  reader.on('data', onData);
}
