// "Save as HTML": downloads the shown process's log as the server renders it (the read API's `format=html`), so
// the file is the same standalone page that `lucidlines logs --html` writes.
//
// The page's CSP allows no inline script and only `connect-src 'self'`, so the log is fetched from our own
// origin and handed to the browser as a blob download; nothing is rendered into this page. The token goes in an
// Authorization header rather than the URL, so it is kept out of the server's request line and any proxy log.

/** The read API's address of a process's log as HTML, on the page's own origin. */
export function logHtmlUrl(name: string, pageHref: string): string {
  return new URL(`/api/processes/${encodeURIComponent(name)}/logs?format=html`, pageHref).href;
}

/** Fetches and downloads the log; returns a message for the user when that fails, null when it worked. */
export async function saveLogAsHtml(
  name: string,
  page: { href: string; search: string },
): Promise<string | null> {
  const token = new URLSearchParams(page.search).get('token');
  let response: Response;
  try {
    response = await fetch(logHtmlUrl(name, page.href), {
      headers: token === null ? {} : { Authorization: `Bearer ${token}` },
      cache: 'no-store',
    });
  } catch {
    return `Could not save the log of ${name}: lucidlines did not answer. Is it still running?`;
  }
  if (!response.ok) return `Could not save the log of ${name}: lucidlines answered ${response.status}.`;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = `${name}.html`;
  link.click();
  // Some browsers read the blob only after the click has returned; revoking at once could cut the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return null;
}
