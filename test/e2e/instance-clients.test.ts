// The clients of a running instance, end to end: the built CLI runs a project, and `status`, `logs`,
// `restart`, `stop`, `start` and `mcp` are run from a folder nested inside it, finding it through the runtime
// file, as a developer in a second terminal or a coding agent would.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { INSTANCE_FILE } from '../../src/instance.js';
import { stateFolderChain } from '../../src/project-state.js';
import { BIN, type CliRun, cliHarness, isAlive } from '../fixtures/cli-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ticker = path.join(root, 'test', 'fixtures', 'cli-ticker.mjs');
const ready = path.join(root, 'test', 'fixtures', 'instance-ready.mjs');
const { temp, recordedPids, startCli, runToExit } = cliHarness('lucid-instance-');

const ESC = '\u001b';
const TOKEN = 'instance-test-token-4f1c9a';
/** The runtime folder of these tests alone, so no other lucidlines on the machine is ever found. */
const runtime = path.join(temp, 'runtime');
mkdirSync(runtime, { mode: 0o700 });
const env = { XDG_RUNTIME_DIR: runtime };

const project = realpathSync(temp);
mkdirSync(path.join(project, '.git'));
writeFileSync(
  path.join(project, 'lucidlines.config.json'),
  JSON.stringify({
    processes: [
      { name: 'web', command: `node "${ticker}" web` },
      { name: 'api', command: `node "${ready}"` },
    ],
  }),
);
const nested = path.join(project, 'packages', 'web', 'src');
mkdirSync(nested, { recursive: true });
const runtimeFile = path.join(
  stateFolderChain(project, { env, tmpdir, uid: process.getuid?.() ?? null }).at(-1) ?? '',
  INSTANCE_FILE,
);

const client = (args: string[]) => runToExit(args, nested, { env });

/** Every word the clients printed, to check the token never appears in any of it. */
const printed: string[] = [];
async function clientOk(args: string[]): Promise<string> {
  const result = await client(args);
  printed.push(result.stdout, result.stderr);
  assert.equal(
    result.code,
    0,
    `lucidlines ${args.join(' ')}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
  );
  return result.stdout;
}

let instance: CliRun | null = null;
after(() => {
  instance?.child.kill('SIGKILL');
});

describe('clients of a running instance (built bin)', () => {
  test('without an instance, and with a stale runtime file, every client exits 3 with a clear message', async () => {
    for (const args of [['status'], ['logs'], ['restart', 'web'], ['stop', 'web'], ['start', 'web']]) {
      const result = await client(args);
      assert.equal(result.code, 3, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /NO RUNNING LUCIDLINES/);
    }
    // A runtime file left by a lucidlines that was killed: its pid is dead now.
    const dead = spawnSync(process.execPath, ['-e', '0']);
    mkdirSync(path.dirname(runtimeFile), { recursive: true, mode: 0o700 });
    writeFileSync(
      runtimeFile,
      JSON.stringify({
        version: 1,
        pid: dead.pid,
        processStartTime: '1',
        startedAt: 1,
        host: '127.0.0.1',
        port: 9,
        wsPath: '/ws',
        token: null,
      }),
      { mode: 0o600 },
    );
    const stale = await client(['status']);
    assert.equal(stale.code, 3, stale.stderr);
    assert.match(stale.stderr, new RegExp(`pid ${dead.pid}\\)[^]*ignored`));
  });

  test('a running instance writes its runtime file (mode 0600) and answers status from a nested folder', async () => {
    instance = startCli(['--port', '0', '--token', TOKEN], project, { env });
    await instance.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/m, 'the viewer URL');
    const web = await instance.waitForOutput(/^\[web\] +web started pid=(\d+)$/m, 'the web ticker');
    const api = await instance.waitForOutput(/api ready\S* pid=(\d+)/m, 'the api');
    recordedPids.add(Number(web[1]));
    recordedPids.add(Number(api[1]));
    await instance.waitForOutput(/^\[web\] +web tick 2$/m, 'two ticks');

    assert.equal(statSync(runtimeFile).mode & 0o777, 0o600);
    const record = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { pid: number; token: string };
    assert.equal(record.pid, instance.child.pid);
    assert.equal(record.token, TOKEN);

    const table = await clientOk(['status']);
    assert.match(table, /^NAME +STATUS +PID +UPTIME +RESTARTS +URLS$/m);
    assert.match(table, /^web +running +\d+ +\d+s +0 +-$/m);
    const json = JSON.parse(await clientOk(['status', '--json'])) as {
      processes: { name: string; status: string; pid: number; restarts: number; uptimeMs: number }[];
    };
    assert.deepEqual(
      json.processes.map(({ name, status, restarts }) => ({ name, status, restarts })),
      [
        { name: 'web', status: 'running', restarts: 0 },
        { name: 'api', status: 'running', restarts: 0 },
      ],
    );
    assert.ok(json.processes.every((process) => process.uptimeMs >= 0));
  });

  test('logs prints the scrollback with the terminal prefixes, filtered, cut, uncoloured or as HTML', async () => {
    const all = await clientOk(['logs']);
    assert.match(all, /^\[web\] +web started pid=\d+$/m);
    assert.match(all, /^\[web\] ! web warning 5$/m, 'stderr lines carry the terminal’s "!" mark');
    assert.ok(all.includes('\u001b[32mapi ready'), 'colours are kept by default');

    const last = await clientOk(['logs', 'web', '--lines', '2']);
    assert.equal(last.trimEnd().split('\n').length, 2, last);
    assert.doesNotMatch(last, /\[api\]/);

    const grepped = await clientOk(['logs', '--grep', 'warning \\d+$']);
    assert.ok(
      grepped
        .trimEnd()
        .split('\n')
        .every((line) => /web warning \d+$/.test(line)),
      grepped,
    );

    const plain = await clientOk(['logs', 'api', '--no-color']);
    assert.match(plain, /^\[api\] +api ready pid=\d+$/m);
    assert.ok(!plain.includes(ESC), 'no escape codes with --no-color');

    const html = await clientOk(['logs', 'api', '--html']);
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /api ready/);

    const unknown = await client(['logs', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no process named nope/);
    const usage = await client(['logs', '--lines', 'many']);
    assert.equal(usage.code, 2);
  });

  test('logs --follow prints live lines until Ctrl-C', async () => {
    const follow = startCli(['logs', 'web', '--follow'], nested, { env });
    await follow.waitForOutput(/^\[web\] +web tick \d+$/m, 'the scrollback');
    // A tick newer than everything a later connection replays cannot be in this one's replay: it came live.
    const latest = Number(
      /web tick (\d+)\n$/.exec(await clientOk(['logs', 'web', '--grep', 'tick', '--lines', '1']))?.[1],
    );
    assert.ok(latest > 0);
    await follow.waitForOutput(new RegExp(`^\\[web\\] +web tick ${latest + 1}$`, 'm'), 'a live tick');
    follow.child.kill('SIGINT');
    assert.deepEqual(await follow.exit, { code: 0, signal: null }, `stderr: ${follow.stderr()}`);
  });

  test('restart, stop and start wait for the resulting state and say it; failures exit non-zero', async () => {
    const before = JSON.parse(await clientOk(['status', '--json'])) as { processes: { pid: number }[] };
    const restarted = await clientOk(['restart', 'web']);
    const newPid = /^web: running \(pid (\d+)\)$/m.exec(restarted)?.[1];
    assert.ok(newPid !== undefined, restarted);
    recordedPids.add(Number(newPid));
    assert.notEqual(Number(newPid), before.processes[0]?.pid);

    assert.match(await clientOk(['stop', 'api']), /^api: stopped$/m);
    assert.match(await clientOk(['start', 'api']), /^api: running \(pid \d+\)$/m);
    const all = await clientOk(['restart', '--all']);
    assert.match(all, /^web: running/m);
    assert.match(all, /^api: running/m);

    const unknown = await client(['restart', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no process named nope/);
    assert.equal((await client(['restart'])).code, 2, 'restart needs names or --all');
    assert.equal((await client(['start', '--all'])).code, 2);
  });

  test('an MCP client lists the tools, reads logs, waits for output and restarts, without ever seeing the token', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp'],
      cwd: nested,
      env: { ...(process.env as Record<string, string>), ...env },
      stderr: 'pipe',
    });
    const mcp = new Client({ name: 'lucidlines-test', version: '1.0.0' });
    await mcp.connect(transport);
    const texts: string[] = [];
    const call = async (name: string, args: Record<string, unknown>) => {
      const result = (await mcp.callTool({ name, arguments: args })) as {
        content: { type: string; text: string }[];
        isError?: boolean;
      };
      const text = result.content.map((part) => part.text).join('\n');
      texts.push(text);
      return { text, isError: result.isError === true };
    };
    try {
      const { tools } = await mcp.listTools();
      assert.deepEqual(tools.map((tool) => tool.name).sort(), [
        'list_processes',
        'read_logs',
        'restart_process',
        'start_process',
        'stop_process',
        'wait_for_output',
      ]);

      const listed = await call('list_processes', {});
      assert.equal(listed.isError, false);
      assert.deepEqual(
        (JSON.parse(listed.text) as { processes: { name: string }[] }).processes.map((p) => p.name),
        ['web', 'api'],
      );

      const logs = await call('read_logs', { name: 'api' });
      assert.match(logs.text, /^api ready pid=\d+$/m);
      assert.ok(!logs.text.includes(ESC), 'escape codes are stripped');
      const grepped = await call('read_logs', { name: 'web', grep: 'warning', context: 1, lines: 7 });
      assert.match(grepped.text, /web warning \d+/);
      assert.ok(grepped.text.split('\n').length <= 7);

      const next = await call('wait_for_output', { name: 'web', pattern: 'web tick \\d+', timeout: 60_000 });
      assert.match(next.text, /^Matched: web tick \d+$/);
      const recent = await call('wait_for_output', {
        name: 'api',
        pattern: 'api ready',
        timeout: 60_000,
        includeRecent: true,
      });
      assert.match(recent.text, /^Matched \(in recent output\): api ready pid=\d+$/);

      const announcedPids = async () =>
        (await call('read_logs', { name: 'api', grep: 'api ready' })).text.match(/(?<=pid=)\d+/g) ?? [];
      const before = await announcedPids();
      assert.ok(before.length > 0);
      const restarted = await call('restart_process', { name: 'api' });
      assert.equal(restarted.isError, false, restarted.text);
      const shellPid = /^api: running \(pid (\d+)\)$/.exec(restarted.text)?.[1];
      assert.ok(shellPid !== undefined, restarted.text);
      recordedPids.add(Number(shellPid));
      // The new run announces a pid no earlier run had, whether before this call or after it.
      const announced = await call('wait_for_output', {
        name: 'api',
        pattern: `api ready pid=(?!(?:${before.join('|')})\\b)\\d+`,
        timeout: 60_000,
        includeRecent: true,
      });
      assert.equal(announced.isError, false, announced.text);
      recordedPids.add(Number(/pid=(\d+)/.exec(announced.text)?.[1]));

      const unknown = await call('stop_process', { name: 'nope' });
      assert.equal(unknown.isError, true);
      assert.match(unknown.text, /no process named nope/);
    } finally {
      await mcp.close();
    }
    for (const text of texts) assert.ok(!text.includes(TOKEN), `the token leaked into MCP output: ${text}`);
  });

  test('Ctrl-C removes the runtime file and leaves nothing running; the token was printed only in the URL', async () => {
    const run = instance;
    assert.ok(run !== null);
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.throws(() => statSync(runtimeFile), { code: 'ENOENT' });
    const survivors = [...recordedPids].filter(isAlive);
    assert.deepEqual(survivors, [], `still running: ${survivors.join(', ')}`);
    const tokens = run.stdout().split(TOKEN).length - 1;
    const urls = run.stdout().match(/http:\/\/127\.0\.0\.1:\d+\/\?token=/g)?.length ?? 0;
    assert.ok(tokens > 0 && tokens === urls, 'the token appears in the printed viewer URL only');
    for (const text of printed) assert.ok(!text.includes(TOKEN), `a client printed the token: ${text}`);

    const after = await client(['status']);
    assert.equal(after.code, 3);
    const mcp = new Client({ name: 'lucidlines-test', version: '1.0.0' });
    await mcp.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        cwd: nested,
        env: { ...(process.env as Record<string, string>), ...env },
        stderr: 'pipe',
      }),
    );
    try {
      const result = (await mcp.callTool({ name: 'list_processes', arguments: {} })) as {
        content: { text: string }[];
        isError?: boolean;
      };
      assert.equal(result.isError, true);
      assert.match(result.content[0]?.text ?? '', /NO RUNNING LUCIDLINES/);
    } finally {
      await mcp.close();
    }
  });
});
