import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SETTINGS } from '../../src/config/fields.js';
import { FLAG_HELP, parseCommandLine } from '../../src/config/flags.js';

describe('parseCommandLine', () => {
  test('keeps every value as typed: no number conversion of "0123" or "1e3"', () => {
    assert.deepEqual(parseCommandLine(['--token', '0123', '--port=1e3', '--ws-path', '/0x10']), {
      kind: 'run',
      flags: { token: '0123', port: '1e3', wsPath: '/0x10' },
      positionals: [],
      afterDashDash: false,
    });
  });

  test('reads switches and their --no- form, the last one winning', () => {
    assert.deepEqual(parseCommandLine(['--open']), {
      kind: 'run',
      flags: { open: true },
      positionals: [],
      afterDashDash: false,
    });
    assert.deepEqual(parseCommandLine(['--open', '--no-open']), {
      kind: 'run',
      flags: { open: false },
      positionals: [],
      afterDashDash: false,
    });
    assert.deepEqual(parseCommandLine(['--port', '1', '--port', '2']), {
      kind: 'run',
      flags: { port: '2' },
      positionals: [],
      afterDashDash: false,
    });
  });

  test('marks a value flag without a value, also when the next word is another flag', () => {
    assert.deepEqual(parseCommandLine(['--port']), {
      kind: 'run',
      flags: { port: true },
      positionals: [],
      afterDashDash: false,
    });
    assert.deepEqual(parseCommandLine(['--config', '--host', 'h']), {
      kind: 'run',
      flags: { config: true },
      positionals: [],
      afterDashDash: false,
    });
    assert.deepEqual(parseCommandLine(['--max-clients', '--open']), {
      kind: 'run',
      flags: { maxClients: true },
      positionals: [],
      afterDashDash: false,
    });
    assert.deepEqual(parseCommandLine(['--port=-1']), {
      kind: 'run',
      flags: { port: '-1' },
      positionals: [],
      afterDashDash: false,
    });
  });

  test('names an unknown flag with a suggestion, including a --no- form of a value flag', () => {
    assert.deepEqual(parseCommandLine(['--prot', '3000']), {
      kind: 'unknown-flag',
      flag: '--prot',
      suggestion: '--port',
    });
    assert.deepEqual(parseCommandLine(['--max-client', '3']), {
      kind: 'unknown-flag',
      flag: '--max-client',
      suggestion: '--max-clients',
    });
    assert.deepEqual(parseCommandLine(['--no-port']), {
      kind: 'unknown-flag',
      flag: '--no-port',
      suggestion: null,
    });
    assert.deepEqual(parseCommandLine(['-x']), { kind: 'unknown-flag', flag: '-x', suggestion: null });
  });

  test('keeps positional arguments in order, notes a --, and refuses a value given to a switch', () => {
    assert.deepEqual(parseCommandLine(['init', '--force']), {
      kind: 'run',
      flags: { force: true },
      positionals: ['init'],
      afterDashDash: false,
    });
    assert.deepEqual(parseCommandLine(['--filter', 'a', '--filter=b', '--', 'npm run dev', 'vite']), {
      kind: 'run',
      flags: { filter: ['a', 'b'] },
      positionals: ['npm run dev', 'vite'],
      afterDashDash: true,
    });
    assert.deepEqual(parseCommandLine(['--open=yes']), { kind: 'switch-with-value', flag: '--open' });
  });

  test('answers --help and --version, short forms included', () => {
    assert.deepEqual(parseCommandLine(['-h']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['--port', '1', '--help']), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['-v']), { kind: 'version' });
  });
});

test('every settings field with a flag declaration has a flag in --help, and no other field does', () => {
  const helped = FLAG_HELP.map((flag) => flag.flags.split(' ')[0]);
  for (const [key, declaration] of Object.entries(SETTINGS)) {
    const long = `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    const hasFlag = declaration.kind === 'field' && 'flag' in declaration;
    assert.equal(helped.includes(long), hasFlag, key);
  }
  assert.ok(helped.includes('--max-clients'));
});
