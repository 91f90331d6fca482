import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { networkProbes } from '../../src/behaviours/probes.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const TIMEOUT_MS = 500;

test('an HTTP check of a server that never answers ends at its timeout, even after a garbage collection', {
  timeout: 30_000,
}, async () => {
  let unanswered = 0;
  const server = createServer((request, response) => {
    if (request.url === '/warm') {
      response.end('ok');
      return;
    }
    // Never answered, as by a deadlocked server; a collection runs while the check waits, which is what cut
    // fetch off from its abort signal.
    unanswered++;
    setImmediate(collectGarbage);
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  const base = `http://127.0.0.1:${address.port}`;
  try {
    // The first fetch of a process loads its HTTP client; warmed up, the checks below reach the server.
    assert.deepEqual(await networkProbes.http(`${base}/warm`, new AbortController().signal), { ready: true });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await networkProbes.http(`${base}/hang`, new AbortController().signal, TIMEOUT_MS);
      assert.deepEqual(result, { ready: false, detail: `${base}/hang: no answer within ${TIMEOUT_MS} ms` });
    }
    assert.equal(unanswered, 3, 'every check reached the server and waited there');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
