// The one reader of sizes in bytes that the config accepts (`maxMemory`): a whole number of bytes, or a
// number with a unit as pm2's `max_memory_restart` writes it ("512M", "1.5G", "300MiB"). Units are powers of
// 1024, as the memory figures of `top` and the viewer are.

const UNIT_BYTES: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i;

/** The size in bytes, or null when the value is no size this reader knows (or less than one byte). */
export function parseByteSize(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 1 ? value : null;
  }
  if (typeof value !== 'string') return null;
  const match = SIZE.exec(value.trim());
  if (match === null) return null;
  const [, amount = '', unit = ''] = match;
  const bytes = Math.floor(Number(amount) * (UNIT_BYTES[unit.toLowerCase()] ?? Number.NaN));
  return Number.isSafeInteger(bytes) && bytes >= 1 ? bytes : null;
}
