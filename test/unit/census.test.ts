import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type ProcessEntry, SharedCensus } from '../../src/process/census.js';
import {
  type ProcessIdentity,
  parseCmdline,
  parseEnvironBlock,
  parsePsCommands,
  parsePsEnvironment,
} from '../../src/process/environment-format.js';
import { parseLsofFields } from '../../src/process/lsof-format.js';
import { ProcessIdentities } from '../../src/process/process-identity.js';
import { parseProcStat, parsePsTable } from '../../src/process/process-table-format.js';
import { childEnvironment } from '../../src/process/spawn.js';

const macos = (name: string) => readFileSync(new URL(`../fixtures/macos/${name}`, import.meta.url), 'utf8');

describe('process table parsers', () => {
  it('reads pid, ppid, pgid, state, start time and usage from /proc/<pid>/stat, whatever the command name', () => {
    const stat =
      '4242 (we ird) (name)) S 4200 4242 4242 0 -1 4194560 1 0 0 0 7 5 0 0 20 0 1 0 987654 9000000 300 18446744073709551615';
    assert.deepEqual(parseProcStat(stat), {
      pid: 4242,
      ppid: 4200,
      pgid: 4242,
      zombie: false,
      startTime: '987654',
      usage: { cpuTicks: 12, rssPages: 300 },
    });
    assert.equal(parseProcStat('4242 (z) Z 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0')?.zombie, true);
    assert.equal(parseProcStat('garbage'), null);
  });

  it('reads `ps -axo pid=,ppid=,pgid=,stat=,lstart=` as macOS prints it (recorded sample)', () => {
    // Recorded with: ps -axo pid=,ppid=,pgid=,stat=,lstart=
    const entries = parsePsTable(macos('ps-axo-pid-ppid-pgid-stat-lstart.txt'));
    assert.equal(entries.length, 6);
    assert.deepEqual(entries[0], {
      pid: 1,
      ppid: 0,
      pgid: 1,
      zombie: false,
      startTime: 'Mon Mar 4 09:12:01 2024',
    });
    assert.deepEqual(entries[3], {
      pid: 58211,
      ppid: 58210,
      pgid: 58210,
      zombie: false,
      startTime: 'Tue Mar 5 14:03:17 2024',
    });
    assert.equal(entries[5]?.zombie, true);
  });
});

describe('environment parsers', () => {
  it('finds the run marker and the keep flag in /proc/<pid>/environ', () => {
    assert.deepEqual(parseEnvironBlock('PATH=/bin\0LUCIDLINES_RUN=abc.7\0LUCIDLINES_KEEP=1\0'), {
      marker: 'abc.7',
      keep: true,
    });
    assert.deepEqual(parseEnvironBlock('PATH=/bin\0LUCIDLINES_KEEP=0\0'), { marker: null, keep: false });
    assert.equal(parseCmdline('sleep\x00600\x00'), 'sleep 600');
  });

  it('reads `ps -E -ww -o pid=,command=` as macOS prints it (recorded sample)', () => {
    // Recorded with: ps -E -ww -o pid=,command= -p 58210,58211,58240,312
    const identities = parsePsEnvironment(macos('ps-E-ww-o-pid-command.txt'));
    assert.deepEqual([...identities], [
      [58210, { marker: '9f3c2a1b7e6d5c40.3', keep: false }],
      [58211, { marker: '9f3c2a1b7e6d5c40.3', keep: false }],
      [58240, { marker: '9f3c2a1b7e6d5c40.3', keep: true }],
      [312, { marker: null, keep: false }],
    ] satisfies [number, ProcessIdentity][]);
  });

  it('reads `ps -ww -o pid=,command=` as macOS prints it (recorded sample)', () => {
    // Recorded with: ps -ww -o pid=,command= -p 58210,58240
    const commands = parsePsCommands(macos('ps-ww-o-pid-command.txt'));
    assert.equal(
      commands.get(58240),
      '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome --no-first-run',
    );
  });
});

describe('lsof parser', () => {
  it('reads `lsof -F pftDi` as macOS prints it (recorded sample)', () => {
    // Recorded with: lsof -n -P -F pftDi
    const files = parseLsofFields(macos('lsof-F-pftDi.txt'));
    const fifos = files.filter((file) => file.type === 'FIFO');
    assert.deepEqual(fifos, [
      { pid: 58210, fd: '1', type: 'FIFO', device: 0x1000011, inode: 1048577 },
      { pid: 58210, fd: '2', type: 'FIFO', device: 0x1000011, inode: 1048578 },
      { pid: 58240, fd: '1', type: 'FIFO', device: 0x1000011, inode: 1048577 },
    ]);
    assert.deepEqual(
      files.find((file) => file.type === 'PIPE'),
      {
        pid: 58210,
        fd: '0',
        type: 'PIPE',
        device: null,
        inode: null,
      },
    );
  });
});

const entry = (pid: number, startTime = '1'): ProcessEntry => ({
  pid,
  ppid: 1,
  pgid: pid,
  zombie: false,
  startTime,
});

describe('SharedCensus', () => {
  it('serves every caller of one tick from one reading, and a caller never gets a reading older than its call', async () => {
    let reads = 0;
    let release = (): void => {};
    const census = new SharedCensus(async () => {
      reads++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return [entry(reads)];
    });
    const first = census.next();
    // Arriving while the first reading runs, 200 callers share the next one.
    const waiting = Array.from({ length: 200 }, () => census.next());
    release();
    assert.equal((await first).get(1)?.pid, 1);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const readings = await Promise.all(waiting);
    assert.equal(reads, 2);
    for (const reading of readings) assert.equal(reading.get(2)?.pid, 2);
  });
});

describe('ProcessIdentities', () => {
  it('reads each (pid, start time) once, again for a recycled pid, and forgets processes that are gone', async () => {
    const asked: number[][] = [];
    const identities = new ProcessIdentities(async (pids) => {
      asked.push([...pids]);
      return new Map(pids.map((pid) => [pid, { marker: `m.${pid}`, keep: false }]));
    });
    await Promise.all([identities.of([entry(10), entry(11)]), identities.of([entry(10), entry(11)])]);
    await identities.of([entry(10), entry(11), entry(12)]);
    const recycled = await identities.of([entry(10, '2')]);
    assert.deepEqual(asked, [[10, 11], [12], [10]]);
    assert.equal(recycled.get(10)?.marker, 'm.10');
    await identities.of([entry(11)]);
    assert.deepEqual(asked.at(-1), [11], 'pid 11 was dropped when it was missing from a census');
  });
});

describe('childEnvironment', () => {
  it('adds the run marker last and never passes the keep flag on', () => {
    const env = childEnvironment(
      { PATH: '/bin', LUCIDLINES_KEEP: '1', LUCIDLINES_RUN: 'outer.1' },
      { LUCIDLINES_RUN: 'spec' },
      { marker: 'abc.3' },
    );
    assert.equal(env.LUCIDLINES_RUN, 'abc.3');
    assert.equal(env.LUCIDLINES_KEEP, undefined);
    assert.equal(env.PATH, '/bin');
  });
});
