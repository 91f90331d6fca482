import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { type LoadResult, loadConfig } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/problems.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-config-deps-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let counter = 0;
function load(lines: readonly string[]): Promise<LoadResult> {
  const file = path.join(temp, `case-${counter++}.json`);
  writeFileSync(file, lines.join('\n'));
  return loadConfig({ cwd: temp, flags: { config: file } });
}

function fieldProblems(result: LoadResult): Extract<ConfigProblem, { kind: 'field' }>[] {
  assert.equal(result.ok, false, 'expected the config to be refused');
  return result.ok ? [] : result.problems.filter((problem) => problem.kind === 'field');
}

describe('readiness and dependency fields', () => {
  test('map to the spec: probes with their defaults, dependencies with their conditions', async () => {
    const result = await load([
      '{ "processes": [',
      '  { "name": "db", "command": "x", "readyPattern": "ready on \\\\d+" },',
      '  { "name": "build", "command": "x" },',
      '  { "name": "api", "command": "x", "readyPort": 3000, "readyUrl": "http://localhost:3000/",',
      '    "readyHost": "localhost", "readyTimeout": 500,',
      '    "dependsOn": ["db", { "name": "build", "condition": "completed" }] },',
      '  { "name": "web", "command": "x", "dependsOn": [{ "name": "api" }] }',
      '] }',
    ]);
    assert.ok(result.ok, JSON.stringify(result));
    const [db, build, api, web] = result.config.processes;
    assert.equal(db?.awaitReady, true);
    assert.equal(db?.readiness?.pattern?.test('ready on 5432'), true);
    assert.deepEqual(db?.readiness?.hosts, ['127.0.0.1', '::1']);
    assert.equal(db?.readiness?.timeoutMs, 60_000);
    assert.equal(build?.awaitReady, undefined);
    assert.equal(build?.readiness, undefined);
    assert.equal(build?.dependsOn, undefined);
    assert.deepEqual(
      { ...api?.readiness },
      { url: 'http://localhost:3000/', port: 3000, hosts: ['localhost'], timeoutMs: 500 },
    );
    assert.deepEqual(api?.dependsOn, [
      { name: 'db', condition: 'ready' },
      { name: 'build', condition: 'completed' },
    ]);
    assert.deepEqual(web?.dependsOn, [{ name: 'api', condition: 'ready' }]);
  });

  test('refuse a cycle, naming it, at the entry that closes it', async () => {
    const problems = fieldProblems(
      await load([
        '{ "processes": [',
        '  { "name": "api", "command": "x", "dependsOn": ["db"] },',
        '  { "name": "db", "command": "x", "dependsOn": [{ "name": "api" }] },',
        '  { "name": "solo", "command": "x", "dependsOn": ["solo"] }',
        '] }',
      ]),
    );
    assert.deepEqual(
      problems.map(({ path, line, column, message }) => [path, line, column, message.split('.')[0]]),
      [
        ['processes[1].dependsOn[0].name', 3, 59, 'closes a dependsOn cycle: api → db → api'],
        ['processes[2].dependsOn[0]', 4, 51, 'closes a dependsOn cycle: solo → solo'],
      ],
    );
  });

  test('refuse an unknown name with a suggestion, and a wrong condition', async () => {
    const problems = fieldProblems(
      await load([
        '{ "processes": [',
        '  { "name": "db", "command": "x" },',
        '  { "name": "api", "command": "x", "dependsOn": ["dbb", "queue"] },',
        '  { "name": "web", "command": "x", "dependsOn": [{ "name": "api", "condition": "done" }, 5] }',
        '] }',
      ]),
    );
    // Entries that are not valid at all are reported first; the names are only checked once all are valid.
    assert.deepEqual(
      problems.map(({ path, line, column }) => [path, line, column]),
      [
        ['processes[2].dependsOn[0]', 4, 50],
        ['processes[2].dependsOn[1]', 4, 90],
      ],
    );
    assert.match(problems[0]?.message ?? '', /"condition" the string "done", but it must be "ready"/);
    assert.match(problems[1]?.message ?? '', /must be a process name, or an object/);

    const names = fieldProblems(
      await load([
        '{ "processes": [',
        '  { "name": "db", "command": "x" },',
        '  { "name": "api", "command": "x", "dependsOn": ["dbb", "queue"] }',
        '] }',
      ]),
    );
    assert.deepEqual(
      names.map(({ path, message }) => [path, message]),
      [
        [
          'processes[1].dependsOn[0]',
          'names no process: there is no process called "dbb". Did you mean "db"?',
        ],
        [
          'processes[1].dependsOn[1]',
          'names no process: there is no process called "queue". Known processes: db, api.',
        ],
      ],
    );
  });

  test('refuse an invalid pattern, a non-http URL and a port out of range', async () => {
    const problems = fieldProblems(
      await load([
        '{ "processes": [',
        '  { "name": "a", "command": "x", "readyPattern": "(", "readyUrl": "ftp://h/", "readyPort": 0,',
        '    "readyTimeout": 0 }',
        '] }',
      ]),
    );
    assert.deepEqual(
      problems.map(({ path, message }) => [path, message.split(':')[0]]),
      [
        ['processes[0].readyPattern', 'is not a valid regular expression'],
        ['processes[0].readyUrl', 'must be an http'],
        ['processes[0].readyPort', 'must be a port number from 1 to 65535, but is number 0.'],
        [
          'processes[0].readyTimeout',
          'must be a whole number of milliseconds from 1 to 2147483647, but is number 0.',
        ],
      ],
    );
  });

  test('a chain of thousands of dependencies is checked without overflowing the stack', async () => {
    const count = 20_000;
    const entries = Array.from(
      { length: count },
      (_, i) => `{ "name": "p${i}", "command": "x", "dependsOn": ["p${(i + 1) % count}"] }`,
    );
    const problems = fieldProblems(await load(['{ "processes": [', entries.join(',\n'), '] }']));
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /^closes a dependsOn cycle: p0 → p1 → p2 → /);
  });
});
