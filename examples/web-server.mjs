// A stand-in for a dev web server: serves a tiny page on PORT and logs every request in colour. It also
// requests itself every few seconds, so the demo has steady output without a browser pointed at it.
import http from 'node:http';

const port = Number(process.env.PORT ?? 3100);
const useColour = process.env.NO_COLOR === undefined;
const paint = (code, text) => (useColour ? `\u001b[${code}m${text}\u001b[0m` : text);
const statusColour = (status) => (status >= 500 ? 31 : status >= 400 ? 33 : 32);

const server = http.createServer((request, response) => {
  const started = performance.now();
  const status = request.url === '/missing' ? 404 : 200;
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(status === 200 ? 'Hello from the example web server.\n' : 'Not found.\n');
  const elapsed = (performance.now() - started).toFixed(1);
  console.log(
    `${paint(36, request.method)} ${request.url} ${paint(statusColour(status), status)} ${paint(2, `${elapsed}ms`)}`,
  );
});

server.listen(port, '127.0.0.1', () => {
  console.log(`${paint(1, 'ready')} - listening on ${paint(4, `http://127.0.0.1:${port}/`)}`);
});

const paths = ['/', '/api/users', '/missing', '/assets/app.js'];
let tick = 0;
const selfRequests = setInterval(() => {
  const target = paths[tick++ % paths.length];
  http
    .get(`http://127.0.0.1:${port}${target}`, (response) => response.resume())
    .on('error', (error) => {
      console.error(paint(31, `self-request failed: ${error.message}`));
    });
}, 2000);

// Stop promptly on SIGTERM, like a well-behaved dev server, so restarts are quick.
process.on('SIGTERM', () => {
  clearInterval(selfRequests);
  console.log(paint(2, 'shutting down'));
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
