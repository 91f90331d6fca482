// The read API over real sockets: the same Host check and token as the page and the WebSocket, correct answers,
// clear errors, no CORS, and never the token in an answer.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../src/server/server.js';
import { FakeControl, rawExchange, start, statusOf } from '../fixtures/server-test-kit.js';

const TOKEN = 'read-api-secret-token';

/** The read API's examples in docs/protocol.md, fenced as ```json read-api. */
const DOC_EXAMPLES = [
  ...readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8').matchAll(
    /```json read-api\n([\s\S]*?)```/g,
  ),
].map((match) => JSON.parse(match[1] ?? '') as Record<string, unknown>);

/** The JSON type of a value, for comparing the documented shape with a real answer. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)]));
  }
  return value === null ? 'null' : typeof value;
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

describe('read API', () => {
  let control: FakeControl;
  let server: RunningServer;
  let base: string;
  const bodies: string[] = [];

  async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${base}${path}`, { headers });
    const answer = { status: response.status, headers: response.headers, body: await response.text() };
    bodies.push(answer.body);
    return answer;
  }

  const authorized = { Authorization: `Bearer ${TOKEN}` };

  before(async () => {
    control = new FakeControl(['web', 'api server']);
    control.setStatus('api server', { status: 'error', pid: null, exitCode: 1, restarts: 2 });
    control.output('web', 'first line\n');
    control.output('web', '\x1b[32mcompiled\x1b[39m in \x1b[1m120 ms\x1b[22m\n');
    control.output('web', 'warning: slow\n', 'stderr');
    control.output('web', 'partial');
    server = await start(control, { token: TOKEN });
    base = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server.close();
  });

  it('lists the processes with their state, uptime and no CORS header', async () => {
    const answer = await get('/api/processes', authorized);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const { processes } = JSON.parse(answer.body) as { processes: Record<string, unknown>[] };
    assert.deepEqual(
      processes.map((p) => [p.name, p.status, p.pid, p.exitCode, p.restarts]),
      [
        ['web', 'running', 1000, null, 0],
        ['api server', 'error', null, 1, 2],
      ],
    );
    const [web, api] = processes;
    assert.equal(web?.command, 'run web');
    assert.equal(web?.startedAt, 1);
    assert.equal(typeof web?.uptimeMs, 'number');
    assert.equal(api?.uptimeMs, null);
  });

  it('serves the log as text with the escape codes stripped, as written, and the last N lines', async () => {
    const text = await get('/api/processes/web/logs', authorized);
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(text.body, 'first line\ncompiled in 120 ms\nwarning: slow\npartial');

    const ansi = await get('/api/processes/web/logs?format=ansi', authorized);
    assert.equal(
      ansi.body,
      'first line\n\x1b[32mcompiled\x1b[39m in \x1b[1m120 ms\x1b[22m\nwarning: slow\npartial',
    );

    const lastTwo = await get('/api/processes/web/logs?lines=2&format=text', authorized);
    assert.equal(lastTwo.body, 'warning: slow\npartial');
    const many = await get('/api/processes/web/logs?lines=100', authorized);
    assert.equal(many.body, text.body);
  });

  it('serves the log as a standalone HTML page under a policy that forbids scripts', async () => {
    const answer = await get('/api/processes/web/logs?format=html&lines=3', authorized);
    assert.equal(answer.status, 200);
    assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(
      answer.headers.get('content-security-policy') ?? '',
      /^default-src 'none'; style-src 'unsafe-inline'/,
    );
    assert.match(answer.body, /<title>web<\/title>/);
    assert.match(answer.body, /<span style="color:#3fb950">compiled<\/span>/);
    assert.doesNotMatch(answer.body, /first line/);
  });

  it('finds a process whose name needs percent-encoding', async () => {
    control.output('api server', 'listening\n');
    const answer = await get('/api/processes/api%20server/logs', authorized);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'listening\n');
  });

  it('answers unknown names with 404 and bad parameters with 400, as JSON errors', async () => {
    const cases: [string, number, string, RegExp][] = [
      ['/api/processes/wbe/logs', 404, 'UNKNOWN_PROCESS', /No process is named "wbe"/],
      ['/api/processes/web/logs?lines=0', 400, 'BAD_PARAMETER', /"lines" must be a whole number from 1/],
      ['/api/processes/web/logs?lines=ten', 400, 'BAD_PARAMETER', /"lines"/],
      [
        '/api/processes/web/logs?format=pdf',
        400,
        'BAD_PARAMETER',
        /"format" must be one of text, ansi, html/,
      ],
      ['/api/processes/web/logs?line=5', 400, 'BAD_PARAMETER', /Unknown parameter "line"/],
      ['/api/processes/web/logs?lines=1&lines=2', 400, 'BAD_PARAMETER', /more than once/],
      ['/api/processes/%E0%A4%A/logs', 400, 'BAD_PARAMETER', /percent-encoding/],
      ['/api/processes/web', 404, 'NOT_FOUND', /\/api\/processes\/<name>\/logs/],
      ['/api/other', 404, 'NOT_FOUND', /No such API path/],
    ];
    for (const [path, status, code, message] of cases) {
      const answer = await get(path, authorized);
      assert.equal(answer.status, status, path);
      const { error } = JSON.parse(answer.body) as { error: { code: string; message: string } };
      assert.equal(error.code, code, path);
      assert.match(error.message, message, path);
    }
  });

  it('requires the token, from ?token= or Authorization: Bearer', async () => {
    assert.equal((await get('/api/processes')).status, 401);
    assert.equal((await get('/api/processes/web/logs')).status, 401);
    assert.equal((await get('/api/processes', { Authorization: 'Bearer wrong' })).status, 403);
    assert.equal((await get('/api/processes?token=wrong')).status, 403);
    // Only the Bearer scheme carries a token; anything else counts as none.
    assert.equal((await get('/api/processes', { Authorization: `Basic ${TOKEN}` })).status, 401);
    // An Authorization header speaks for the request: a right token in the query does not rescue a wrong header.
    assert.equal((await get(`/api/processes?token=${TOKEN}`, { Authorization: 'Bearer wrong' })).status, 403);
    assert.equal((await get(`/api/processes?token=${TOKEN}`)).status, 200);
    assert.equal((await get(`/api/processes/web/logs?token=${TOKEN}&lines=1`)).body, 'partial');
    const refused = await get('/api/processes');
    assert.match((JSON.parse(refused.body) as { error: { code: string } }).error.code, /UNAUTHORIZED/);
  });

  it('refuses a foreign Host (DNS rebinding) before anything else, even with the right token', async () => {
    const response = await rawExchange(
      server.port,
      `GET /api/processes?token=${TOKEN} HTTP/1.1\r\nHost: evil.example:${server.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(statusOf(response), 403);
    assert.doesNotMatch(response, /"processes"/);
    bodies.push(response);
  });

  it('is read-only: other methods get 405', async () => {
    const response = await fetch(`${base}/api/processes`, { method: 'POST', headers: authorized });
    assert.equal(response.status, 405);
    bodies.push(await response.text());
  });

  it('matches the examples of docs/protocol.md', async () => {
    assert.equal(DOC_EXAMPLES.length, 3);
    const [processesExample, , errorExample] = DOC_EXAMPLES;
    const processes = JSON.parse((await get('/api/processes', authorized)).body) as {
      processes: Record<string, unknown>[];
    };
    // The running process of the fake has the same kinds of values as the documented one.
    assert.deepEqual(shapeOf(processesExample), shapeOf({ processes: processes.processes.slice(0, 1) }));
    const unknown = JSON.parse((await get('/api/processes/wbe/logs', authorized)).body) as unknown;
    assert.deepEqual(errorExample, unknown);
  });

  it('never puts the token in an answer', () => {
    assert.ok(bodies.length > 20);
    for (const body of bodies) assert.ok(!body.includes(TOKEN), body);
  });
});

describe('read API without a token', () => {
  it('answers loopback requests with no token, and still checks the Host', async () => {
    const control = new FakeControl(['web']);
    const server = await start(control);
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/api/processes`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      const raw = await rawExchange(
        server.port,
        `GET /api/processes HTTP/1.1\r\nHost: rebind.example:${server.port}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(statusOf(raw), 403);
    } finally {
      await server.close();
    }
  });
});
