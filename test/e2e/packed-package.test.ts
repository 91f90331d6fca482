// Users get lucidlines from `npm pack` / the registry, not from this repository. This test packs the package,
// installs the tarball into a fresh project and runs `npx lucidlines` there, so a file missing from "files",
// a broken shebang or a path that only resolves inside the repository fails here rather than for a user.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ensureBuilt, ROOT } from '../fixtures/build.js';

const run = promisify(execFile);

function fetchText(url: string): Promise<{ status: number; body: string; csp: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          csp: response.headers['content-security-policy'] as string | undefined,
        }),
      );
    }).on('error', reject);
  });
}

describe('the packed package in a fresh project', () => {
  let project: string;
  const launchedGroups: ChildProcess[] = [];

  before(async () => {
    await ensureBuilt();
    project = await mkdtemp(path.join(tmpdir(), 'lucid-packed-'));
    // --ignore-scripts: the build is already fresh, and prepack would empty dist/ under other test files.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: ROOT });
    const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', `./${tarball}`], { cwd: project });
  });

  after(async () => {
    for (const launched of launchedGroups) {
      if (launched.pid !== undefined && launched.exitCode === null && launched.signalCode === null) {
        process.kill(-launched.pid, 'SIGKILL');
      }
    }
    await rm(project, { recursive: true, force: true });
  });

  /** Starts a command in its own process group, as a terminal runs a foreground job, and waits for the URL. */
  async function launch(command: string, args: string[]) {
    const launched = spawn(command, args, {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    launchedGroups.push(launched);
    let stderr = '';
    launched.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      launched.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const reader = createInterface({ input: launched.stdout as NodeJS.ReadableStream });
      reader.on('line', (line) => {
        lines.push(line);
        if (/^http:\/\/127\.0\.0\.1:\d+\/$/.test(line)) resolve(line);
      });
      launched.on('exit', (code) => reject(new Error(`${command} exited with ${code}: ${stderr}`)));
    });
    return {
      url,
      lines,
      exited,
      stderr: () => stderr,
      /** Ctrl-C in a terminal signals the whole foreground process group. */
      interrupt: () => process.kill(-(launched.pid as number), 'SIGINT'),
      groupId: launched.pid as number,
    };
  }

  async function waitForLine(lines: string[], pattern: RegExp): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (!lines.some((line) => pattern.test(line))) {
      assert.ok(Date.now() < deadline, `no line matching ${pattern} in:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  function liveMembersOfGroup(groupId: number): string[] {
    const table = execFileSync('ps', ['-A', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
    return table
      .split('\n')
      .map((row) => row.trim().split(/\s+/))
      .filter(([, pgid, stat]) => Number(pgid) === groupId && stat !== undefined && !stat.startsWith('Z'))
      .map(([pid]) => String(pid));
  }

  test('npx lucidlines runs the config, serves the viewer, and Ctrl-C leaves nothing running', async () => {
    await writeFile(
      path.join(project, 'lucidlines.config.json'),
      JSON.stringify({
        $schema: './node_modules/lucidlines/schema.json',
        processes: [{ name: 'hello', command: `node -e "console.log('hello from the packed package')"` }],
      }),
    );
    const run = await launch('npx', ['--no-install', 'lucidlines', '--port', '0']);

    const page = await fetchText(run.url);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script type="module" src="\.\/main\.js"><\/script>/, 'the bundled viewer page');
    assert.match(page.csp ?? '', /default-src 'none'/);
    const script = await fetchText(new URL('main.js', run.url).href);
    assert.equal(script.status, 200);
    assert.ok(script.body.length > 1000, 'the viewer bundle is served');
    const schema = JSON.parse(
      await readFile(path.join(project, 'node_modules/lucidlines/schema.json'), 'utf8'),
    );
    assert.equal(schema.type, 'object', 'schema.json ships with the package');
    await waitForLine(run.lines, /^\[hello\].*hello from the packed package/);

    run.interrupt();
    // npm itself dies of the SIGINT (its exit status is npm's affair); what matters is that lucidlines, in the
    // same group, shut down and that nothing of the group is left.
    await run.exited;
    const deadline = Date.now() + 60_000;
    while (liveMembersOfGroup(run.groupId).length > 0) {
      assert.ok(Date.now() < deadline, `still running: ${liveMembersOfGroup(run.groupId).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  test('the installed bin exits with code 0 after Ctrl-C', async () => {
    const run = await launch(path.join(project, 'node_modules', '.bin', 'lucidlines'), ['--port', '0']);
    await waitForLine(run.lines, /^\[hello\].*hello from the packed package/);
    run.interrupt();
    assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr());
  });

  test('a TypeScript project type-checks against the types of lucidlines/client and lucidlines/protocol', async () => {
    // The package ships declarations only for what its "exports" offer; a declaration they import that went
    // missing from the build would fail here, in strict mode and with the package's own .d.ts files checked.
    await writeFile(
      path.join(project, 'consumer.ts'),
      [
        "import { LucidLinesClient } from 'lucidlines/client';",
        "import type { ServerMessage } from 'lucidlines/protocol';",
        'export function firstOf(messages: readonly ServerMessage[]): string | undefined {',
        '  return messages[0]?.type;',
        '}',
        'export type Client = LucidLinesClient;',
        '',
      ].join('\n'),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const typeRoots = path.join(ROOT, 'node_modules', '@types');
    const options = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    const checked = await run(
      process.execPath,
      [tsc, ...options, '--target', 'es2022', '--typeRoots', typeRoots, '--types', 'node', 'consumer.ts'],
      { cwd: project },
    ).then(
      () => 'ok',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    assert.equal(checked, 'ok');
  });
});
