import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  type EnvLineProblem,
  mergeEnvLayers,
  parseEnvText,
  readEnvFile,
  readEnvFiles,
} from '../../src/config/env-files.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-env-'));
after(() => rmSync(temp, { recursive: true, force: true }));

function values(text: string) {
  const parsed = parseEnvText(text);
  assert.equal(parsed.kind, 'parsed', `expected no problems, got ${JSON.stringify(parsed)}`);
  return parsed.kind === 'parsed' ? parsed.values : {};
}

function problems(text: string): Pick<EnvLineProblem, 'line' | 'text'>[] {
  const parsed = parseEnvText(text);
  assert.equal(parsed.kind, 'invalid', `expected problems, got ${JSON.stringify(parsed)}`);
  return parsed.kind === 'invalid' ? parsed.problems.map(({ line, text }) => ({ line, text })) : [];
}

function messages(text: string): string[] {
  const parsed = parseEnvText(text);
  return parsed.kind === 'invalid' ? parsed.problems.map((problem) => problem.message) : [];
}

describe('.env syntax', () => {
  test('plain KEY=value, spaces around "=", indentation, empty values', () => {
    assert.deepEqual(values('A=1\nB = two words \n  C=3\nEMPTY=\nQUOTED_EMPTY=""'), {
      A: '1',
      B: 'two words',
      C: '3',
      EMPTY: '',
      QUOTED_EMPTY: '',
    });
  });

  test('comments: whole lines, indented, after a value; blank lines', () => {
    const text = '# header\n\n   # indented\nPORT=3000 # the port\nHASH=abc#def\n\t\nNAME="a # b"\n';
    assert.deepEqual(values(text), { PORT: '3000', HASH: 'abc', NAME: 'a # b' });
  });

  test('a # line or a blank line inside a multi-line quoted value belongs to the value', () => {
    assert.deepEqual(values('NOTE="first\n  # not a comment\n\nlast"\n  # a comment\nNEXT=1'), {
      NOTE: 'first\n  # not a comment\n\nlast',
      NEXT: '1',
    });
  });

  test('export prefix', () => {
    assert.deepEqual(values('export API_URL=http://localhost:4000\nexport=kept'), {
      API_URL: 'http://localhost:4000',
      export: 'kept',
    });
  });

  test('double quotes expand \\n; single quotes and backticks keep text as written', () => {
    assert.deepEqual(values(`D="line\\none"\nS='line\\none'\nB=\`it's "both"\`\nJ='{"a": 1}'`), {
      D: 'line\none',
      S: 'line\\none',
      B: `it's "both"`,
      J: '{"a": 1}',
    });
  });

  test('multi-line values in each kind of quote, followed by more variables', () => {
    const text = [
      'KEY="-----BEGIN KEY-----',
      'abc',
      '-----END KEY-----"',
      "SQL='select 1",
      "  from t'  # a comment after the value",
      'TPL=`a',
      'b`',
      'AFTER=yes',
    ].join('\n');
    assert.deepEqual(values(text), {
      KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----',
      SQL: 'select 1\n  from t',
      TPL: 'a\nb',
      AFTER: 'yes',
    });
  });

  test('Windows line ends and a byte order mark', () => {
    assert.deepEqual(values('\uFEFFA=1\r\nB="x"\r\n'), { A: '1', B: 'x' });
  });

  test('references to other variables are not expanded, and a later line wins over an earlier one', () => {
    assert.deepEqual(values(`HOME_DIR=\${HOME}/x\nA=1\nA=2`), { HOME_DIR: `\${HOME}/x`, A: '2' });
  });
});

describe('lines parseEnv would silently drop or misread are reported with their line number', () => {
  test('a line that is not KEY=value, which parseEnv would glue onto the next key', () => {
    assert.deepEqual(problems('# ok\nA=1\ngarbage line\nB=2\nPORT: 3000\n=value\nMY KEY=1'), [
      { line: 3, text: 'garbage line' },
      { line: 5, text: 'PORT: 3000' },
      { line: 6, text: '=value' },
      { line: 7, text: 'MY KEY=1' },
    ]);
    assert.match(messages('garbage')[0] ?? '', /has no "="/);
    assert.match(messages('PORT: 3000')[0] ?? '', /uses ":"/);
  });

  test('export with more than one space, which parseEnv reads as a key starting with a space', () => {
    assert.deepEqual(problems('export  E=5'), [{ line: 1, text: 'export  E=5' }]);
  });

  test('a quote that is never closed', () => {
    assert.deepEqual(problems('A=1\nB="unclosed\nC=3'), [{ line: 2, text: 'B="unclosed' }]);
    assert.match(messages("X='open")[0] ?? '', /single quote that is never closed/);
  });

  test('text after a closing quote, on the same line or after a multi-line value', () => {
    assert.deepEqual(problems(`A="a" b\nB="say \\"hi\\""\nC='it''s'\nD="one\ntwo" three`), [
      { line: 1, text: 'A="a" b' },
      { line: 2, text: 'B="say \\"hi\\""' },
      { line: 3, text: "C='it''s'" },
      { line: 5, text: 'two" three' },
    ]);
    assert.match(messages('D="one\ntwo" three')[0] ?? '', /opened on line 1: "three" would be dropped/);
  });

  test('a missing closing quote that swallows the next line is caught where the quotes stop matching', () => {
    assert.deepEqual(problems('A="abc\nB="def"'), [{ line: 2, text: 'B="def"' }]);
  });
});

describe('reading files', () => {
  test('a file that exists is parsed', async () => {
    const file = path.join(temp, 'ok.env');
    writeFileSync(file, 'A=1\n');
    assert.deepEqual(await readEnvFile(file), { kind: 'loaded', file, values: { A: '1' } });
  });

  test('a missing file is a value, not an exception', async () => {
    const file = path.join(temp, 'nope.env');
    assert.deepEqual(await readEnvFile(file), { kind: 'missing', file });
  });

  test('a folder in place of a file is unreadable, with the reason', async () => {
    const result = await readEnvFile(temp);
    assert.equal(result.kind, 'unreadable');
    assert.match(result.kind === 'unreadable' ? result.reason : '', /EISDIR/);
  });

  test('a file with a bad line names the file and the line', async () => {
    const file = path.join(temp, 'bad.env');
    writeFileSync(file, 'A=1\nnot a line\n');
    const result = await readEnvFile(file);
    assert.equal(result.kind, 'invalid');
    assert.equal(result.file, file);
    assert.deepEqual(result.kind === 'invalid' ? result.problems.map((p) => p.line) : [], [2]);
  });

  test('several files: later ones win; every failing file is reported', async () => {
    const base = path.join(temp, 'base.env');
    const local = path.join(temp, 'local.env');
    writeFileSync(base, 'A=base\nB=base\n');
    writeFileSync(local, 'B=local\n');
    assert.deepEqual(await readEnvFiles([base, local]), {
      kind: 'loaded',
      values: { A: 'base', B: 'local' },
    });

    const bad = path.join(temp, 'bad-too.env');
    writeFileSync(bad, 'oops\n');
    const missing = path.join(temp, 'missing.env');
    const result = await readEnvFiles([base, missing, bad]);
    assert.equal(result.kind, 'failed');
    assert.deepEqual(result.kind === 'failed' ? result.failures.map(({ kind, file }) => [kind, file]) : [], [
      ['missing', missing],
      ['invalid', bad],
    ]);
  });
});

test('layers merge as inherited < top-level file < process file < process env', () => {
  const merged = mergeEnvLayers({
    inherited: {
      PATH: '/bin',
      A: 'inherited',
      B: 'inherited',
      C: 'inherited',
      D: 'inherited',
      GONE: undefined,
    },
    topLevelFile: { B: 'top', C: 'top', D: 'top' },
    processFile: { C: 'process file', D: 'process file' },
    processEnv: { D: 'process env' },
  });
  assert.deepEqual(merged, { PATH: '/bin', A: 'inherited', B: 'top', C: 'process file', D: 'process env' });
});
