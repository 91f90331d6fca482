// Where the viewer's WebSocket lives. The page is served by the same lucidlines server, so only the path
// and the token can vary: the host always comes from the page itself, and a `ws` path from the query
// cannot point the page at another origin.

/** A path on this host: "//x" would be a protocol-relative URL naming another host, and so is refused. */
const PATH_RULE = /^\/(?!\/)[^\s?#\\]*$/;

export function socketUrl(page: { href: string; protocol: string; search: string }): string {
  const params = new URLSearchParams(page.search);
  const requested = params.get('ws');
  const url = new URL(requested !== null && PATH_RULE.test(requested) ? requested : '/ws', page.href);
  url.protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = params.get('token');
  url.search = token === null ? '' : `?token=${encodeURIComponent(token)}`;
  url.hash = '';
  return url.href;
}
