import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import {
  discoveredProcessesMessage,
  discoveryProblemMessage,
  envFileProblemsMessage,
  nothingToRunMessage,
} from '../../src/errors.js';

const plain = (text: string) => stripVTControlCharacters(text);

describe('zero-config messages', () => {
  test('found: one aligned line per process, renamed ones marked, and how to save it', () => {
    const text = plain(
      discoveredProcessesMessage({
        kind: 'found',
        root: '/repo',
        packageManager: { name: 'pnpm', source: 'pnpm-lock.yaml file' },
        processes: [
          {
            name: 'acme-web',
            command: 'pnpm run dev',
            cwd: '/repo/apps/web',
            packageName: '@acme/web',
            renamed: true,
          },
          { name: 'api', command: 'pnpm run dev', cwd: '/repo/packages/api', packageName: '@acme/api' },
        ],
      }),
    );
    assert.equal(
      text,
      [
        'lucidlines: no config file, so it runs the 2 processes found in /repo (pnpm: from the pnpm-lock.yaml file):',
        '  acme-web  @acme/web  apps/web      pnpm run dev  renamed: another package has the same short name',
        '  api       @acme/api  packages/api  pnpm run dev',
        'To keep this list and change it, save it as lucidlines.config.json:',
        '    lucidlines init',
        '',
      ].join('\n'),
    );
  });

  test('nothing: what was looked for and the two ways out', () => {
    const text = plain(
      nothingToRunMessage({
        kind: 'nothing',
        root: '/repo',
        lookedFor: ['a "workspaces" field in package.json', 'a "dev" script in /repo/package.json'],
      }),
    );
    assert.match(text, /NOTHING TO RUN/);
    assert.match(text, /found no script to run in \/repo\./);
    assert.match(
      text,
      / {2}- a "workspaces" field in package.json\n {2}- a "dev" script in \/repo\/package.json/,
    );
    assert.match(text, /lucidlines init/);
    assert.match(text, /create lucidlines.config.json yourself/);
  });

  test('a workspace file that cannot be read names the file and the reason', () => {
    const text = plain(
      discoveryProblemMessage({
        kind: 'problem',
        file: '/repo/packages/b/package.json',
        reason: 'is not valid: x',
      }),
    );
    assert.match(text, /\/repo\/packages\/b\/package.json is not valid: x/);
  });

  test('env files: a missing file, and bad lines with file and line number', () => {
    const missing = plain(envFileProblemsMessage([{ kind: 'missing', file: '/repo/.env' }]));
    assert.match(missing, /ENV FILE MISSING/);
    assert.match(missing, /\/repo\/.env {2}does not exist\./);
    const invalid = plain(
      envFileProblemsMessage([
        {
          kind: 'invalid',
          file: '/repo/.env',
          problems: [{ line: 3, text: 'oops', message: 'has no "=".' }],
        },
        { kind: 'missing', file: '/repo/.env.local' },
      ]),
    );
    assert.match(invalid, /ENV FILE PROBLEMS/);
    assert.match(invalid, /\/repo\/.env:3 {2}oops {2}has no "="\./);
    assert.match(invalid, /\/repo\/.env.local {2}does not exist\./);
  });
});
