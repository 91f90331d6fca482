// Access (issue 15): the view token must differ from the control token. Were they equal, every holder of the
// "view-only" URL would in fact get control, which is exactly what the view token exists to prevent.

import type { ConfigProblem } from './problems.js';

export const SAME_TOKENS_MESSAGE =
  'must differ from "token": a view token equal to the control token would grant control to everyone who has the view-only URL.';

/** The clash once flags and file are merged; a clash inside the file alone is reported with its position. */
export function viewTokenClash(
  settings: { token: string | null; viewToken: string | null },
  fromFlags: { token?: unknown; viewToken?: unknown },
): ConfigProblem | null {
  if (settings.viewToken === null || settings.viewToken !== settings.token) return null;
  if (fromFlags.token === undefined && fromFlags.viewToken === undefined) return null;
  return { kind: 'flag', flag: '--view-token', message: SAME_TOKENS_MESSAGE };
}
