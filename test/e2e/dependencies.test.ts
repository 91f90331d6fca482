// Readiness and dependencies through the built CLI: what the terminal says, the config errors, and that a
// start held back forever by a failed dependency does not keep Ctrl-C from stopping everything.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliHarness, isAlive } from '../fixtures/cli-harness.js';

const server = fileURLToPath(new URL('../fixtures/ready-server.mjs', import.meta.url));
const { temp, recordedPids, startCli, runToExit } = cliHarness('lucid-deps-');

function writeConfig(name: string, text: string): string {
  const dir = mkdtempSync(path.join(temp, `${name}-`));
  writeFileSync(path.join(dir, 'lucidlines.config.json'), text);
  return dir;
}

const command = (args: string) => JSON.stringify(`node "${server}" ${args}`);

describe('readiness and dependencies (built bin)', () => {
  test('starts in order, says why a start waits, and stops on SIGINT while one waits for a failed step', async () => {
    const cwd = writeConfig(
      'order',
      JSON.stringify({
        processes: [
          { name: 'api', command: JSON.parse(command('never')), dependsOn: ['db'] },
          { name: 'db', command: JSON.parse(command('pattern')), readyPattern: '^ready in \\d+ ms$' },
          {
            name: 'web',
            command: JSON.parse(command('never')),
            dependsOn: [{ name: 'lint', condition: 'completed' }],
          },
          { name: 'lint', command: JSON.parse(command('exit 3')) },
        ],
      }),
    );
    const run = startCli(['--port', '0'], cwd);
    await run.waitForOutput(/^\[api\] +waiting for db$/m, 'api waiting for db');
    await run.waitForOutput(/^\[web\] +waiting for lint$/m, 'web waiting for lint');
    await run.waitForOutput(/^\[db\] +ready \(pattern matched\), running \(pid \d+\)$/m, 'db ready');
    await run.waitForOutput(/^\[api\] +running \(pid \d+\)$/m, 'api running');
    await run.waitForOutput(
      /^\[web\] +! "web" is waiting for "lint", which failed/m,
      'the failed step notice',
    );
    const stdout = run.stdout();
    assert.ok(stdout.indexOf('[db]') < stdout.search(/^\[api\] +running/m));
    for (const match of stdout.matchAll(/pid=(\d+)/g)) recordedPids.add(Number(match[1]));
    assert.doesNotMatch(stdout, /^\[web\] +(booting|running)/m, 'web never started');

    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    const survivors = [...recordedPids].filter(isAlive);
    assert.deepEqual(survivors, [], `still running after exit: ${survivors.join(', ')}`);
  });

  test('refuses a dependsOn cycle and an unknown name, naming them with file, line and column', async () => {
    const cwd = writeConfig(
      'cycle',
      [
        '{ "processes": [',
        `  { "name": "a", "command": ${command('never')}, "dependsOn": ["b"] },`,
        `  { "name": "b", "command": ${command('never')}, "dependsOn": ["a", "c"] }`,
        '] }',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await runToExit(['--port', '0'], cwd);
    assert.notEqual(code, 0);
    assert.equal(stdout, '');
    assert.match(
      stderr,
      /lucidlines\.config\.json:3:\d+ +processes\[1\]\.dependsOn\[0\] closes a dependsOn cycle: a → b → a\./,
    );
    assert.match(
      stderr,
      /lucidlines\.config\.json:3:\d+ +processes\[1\]\.dependsOn\[1\] names no process: there is no process called "c"/,
    );
  });
});
