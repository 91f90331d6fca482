// History (issue 15) for `lucidlines logs`: the server replays only the newest `replayLines` lines, and the
// command pages back through the rest, so it still prints all the retained output it printed before.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliHarness } from '../fixtures/cli-harness.js';

const writer = fileURLToPath(new URL('../fixtures/history-numbered.mjs', import.meta.url));
const { temp, startCli, runToExit } = cliHarness('lucid-logs-history-');
const TOTAL_LINES = 3000;

/** The numbers of the "line N" lines printed, in order, whatever prefix the printer puts before them. */
function numbersIn(stdout: string): number[] {
  return [...stdout.matchAll(/line (\d+)$/gm)].map((match) => Number(match[1]));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

describe('lucidlines logs with a replay shorter than the scrollback', () => {
  test('prints every retained line, the last --lines, and --grep matches older than the replay', async () => {
    const dir = mkdtempSync(path.join(temp, 'config-'));
    writeFileSync(
      path.join(dir, 'lucidlines.config.json'),
      JSON.stringify({
        replayLines: 100,
        processes: [
          { name: 'numbers', command: `node "${writer}" ${TOTAL_LINES} 10` },
          { name: 'other', command: `node "${writer}" 500 5` },
        ],
      }),
    );
    const run = startCli(['--port', '0', '--no-open'], dir);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/\S*$/m, 'the viewer URL');
    await run.waitForOutput(new RegExp(`line ${TOTAL_LINES}$`, 'm'), 'the last line in the terminal');
    const logs = async (...args: string[]) => {
      const result = await runToExit(['logs', '--url', url as string, '--no-color', ...args], dir);
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };

    assert.deepEqual(numbersIn(await logs('numbers')), range(1, TOTAL_LINES));
    assert.deepEqual(numbersIn(await logs('numbers', '--lines', '1500')), range(1501, TOTAL_LINES));
    assert.deepEqual(numbersIn(await logs('numbers', '--grep', '^line 1[0-9]$')), range(10, 19));
    const both = await logs();
    assert.equal(numbersIn(both).length, TOTAL_LINES + 500, 'both processes, all of their lines');
    assert.match(await logs('numbers', '--html'), /line 1\b/);
    run.child.kill('SIGINT');
    assert.equal((await run.exit).code, 0, run.stderr());
  });
});
