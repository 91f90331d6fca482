// What a client receives in `output` is exactly what the process wrote: a real child writes a known mix
// (long lines, prompts, split UTF-8, escape sequences, "\r", CRLF) to both pipes, a real supervisor and
// server carry it, and real WebSocket clients join every message per stream and compare.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ENGINE_OPTIONS, type EngineOptions } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { BINARY_OUTPUT_QUERY, type OutputStream } from '../../src/protocol.js';
import type { RunningServer } from '../../src/server/server.js';
import { mixedOutput } from '../fixtures/output-mix-content.mjs';
import { start, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const SEED = 20_240_611;
const NAME = 'mix';
const STREAMS: readonly OutputStream[] = ['stdout', 'stderr'];

const expected = (() => {
  const bytes = mixedOutput(SEED);
  return { stdout: bytes.stdout.toString('utf8'), stderr: bytes.stderr.toString('utf8') };
})();

/** The `output` of every message of the process on one stream, joined in order. */
function received(client: TestClient, stream: OutputStream): string {
  return client
    .of('process')
    .filter((message) => message.name === NAME && message.stream === stream)
    .map((message) => message.output)
    .join('');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Fails with the first difference shown in a few characters of context, never with megabytes of text. */
function assertSameText(actual: string, wanted: string, what: string): void {
  if (actual === wanted) return;
  let at = 0;
  while (at < actual.length && actual[at] === wanted[at]) at++;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, at - 40), at + 40));
  assert.fail(
    `${what}: ${actual.length} characters (sha256 ${sha256(actual)}) instead of ${wanted.length} ` +
      `(sha256 ${sha256(wanted)}); first difference at ${at}: got ${around(actual)}, wanted ${around(wanted)}`,
  );
}

/**
 * The server answers a bad command after everything it sent before, so its reply proves that the replay,
 * which is sent in the turn that accepts the connection, has fully arrived.
 */
async function waitForReplay(client: TestClient): Promise<void> {
  await client.opened;
  client.send({ type: 'command', action: 'replay-barrier' });
  await waitUntil('the reply that follows the replay', () =>
    client.of('error').some((message) => message.code === 'UNKNOWN_ACTION'),
  );
}

/** The socket URL of a client that asks for binary output frames, as the viewer and `lucidlines/client` do. */
function binaryUrl(server: RunningServer): string {
  const url = new URL(wsUrl(server));
  url.searchParams.set(BINARY_OUTPUT_QUERY.name, BINARY_OUTPUT_QUERY.value);
  return url.href;
}

async function withMix(
  options: EngineOptions,
  body: (
    supervisor: Supervisor,
    server: RunningServer,
    early: TestClient,
    earlyBinary: TestClient,
  ) => Promise<void>,
): Promise<void> {
  const supervisor = new Supervisor(
    [{ name: NAME, command: `node ${join(fixtures, 'output-mix.mjs')} ${SEED}`, cwd: fixtures, env: {} }],
    options,
  );
  // History (issue 15): a late joiner is replayed all that is retained, which is what these tests compare.
  // The clients share the server's event loop, so during the flood they read only between its turns, and a
  // JSON client decodes slower than the child writes into its enlarged pipe: under the usual backlog bound
  // it would be closed as too slow (1013), which server-limits.test.ts covers. Here nothing may be lost.
  const roomyBacklog = { maxBufferedBytes: 512 * 1024 * 1024, maxTotalBufferedBytes: 1024 * 1024 * 1024 };
  const server = await start(supervisor, { replayLines: 1_000_000 }, roomyBacklog);
  const early = new TestClient(wsUrl(server));
  const earlyBinary = new TestClient(binaryUrl(server));
  try {
    await early.opened;
    await earlyBinary.opened;
    await supervisor.startAll();
    // Done means exited and every character delivered: a stream that came out short times out here with
    // its length in the message, one that came out long or altered fails the comparison that follows.
    await waitUntil(
      'the process to exit and its whole output to arrive',
      () =>
        early.of('status').some((message) => message.name === NAME && message.status === 'stopped') &&
        STREAMS.every(
          (stream) =>
            received(early, stream).length >= expected[stream].length &&
            received(earlyBinary, stream).length >= expected[stream].length,
        ),
      120_000,
    ).catch((error: Error) => {
      const lengths = STREAMS.map((s) => `${s} ${received(early, s).length}/${expected[s].length}`);
      lengths.push(`close codes ${early.closeCode} ${earlyBinary.closeCode}`);
      throw new Error(`${error.message} (${lengths.join(', ')})`);
    });
    await body(supervisor, server, early, earlyBinary);
  } finally {
    early.close();
    earlyBinary.close();
    await server.close();
    await supervisor.shutdown({ force: true });
  }
}

describe('output fidelity over a real socket', () => {
  it('gives a client, per stream, exactly the text the process wrote, and a late joiner the same by replay', async () => {
    const roomy: EngineOptions = {
      ...DEFAULT_ENGINE_OPTIONS,
      scrollback: { maxLines: 1_000_000, maxBytes: 256 * 1024 * 1024 },
    };
    await withMix(roomy, async (_supervisor, server, early, earlyBinary) => {
      for (const stream of STREAMS)
        assertSameText(received(early, stream), expected[stream], `live ${stream}`);
      const late = new TestClient(wsUrl(server));
      const lateBinary = new TestClient(binaryUrl(server));
      try {
        await waitForReplay(late);
        await waitForReplay(lateBinary);
        assert.ok(late.of('process').every((message) => message.replay === true));
        for (const stream of STREAMS) {
          assertSameText(received(late, stream), expected[stream], `replayed ${stream}`);
        }
        // Both encodings carry the same messages, and only the client that asked gets binary frames.
        assert.equal(early.binaryFrames + late.binaryFrames, 0);
        assert.equal(earlyBinary.binaryFrames, earlyBinary.of('process').length);
        assert.ok(earlyBinary.binaryFrames > 0);
        assert.deepEqual(earlyBinary.of('process'), early.of('process'));
        assert.deepEqual(lateBinary.of('process'), late.of('process'));
      } finally {
        late.close();
        lateBinary.close();
      }
    });
  });

  it('replays to a late joiner an unaltered end of each stream when the scrollback dropped the start', async () => {
    const small: EngineOptions = {
      ...DEFAULT_ENGINE_OPTIONS,
      scrollback: { maxLines: 2_000, maxBytes: 1024 * 1024 },
    };
    await withMix(small, async (_supervisor, server) => {
      const late = new TestClient(wsUrl(server));
      try {
        await waitForReplay(late);
        const replayed = received(late, 'stdout');
        assert.ok(replayed.length > 0 && replayed.length < expected.stdout.length, 'the start was dropped');
        for (const stream of STREAMS) {
          const text = received(late, stream);
          const wanted = expected[stream];
          assertSameText(text, wanted.slice(wanted.length - text.length), `the end of ${stream}`);
        }
      } finally {
        late.close();
      }
    });
  });
});
