import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleLoadingFlags } from '../../src/process/watchdog.js';

describe('the Node flags the watchdog inherits', () => {
  it('keeps the module loaders and conditions, in both spellings', () => {
    assert.deepEqual(
      moduleLoadingFlags(['--import', 'tsx', '--conditions=development', '-r', './hook.cjs', '--loader=x']),
      ['--import', 'tsx', '--conditions=development', '-r', './hook.cjs', '--loader=x'],
    );
  });

  it('drops code to evaluate, the inspector and test runner flags', () => {
    assert.deepEqual(
      moduleLoadingFlags([
        '--eval',
        'await run()',
        '-e',
        'run()',
        '--inspect=9229',
        '--test-timeout=180000',
        '--import',
        'tsx',
        '--max-old-space-size=4096',
      ]),
      ['--import', 'tsx'],
    );
  });
});
