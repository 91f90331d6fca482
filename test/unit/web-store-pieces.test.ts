// The splitter hands an over-long line on in pieces without adding a newline; the viewer must show such
// pieces as the one line they came from, even when the other stream's output arrives in between.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineSplitter } from '../../src/output/line-splitter.js';
import type { OutputStream, ServerMessage } from '../../src/protocol.js';
import { createState, emptyChanges, update, type ViewerState } from '../../web/store.js';

const NO_TIMERS = { setTimeout: () => null, clearTimeout: () => {} };

/** The pieces the splitter makes of `text`, with a cap small enough to cut its long lines. */
function piecesOf(text: string, maxLineBytes: number): string[] {
  const pieces: string[] = [];
  const splitter = new LineSplitter({
    maxLineBytes,
    partialLineFlushMs: 50,
    timers: NO_TIMERS,
    onText: (piece) => pieces.push(piece),
  });
  splitter.push(text);
  splitter.end();
  return pieces;
}

function shownLines(state: ViewerState, stream: OutputStream): string[] {
  const ring = state.processes.get('web')?.lines;
  assert.ok(ring);
  const texts: string[] = [];
  for (let p = ring.start; p < ring.end; p++) {
    const line = ring.at(p);
    if (line?.stream === stream) texts.push(line.text);
  }
  return texts;
}

describe('viewer store, output in pieces', () => {
  test('shows a line cut into pieces as one line, with the other stream interleaved between them', () => {
    const long = `\x1b[31m${'é'.repeat(150)}\x1b[0m ${'x'.repeat(200)} 😀`;
    const stdout = piecesOf(`before\n${long}\nafter\r\nPassword: `, 100);
    const stderr = piecesOf('warning one\nwarning two\n', 100);
    assert.ok(stdout.length >= 5, 'the long line was cut');
    assert.ok(
      stdout.some((piece) => !piece.endsWith('\n')),
      'some pieces end without a newline',
    );

    const state = createState();
    const changes = emptyChanges();
    const messages: ServerMessage[] = [
      {
        type: 'info',
        version: '0.1.0',
        timestamp: 1,
        processes: [{ name: 'web', status: 'running', command: 'run web', pid: 1 }],
      },
    ];
    const send = (stream: OutputStream, output: string) =>
      messages.push({ type: 'process', name: 'web', output, timestamp: 2, stream });
    stdout.forEach((piece, i) => {
      send('stdout', piece);
      const warning = stderr[i];
      if (warning !== undefined) send('stderr', warning);
    });
    for (const message of messages) update(state, message, changes);

    const plainLong = `${'é'.repeat(150)} ${'x'.repeat(200)} 😀`;
    assert.deepEqual(shownLines(state, 'stdout'), ['before', plainLong, 'after', 'Password: ']);
    assert.deepEqual(shownLines(state, 'stderr'), ['warning one', 'warning two']);
  });
});
