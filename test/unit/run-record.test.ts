import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  parseRunRecord,
  type RunRecord,
  readRunRecords,
  removeRunRecord,
  runRecordFile,
  serializeRunRecord,
  writeRunRecord,
} from '../../src/process/run-record.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-record-'));
after(() => rmSync(temp, { recursive: true, force: true }));

const record: RunRecord = {
  owner: { pid: 4242, startTime: '123456' },
  instanceId: '0123456789abcdef',
  killTimeoutMs: 5000,
  groups: [
    { pgid: 5000, startTime: '123460' },
    { pgid: 5001, startTime: 'Mon Nov 24 10:00:01 2025' },
  ],
};

/** The serialized record with one field replaced, to check what the parser refuses. */
function withField(field: string, value: unknown): string {
  return JSON.stringify({ ...JSON.parse(serializeRunRecord(record)), [field]: value });
}

describe('run record', () => {
  it('parses what it serializes', () => {
    assert.deepEqual(parseRunRecord(serializeRunRecord(record)), { ok: true, record });
  });

  it('drops fields it does not know', () => {
    const parsed = parseRunRecord(
      JSON.stringify({
        ...JSON.parse(serializeRunRecord(record)),
        extra: 1,
        groups: [{ pgid: 7, startTime: 'x', more: 2 }],
      }),
    );
    assert.deepEqual(parsed.ok && parsed.record.groups, [{ pgid: 7, startTime: 'x' }]);
  });

  const refused: Array<[string, string]> = [
    ['not JSON', '{"version":1,'],
    ['not an object', '[1,2]'],
    ['another version', withField('version', 2)],
    ['an owner without a start time', withField('owner', { pid: 10 })],
    ['the owner pid 1', withField('owner', { pid: 1, startTime: 'x' })],
    ['an instance id that is not 16 hex digits', withField('instanceId', '')],
    ['a negative kill timeout', withField('killTimeoutMs', -1)],
    // kill(-1) would signal every process of the user, kill(-0) lucidlines' own group.
    ['process group 1', withField('groups', [{ pgid: 1, startTime: 'x' }])],
    ['process group 0', withField('groups', [{ pgid: 0, startTime: 'x' }])],
    ['a negative process group', withField('groups', [{ pgid: -5000, startTime: 'x' }])],
    ['a fractional process group', withField('groups', [{ pgid: 50.5, startTime: 'x' }])],
    ['a group without a start time', withField('groups', [{ pgid: 5000, startTime: '' }])],
    ['groups that are not a list', withField('groups', { 5000: 'x' })],
  ];
  for (const [what, text] of refused) {
    it(`refuses ${what}`, () => {
      const parsed = parseRunRecord(text);
      assert.equal(parsed.ok, false, text);
      assert.ok(!parsed.ok && parsed.reason.length > 0);
    });
  }

  it('is written privately and in one step, read back with its neighbours, and removed', async () => {
    const folder = mkdtempSync(path.join(temp, 'folder-'));
    const file = runRecordFile(folder, record.instanceId);
    await writeRunRecord(file, record);
    await writeRunRecord(file, { ...record, groups: [] });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(folder), [path.basename(file)], 'no temporary file is left behind');

    const broken = runRecordFile(folder, 'fedcba9876543210');
    writeFileSync(broken, '{"version":1');
    writeFileSync(path.join(folder, 'instance.json'), '{}');
    const stored = await readRunRecords(folder);
    assert.deepEqual(
      stored.map((entry) => [path.basename(entry.file), entry.parsed.ok]).sort(),
      [
        [path.basename(file), true],
        [path.basename(broken), false],
      ].sort(),
    );
    await removeRunRecord(file);
    await removeRunRecord(file);
    assert.deepEqual(readdirSync(folder).sort(), [path.basename(broken), 'instance.json'].sort());
  });
});
