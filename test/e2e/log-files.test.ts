// Persisted logs with the built CLI and a real process tree: `--log-dir`, a restart through the WebSocket, a
// separator per run, rotation at the size cap, ANSI stripped, and never the token in a file or an API answer.

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { ROOT } from '../fixtures/build.js';
import { cliHarness, isAlive } from '../fixtures/cli-harness.js';

const { temp, recordedPids, startCli } = cliHarness('lucid-logs-');
const fixture = path.join(ROOT, 'test', 'fixtures', 'log-colors.mjs');
const TOKEN = 'log-files-e2e-token';

/** Sends one command over the WebSocket and closes once it is on the wire. */
async function sendCommand(pageUrl: string, command: unknown): Promise<void> {
  const page = new URL(pageUrl);
  const ws = new WebSocket(`ws://${page.host}/ws${page.search}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await new Promise<void>((resolve, reject) =>
    ws.send(JSON.stringify(command), (error) => (error ? reject(error) : resolve())),
  );
  ws.close();
}

describe('log files (built bin)', () => {
  test('survive a restart with a separator per run, rotate at the cap, and hold neither ANSI nor the token', async () => {
    const cwd = mkdtempSync(path.join(temp, 'project-'));
    writeFileSync(
      path.join(cwd, 'lucidlines.config.json'),
      JSON.stringify({
        logMaxBytes: 2048,
        logKeep: 5,
        processes: [{ name: 'web', command: `node "${fixture}"` }],
      }),
    );
    const run = startCli(['--port', '0', '--token', TOKEN, '--log-dir', 'logs'], cwd);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/m, 'the viewer URL');
    const [, first] = await run.waitForOutput(/^\[web\] +filled pid=(\d+)\b/m, 'the first run');
    recordedPids.add(Number(first));

    await sendCommand(url, { type: 'command', action: 'restart', target: 'web' });
    const [, second] = await run.waitForOutput(
      new RegExp(`^\\[web\\] +filled pid=(?!${first}\\b)(\\d+)\\b`, 'm'),
      'the second run',
    );
    recordedPids.add(Number(second));

    const api = await fetch(new URL('/api/processes', url), {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const answer = await api.text();
    assert.equal(api.status, 200);
    assert.ok(!answer.includes(TOKEN));
    const [web] = (JSON.parse(answer) as { processes: { pid: number; restarts: number }[] }).processes;
    assert.deepEqual([web?.pid !== undefined, web?.restarts], [true, 1]);

    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    for (const pid of [first, second]) assert.equal(isAlive(Number(pid)), false);

    const dir = path.join(cwd, 'logs');
    const files = readdirSync(dir).sort();
    assert.ok(files.includes('web.log') && files.includes('web.1.log'), `files: ${files}`);
    for (const file of files) assert.ok(statSync(path.join(dir, file)).size <= 2048, file);
    const generations = files.map((file) => Number(/^web\.(?:(\d+)\.)?log$/.exec(file)?.[1] ?? 0));
    const text = generations
      .sort((a, b) => b - a)
      .map((generation) =>
        readFileSync(path.join(dir, generation === 0 ? 'web.log' : `web.${generation}.log`), 'utf8'),
      )
      .join('');
    assert.ok(!text.includes('\x1b'), 'ANSI is stripped');
    assert.ok(!text.includes(TOKEN), 'the token is in no log file');
    // The separator names the pid lucidlines started (the shell); the fixture prints its own.
    const runs = text.split(/^──── run \d+ · \S+ \S+ · (started|restarted on request) · pid \d+ ────\n/m);
    assert.deepEqual(
      [runs.length, runs[0], runs[1], runs[3]],
      [5, '', 'started', 'restarted on request'],
      text,
    );
    for (const [run, pid] of [
      [runs[2], first],
      [runs[4], second],
    ]) {
      assert.match(run ?? '', new RegExp(`^ready pid=${pid}\\nfiller 0 of pid ${pid}\\n`));
      assert.match(run ?? '', new RegExp(`^filled pid=${pid}$`, 'm'));
    }
  });
});
