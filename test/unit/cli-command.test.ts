import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classify } from '../../src/cli/command.js';
import { commandProcessNames, namesFromFlag } from '../../src/config/command-names.js';

describe('classify', () => {
  test('no words runs the config or discovery; words run as commands', () => {
    assert.deepEqual(classify({ port: '0' }, [], false), { kind: 'run', flags: { port: '0' } });
    assert.deepEqual(classify({}, ['npm run dev', 'vite'], false), {
      kind: 'commands',
      flags: {},
      commands: ['npm run dev', 'vite'],
    });
  });

  test('a reserved word is a subcommand, one close to it a typo, and -- makes both commands', () => {
    assert.deepEqual(classify({ force: true }, ['init'], false), { kind: 'init', flags: { force: true } });
    assert.deepEqual(classify({ port: '1' }, ['kill', 'web'], false), {
      kind: 'client-subcommand-not-first',
      subcommand: 'kill',
    });
    // cli.ts hands a client subcommand that comes first its own arguments; reaching here, it came after flags.
    assert.deepEqual(classify({ port: '1' }, ['logs', 'web'], false), {
      kind: 'client-subcommand-not-first',
      subcommand: 'logs',
    });
    assert.deepEqual(classify({}, ['stauts'], false), { kind: 'typo', word: 'stauts', subcommand: 'status' });
    assert.deepEqual(classify({}, ['init', 'x'], false), {
      kind: 'unexpected-argument',
      subcommand: 'init',
      argument: 'x',
    });
    assert.deepEqual(classify({}, ['stop'], true), { kind: 'commands', flags: {}, commands: ['stop'] });
    // A command of several words is never taken for a misspelt subcommand.
    assert.equal(classify({}, ['stat us'], false).kind, 'commands');
  });

  test('a flag that means nothing in the chosen mode is refused', () => {
    assert.deepEqual(classify({ port: '1' }, ['init'], false), {
      kind: 'flag-not-applicable',
      flag: '--port',
      mode: 'with lucidlines init',
      usedWith: 'to run processes (with a config file, discovery or commands)',
    });
    assert.equal(classify({ names: 'a' }, [], false).kind, 'flag-not-applicable');
    assert.equal(classify({ force: true }, [], false).kind, 'flag-not-applicable');
    assert.equal(classify({ config: 'x.json' }, ['vite'], false).kind, 'flag-not-applicable');
    assert.equal(classify({ filter: ['web'] }, ['vite'], false).kind, 'flag-not-applicable');
  });
});

describe('command names', () => {
  test('are derived from the script, the program file or the program, and made unique', () => {
    assert.deepEqual(
      commandProcessNames([
        'npm run dev',
        'pnpm dev',
        'node --watch "apps/api/server.js"',
        'vite --port 3000',
        './scripts/.hidden.sh',
        'npm run dev',
      ]),
      ['dev', 'dev-2', 'server', 'vite', 'hidden', 'dev-3'],
    );
  });

  test('--names must give one valid, unique name per command', () => {
    assert.deepEqual(namesFromFlag('web, api', 2), { ok: true, names: ['web', 'api'] });
    assert.deepEqual(namesFromFlag('web', 2), { ok: false, problem: 'gives 1 name for 2 commands.' });
    assert.deepEqual(namesFromFlag('a,a', 2), { ok: false, problem: 'names "a" twice.' });
    const hidden = namesFromFlag('.x,y', 2);
    assert.equal(hidden.ok, false);
    assert.match(hidden.ok ? '' : hidden.problem, /^"\.x" must not start with "\."/);
  });
});
