import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers an upgrade request with a plain HTTP error and closes the socket, before any WebSocket work is
 * done for it. `extraHeaders` are complete header lines without the line break, e.g. `Retry-After: 5`.
 */
export function refuseUpgrade(
  socket: Duplex,
  status: 400 | 401 | 403 | 404 | 503,
  reason: string,
  extraHeaders: readonly string[] = [],
): void {
  const body = `${reason}\n`;
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'X-Content-Type-Options: nosniff',
    ...extraHeaders,
  ];
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
