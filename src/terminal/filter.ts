// Which processes the terminal prints, from --only and --hide; the viewer shows every process regardless.
// A name that matches no process is refused rather than ignored: a typo would otherwise silently print
// everything (--hide) or nothing (--only).

const split = (names: string | null) => (names === null ? [] : names.split(',').map((name) => name.trim()));

export type TerminalFilter =
  | { ok: true; shows: (name: string) => boolean }
  | { ok: false; flag: '--only' | '--hide'; unknown: string[] };

export function terminalFilter(
  settings: { only: string | null; hide: string | null },
  processNames: readonly string[],
): TerminalFilter {
  const only = split(settings.only);
  const hide = split(settings.hide);
  for (const [flag, names] of [
    ['--only', only],
    ['--hide', hide],
  ] as const) {
    const unknown = names.filter((name) => !processNames.includes(name));
    if (unknown.length > 0) return { ok: false, flag, unknown };
  }
  return {
    ok: true,
    shows: (name) => (only.length === 0 || only.includes(name)) && !hide.includes(name),
  };
}
