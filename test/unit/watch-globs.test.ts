import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globBases, globsMatcher, isAlwaysIgnored } from '../../src/behaviours/watch-globs.js';

describe('watch globs', () => {
  it('watches the folder each glob starts from, relative to the cwd', () => {
    assert.deepEqual(
      globBases('/repo/app', ['src/**/*.ts', 'src/**/*.css', '../lib/*.js', '**/*.md', 'package.json']),
      ['/repo/app/src', '/repo/lib', '/repo/app', '/repo/app/package.json'],
    );
  });

  it('matches absolute paths against the globs, a plain folder meaning everything in it', () => {
    const matches = globsMatcher('/repo/app', ['src/**/*.ts', 'config', '../lib/*.js']);
    assert.equal(matches('/repo/app/src/a/b.ts'), true);
    assert.equal(matches('/repo/app/src/.hidden/b.ts'), true, 'dot files are files too');
    assert.equal(matches('/repo/app/src/a/b.css'), false);
    assert.equal(matches('/repo/app/config/x.json'), true);
    assert.equal(matches('/repo/app/config'), true);
    assert.equal(matches('/repo/lib/x.js'), true);
    assert.equal(matches('/repo/lib/deep/x.js'), false);
    assert.equal(matches('/repo/other/src/a.ts'), false);
  });

  it('ignores a folder matched by an ignore glob as a whole, but never the cwd for a pattern of files', () => {
    const ignored = globsMatcher('/repo/app', ['dist/**', '**/*.log']);
    assert.equal(ignored('/repo/app/dist'), true, 'so the folder is not even read');
    assert.equal(ignored('/repo/app/dist/a.js'), true);
    assert.equal(ignored('/repo/app/x/y.log'), true);
    assert.equal(ignored('/repo/app'), false);
    assert.equal(ignored('/repo/app/src'), false);
  });

  it('always ignores node_modules and .git, judged below the cwd', () => {
    assert.equal(isAlwaysIgnored('/repo/app', '/repo/app/node_modules'), true);
    assert.equal(isAlwaysIgnored('/repo/app', '/repo/app/packages/x/node_modules/y/z.js'), true);
    assert.equal(isAlwaysIgnored('/repo/app', '/repo/app/.git/HEAD'), true);
    assert.equal(isAlwaysIgnored('/repo/app', '/repo/app/src/modules.ts'), false);
    assert.equal(isAlwaysIgnored('/repo/node_modules/pkg', '/repo/node_modules/pkg/src/a.ts'), false);
  });
});
