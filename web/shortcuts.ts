// Keyboard shortcuts: one table drives both the key handling and the `?` help overlay, so they cannot
// disagree.

export type ShortcutAction =
  | 'help'
  | 'focus-search'
  | 'next-match'
  | 'previous-match'
  | 'select-all-view'
  | 'select-next'
  | 'select-previous'
  | 'restart'
  | 'restart-all'
  | 'toggle-running'
  | 'clear'
  | 'toggle-follow'
  | 'toggle-timestamps'
  | 'close';

export interface Shortcut {
  keys: string[];
  action: ShortcutAction;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['?'], action: 'help', description: 'Show or hide this help' },
  { keys: ['/'], action: 'focus-search', description: 'Search / filter' },
  { keys: ['n'], action: 'next-match', description: 'Next match' },
  { keys: ['N'], action: 'previous-match', description: 'Previous match' },
  { keys: ['a'], action: 'select-all-view', description: 'Show all processes' },
  { keys: ['j', 'ArrowDown'], action: 'select-next', description: 'Next process' },
  { keys: ['k', 'ArrowUp'], action: 'select-previous', description: 'Previous process' },
  { keys: ['r'], action: 'restart', description: 'Restart the selected process' },
  { keys: ['R'], action: 'restart-all', description: 'Restart all processes' },
  { keys: ['s'], action: 'toggle-running', description: 'Stop or start the selected process' },
  { keys: ['c'], action: 'clear', description: 'Clear the view' },
  { keys: ['f'], action: 'toggle-follow', description: 'Follow the tail on/off' },
  { keys: ['t'], action: 'toggle-timestamps', description: 'Show or hide timestamps' },
  { keys: ['Escape'], action: 'close', description: 'Close help, leave the search box' },
];

export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Focus is in a text field, where letters are typing, not commands. */
  inTextField: boolean;
}

export function shortcutFor(input: KeyInput): ShortcutAction | null {
  // Modified keys belong to the browser (copy, find, reload).
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  if (input.inTextField && input.key !== 'Escape') return null;
  for (const shortcut of SHORTCUTS) {
    if (shortcut.keys.includes(input.key)) return shortcut.action;
  }
  return null;
}
