// Ctrl-C of the real built CLI with descendants that escaped their tree: a setsid orphan, a double-fork
// daemon, an orphan that cleared its environment but still holds the output pipe, and one that asked to
// be kept. lucidlines must exit, name what it swept, and leave only the kept one running.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../fixtures/build.js';
import { cliHarness, isAlive } from '../fixtures/cli-harness.js';

const daemonFixture = path.join(ROOT, 'test', 'fixtures', 'process-daemon.mjs');
const { temp, recordedPids, startCli } = cliHarness('lucid-escape-');

const which = (name: string): string =>
  execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();

test('Ctrl-C ends lucidlines, stops escaped descendants and names them, and spares LUCIDLINES_KEEP=1', async () => {
  const [setsid, sleep] = [which('setsid'), which('sleep')];
  writeFileSync(
    path.join(temp, 'lucidlines.config.json'),
    JSON.stringify({
      processes: [
        // The issue's own command: the shell exits at once and the orphan holds the output pipe.
        { name: 'orphan', command: 'setsid sleep 600 & echo "started orphan=$!"' },
        { name: 'daemon', command: `node "${daemonFixture}"` },
        // No marker left (env -i): only the output pipe it still holds ties it to us.
        {
          name: 'unmarked',
          command: `sh -c 'env -i ${setsid} ${sleep} 602 & echo "started unmarked=$!"'; exec ${sleep} 900`,
        },
        // Kept, and holding the output pipe: lucidlines must exit all the same.
        {
          name: 'kept',
          command: `LUCIDLINES_KEEP=1 setsid sleep 603 & echo "started kept=$!"; exec sleep 901`,
        },
      ],
    }),
  );
  const run = startCli(['--port', '0'], temp);
  const waitFor = (pattern: RegExp) => run.waitForOutput(pattern, String(pattern));
  const pidOf = async (pattern: RegExp) => {
    const pid = Number((await waitFor(pattern))[1]);
    recordedPids.add(pid);
    return pid;
  };
  const orphan = await pidOf(/started orphan=(\d+)/);
  const daemon = await pidOf(/daemon started pid=(\d+)/);
  const unmarked = await pidOf(/started unmarked=(\d+)/);
  const kept = await pidOf(/started kept=(\d+)/);
  // The orphan's shell exits at once; the cleanup after that exit sweeps it by its marker.
  await waitFor(
    new RegExp(`\\[orphan\\].*also stopped 1 process.*${orphan} "sleep 600" \\(it carried its run marker\\)`),
  );
  assert.ok(isAlive(daemon), 'the daemon runs until Ctrl-C');
  assert.ok(isAlive(unmarked), 'the unmarked orphan runs until Ctrl-C');

  run.child.kill('SIGINT');
  assert.equal((await run.exit).code, 0, run.stderr());
  const stdout = run.stdout();
  const survivors = [orphan, daemon, unmarked].filter(isAlive);
  assert.deepEqual(survivors, [], `still running after exit: ${survivors.join(', ')}\n${stdout}`);
  assert.ok(isAlive(kept), 'the LUCIDLINES_KEEP=1 process must survive');
  assert.match(
    stdout,
    new RegExp(
      `\\[daemon\\].*also stopped 1 process.*${daemon} ".*process-daemon.*" \\(it carried its run marker\\)`,
    ),
  );
  assert.match(
    stdout,
    new RegExp(`\\[unmarked\\].*also stopped 1 process.*${unmarked} ".*sleep 602" \\(it held its output\\)`),
  );
  assert.doesNotMatch(stdout, new RegExp(`also stopped.*${kept}`));
});
