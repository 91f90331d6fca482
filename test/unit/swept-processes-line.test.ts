import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweptProcessesLine } from '../../src/errors.js';

test('names each swept process with its pid, how it was found, and a command cut in the middle', () => {
  const longPath = `/home/someone/${'deep/'.repeat(20)}node_modules/.bin/vite`;
  const line = sweptProcessesLine([
    { pid: 41, command: `node ${longPath} --open`, foundBy: 'marker' },
    { pid: 42, command: 'sleep 600', foundBy: 'pipe' },
  ]);
  assert.match(line, /also stopped 2 processes/);
  // The start names the program and the end names the script; only the middle of the path is dropped.
  assert.match(
    line,
    /41 "node \/home\/someone\/[^"]*…[^"]*\.bin\/vite --open" \(it carried its run marker\)/,
  );
  assert.match(line, /42 "sleep 600" \(it held its output\)/);
  const shown = /41 "([^"]*)"/.exec(line)?.[1] ?? '';
  assert.equal(shown.length, 60);
  assert.match(line, /LUCIDLINES_KEEP=1/);
});
