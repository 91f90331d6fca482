// The watch fields of the config, from the file to the process spec.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-config-watch-'));
after(() => rmSync(temp, { recursive: true, force: true }));

async function load(processes: unknown[]) {
  const file = path.join(temp, 'lucidlines.config.json');
  writeFileSync(file, JSON.stringify({ envFile: '.env', processes }, null, 2));
  writeFileSync(path.join(temp, '.env'), 'A=1\n');
  return loadConfig({ cwd: temp, flags: { config: file } });
}

describe('config: watch fields', () => {
  it('maps watch, watchIgnore and watchDebounce to the spec, with the default debounce', async () => {
    const result = await load([
      { name: 'web', command: 'vite', watch: 'src/**', watchIgnore: ['dist/**'], watchDebounce: 50 },
      { name: 'api', command: 'node api.js', watch: ['src/**', 'package.json'] },
      { name: 'db', command: 'db' },
    ]);
    assert.ok(result.ok, JSON.stringify(result));
    const [web, api, db] = result.config.processes;
    assert.deepEqual(web?.watch, { globs: ['src/**'], ignore: ['dist/**'], debounceMs: 50 });
    assert.deepEqual(api?.watch, { globs: ['src/**', 'package.json'], ignore: [], debounceMs: 200 });
    assert.equal(db?.watch, undefined);
    assert.deepEqual(result.config.envFiles, [path.join(temp, '.env')], 'the env files a reload watches');
  });

  it('refuses a negative debounce and an empty glob, naming the field', async () => {
    const result = await load([{ name: 'web', command: 'vite', watch: [''], watchDebounce: -1 }]);
    assert.equal(result.ok, false);
    const paths = result.ok
      ? []
      : result.problems.map((problem) => (problem.kind === 'field' ? problem.path : ''));
    assert.deepEqual(paths.sort(), ['processes[0].watchDebounce', 'processes[0].watch[0]']);
  });
});
