// The README's protocol section lists every message in one table with its origin (issue 15). The messages
// docs/protocol.md has examples of are the list to match, so a message added to the protocol and its docs
// but not to the table fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

/** `server:<type>`, `client:<type>` and `client:command:<action>` for every example in docs/protocol.md. */
function documentedMessages(): Set<string> {
  const found = new Set<string>();
  for (const match of read('docs/protocol.md').matchAll(/```json\n([\s\S]*?)```/g)) {
    const block = (match[1] ?? '').trim();
    const lines = block.split('\n');
    const examples = lines.every((line) => line.startsWith('{') && line.endsWith('}')) ? lines : [block];
    for (const example of examples) {
      const parsed = JSON.parse(example) as { type: string; action?: string };
      const { type, action } = parsed;
      // Every server message carries a timestamp and no client message does (`history` is both).
      if ('timestamp' in parsed) found.add(`server:${type}`);
      else if (type === 'command') found.add(`client:command:${action}`);
      else found.add(`client:${type}`);
    }
  }
  return found;
}

/** The same keys for the rows of the README's table, each row with a non-empty origin. */
function tabledMessages(): Set<string> {
  const section = /## Protocol and client library\n([\s\S]*?)\n## /.exec(read('README.md'))?.[1] ?? '';
  const found = new Set<string>();
  for (const row of section.split('\n').filter((line) => /^\| (server|client) → /.test(line))) {
    const [direction = '', message = '', , origin = ''] = row
      .split('|')
      .slice(1)
      .map((cell) => cell.trim());
    assert.notEqual(origin, '', `the row ${row} names its origin`);
    const names = [...message.matchAll(/`([^`]+)`/g)].map((name) => name[1] ?? '');
    if (direction.startsWith('server')) for (const name of names) found.add(`server:${name}`);
    else if (names[0] === 'command') for (const name of names.slice(1)) found.add(`client:command:${name}`);
    else for (const name of names) found.add(`client:${name}`);
  }
  return found;
}

describe('README protocol table', () => {
  it('lists exactly the messages docs/protocol.md documents, each with its origin', () => {
    assert.deepEqual([...tabledMessages()].sort(), [...documentedMessages()].sort());
  });
});
