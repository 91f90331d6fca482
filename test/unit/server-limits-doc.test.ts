// Keeps the limits documented in docs/protocol.md equal to the defaults the server really uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_HUB_TUNING, DEFAULT_MAX_CLIENTS, RETRY_AFTER_SECONDS } from '../../src/server/hub.js';

const doc = readFileSync(
  join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'protocol.md'),
  'utf8',
);

/** The limits table: the text of each row's first cell mapped to its second. */
function limitsTable(): Map<string, string> {
  const section = doc.slice(doc.indexOf('## Limits'), doc.indexOf('### Frame size'));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length >= 4 && cells[1] !== undefined && cells[2] !== undefined) rows.set(cells[1], cells[2]);
  }
  return rows;
}

it('documents the default limits of the server', () => {
  const table = limitsTable();
  const { rateLimit, maxBufferedBytes, maxTotalBufferedBytes, heartbeatIntervalMs, closeTimeoutMs } =
    DEFAULT_HUB_TUNING;
  const bucket = (rate: { burst: number; perSecond: number }) =>
    `burst ${rate.burst}, then ${rate.perSecond} per second`;
  const mib = (bytes: number) => `${bytes / 2 ** 20} MiB`;
  assert.equal(table.get('Messages per connection'), bucket(rateLimit.perConnection));
  assert.equal(table.get('Commands per process, all clients'), bucket(rateLimit.perProcess));
  assert.equal(table.get('`restart-all` + `stop-all`, all clients'), bucket(rateLimit.allProcesses));
  assert.equal(table.get('`input` per process, all clients'), bucket(rateLimit.input));
  assert.equal(table.get('Unsent data for one client'), mib(maxBufferedBytes));
  assert.equal(table.get('Unsent data for all clients'), mib(maxTotalBufferedBytes));
  assert.equal(table.get('Concurrent connections (`maxClients`)'), String(DEFAULT_MAX_CLIENTS));
  assert.equal(table.get('Heartbeat'), `a ping every ${heartbeatIntervalMs / 1000} s`);
  assert.equal(table.get('Closing handshake'), `${closeTimeoutMs / 1000} s`);
  assert.ok(doc.includes(`Retry-After: ${RETRY_AFTER_SECONDS}`));
});
