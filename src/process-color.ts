// Which of the eight process colours a process gets, from its name alone: the same name has the same colour
// in every run, in the terminal and in the viewer, whatever the order or number of processes. Node-free,
// because the viewer's bundle imports it too.

export const PROCESS_COLOR_COUNT = 8;

/** FNV-1a over the name's UTF-16 code units: tiny, stable, and spreads similar names (web1, web2) apart. */
export function processColorIndex(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % PROCESS_COLOR_COUNT;
}
