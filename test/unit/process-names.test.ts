import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runScriptCommand } from '../../src/config/package-manager.js';
import { packageProcessNames, safeName } from '../../src/config/process-names.js';

const names = (packages: [packageName: string | undefined, folder: string][]) =>
  packageProcessNames(packages.map(([packageName, folder]) => ({ packageName, folder }))).map(
    ({ name, renamed }) => `${name}${renamed ? ' (renamed)' : ''}`,
  );

describe('packageProcessNames', () => {
  test('drops the scope when names stay unique', () => {
    assert.deepEqual(
      names([
        ['@acme/web', 'apps/web'],
        ['api', 'apps/api'],
        [undefined, 'tools/codegen'],
      ]),
      ['web', 'api', 'codegen'],
    );
  });

  test('a clash gives every scoped package its scope; an unscoped one keeps the short name', () => {
    assert.deepEqual(
      names([
        ['@acme/web', 'a'],
        ['@other/web', 'b'],
        ['web', 'c'],
      ]),
      ['acme-web (renamed)', 'other-web (renamed)', 'web'],
    );
  });

  test('a clash the scope cannot settle takes the folder path, then a number', () => {
    assert.deepEqual(
      names([
        ['web', 'apps/web'],
        ['web', 'legacy/web'],
      ]),
      ['apps-web (renamed)', 'legacy-web (renamed)'],
    );
    assert.deepEqual(
      names([
        ['x', 'a-b/c'],
        ['x', 'a/b-c'],
      ]),
      ['a-b-c (renamed)', 'a-b-c-2 (renamed)'],
    );
  });

  test('a scoped rename that lands on another package name is settled by folders', () => {
    assert.deepEqual(
      names([
        ['@acme/web', 'one'],
        ['@other/web', 'two'],
        ['acme-web', 'three'],
      ]),
      ['one (renamed)', 'other-web (renamed)', 'three (renamed)'],
    );
  });
});

describe('safeName', () => {
  test('keeps ordinary names', () => {
    for (const name of ['web', 'api-server', 'docs_v2', 'app.admin', 'Ünïcode'])
      assert.equal(safeName(name), name);
  });

  test('replaces separators, whitespace and control characters, and drops leading dots and dashes', () => {
    assert.equal(safeName('a/b\\c'), 'a-b-c');
    assert.equal(safeName('my  server\t1'), 'my-server-1');
    assert.equal(safeName('bell\u0007zero\u200bwidth'), 'bell-zero-width');
    assert.equal(safeName('../../etc'), 'etc');
    assert.equal(safeName('.hidden'), 'hidden');
    assert.equal(safeName('-flag'), 'flag');
  });

  test('never returns an empty name and stays within 50 characters', () => {
    assert.equal(safeName('...'), 'package');
    assert.equal(safeName('/'), 'package');
    const long = safeName(`${'x'.repeat(49)}/tail`);
    assert.equal(long, 'x'.repeat(49));
  });
});

describe('runScriptCommand', () => {
  test('plain script names stay bare; others are single-quoted for the shell', () => {
    assert.equal(runScriptCommand('pnpm', 'dev'), 'pnpm run dev');
    assert.equal(runScriptCommand('yarn', 'dev:web'), 'yarn run dev:web');
    assert.equal(runScriptCommand('npm', 'dev all'), `npm run 'dev all'`);
    assert.equal(runScriptCommand('bun', "it's"), `bun run 'it'\\''s'`);
  });
});
