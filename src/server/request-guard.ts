// The checks every HTTP request and every WebSocket upgrade must pass before lucidlines does anything for it.
//
// Two browser attacks are the reason these checks exist:
//
// Cross-site WebSocket hijacking. Browsers do not apply the same-origin policy to WebSocket connections: any
// web page the developer happens to visit may open `ws://127.0.0.1:<port>/ws`, read every line of output
// (which often contains secrets) and send restart or stop commands. The only trustworthy hint about who opened
// the connection is the `Origin` header, which browsers always send on a WebSocket handshake and which page
// scripts cannot forge. So a present Origin must name our own page or an origin the user allowed explicitly.
//
// DNS rebinding. A hostile site can make its own domain name resolve to 127.0.0.1 after the page has loaded;
// the browser then treats our server as same-origin with the hostile page, and even the Origin check would
// pass (the Origin is the hostile domain, but from the browser's point of view it is talking to that domain).
// What gives it away is the `Host` header, which carries the hostile domain name. So the Host must be a
// name or address we know to be ours, together with our port.

import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Access } from '../protocol.js';

export interface GuardConfig {
  /** The host the server listens on, as configured (`127.0.0.1`, `::1`, `localhost`, `0.0.0.0`, …). */
  host: string;
  /** The port the server actually listens on. */
  port: number;
  /** Extra origins (e.g. `http://localhost:5173`) whose pages may connect. Only http(s) origins can match. */
  allowedOrigins: readonly string[];
  /** When set, page loads and WebSocket upgrades must carry it (or the view token) as `?token=`. */
  token: string | null;
  /**
   * Access (issue 15): a second token that grants `view` access (watch, never control). Only meaningful with
   * `token` set, which the config guarantees: without a control token everyone has control anyway.
   */
  viewToken?: string | null;
}

export type Denial = { ok: false; status: 400 | 401 | 403; reason: string };
export type Verdict = { ok: true } | Denial;

/** A token check that passed says which access the token grants. */
export type AccessVerdict = { ok: true; access: Access } | Denial;

/** A parsed `Host` value; `hostname` is canonical (lower case, IPv6 in brackets, IPv4 dotted). */
export interface HostAddress {
  hostname: string;
  port: number;
}

const ALLOW: Verdict = { ok: true };

function deny(status: 400 | 401 | 403, reason: string): Denial {
  return { ok: false, status, reason };
}

/**
 * Parses a Host header (or the host part of an Origin). The character set is checked first, so the URL
 * parser only ever sees a plain `name[:port]` and cannot be talked into reading userinfo, paths or other
 * ambiguous forms. A missing port means port 80, exactly as HTTP defines it: `Host: localhost` therefore
 * only matches a server that really listens on port 80, and no other.
 */
export function parseHost(value: string | undefined): HostAddress | null {
  if (value === undefined || !/^[A-Za-z0-9.\-:[\]]+$/.test(value)) return null;
  let url: URL;
  try {
    url = new URL(`http://${value}`);
  } catch {
    return null;
  }
  if (url.hostname === '' || url.pathname !== '/' || url.username !== '' || url.password !== '') return null;
  return { hostname: url.hostname, port: url.port === '' ? 80 : Number(url.port) };
}

function canonicalHostname(host: string): string | null {
  const bracketed = isIP(host) === 6 ? `[${host}]` : host;
  return parseHost(`${bracketed}:1`)?.hostname ?? null;
}

function isWildcard(hostname: string | null): boolean {
  return hostname === '0.0.0.0' || hostname === '[::]';
}

function isIpLiteral(hostname: string): boolean {
  return isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The names by which our own page is reached: the loopback names and the configured host. */
function isOwnHostname(hostname: string, config: GuardConfig): boolean {
  const configured = canonicalHostname(config.host);
  return LOOPBACK_NAMES.has(hostname) || (hostname === configured && !isWildcard(configured));
}

/**
 * Host must name us, with our port. When the server listens on every interface (`0.0.0.0` or `::`), any IP
 * address is accepted too: the server cannot know all of its own addresses, and an IP literal cannot be the
 * product of DNS rebinding, which needs a domain name the attacker controls.
 */
export function checkHost(value: string | undefined, config: GuardConfig): Verdict {
  const address = parseHost(value);
  if (address === null) return deny(400, 'The Host header is missing or malformed.');
  if (address.port !== config.port) return deny(403, 'The Host header names another port.');
  if (isOwnHostname(address.hostname, config)) return ALLOW;
  if (isWildcard(canonicalHostname(config.host)) && isIpLiteral(address.hostname)) return ALLOW;
  return deny(403, 'The Host header names a host this server does not answer to.');
}

function canonicalOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * Origin, for WebSocket upgrades. An absent Origin is allowed: browsers always send one on a WebSocket
 * handshake, so its absence means a non-browser client (a Node script, curl), and such a client could send
 * any Origin it likes anyway; the Origin check protects browser users, and the token protects the rest.
 * A present Origin must be exactly an origin of our own page (http, our port, one of our host names or the
 * very host the request was sent to, which `checkHost` has vetted) or one listed in `allowedOrigins`. The
 * opaque origin `null` (sandboxed frames, `file:` pages, some redirects), `file://` and browser-extension
 * origins are rejected: none of them is our page, and `null` is shared by every sandboxed document.
 */
export function checkOrigin(
  value: string | undefined,
  requestHost: HostAddress,
  config: GuardConfig,
): Verdict {
  if (value === undefined) return ALLOW;
  if (!/^https?:\/\/[^/?#@\\\s]+$/i.test(value)) {
    return deny(403, 'The Origin is not an http(s) origin of this server.');
  }
  const origin = canonicalOrigin(value);
  if (origin === null) return deny(403, 'The Origin is malformed.');
  if (config.allowedOrigins.some((allowed) => canonicalOrigin(allowed) === origin)) return ALLOW;
  if (!origin.startsWith('http:')) return deny(403, 'The Origin is not an allowed origin.');
  const address = parseHost(origin.slice('http://'.length));
  if (
    address !== null &&
    address.port === config.port &&
    (isOwnHostname(address.hostname, config) || address.hostname === requestHost.hostname)
  ) {
    return ALLOW;
  }
  return deny(403, 'The Origin is not an allowed origin.');
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function matches(provided: Buffer, expected: string | null | undefined): boolean {
  return expected !== null && expected !== undefined && timingSafeEqual(provided, digest(expected));
}

/**
 * Compares the token in constant time. Hashing both sides first gives buffers of equal length, so neither
 * the comparison time nor a length mismatch reveals anything about the expected tokens. Both tokens are
 * always compared, so the time taken does not tell which of the two a guess came close to.
 */
export function checkToken(provided: string | null, config: GuardConfig): AccessVerdict {
  if (config.token === null) return { ok: true, access: 'control' };
  if (provided === null || provided === '')
    return deny(401, 'A token is required: open the URL lucidlines printed.');
  const hashed = digest(provided);
  const control = matches(hashed, config.token);
  const view = matches(hashed, config.viewToken);
  if (control) return { ok: true, access: 'control' };
  if (view) return { ok: true, access: 'view' };
  return deny(403, 'The token is wrong.');
}

/** The `token` query parameter of a request target such as `/ws?token=abc`. */
export function tokenFromRequestTarget(target: string): string | null {
  const query = target.indexOf('?');
  if (query === -1) return null;
  return new URLSearchParams(target.slice(query + 1)).get('token');
}

/** The path of a request target, undecoded, so that encoded dots and slashes can never turn into real ones. */
export function pathOfRequestTarget(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

/** All checks for a WebSocket upgrade, in order: Host, then Origin, then token. */
export function checkUpgrade(
  headers: { host?: string | undefined; origin?: string | undefined },
  target: string,
  config: GuardConfig,
): AccessVerdict {
  const host = checkHost(headers.host, config);
  if (!host.ok) return host;
  const requestHost = parseHost(headers.host);
  if (requestHost === null) return deny(400, 'The Host header is missing or malformed.');
  const origin = checkOrigin(headers.origin, requestHost, config);
  if (!origin.ok) return origin;
  return checkToken(tokenFromRequestTarget(target), config);
}
