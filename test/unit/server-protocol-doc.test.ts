// Keeps docs/protocol.md honest: every JSON example in it must pass the validator of its direction.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLIENT_MESSAGE_TYPES, decodeClientMessage, decodeServerMessage } from '../../src/protocol.js';

const doc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'protocol.md'),
  'utf8',
);

/** Each ```json block, split into its top-level objects (a block may list several one-line commands). */
function jsonExamples(): string[] {
  const examples: string[] = [];
  for (const match of doc.matchAll(/```json\n([\s\S]*?)```/g)) {
    const block = match[1] ?? '';
    const lines = block.trim().split('\n');
    if (lines.every((line) => line.startsWith('{') && line.endsWith('}'))) examples.push(...lines);
    else examples.push(block);
  }
  return examples;
}

describe('docs/protocol.md', () => {
  it('has valid examples for every server message type and every command', () => {
    const examples = jsonExamples();
    const serverTypes = new Set<string>();
    const actions = new Set<string>();
    const clientTypes = new Set<string>();
    for (const example of examples) {
      const parsed = JSON.parse(example) as { type: string; action?: string };
      // Every server message carries a timestamp and no client message does; `history` is both a request
      // and its reply, so the type alone does not tell the direction.
      if (parsed.type === 'command' || !('timestamp' in parsed)) {
        const decoded = decodeClientMessage(example);
        assert.ok(decoded.ok, example);
        clientTypes.add(parsed.type);
        if (parsed.type === 'command') actions.add(parsed.action ?? '');
      } else {
        const decoded = decodeServerMessage(example);
        assert.ok(decoded.ok, example);
        serverTypes.add(parsed.type);
      }
    }
    assert.deepEqual([...serverTypes].sort(), [
      'error',
      'event',
      'history',
      'info',
      'metrics',
      'process',
      'processes',
      'run',
      'status',
      'subscription',
      'system',
    ]);
    assert.deepEqual([...clientTypes].sort(), [...CLIENT_MESSAGE_TYPES].sort());
    assert.deepEqual([...actions].sort(), [
      'add',
      'input',
      'kill',
      'remove',
      'restart',
      'restart-all',
      'start',
      'stop',
      'stop-all',
    ]);
  });
});
