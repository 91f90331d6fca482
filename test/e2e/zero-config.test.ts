// Zero config end to end: the built `bin/lucidlines.js` on fixture repositories made in temp folders, with
// real processes. Every wait is on something lucidlines or a child printed, never on time.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { type CliRun, cliHarness, isAlive } from '../fixtures/cli-harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ticker = path.join(root, 'test', 'fixtures', 'cli-ticker.mjs');
const { temp, recordedPids, startCli, runToExit } = cliHarness('lucid-zero-');

/** Writes `files` (path → text, or an object written as JSON) under a new folder and returns the folder. */
function makeRepo(name: string, files: Record<string, string | object>): string {
  const dir = mkdtempSync(path.join(temp, `${name}-`));
  mkdirSync(path.join(dir, '.git'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(
      path.join(dir, file),
      typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`,
    );
  }
  return dir;
}

const tick = (label: string) => `node "${ticker}" ${label}`;

/** An npm workspace with two apps that have `dev` and `start`, and a library with neither. */
function workspace(name: string): string {
  return makeRepo(name, {
    'package.json': { name: 'root', private: true, workspaces: ['apps/*', 'packages/*'] },
    'package-lock.json': '{}',
    'apps/web/package.json': {
      name: '@acme/web',
      scripts: { dev: tick('web-dev'), start: tick('web-start') },
    },
    'apps/api/package.json': {
      name: '@acme/api',
      scripts: { dev: tick('api-dev'), start: tick('api-start') },
    },
    'packages/lib/package.json': { name: '@acme/lib' },
  });
}

/** Stops lucidlines with Ctrl-C and checks it exits 0 and that none of `pids` survives. */
async function stopAndCheck(run: CliRun, pids: number[]): Promise<void> {
  for (const pid of pids) recordedPids.add(pid);
  run.child.kill('SIGINT');
  const { code } = await run.exit;
  assert.equal(code, 0, run.stderr());
  for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} survived Ctrl-C`);
}

describe('zero config (built bin)', () => {
  test('run from a nested folder, the config file at the repository root is used', async () => {
    const repo = makeRepo('nested', {
      'lucidlines.config.json': { processes: [{ name: 'rooted', command: tick('rooted') }] },
      'apps/web/src/.keep': '',
    });
    const run = startCli(['--port', '0'], path.join(repo, 'apps', 'web', 'src'));
    const [, pid] = await run.waitForOutput(
      /^\[rooted\] +rooted started pid=(\d+)$/m,
      'the root config process',
    );
    assert.doesNotMatch(run.stdout(), /no config file/);
    await stopAndCheck(run, [Number(pid)]);
  });

  test('with no config, the dev scripts of the workspace run, from any folder, and Ctrl-C leaves nothing', async () => {
    const repo = workspace('discover');
    const run = startCli(['--port', '0'], path.join(repo, 'apps', 'web'));
    await run.waitForOutput(
      /no config file, so it runs the 2 processes found in .*\(npm: from the package-lock\.json file\)/,
      'the summary',
    );
    assert.match(run.stdout(), /^ {2}api +@acme\/api +apps\/api +npm run dev$/m);
    assert.match(run.stdout(), /^ {2}web +@acme\/web +apps\/web +npm run dev$/m);
    assert.match(run.stdout(), /lucidlines init/);
    const [, web] = await run.waitForOutput(/^\[web\] +web-dev started pid=(\d+)$/m, 'the web dev script');
    const [, api] = await run.waitForOutput(/^\[api\] +api-dev started pid=(\d+)$/m, 'the api dev script');
    assert.doesNotMatch(run.stdout(), /\[lib\]/);
    await stopAndCheck(run, [Number(web), Number(api)]);
  });

  test('--script picks another script and --filter narrows the packages', async () => {
    const repo = workspace('script-filter');
    const run = startCli(['--port', '0', '--script', 'start', '--filter', '@acme/w*'], repo);
    await run.waitForOutput(/runs the 1 process found/, 'the summary');
    const [, web] = await run.waitForOutput(
      /^\[web\] +web-start started pid=(\d+)$/m,
      'the web start script',
    );
    assert.doesNotMatch(run.stdout(), /\[api\]/);
    await stopAndCheck(run, [Number(web)]);

    const both = startCli(['--port', '0', '--filter', 'apps/api', '--filter', 'web'], repo);
    await both.waitForOutput(/runs the 2 processes found/, 'the summary of two filters');
    const [, webDev] = await both.waitForOutput(/^\[web\] +web-dev started pid=(\d+)$/m, 'web');
    const [, apiDev] = await both.waitForOutput(/^\[api\] +api-dev started pid=(\d+)$/m, 'api');
    await stopAndCheck(both, [Number(webDev), Number(apiDev)]);

    const none = await runToExit(['--filter', 'nothing-matches'], repo);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /NOTHING TO RUN/);
    assert.match(none.stderr, /--filter nothing-matches/);
  });

  test('nothing to run exits 1 with the ways out, and a broken package.json is named', async () => {
    const empty = await runToExit(
      [],
      makeRepo('empty', { 'package.json': { name: 'x', scripts: { build: 'tsc' } } }),
    );
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /NOTHING TO RUN/);
    assert.match(empty.stderr, /lucidlines init/);
    const broken = await runToExit([], makeRepo('broken', { 'package.json': '{ "name": ' }));
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /CANNOT READ THE WORKSPACE/);
    assert.match(broken.stderr, /package\.json/);
  });

  test('init writes the discovered config at the repository root, refuses to overwrite without --force', async () => {
    const repo = workspace('init');
    const nested = path.join(repo, 'apps', 'api');
    const first = await runToExit(['init'], nested);
    assert.equal(first.code, 0, first.stderr);
    const file = path.join(repo, 'lucidlines.config.json');
    assert.match(first.stdout, /wrote \.\.\/\.\.\/lucidlines\.config\.json with the processes it found/);
    const written = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    assert.deepEqual(written, {
      $schema: './node_modules/lucidlines/schema.json',
      processes: [
        { name: 'api', command: 'npm run dev', cwd: 'apps/api' },
        { name: 'web', command: 'npm run dev', cwd: 'apps/web' },
      ],
    });
    const loaded = await loadConfig({ cwd: nested, flags: {} });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    assert.deepEqual(
      loaded.config.processes.map((spec) => [spec.name, spec.cwd]),
      [
        ['api', path.join(repo, 'apps', 'api')],
        ['web', path.join(repo, 'apps', 'web')],
      ],
    );

    writeFileSync(file, '{ "processes": [{ "name": "mine", "command": "x" }] }');
    const again = await runToExit(['init'], repo);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /CONFIG FILE EXISTS/);
    assert.match(again.stderr, /lucidlines\.config\.json already exists/);
    assert.match(again.stderr, /lucidlines init --force/);
    assert.match(readFileSync(file, 'utf8'), /"mine"/);

    const forced = await runToExit(['init', '--force', '--script', 'start', '--filter', 'web'], repo);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual((JSON.parse(readFileSync(file, 'utf8')) as { processes: unknown }).processes, [
      { name: 'web', command: 'npm run start', cwd: 'apps/web' },
    ]);
  });

  test('init with nothing to discover writes a commented starter that the loader accepts', async () => {
    const repo = makeRepo('starter', {});
    const result = await runToExit(['init'], repo);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote a starter to fill in/);
    const text = readFileSync(path.join(repo, 'lucidlines.config.json'), 'utf8');
    assert.match(text, /^ *\/\/ /m);
    const loaded = await loadConfig({ cwd: repo, flags: {} });
    assert.ok(loaded.ok, JSON.stringify(loaded));
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(
      loaded.config.processes.map(({ name, command, cwd, env }) => ({ name, command, cwd, env })),
      [{ name: 'web', command: 'npm run dev', cwd: repo, env: { PORT: '3000' } }],
    );
  });

  test('commands on the command line run with derived names, or with --names', async () => {
    const dir = makeRepo('ad-hoc', {});
    const derived = startCli(['--port', '0', tick('one'), `${tick('two')}`], dir);
    const [, one] = await derived.waitForOutput(
      /^\[cli-ticker\] +one started pid=(\d+)$/m,
      'the first command',
    );
    const [, two] = await derived.waitForOutput(
      /^\[cli-ticker-2\] +two started pid=(\d+)$/m,
      'the second command',
    );
    assert.match(derived.stdout(), /running 2 processes/);
    await stopAndCheck(derived, [Number(one), Number(two)]);

    const named = startCli(['--names', 'web,api', '--port', '0', tick('w'), tick('a')], dir);
    const [, web] = await named.waitForOutput(/^\[web\] +w started pid=(\d+)$/m, 'the command named web');
    const [, api] = await named.waitForOutput(/^\[api\] +a started pid=(\d+)$/m, 'the command named api');
    await stopAndCheck(named, [Number(web), Number(api)]);

    const wrong = await runToExit(['--names', 'a/b', 'x y'], dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--names "a\/b" must not contain "\/"/);
  });

  test('a reserved word or one close to it exits 2; -- runs it as a command', async () => {
    const dir = makeRepo('reserved', { 'bin/stop': '#!/bin/sh\necho "the stop program ran"\n' });
    chmodSync(path.join(dir, 'bin', 'stop'), 0o755);
    const reserved = await runToExit(['stop'], dir);
    assert.equal(reserved.code, 2);
    assert.match(reserved.stderr, /WRONG COMMAND LINE/, 'a bare client subcommand is a usage error');
    assert.match(reserved.stderr, /lucidlines -- stop/);
    const typo = await runToExit(['stauts'], dir);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /Did you mean lucidlines status\?/);
    assert.match(typo.stderr, /lucidlines -- stauts/);

    const forced = startCli(['--port', '0', '--', 'stop'], dir, {
      env: { PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}` },
    });
    await forced.waitForOutput(/^\[stop\] +the stop program ran$/m, 'the stop program');
    await forced.waitForOutput(/^\[stop\] +exited with code 0$/m, 'its exit');
    await stopAndCheck(forced, []);
  });

  test('env files: inherited < top-level file < process file < env, each seen by a real child', async () => {
    const show = `node -e "console.log('vars', [process.env.A, process.env.B, process.env.C, process.env.D, process.env.QUOTED, process.env.MULTI].join('|'))"`;
    const repo = makeRepo('env', {
      '.env': [
        '# shared',
        'B=top',
        'export C=top',
        'D=top',
        'QUOTED="a # not a comment"',
        "MULTI='line one",
        "line two'",
        '',
      ].join('\n'),
      'apps/web/.env.web': 'C=process\nD=process\n',
      'lucidlines.config.json': {
        envFile: '.env',
        processes: [{ name: 'web', command: show, envFile: ['apps/web/.env.web'], env: { D: 'env' } }],
      },
    });
    const inherited = { A: 'inherited', B: 'inherited', C: 'inherited', D: 'inherited' };
    const run = startCli(['--port', '0'], repo, { env: inherited });
    await run.waitForOutput(
      /^\[web\] +vars inherited\|top\|process\|env\|a # not a comment\|line one$/m,
      'the variables',
    );
    await run.waitForOutput(/^\[web\] +line two$/m, 'the second line of the multi-line value');
    await run.waitForOutput(/^\[web\] +exited with code 0$/m, 'its exit');
    await stopAndCheck(run, []);
  });

  test('env files: a missing top-level file or a bad line refuses; a missing process file fails only that process', async () => {
    const missingTop = await runToExit(
      ['--port', '0'],
      makeRepo('env-top', {
        'lucidlines.config.json': { envFile: '.env.missing', processes: [{ name: 'a', command: 'true' }] },
      }),
    );
    assert.equal(missingTop.code, 1);
    assert.match(missingTop.stderr, /ENV FILE MISSING/);
    assert.match(missingTop.stderr, /\.env\.missing +does not exist/);

    const badLine = await runToExit(
      ['--port', '0'],
      makeRepo('env-bad', {
        '.env': 'A=1\nthis is not an assignment\n',
        'lucidlines.config.json': { processes: [{ name: 'a', command: 'true', envFile: '.env' }] },
      }),
    );
    assert.equal(badLine.code, 1);
    assert.match(badLine.stderr, /ENV FILE PROBLEMS/);
    assert.match(badLine.stderr, /\.env:2 +this is not an assignment +has no "="/);

    const repo = makeRepo('env-process', {
      'lucidlines.config.json': {
        processes: [
          { name: 'lost', command: tick('lost'), envFile: '.env.lost' },
          { name: 'fine', command: tick('fine') },
        ],
      },
    });
    const run = startCli(['--port', '0'], repo);
    await run.waitForOutput(
      /^\[lost\] ! Process "lost" could not be started: its env file \.env\.lost does not exist\./m,
      'the reason',
    );
    await run.waitForOutput(/^\[lost\] +failed$/m, 'the error state');
    const [, fine] = await run.waitForOutput(/^\[fine\] +fine started pid=(\d+)$/m, 'the other process');
    assert.doesNotMatch(run.stdout(), /lost started/);
    await stopAndCheck(run, [Number(fine)]);
  });
});
