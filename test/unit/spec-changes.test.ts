import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProcessSpec } from '../../src/process/spec.js';
import { hasSpecChanges, specChanges } from '../../src/process/spec-changes.js';

const spec = (name: string, extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
  name,
  command: `run ${name}`,
  cwd: '/repo',
  env: {},
  ...extra,
});

describe('specChanges', () => {
  it('sorts every process into added, removed, changed or unchanged by comparing values', () => {
    const changes = specChanges(
      [spec('keep', { env: { A: '1', B: '2' } }), spec('drop'), spec('edit'), spec('watch')],
      [
        spec('new'),
        spec('edit', { command: 'run edit --fast' }),
        spec('keep', { env: { B: '2', A: '1' } }),
        spec('watch', { watch: { globs: ['src/**'], ignore: [], debounceMs: 200 } }),
      ],
    );
    assert.deepEqual(
      changes.added.map((s) => s.name),
      ['new'],
    );
    assert.deepEqual(changes.removed, ['drop']);
    assert.deepEqual(
      changes.changed.map((s) => s.name),
      ['edit', 'watch'],
    );
    assert.deepEqual(changes.unchanged, ['keep'], 'the order of env keys is not a change');
    assert.equal(hasSpecChanges(changes), true);
  });

  it('finds no change in an equal list, even reordered', () => {
    const changes = specChanges([spec('a'), spec('b')], [spec('b'), spec('a')]);
    assert.equal(hasSpecChanges(changes), false);
    assert.deepEqual(changes.unchanged, ['b', 'a']);
  });
});
