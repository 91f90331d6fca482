// Runs the built `bin/lucidlines.js` as a user would, against real processes and a real socket.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { cliHarness, isAlive } from '../fixtures/cli-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ticker = path.join(root, 'test', 'fixtures', 'cli-ticker.mjs');
const stubborn = path.join(root, 'test', 'fixtures', 'cli-stubborn.mjs');
const maxRssRecorder = path.join(root, 'test', 'fixtures', 'cli-max-rss.cjs');
const { temp, recordedPids, startCli, runToExit } = cliHarness('lucid-cli-');

function writeConfig(name: string, config: unknown): string {
  const dir = mkdtempSync(path.join(temp, `${name}-`));
  writeFileSync(
    path.join(dir, 'lucidlines.config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
  return dir;
}

describe('lucidlines (built bin)', () => {
  test('runs every process with prefixes, prints the URL alone on a line, and leaves nothing behind on SIGINT', async () => {
    const cwd = writeConfig('run', {
      processes: [
        // The shell forks the ticker and waits: killing only the shell would leave the ticker running.
        { name: 'alpha', command: `sh -c 'node "${ticker}" alpha & wait'` },
        { name: 'beta', command: `node "${ticker}" beta` },
      ],
    });
    // A number-like token must reach the server verbatim, not as the number 7.
    const run = startCli(['--port', '0', '--token', '007'], cwd);
    const [urlLine] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/\?token=007$/m, 'the viewer URL');
    const alpha = await run.waitForOutput(/^\[alpha\] +alpha started pid=(\d+)$/m, 'the alpha ticker');
    const beta = await run.waitForOutput(/^\[beta\] +beta started pid=(\d+)$/m, 'the beta ticker');
    await run.waitForOutput(/^\[alpha\] +alpha tick 1$/m, 'a tick from alpha');
    await run.waitForOutput(/^\[beta\] +! beta warning 5$/m, 'a stderr line from beta');
    const shells = [...run.stdout().matchAll(/^\[(?:alpha|beta)\] +running \(pid (\d+)\)$/gm)].map((m) =>
      Number(m[1]),
    );
    const pids = [Number(alpha[1]), Number(beta[1]), ...shells];
    assert.equal(pids.length, 4, run.stdout());
    for (const pid of pids) recordedPids.add(pid);
    for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} should run before SIGINT`);

    const response = await fetch(urlLine);
    assert.ok(response.status < 500, `the viewer answered ${response.status}`);
    await response.arrayBuffer();

    run.child.kill('SIGINT');
    const { code, signal } = await run.exit;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, run.stderr());
    const survivors = pids.filter(isAlive);
    assert.deepEqual(survivors, [], `still running after exit: ${survivors.join(', ')}`);
    assert.match(run.stdout(), /^\[alpha\] +stopped/m);
  });

  test('a second SIGINT kills processes that ignore SIGTERM without waiting for the kill timeout', async () => {
    const cwd = writeConfig('force', { processes: [{ name: 'stubborn', command: `node "${stubborn}"` }] });
    // A kill timeout far longer than the test timeout: only the forced path can finish in time.
    const run = startCli(['--port', '0', '--kill-timeout', '3600000'], cwd);
    const [, pid] = await run.waitForOutput(
      /^\[stubborn\] +stubborn started pid=(\d+)$/m,
      'the stubborn process',
    );
    recordedPids.add(Number(pid));
    run.child.kill('SIGINT');
    await run.waitForOutput(/stubborn ignores SIGTERM/, 'that SIGTERM was ignored');
    assert.equal(run.child.exitCode, null, 'lucidlines must wait for a process that ignores SIGTERM');
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.match(run.stderr(), /killing all processes now/);
    assert.equal(isAlive(Number(pid)), false);
  });

  test('keeps running and exits cleanly when its stdout reader goes away', async () => {
    const cwd = writeConfig('epipe', { processes: [{ name: 'beta', command: `node "${ticker}" beta` }] });
    const run = startCli(['--port', '0'], cwd);
    const [url] = await run.waitForOutput(/^http:\/\/127\.0\.0\.1:\d+\/$/m, 'the viewer URL');
    const [, pid] = await run.waitForOutput(/^\[beta\] +beta started pid=(\d+)$/m, 'the ticker');
    recordedPids.add(Number(pid));
    // The viewer's socket tells when lucidlines has handled more ticks, each of which it also wrote to the
    // terminal, that is, to the pipe whose reader is gone.
    const viewer = new WebSocket(new URL('ws', url).href.replace(/^http/, 'ws'));
    await new Promise((resolve, reject) => {
      viewer.once('open', resolve);
      viewer.once('error', reject);
    });
    run.child.stdout?.destroy();
    await new Promise<void>((resolve, reject) => {
      let ticks = 0;
      viewer.on('message', (data) => {
        const message = JSON.parse(String(data)) as {
          type: string;
          name?: string;
          output?: string;
          replay?: boolean;
        };
        // The replay re-sends ticks from before the reader went away; only live ones count.
        if (message.type === 'process' && message.name === 'beta' && message.replay !== true) {
          ticks += message.output?.match(/beta tick/g)?.length ?? 0;
          if (ticks >= 5) resolve();
        }
      });
      viewer.once('close', () =>
        reject(new Error(`lucidlines went away while nobody read:\n${run.stderr()}`)),
      );
    });
    viewer.close();
    assert.equal(run.child.exitCode, null, run.stderr());
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.equal(isAlive(Number(pid)), false);
  });

  test('--help prints the usage and exits 0; --version prints the version', async () => {
    const help = await runToExit(['--help'], temp);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage:/);
    assert.match(help.stdout, /--kill-timeout <ms>/);
    const version = await runToExit(['--version'], temp);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  test('an unknown flag or a positional argument exits 2 with a hint to --help', async () => {
    const flag = await runToExit(['--prot', '3000'], temp);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /UNKNOWN FLAG/);
    assert.match(flag.stderr, /--prot/);
    assert.match(flag.stderr, /Did you mean --port\?/);
    assert.match(flag.stderr, /lucidlines --help/);
    const value = await runToExit(['--port', '99999'], temp);
    assert.equal(value.code, 2);
    assert.match(value.stderr, /--port must be a whole number from 0 to 65535/);
    const positional = await runToExit(['start'], temp);
    assert.equal(positional.code, 2);
    assert.match(positional.stderr, /WRONG COMMAND LINE/, 'a bare client subcommand is a usage error');
    assert.match(positional.stderr, /lucidlines -- start/);
  });

  test('a bad config exits 1 naming the file, line, column and field', async () => {
    const cwd = writeConfig('bad', '{\n  "port": "8080",\n  "processes": [{ "name": "a" }]\n}');
    const result = await runToExit([], cwd);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /lucidlines\.config\.json:2:11 +port must be a whole number/);
    assert.match(result.stderr, /lucidlines\.config\.json:3:17 +processes\[0\]\.command is missing/);
    // Comments and trailing commas are allowed (JSONC), so the error must point at the missing comma.
    const syntax = await runToExit(
      [],
      writeConfig(
        'syntax',
        '{\n  // dev servers\n  "processes": [\n    { "name": "a" "command": "x" },\n  ],\n}',
      ),
    );
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /lucidlines\.config\.json:4:19 +Expected ","/);
    const names = await runToExit(
      [],
      writeConfig(
        'names',
        '{ "processes": [{ "name": "../up", "command": "x" }, { "name": "a", "command": "x" }] }',
      ),
    );
    assert.equal(names.code, 1);
    assert.match(names.stderr, /lucidlines\.config\.json:1:27 +processes\[0\]\.name must not contain "\/"/);
    const missing = await runToExit([], mkdtempSync(path.join(temp, 'none-')));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NOTHING TO RUN/);
    assert.match(missing.stderr, /lucidlines init/);
    const flag = await runToExit(['--max-clients', '0'], cwd);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--max-clients must be a whole number of at least 1/);
  });

  test('a missing cwd puts only that process in error; the others start (lucidlines.config.jsonc)', async () => {
    const cwd = mkdtempSync(path.join(temp, 'lost-cwd-'));
    writeFileSync(
      path.join(cwd, 'lucidlines.config.jsonc'),
      [
        '{',
        "  // The first folder does not exist; that is the engine's business, not a config error.",
        '  "processes": [',
        '    { "name": "lost", "command": "echo never", "cwd": "no/such/folder" },',
        `    { "name": "beta", "command": ${JSON.stringify(`node "${ticker}" beta`)} },`,
        '  ],',
        '}',
      ].join('\n'),
    );
    const run = startCli(['--port', '0'], cwd);
    const [, pid] = await run.waitForOutput(/^\[beta\] +beta started pid=(\d+)$/m, 'the beta ticker');
    recordedPids.add(Number(pid));
    await run.waitForOutput(/^\[lost\] +failed$/m, 'the lost process failing');
    await run.waitForOutput(
      /^\[lost\] +! .*its working directory .*no\/such\/folder does not exist\./m,
      'the reason, naming the missing folder',
    );
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    assert.equal(code, 0, run.stderr());
    assert.equal(isAlive(Number(pid)), false);
  });

  test('a 50 MB config with 1.3 million repeated names ends with a short message in bounded memory', async () => {
    const cwd = mkdtempSync(path.join(temp, 'huge-'));
    const item = '{ "name": "web", "command": "npm run dev" }';
    writeFileSync(
      path.join(cwd, 'lucidlines.config.json'),
      `{ "processes": [\n${`${item},\n`.repeat(1_300_000 - 1)}${item}\n] }`,
    );
    const rssFile = path.join(cwd, 'max-rss');
    const result = await runToExit([], cwd, {
      nodeOptions: ['--require', maxRssRecorder],
      env: { LUCIDLINES_TEST_MAX_RSS_FILE: rssFile },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /processes\[1\]\.name "web" is already the name of processes\[0\] \(2:11\)/);
    assert.match(result.stderr, /and more problems not shown/);
    assert.ok(result.stderr.length < 20_000, `printed ${result.stderr.length} characters`);
    const maxRssKiB = Number(readFileSync(rssFile, 'utf8'));
    // Measured at about 300 MiB; the bound only has to catch the old behaviour, which reached 2 GB.
    assert.ok(maxRssKiB < 1024 * 1024, `peak RSS ${Math.round(maxRssKiB / 1024)} MiB`);
  });

  test('a port in use exits 1 naming the port and the way out', async (t) => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    assert.ok(address !== null && typeof address === 'object');
    const cwd = writeConfig('busy', { processes: [{ name: 'beta', command: `node "${ticker}" beta` }] });
    const result = await runToExit(['--port', String(address.port)], cwd);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /PORT IN USE/);
    assert.match(result.stderr, new RegExp(`port ${address.port}\\b`));
    assert.match(result.stderr, /--port 0/);
    assert.doesNotMatch(result.stdout, /beta started/);

    // A non-loopback host turns a token on; the busy port keeps the test from listening on the network.
    const exposed = await runToExit(['--host', '0.0.0.0', '--port', String(address.port)], cwd);
    assert.equal(exposed.code, 1);
    assert.match(exposed.stderr, /VIEWER REACHABLE FROM THE NETWORK/);
    assert.match(exposed.stderr, /random access token/);
    assert.match(exposed.stderr, /PORT IN USE/);
  });
});
