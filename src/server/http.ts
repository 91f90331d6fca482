import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { API_PREFIX, type ReadApiHandler } from './read-api.js';
import {
  checkHost,
  checkToken,
  type GuardConfig,
  pathOfRequestTarget,
  tokenFromRequestTarget,
} from './request-guard.js';

interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** The viewer's files, keyed by the exact (percent-encoded) request path that serves each of them. */
export type StaticFiles = ReadonlyMap<string, StaticFile>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const MAX_WEB_ROOT_BYTES = 32 * 1024 * 1024;

const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>lucidlines</title></head>
<body>
<h1>lucidlines</h1>
<p>The web viewer is not built. Run <code>npm run build</code>, then restart lucidlines.</p>
</body>
</html>
`;

/**
 * Reads the viewer's files into memory once, at startup. Requests are answered only from this allowlist by
 * exact path, never by joining the request path onto the file system, so no spelling of `..`, encoded or
 * not, can reach a file outside it. Symbolic links and dot-files are skipped, since they could point at or
 * be files that were never meant to be served. A missing directory yields an empty list.
 */
export async function loadStaticFiles(webRoot: string): Promise<StaticFiles> {
  const files = new Map<string, StaticFile>();
  let totalBytes = 0;
  async function walk(directory: string, urlPrefix: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const urlPath = `${urlPrefix}/${encodeURIComponent(entry.name)}`;
      if (entry.isDirectory()) {
        await walk(join(directory, entry.name), urlPath);
      } else if (entry.isFile()) {
        const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()] ?? 'application/octet-stream';
        const body = await readFile(join(directory, entry.name));
        totalBytes += body.length;
        // A webRoot pointing at the wrong directory (a home directory, `/`) must fail loudly, not be read
        // into memory and served.
        if (totalBytes > MAX_WEB_ROOT_BYTES) {
          throw new Error(
            `${webRoot} holds more than ${MAX_WEB_ROOT_BYTES} bytes; it is not a viewer build.`,
          );
        }
        files.set(urlPath, { body, contentType });
      }
    }
  }
  await walk(webRoot, '');
  const index = files.get('/index.html') ?? {
    body: Buffer.from(PLACEHOLDER_PAGE),
    contentType: CONTENT_TYPES['.html'] ?? 'text/html',
  };
  files.set('/', index);
  files.set('/index.html', index);
  return files;
}

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // Stops other sites from embedding our scripts or styles with <script src> or <link> (and reading them).
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  // The page URL carries the token; no request made from the page may leak it in a Referer header.
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
}

function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Serves the viewer and the read API: Host check on every request, token check on the page and the API. */
export function createRequestHandler(
  files: StaticFiles,
  guard: GuardConfig,
  readApi: ReadApiHandler,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    setSecurityHeaders(response);
    const host = checkHost(request.headers.host, guard);
    if (!host.ok) {
      sendText(response, host.status, `${host.reason}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const target = request.url ?? '';
    if (!target.startsWith('/')) {
      sendText(response, 400, 'Bad request target\n');
      return;
    }
    const path = pathOfRequestTarget(target);
    if (path.startsWith(API_PREFIX)) {
      readApi(request, response, target, path);
      return;
    }
    const file = files.get(path);
    if (file === undefined) {
      sendText(response, 404, 'Not found\n');
      return;
    }
    // Only the page needs the token: the scripts and styles it loads are the same for everyone and secret-free,
    // and the page's URL is the one place the browser carries the token.
    if (path === '/' || path === '/index.html') {
      const token = checkToken(tokenFromRequestTarget(target), guard);
      if (!token.ok) {
        sendText(response, token.status, `${token.reason}\n`);
        return;
      }
    }
    response.writeHead(200, {
      'Content-Type': file.contentType,
      'Content-Length': file.body.length,
      'Cache-Control': 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  };
}
