// Log files over a scripted ProcessControl and real files in a temporary folder: stripping, separators per run,
// appending across runs of lucidlines, rotation at the size cap, and the bounded queue in front of a slow disk.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  attachLogFiles,
  type LogFileHandle,
  type LogFileSystem,
  type LogFilesOptions,
} from '../../src/output/log-files.js';
import { FakeControl } from '../fixtures/server-test-kit.js';

const SEPARATOR = /^──── run (\d+) · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · ([^·]+) · pid (\d+) ────$/;

describe('log files', () => {
  let root: string;
  let count = 0;
  const failures: string[] = [];

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'lucidlines-logs-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function options(overrides: Partial<LogFilesOptions> = {}): LogFilesOptions {
    return {
      dir: path.join(root, `case-${++count}`, 'logs'),
      format: 'text',
      maxBytes: 1024 * 1024,
      keep: 3,
      onFailure: (file, error) => failures.push(`${file}: ${error.message}`),
      ...overrides,
    };
  }

  it('writes stripped text with a separator for every run, and appends across runs of lucidlines', async () => {
    const settings = options();
    const control = new FakeControl(['web']);
    let logs = attachLogFiles(control, settings);
    control.beginRun('web', 1, 4001, 'start');
    control.output('web', '\x1b[32mcompiled\x1b[39m in 120 ms\n');
    control.output('web', 'half a line');
    control.setStatus('web', { status: 'running' });
    control.beginRun('web', 2, 4002, 'auto-restart');
    control.output('web', 'warn\n', 'stderr');
    await logs.close();

    logs = attachLogFiles(control, settings);
    control.beginRun('web', 1, 4003, 'start');
    control.output('web', 'again\n');
    await logs.close();

    const lines = (await readFile(path.join(settings.dir, 'web.log'), 'utf8')).split('\n');
    assert.deepEqual(
      lines.map((line) => SEPARATOR.exec(line)?.slice(1) ?? line),
      [
        ['1', 'started', '4001'],
        'compiled in 120 ms',
        'half a line',
        ['2', 'restarted automatically', '4002'],
        'warn',
        ['1', 'started', '4003'],
        'again',
        '',
      ],
    );
    assert.deepEqual(failures, []);
  });

  it('keeps each process in its own file, in order, however their output interleaves', async () => {
    const settings = options();
    const control = new FakeControl(['web', 'api']);
    const logs = attachLogFiles(control, settings);
    control.beginRun('web', 1, 4001, 'start');
    control.beginRun('api', 1, 5001, 'start');
    for (let index = 0; index < 100; index++) {
      control.output('web', `web ${index}\n`);
      control.output('api', `api ${index}\n`);
      if (index % 30 === 0) await logs.flushed();
    }
    await logs.close();
    for (const name of ['web', 'api']) {
      const lines = (await readFile(path.join(settings.dir, `${name}.log`), 'utf8')).split('\n').slice(1, -1);
      assert.deepEqual(
        lines,
        Array.from({ length: 100 }, (_, index) => `${name} ${index}`),
      );
    }
  });

  it('keeps the escape codes with format "ansi"', async () => {
    const settings = options({ format: 'ansi' });
    const control = new FakeControl(['web']);
    const logs = attachLogFiles(control, settings);
    control.beginRun('web', 1, 4001, 'start');
    control.output('web', '\x1b[32mcompiled\x1b[39m\n');
    await logs.close();
    const text = await readFile(path.join(settings.dir, 'web.log'), 'utf8');
    assert.ok(text.endsWith('\x1b[32mcompiled\x1b[39m\n'), JSON.stringify(text));
  });

  it('rotates at the size cap and keeps logKeep older files, none above the cap', async () => {
    const settings = options({ maxBytes: 1024, keep: 2 });
    const control = new FakeControl(['web']);
    const logs = attachLogFiles(control, settings);
    control.beginRun('web', 1, 4001, 'start');
    const written: string[] = [];
    for (let line = 0; line < 400; line++) {
      const text = `line ${String(line).padStart(4, '0')} ünïcödé\n`;
      written.push(text);
      control.output('web', text);
      // Waiting for each write makes the writer rotate many times rather than once for one big write.
      if (line % 20 === 0) await logs.flushed();
    }
    // One piece larger than a whole file is split across files too.
    const big = `${'é'.repeat(1500)}\n`;
    written.push(big);
    control.output('web', big);
    await logs.close();

    const files = (await readdir(settings.dir)).sort();
    assert.deepEqual(files, ['web.1.log', 'web.2.log', 'web.log']);
    const sizes = await Promise.all(
      files.map(async (file) => (await stat(path.join(settings.dir, file))).size),
    );
    assert.ok(
      sizes.every((size) => size > 0 && size <= 1024),
      `sizes ${sizes}`,
    );
    const kept = ['web.2.log', 'web.1.log', 'web.log'].map((file) => readFile(path.join(settings.dir, file)));
    const joined = Buffer.concat(await Promise.all(kept)).toString('utf8');
    assert.ok(!joined.includes('\ufffd'), 'no character was cut in two at a file boundary');
    assert.ok(written.join('').endsWith(joined), 'the files hold the newest output, in order');
  });

  it('drops output beyond the queue bound while the disk is stalled, and notes how much is missing', async () => {
    let release = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const appended: string[] = [];
    const fileSystem: LogFileSystem = {
      async makeDirectory() {},
      async openForAppend(): Promise<LogFileHandle> {
        return {
          size: 0,
          async append(data) {
            await stalled;
            appended.push(data.toString('utf8'));
          },
          async close() {},
        };
      },
      async move() {},
      async remove() {},
    };
    const control = new FakeControl(['web']);
    const logs = attachLogFiles(control, options({ fileSystem, maxQueuedChars: 100 }));
    control.beginRun('web', 1, 4001, 'start');
    // The first write takes the queue's content and stalls; everything after it waits in the bounded queue.
    control.output('web', 'first\n');
    await new Promise((resolve) => setImmediate(resolve));
    for (let index = 0; index < 50; index++) control.output('web', `line ${index}\n`);
    release();
    await logs.flushed();
    control.output('web', 'after the stall\n');
    await logs.close();
    const text = appended.join('');
    const kept = text.match(/^line \d+$/gm) ?? [];
    assert.ok(kept.length > 0 && kept.length < 50, `kept ${kept.length} of 50 lines`);
    const note =
      /^──── lucidlines: (\d+) characters of output are missing here: the disk did not keep up ────$/m.exec(
        text,
      );
    assert.ok(note !== null, text);
    const dropped = Array.from({ length: 50 }, (_, index) => `line ${index}\n`)
      .filter((line) => !text.includes(line))
      .join('').length;
    assert.equal(Number(note[1]), dropped);
    assert.ok(text.endsWith(`${note[0]}\nafter the stall\n`), text);
  });

  it('reports a folder it cannot create once, and the processes carry on', async () => {
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, 'not a folder');
    const reported: string[] = [];
    const control = new FakeControl(['web']);
    const logs = attachLogFiles(control, {
      ...options({ dir: path.join(blocker, 'logs') }),
      onFailure: (file) => reported.push(file),
    });
    control.beginRun('web', 1, 4001, 'start');
    control.output('web', 'one\n');
    await logs.flushed();
    control.output('web', 'two\n');
    await logs.close();
    assert.deepEqual(reported, [path.join(blocker, 'logs')]);
  });
});
