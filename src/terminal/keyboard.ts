// Key presses from the terminal, in raw mode, for the shortcuts. Raw mode outlives the process that set it
// (the shell is left without echo and line editing), so it is switched off on every way out: the function
// returned here, and Node's 'exit' for the paths that never reach it (an uncaught exception, process.exit).

/** The part of process.stdin the keyboard uses. */
export interface KeyboardInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (data: string) => void): unknown;
  off(event: 'data', listener: (data: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ExitHook {
  once(event: 'exit', listener: () => void): unknown;
  off(event: 'exit', listener: () => void): unknown;
}

/**
 * Starts delivering key presses (a string may hold several, or an escape sequence) and returns the function
 * that stops and restores the terminal; null when stdin is not a terminal, where nothing reads stdin at all.
 */
export function listenToKeys(
  input: KeyboardInput,
  onKeys: (keys: string) => void,
  exitHook: ExitHook,
): (() => void) | null {
  if (input.isTTY !== true || input.setRawMode === undefined) return null;
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    input.off('data', onKeys);
    exitHook.off('exit', restore);
    try {
      input.setRawMode?.(false);
    } catch {
      // The terminal is gone; there is no mode left to restore.
    }
    // A paused stdin no longer holds the event loop open, so lucidlines can exit once its work is done.
    input.pause();
  };
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.on('data', onKeys);
  exitHook.once('exit', restore);
  input.resume();
  return restore;
}
