// The tab's icon and title summarise the state, so a crashed dev server is noticed from another tab.

export type Health = 'ok' | 'error' | 'disconnected';

const COLORS: Record<Health, string> = { ok: '#2ea043', error: '#e5534b', disconnected: '#8b949e' };

/** An SVG favicon as a data: URL (the CSP allows `img-src data:`); no network request, no canvas. */
export function faviconUrl(health: Health): string {
  const mark =
    health === 'error'
      ? '<path d="M16 8v10" stroke="#fff" stroke-width="4" stroke-linecap="round"/><circle cx="16" cy="24" r="2.2" fill="#fff"/>'
      : '<path d="M9 11h14M9 16h10M9 21h12" stroke="#fff" stroke-width="3" stroke-linecap="round"/>';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="${COLORS[health]}"/>${mark}</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

export function documentTitle(health: Health, errorCount: number): string {
  if (health === 'disconnected') return '○ disconnected · lucidlines';
  if (errorCount > 0) return `✖ ${errorCount} error${errorCount === 1 ? '' : 's'} · lucidlines`;
  return 'lucidlines';
}
