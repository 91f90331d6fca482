import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseByteSize } from '../../src/config/byte-size.js';
import { pathText } from '../../src/config/field-path.js';
import { healthAndMemory } from '../../src/config/health-spec.js';
import { validateFile } from '../../src/config/validate.js';

function validate(process: Record<string, unknown>) {
  const result = validateFile({ processes: [{ name: 'web', command: 'npm run dev', ...process }] });
  const problems = result.issues.items.map((issue) => ({
    path: pathText(issue.path),
    message: typeof issue.message === 'string' ? issue.message : '(positional)',
  }));
  return {
    problems,
    spec: result.processes[0] === undefined ? undefined : healthAndMemory(result.processes[0]),
  };
}

describe('healthCheck and maxMemory config', () => {
  test('sizes: bytes, or a number with K, M, G or T (powers of 1024), with or without B or iB', () => {
    assert.equal(parseByteSize(1000), 1000);
    assert.equal(parseByteSize('1000'), 1000);
    assert.equal(parseByteSize('512M'), 512 * 1024 ** 2);
    assert.equal(parseByteSize('512 MiB'), 512 * 1024 ** 2);
    assert.equal(parseByteSize('1g'), 1024 ** 3);
    assert.equal(parseByteSize('1.5GB'), 1.5 * 1024 ** 3);
    assert.equal(parseByteSize('2K'), 2048);
    for (const wrong of [
      0,
      -5,
      1.5,
      '',
      '0',
      'M',
      '12 parsecs',
      '1e9',
      '5 P',
      true,
      null,
      Number.MAX_VALUE,
    ]) {
      assert.equal(parseByteSize(wrong), null, String(wrong));
    }
  });

  test('a valid check becomes a spec with the defaults filled in', () => {
    assert.deepEqual(validate({ healthCheck: { url: 'http://localhost:3000/health' }, maxMemory: '1G' }), {
      problems: [],
      spec: {
        healthCheck: {
          url: 'http://localhost:3000/health',
          hosts: ['127.0.0.1', '::1'],
          intervalMs: 10_000,
          timeoutMs: 3000,
          failures: 3,
          restart: false,
        },
        maxMemoryBytes: 1024 ** 3,
      },
    });
    assert.deepEqual(
      validate({
        healthCheck: {
          port: 5432,
          host: 'db.local',
          interval: 500,
          timeout: 200,
          failures: 1,
          restart: true,
        },
      }).spec,
      {
        healthCheck: {
          port: 5432,
          hosts: ['db.local'],
          intervalMs: 500,
          timeoutMs: 200,
          failures: 1,
          restart: true,
        },
      },
    );
    assert.deepEqual(validate({}).spec, {});
  });

  test('each mistake is reported at the field it is in, saying what is allowed', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { maxMemory: '12 parsecs' },
        'processes[0].maxMemory',
        /size like "512M".*but is the string "12 parsecs"/,
      ],
      [{ maxMemory: true }, 'processes[0].maxMemory', /number of bytes or a size.*but is boolean true/],
      [{ maxMemory: 0 }, 'processes[0].maxMemory', /at least 1/],
      [{ healthCheck: 'http://x' }, 'processes[0].healthCheck', /must be an object like/],
      [{ healthCheck: { interval: 1000 } }, 'processes[0].healthCheck', /exactly one of "url" and "port"/],
      [{ healthCheck: { url: 'http://x/', port: 80 } }, 'processes[0].healthCheck', /exactly one of/],
      [
        { healthCheck: { url: 'http://x/', intreval: 5 } },
        'processes[0].healthCheck',
        /unknown key "intreval"\. Did you mean "interval"\?/,
      ],
      [{ healthCheck: { url: 'ftp://x/' } }, 'processes[0].healthCheck.url', /http:\/\/ or https:\/\//],
      [{ healthCheck: { port: 80, failures: 0 } }, 'processes[0].healthCheck.failures', /at least 1/],
      [{ healthCheck: { port: 80, restart: 'yes' } }, 'processes[0].healthCheck.restart', /true or false/],
    ];
    for (const [fields, path, message] of cases) {
      const { problems } = validate(fields);
      assert.equal(problems.length, 1, JSON.stringify(fields));
      assert.equal(problems[0]?.path, path, JSON.stringify(fields));
      assert.match(problems[0]?.message ?? '', message);
    }
  });
});
