// What each key does, Vite-style: one letter acts at once; r, s and S then ask which process, by its number
// in the list or its name, confirmed with Enter (Escape cancels). Ctrl-C arrives as a byte in raw mode and
// does exactly what the signal does.

import type { ProcessControl } from '../process/events.js';

export interface ShortcutActions {
  control: Pick<ProcessControl, 'list' | 'start' | 'stop' | 'restart' | 'restartAll'>;
  /** Null when the viewer is off. */
  viewerUrl: string | null;
  openViewer(url: string): void;
  /** What SIGINT does: the first stops gracefully, the second kills at once. */
  interrupt(): void;
  /** A graceful stop of everything, as the first Ctrl-C; nothing more once one is under way. */
  quit(): void;
  write(text: string): void;
}

export const SHORTCUT_HINT = 'press h for help, q to quit\n';

const CLEAR_SCREEN = '\u001b[2J\u001b[3J\u001b[H';

const PICKS = {
  r: { verb: 'restart', act: (control: ShortcutActions['control'], name: string) => control.restart(name) },
  s: { verb: 'stop', act: (control: ShortcutActions['control'], name: string) => control.stop(name) },
  S: { verb: 'start', act: (control: ShortcutActions['control'], name: string) => control.start(name) },
} as const;

type PickKey = keyof typeof PICKS;

function helpText(viewerUrl: string | null): string {
  const rows = [
    ['r', 'restart a process (by number or name)'],
    ['R', 'restart every process'],
    ['s', 'stop a process'],
    ['S', 'start a stopped process'],
    ...(viewerUrl === null ? [] : [['o', 'open the viewer in the browser']]),
    ['c', 'clear the screen'],
    ['q', 'quit (stops every process, as Ctrl-C)'],
    ['h', 'show this help'],
  ];
  return `\nShortcuts\n${rows.map(([key, what]) => `  ${key}  ${what}\n`).join('')}\n`;
}

/** Returns the function that takes the keys typed, as the keyboard delivers them. */
export function shortcuts(actions: ShortcutActions): (keys: string) => void {
  let picking: { key: PickKey; typed: string } | null = null;
  const names = () => actions.control.list().map((snapshot) => snapshot.name);

  const askWhich = (key: PickKey) => {
    picking = { key, typed: '' };
    const list = names()
      .map((name, index) => `  ${index + 1}  ${name}\n`)
      .join('');
    actions.write(`\n${PICKS[key].verb} which process? (number or name, Enter; Escape cancels)\n${list}> `);
  };

  const confirm = (key: PickKey, typed: string) => {
    const all = names();
    const byNumber = /^\d+$/.test(typed) ? all[Number(typed) - 1] : undefined;
    const name = byNumber ?? all.find((candidate) => candidate === typed);
    if (name === undefined) {
      actions.write(`\nno process "${typed}"\n`);
      return;
    }
    actions.write(`\n${PICKS[key].verb}: ${name}\n`);
    // A failed action is reported by the process's own status and error lines.
    PICKS[key].act(actions.control, name).catch(() => {});
  };

  const onKey = (key: string) => {
    if (key === '\u0003') {
      picking = null;
      actions.interrupt();
      return;
    }
    if (picking !== null) {
      const current = picking;
      if (key === '\r' || key === '\n') {
        picking = null;
        if (current.typed !== '') confirm(current.key, current.typed);
        else actions.write('\n');
      } else if (key === '\u001b') {
        picking = null;
        actions.write('\ncancelled\n');
      } else if (key === '\u007f' || key === '\b') {
        if (current.typed !== '') {
          current.typed = current.typed.slice(0, -1);
          actions.write('\b \b');
        }
      } else if (key >= ' ') {
        current.typed += key;
        actions.write(key);
      }
      return;
    }
    switch (key) {
      case 'h':
        actions.write(helpText(actions.viewerUrl));
        break;
      case 'r':
      case 's':
      case 'S':
        askWhich(key);
        break;
      case 'R':
        actions.write('\nrestarting every process\n');
        actions.control.restartAll().catch(() => {});
        break;
      case 'o':
        if (actions.viewerUrl !== null) actions.openViewer(actions.viewerUrl);
        break;
      case 'c':
        actions.write(CLEAR_SCREEN);
        break;
      case 'q':
        actions.quit();
        break;
    }
  };

  return (keys) => {
    // Escape sequences (arrow keys and the like) are one key press: ignored outside a prompt, a cancel in one.
    if (keys.startsWith('\u001b') && keys.length > 1) {
      if (picking !== null) onKey('\u001b');
      return;
    }
    for (const key of keys) onKey(key);
  };
}
