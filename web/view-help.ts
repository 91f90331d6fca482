// The `?` overlay, generated from the same table the key handler uses.

import { SHORTCUTS } from './shortcuts.js';

export function fillHelp(dialog: HTMLDialogElement): void {
  const title = document.createElement('h2');
  title.textContent = 'Keyboard shortcuts';
  const table = document.createElement('dl');
  for (const shortcut of SHORTCUTS) {
    const keys = document.createElement('dt');
    for (const key of shortcut.keys) {
      const kbd = document.createElement('kbd');
      kbd.textContent = key === 'ArrowDown' ? '↓' : key === 'ArrowUp' ? '↑' : key === 'Escape' ? 'Esc' : key;
      keys.append(kbd);
    }
    const description = document.createElement('dd');
    description.textContent = shortcut.description;
    table.append(keys, description);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Close';
  close.addEventListener('click', () => dialog.close());
  dialog.replaceChildren(title, table, close);
}
