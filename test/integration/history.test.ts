// History on request (issue 15): `seq` on every `process` message, replay limited to `replayLines`, and
// `history` pages over real sockets from real processes writing numbered lines.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { LucidLinesClient } from '../../src/client.js';
import type { ProcessSpec } from '../../src/process/spec.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';
import { Supervisor } from '../../src/process/supervisor.js';
import { HISTORY_MAX_BYTES, type HistoryMessage, type ProcessOutputMessage } from '../../src/protocol.js';
import type { RunningServer, ServerOptions } from '../../src/server/server.js';
import { startServer } from '../../src/server/server.js';
import { serverOptions, TestClient, waitUntil, wsUrl } from '../fixtures/server-test-kit.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const REPLAY_LINES = 1000;
const TOTAL_LINES = 5000;

function numbered(name: string, count: number, perWrite = 10, width = 0): ProcessSpec {
  return { name, command: `node history-numbered.mjs ${count} ${perWrite} ${width}`, cwd: fixtures, env: {} };
}

function numberedLines(from: number, to: number): string {
  let text = '';
  for (let i = from; i <= to; i++) text += `line ${i}\n`;
  return text;
}

function countLines(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

async function withEngine(
  specs: ProcessSpec[],
  options: Partial<ServerOptions>,
  body: (supervisor: Supervisor, server: RunningServer) => Promise<void>,
): Promise<void> {
  const supervisor = new Supervisor(specs, DEFAULT_ENGINE_OPTIONS);
  const started = await startServer(serverOptions({ replayLines: REPLAY_LINES, ...options }), supervisor);
  if (!started.ok) throw new Error(started.message);
  try {
    await body(supervisor, started.server);
  } finally {
    await started.server.close();
    await supervisor.shutdown({ force: true });
  }
}

/** Waits until every process ran to its end: all their output is in the scrollback. */
async function allExited(supervisor: Supervisor): Promise<void> {
  await waitUntil(
    'the writers to exit',
    () => supervisor.list().every((snapshot) => snapshot.status === 'stopped' && snapshot.exitCode === 0),
    60_000,
  );
}

function replayOf(client: TestClient, name: string): ProcessOutputMessage[] {
  return client.of('process').filter((message) => message.name === name && message.replay === true);
}

/** Sends a `history` request with an id and waits for the page (or error) answering it. */
async function request(client: TestClient, fields: Record<string, unknown>): Promise<HistoryMessage> {
  const id = `h${client.messages.length}-${Math.random()}`;
  client.send({ type: 'history', ...fields, id });
  await waitUntil(`the answer to ${JSON.stringify(fields)}`, () =>
    client.messages.some(
      (message) =>
        (message.type === 'history' && message.id === id) ||
        (message.type === 'error' && message.ids?.includes(id) === true),
    ),
  );
  const answer = client.messages.find((message) => message.type === 'history' && message.id === id);
  assert.ok(
    answer !== undefined,
    `expected a history page, got ${JSON.stringify(client.of('error').at(-1))}`,
  );
  return answer as HistoryMessage;
}

function pageText(page: HistoryMessage): string {
  return page.chunks.map((chunk) => chunk.output).join('');
}

function assertIncreasing(seqs: (number | undefined)[], what: string): void {
  assert.ok(seqs.length > 0, `${what}: no messages`);
  for (const [index, seq] of seqs.entries()) {
    assert.equal(typeof seq, 'number', `${what}: message ${index} has no seq`);
    if (index > 0)
      assert.ok(
        (seq as number) > (seqs[index - 1] as number),
        `${what}: seq ${seq} after ${seqs[index - 1]}`,
      );
  }
}

describe('history (issue 15)', () => {
  it('puts a strictly increasing seq per process on every process message, live and replayed, in both encodings', async () => {
    await withEngine([numbered('a', 3000, 7), numbered('b', 3000, 13)], {}, async (supervisor, server) => {
      const text = new TestClient(wsUrl(server));
      const binary = new TestClient(`${wsUrl(server)}?output=binary`);
      try {
        await Promise.all([text.opened, binary.opened]);
        await waitUntil('both infos', () => text.of('info').length === 1 && binary.of('info').length === 1);
        await supervisor.startAll();
        await allExited(supervisor);
        await waitUntil('all output live', () =>
          [text, binary].every((client) =>
            ['a', 'b'].every((name) => client.output(name).includes('line 3000\n')),
          ),
        );
        assert.ok(binary.binaryFrames > 0, 'the binary client got binary frames');
        const late = new TestClient(`${wsUrl(server)}?output=binary`);
        try {
          await late.opened;
          await waitUntil('the replay', () =>
            ['a', 'b'].every((name) => late.output(name).endsWith('line 3000\n')),
          );
          for (const name of ['a', 'b']) {
            for (const [label, client] of [
              ['text', text],
              ['binary', binary],
              ['replay', late],
            ] as const) {
              const messages = client.of('process').filter((message) => message.name === name);
              assertIncreasing(
                messages.map((message) => message.seq),
                `${label} ${name}`,
              );
            }
            // Both encodings cut the same batches, so they carry the same seqs.
            assert.deepEqual(
              text
                .of('process')
                .filter((m) => m.name === name)
                .map((m) => m.seq),
              binary
                .of('process')
                .filter((m) => m.name === name)
                .map((m) => m.seq),
            );
            assert.equal(text.output(name), numberedLines(1, 3000));
          }
        } finally {
          late.close();
        }
      } finally {
        text.close();
        binary.close();
      }
    });
  });

  it('replays the newest replayLines lines and pages back with before until more is false, without gap or overlap', async () => {
    await withEngine([numbered('web', TOTAL_LINES)], {}, async (supervisor, server) => {
      await supervisor.startAll();
      await allExited(supervisor);
      const client = new TestClient(wsUrl(server));
      try {
        await client.opened;
        await waitUntil('the replay', () => client.output('web').endsWith(`line ${TOTAL_LINES}\n`));
        const replay = replayOf(client, 'web');
        const replayed = replay.map((message) => message.output).join('');
        const info = client.of('info')[0];
        assert.equal(info?.replayMessages, replay.length);

        // The replay is exactly the newest page of replayLines: whole chunks, never more than the limit
        // unless a single chunk alone holds more.
        const newest = await request(client, { target: 'web', limit: REPLAY_LINES });
        assert.equal(pageText(newest), replayed);
        assert.equal(newest.chunks[0]?.seq, replay[0]?.seq);
        assert.ok(
          countLines(replayed) <= REPLAY_LINES || newest.chunks.length === 1,
          `${countLines(replayed)} lines replayed`,
        );
        assert.ok(countLines(replayed) < TOTAL_LINES, 'older lines were left for history');
        assert.equal(newest.more, true);

        let before = replay[0]?.seq as number;
        let older = '';
        let pages = 0;
        for (;;) {
          const page = await request(client, { target: 'web', before, limit: 500 });
          pages++;
          assert.equal(page.process, 'web');
          assert.ok(page.chunks.length > 0, 'every page makes progress');
          assertIncreasing(
            page.chunks.map((chunk) => chunk.seq),
            'page chunks',
          );
          assert.ok(
            (page.chunks.at(-1)?.seq as number) < before,
            'a page holds only output older than before',
          );
          const lines = countLines(pageText(page));
          assert.ok(lines <= 500 || page.chunks.length === 1, `a page of ${lines} lines`);
          older = pageText(page) + older;
          before = page.chunks[0]?.seq as number;
          if (!page.more) break;
        }
        assert.ok(pages >= 2, `paged ${pages} times`);
        assert.equal(older + replayed, numberedLines(1, TOTAL_LINES));
        // Before the oldest retained chunk there is nothing: an empty page that says so.
        const beyond = await request(client, { target: 'web', before });
        assert.deepEqual([beyond.chunks, beyond.more], [[], false]);
      } finally {
        client.close();
      }
    });
  });

  it('bounds a page in bytes, whatever its limit, and clamps the limit', async () => {
    const width = 50 * 1024;
    await withEngine([numbered('wide', 60, 1, width)], {}, async (supervisor, server) => {
      await supervisor.startAll();
      await allExited(supervisor);
      const client = new TestClient(wsUrl(server));
      try {
        await client.opened;
        await waitUntil('the replay', () => client.output('wide').includes('line 60'));
        let before: number | undefined;
        let text = '';
        for (;;) {
          const page = await request(client, {
            target: 'wide',
            limit: 1_000_000,
            ...(before === undefined ? {} : { before }),
          });
          const bytes = Buffer.byteLength(pageText(page));
          assert.ok(bytes <= HISTORY_MAX_BYTES || page.chunks.length === 1, `a page of ${bytes} bytes`);
          text = pageText(page) + text;
          before = page.chunks[0]?.seq;
          if (!page.more) break;
        }
        const expected = Array.from({ length: 60 }, (_, i) => `${`line ${i + 1}`.padEnd(width, 'x')}\n`).join(
          '',
        );
        assert.equal(text, expected);
      } finally {
        client.close();
      }
    });
  });

  it('answers an unknown process with UNKNOWN_PROCESS and a bad request with INVALID_MESSAGE, keeping the connection', async () => {
    await withEngine([numbered('web', 20)], {}, async (supervisor, server) => {
      await supervisor.startAll();
      await allExited(supervisor);
      const client = new TestClient(wsUrl(server));
      const bystander = new TestClient(wsUrl(server));
      try {
        await Promise.all([client.opened, bystander.opened]);
        await waitUntil(
          'both infos',
          () => client.of('info').length === 1 && bystander.of('info').length === 1,
        );
        client.send({ type: 'history', target: 'nope', id: 'x1' });
        const bad = [
          { type: 'history' },
          { type: 'history', target: 'web', before: -1 },
          { type: 'history', target: 'web', before: 1.5 },
          { type: 'history', target: 'web', limit: 0 },
          { type: 'history', target: 'web', limit: '10' },
          { type: 'history', target: 'web', id: '' },
        ];
        for (const message of bad) client.send(message);
        await waitUntil('an error per request', () => client.of('error').length === 1 + bad.length);
        const [unknown, ...invalid] = client.of('error');
        assert.equal(unknown?.code, 'UNKNOWN_PROCESS');
        assert.deepEqual(unknown?.ids, ['x1']);
        assert.deepEqual(
          invalid.map((error) => error.code),
          bad.map(() => 'INVALID_MESSAGE'),
        );
        const page = await request(client, { target: 'web' });
        assert.equal(pageText(page), numberedLines(1, 20));
        assert.equal(client.closeCode, null);
        assert.equal(
          bystander.of('error').length + bystander.of('history').length,
          0,
          'answers go to the requester only',
        );
      } finally {
        client.close();
        bystander.close();
      }
    });
  });

  it('lets lucidlines/client page back with history()', async () => {
    await withEngine([numbered('web', 2500)], {}, async (supervisor, server) => {
      await supervisor.startAll();
      await allExited(supervisor);
      const client = new LucidLinesClient({ url: wsUrl(server), WebSocket, reconnect: false });
      const replayed: ProcessOutputMessage[] = [];
      client.on('process', (message) => replayed.push(message));
      try {
        await new Promise<void>((resolve) => client.on('info', () => resolve()));
        await waitUntil('the replay', () =>
          replayed
            .map((m) => m.output)
            .join('')
            .endsWith('line 2500\n'),
        );
        let before = replayed[0]?.seq;
        let older = '';
        for (;;) {
          const result = await client.history('web', before === undefined ? {} : { before });
          assert.ok(result.ok, JSON.stringify(result));
          if (!result.ok) return;
          older = result.page.chunks.map((chunk) => chunk.output).join('') + older;
          before = result.page.chunks[0]?.seq;
          if (!result.page.more) break;
        }
        assert.equal(older + replayed.map((m) => m.output).join(''), numberedLines(1, 2500));
        const unknown = await client.history('nope');
        assert.deepEqual(unknown.ok ? null : unknown.code, 'UNKNOWN_PROCESS');
      } finally {
        client.close();
      }
    });
  });
});
