// How the viewer and the terminal say when a scheduled automatic restart comes. Node-free: the viewer
// bundles it.

/** E.g. "restarting in 4s", rounded up so it never says 0s while the wait is still running. */
export function restartCountdown(millisecondsLeft: number): string {
  if (millisecondsLeft <= 0) return 'restarting now';
  return `restarting in ${Math.ceil(millisecondsLeft / 1000)}s`;
}
