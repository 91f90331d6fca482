import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { RawFlags } from '../../src/config/flags.js';
import { type LoadResult, loadConfig } from '../../src/config/load.js';
import { mergeSettings } from '../../src/config/merge.js';
import { parseJsonc } from '../../src/config/parse.js';
import { type ConfigProblem, MAX_ECHO_LENGTH, MAX_REPORTED } from '../../src/config/problems.js';
import { DEFAULT_SETTINGS, knownKeysAt } from '../../src/config/schema.js';
import { DEFAULT_ENGINE_OPTIONS } from '../../src/process/spec.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-config-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let counter = 0;
/** Writes a config into a fresh directory (with an `app` subdirectory) and loads it. */
async function load(
  text: string,
  flags: RawFlags = {},
  name = 'lucidlines.config.json',
): Promise<LoadResult> {
  const dir = path.join(temp, `case-${counter++}`);
  mkdirSync(path.join(dir, 'app'), { recursive: true });
  writeFileSync(path.join(dir, name), text);
  return loadConfig({ cwd: dir, flags });
}

async function problemsOf(text: string, flags: RawFlags = {}): Promise<ConfigProblem[]> {
  const result = await load(text, flags);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.problems;
}

function fieldProblem(problems: ConfigProblem[], fieldPath: string) {
  const found = problems.find((problem) => problem.kind === 'field' && problem.path === fieldPath);
  assert.ok(found, `no problem for ${fieldPath} in ${JSON.stringify(problems)}`);
  return found as Extract<ConfigProblem, { kind: 'field' }>;
}

const minimal = '{ "processes": [{ "name": "web", "command": "npm run dev" }] }';

describe('parseJsonc', () => {
  test('accepts what JSON.parse accepts and yields the same values', () => {
    const samples = [
      '{"a": [1, -2.5e3, 0, true, false, null, "x\\n\\u00e9\\"\\\\\\/"], "b": {}, "c": []}',
      '  [ ]  ',
      '"\\ud83d\\ude00"',
      '{"nested": {"deeper": [[{"k": 0.5E-2}]]}}',
    ];
    for (const sample of samples) {
      const parsed = parseJsonc(sample);
      assert.ok(parsed.ok, sample);
      assert.deepEqual(parsed.value, JSON.parse(sample));
    }
  });

  test('allows comments and trailing commas, as tsconfig.json does', () => {
    const parsed = parseJsonc('{\n  // a comment\n  "a": [1, 2,], /* another */\n  "b": { "c": true, },\n}');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value, { a: [1, 2], b: { c: true } });
  });

  test('reports the line and column of a syntax error', () => {
    const cases: [string, RegExp, number, number][] = [
      ['{\n  "port": 1\n  "host": "x"\n}', /Expected ","/, 3, 3],
      ["{ 'a': 1 }", /double quotes/, 1, 3],
      ['{ "a": "unterminated\n}', /never closed/, 1, 8],
      ['{ "a": 1 } {}', /after the end/, 1, 12],
      ['{ "a": tru }', /not valid JSON/, 1, 8],
      ['{\n  "a": /* open', /comment/, 2, 8],
      ['', /ends too early/, 1, 1],
      ['{ "a": ', /ends too early/, 1, 8],
    ];
    for (const [text, message, line, column] of cases) {
      const result = parseJsonc(text);
      assert.equal(result.ok, false, text);
      if (!result.ok) {
        assert.match(result.message, message, text);
        assert.deepEqual(result.position, { line, column }, text);
      }
    }
  });

  test('skips a byte order mark without shifting columns', () => {
    const result = parseJsonc('\uFEFF{"a" 1}');
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual(result.position, { line: 1, column: 6 });
  });
});

describe('loadConfig', () => {
  test('fills every default for a minimal config', async () => {
    const result = await load(minimal);
    assert.ok(result.ok);
    if (!result.ok) return;
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(result.config.settings, DEFAULT_SETTINGS);
    assert.deepEqual(result.config.settings, {
      port: 8080,
      host: '127.0.0.1',
      wsPath: '/ws',
      open: false,
      token: null,
      viewToken: null,
      allowedOrigins: [],
      killTimeout: 5000,
      scrollback: { lines: 10_000, bytes: 8 * 1024 * 1024 },
      viewerLines: 100_000,
      replayLines: 1000,
      maxClients: 256,
      allowRuntimeProcesses: false,
      viewer: true,
      only: null,
      hide: null,
      timestamps: false,
      raw: false,
      color: null,
      success: null,
      killOthers: false,
      killOthersOnFail: false,
      logDir: null,
      logFormat: 'text',
      logMaxBytes: 10 * 1024 * 1024,
      logKeep: 3,
    });
    assert.deepEqual(result.config.engine, DEFAULT_ENGINE_OPTIONS);
    const [spec] = result.config.processes;
    assert.ok(spec);
    assert.equal(spec.name, 'web');
    assert.equal(spec.command, 'npm run dev');
    assert.equal(spec.cwd, path.dirname(result.config.file));
    assert.deepEqual(spec.env, {});
  });

  test('maps every field of a full config to settings, specs and engine options', async () => {
    const result = await load(
      JSON.stringify({
        $schema: './schema.json',
        port: 0,
        host: '0.0.0.0',
        wsPath: '/socket',
        open: true,
        token: 'abc-123',
        allowedOrigins: ['http://localhost:5173'],
        killTimeout: 250,
        scrollback: { lines: 50 },
        viewerLines: 7,
        maxClients: 3,
        processes: [{ name: 'api', command: 'node server.js', cwd: 'app', env: { PORT: '3000' } }],
      }),
    );
    assert.ok(result.ok, JSON.stringify(result));
    if (!result.ok) return;
    const { settings, engine, processes, file } = result.config;
    assert.equal(settings.port, 0);
    assert.equal(settings.host, '0.0.0.0');
    assert.equal(settings.wsPath, '/socket');
    assert.equal(settings.open, true);
    assert.equal(settings.token, 'abc-123');
    assert.deepEqual(settings.allowedOrigins, ['http://localhost:5173']);
    assert.equal(settings.viewerLines, 7);
    assert.equal(settings.maxClients, 3);
    assert.deepEqual(engine.scrollback, { maxLines: 50, maxBytes: 8 * 1024 * 1024 });
    assert.equal(engine.killTimeoutMs, 250);
    assert.deepEqual(processes, [
      {
        name: 'api',
        command: 'node server.js',
        cwd: path.join(path.dirname(file), 'app'),
        env: { PORT: '3000' },
      },
    ]);
  });

  test('maps "stdin": true to the spec, and refuses a non-boolean with its line and column', async () => {
    const result = await load(
      JSON.stringify({
        processes: [
          { name: 'repl', command: 'x', stdin: true },
          { name: 'web', command: 'y' },
        ],
      }),
    );
    assert.ok(result.ok, JSON.stringify(result));
    if (!result.ok) return;
    assert.deepEqual(
      result.config.processes.map((spec) => [spec.name, spec.stdin]),
      [
        ['repl', true],
        ['web', undefined],
      ],
    );
    const problems = await problemsOf('{ "processes": [{ "name": "a", "command": "x", "stdin": "yes" }] }');
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.ok(problem?.kind === 'field');
    assert.equal(problem.path, 'processes[0].stdin');
    assert.equal(problem.column, 57);
  });

  test('reports a syntax error with file, line and column', async () => {
    const problems = await problemsOf('{\n  "processes": [\n    { "name": "a" "command": "x" },\n  ]\n}');
    assert.equal(problems.length, 1);
    const [problem] = problems;
    assert.ok(problem?.kind === 'syntax');
    assert.equal(problem.file, 'lucidlines.config.json');
    assert.deepEqual([problem.line, problem.column], [3, 19]);
  });

  test('reports every validation problem at once, each with its field path and position', async () => {
    const text = [
      '{',
      '  "port": 70000,',
      '  "host": "my host",',
      '  "wsPath": "ws",',
      '  "open": "yes",',
      '  "token": "",',
      '  "allowedOrigins": ["http://localhost:5173/", "ftp://x", 3],',
      '  "killTimeout": -1,',
      '  "scrollback": { "lines": 0, "bytes": 1.5 },',
      '  "viewerLines": "many",',
      '  "processes": [',
      '    { "name": "web", "command": "a" },',
      '    { "name": "web", "command": "" },',
      '    { "name": "", "cwd": "" },',
      '    { "name": "bad\\u0007", "command": "x", "env": { "PORT": 3000, "A=B": "c" } },',
      '    { "name": " padded", "command": 5, "env": [] },',
      '    "not an object",',
      '    { "name": "a/b", "command": "x" }, { "name": "a\\\\b", "command": "x" },',
      '    { "name": ".hidden", "command": "x" }, [],',
      '  ],',
      '  "maxClients": 0,',
      '}',
    ].join('\n');
    const problems = await problemsOf(text);
    const expectations: [string, number, number, RegExp][] = [
      ['port', 2, 11, /0 to 65535/],
      ['host', 3, 11, /host name/],
      ['wsPath', 4, 13, /start with "\/"/],
      ['open', 5, 11, /true or false, but is the string "yes"/],
      ['token', 6, 12, /non-empty/],
      ['allowedOrigins[0]', 7, 22, /write "http:\/\/localhost:5173"/],
      ['allowedOrigins[1]', 7, 48, /http:\/\/ or https:\/\//],
      ['allowedOrigins[2]', 7, 59, /must be a string/],
      ['killTimeout', 8, 18, /milliseconds/],
      ['scrollback.lines', 9, 28, /at least 1/],
      ['scrollback.bytes', 9, 40, /whole number/],
      ['viewerLines', 10, 18, /at least 1/],
      ['processes[1].name', 13, 15, /already the name of processes\[0\] \(12:15\)/],
      ['processes[1].command', 13, 33, /must not be empty/],
      ['processes[2].name', 14, 15, /must not be empty/],
      ['processes[2].command', 14, 5, /is missing/],
      ['processes[2].cwd', 14, 26, /must not be empty/],
      ['processes[3].name', 15, 15, /control or invisible/],
      ['processes[3].env.PORT', 15, 61, /write "3000" in quotes/],
      ['processes[3].env["A=B"]', 15, 67, /must not contain "="/],
      ['processes[4].name', 16, 15, /start or end with spaces/],
      ['processes[4].command', 16, 37, /must be a string, but is number 5/],
      ['processes[4].env', 16, 47, /object of strings/],
      ['processes[5]', 17, 5, /must be an object with "name" and "command", but is the string/],
      ['processes[6].name', 18, 15, /must not contain "\/" or "\\"/],
      ['processes[7].name', 18, 50, /must not contain "\/" or "\\"/],
      ['processes[8].name', 19, 15, /must not start with "\."/],
      ['processes[9]', 19, 44, /must be an object .*, but is an array/],
      ['maxClients', 21, 17, /at least 1/],
    ];
    for (const [fieldPath, line, column, message] of expectations) {
      const problem = fieldProblem(problems, fieldPath);
      assert.equal(problem.file, 'lucidlines.config.json');
      assert.deepEqual([problem.line, problem.column], [line, column], fieldPath);
      assert.match(problem.message, message, fieldPath);
    }
    assert.equal(problems.length, expectations.length, JSON.stringify(problems, null, 1));
    const lines = problems.map((problem) => (problem.kind === 'field' ? problem.line : 0));
    assert.deepEqual(
      lines,
      [...lines].sort((a, b) => a - b),
      'problems are listed in the order of the file',
    );
  });

  test('requires a non-empty processes array and an object at the root and in groups', async () => {
    assert.match(fieldProblem(await problemsOf('{}'), 'processes').message, /is missing/);
    assert.match(fieldProblem(await problemsOf('{ "processes": [] }'), 'processes').message, /is empty/);
    assert.match(
      fieldProblem(await problemsOf('{ "processes": {} }'), 'processes').message,
      /must be an array/,
    );
    assert.match(fieldProblem(await problemsOf('[]'), '(root)').message, /must be a JSON object/);
    const scrollback = fieldProblem(
      await problemsOf('{ "scrollback": [], "processes": [{ "name": "a", "command": "x" }] }'),
      'scrollback',
    );
    assert.match(scrollback.message, /must be an object like/);
  });

  test('names what the log fields allow', async () => {
    const process = '"processes": [{ "name": "a", "command": "x" }]';
    const cases: [string, string, RegExp][] = [
      ['logFormat', '"html"', /must be "text" or "ansi", but is the string "html"/],
      ['logMaxBytes', '100', /must be a whole number of bytes of at least 1024, but is/],
      ['logKeep', '-1', /must be a whole number from 0 to 100, but is/],
      ['logDir', '" "', /must not be empty/],
    ];
    for (const [key, value, message] of cases) {
      const problem = fieldProblem(await problemsOf(`{ "${key}": ${value}, ${process} }`), key);
      assert.match(problem.message, message, key);
    }
  });

  test('warns about unknown and repeated keys, with a suggestion, and still loads', async () => {
    const text = [
      '{',
      '  "prot": 1,',
      '  "zzzz": 1,',
      '  "scrollback": { "line": 5 },',
      '  "processes": [{ "name": "a", "command": "x", "cmd": "y" }],',
      '  "port": 1, "port": 2',
      '}',
    ].join('\n');
    const result = await load(text);
    assert.ok(result.ok, JSON.stringify(result));
    if (!result.ok) return;
    const byPath = new Map(result.warnings.map((warning) => [warning.path, warning]));
    assert.match(byPath.get('prot')?.message ?? '', /Did you mean "port"\?/);
    assert.deepEqual([byPath.get('prot')?.line, byPath.get('prot')?.column], [2, 3]);
    assert.match(byPath.get('zzzz')?.message ?? '', /Known fields: \$schema, port/);
    assert.match(byPath.get('scrollback.line')?.message ?? '', /Did you mean "lines"\?/);
    assert.deepEqual([byPath.get('processes[0].cmd')?.line, byPath.get('processes[0].cmd')?.column], [5, 48]);
    assert.match(byPath.get('port')?.message ?? '', /more than once; the last one is used/);
    assert.deepEqual([byPath.get('port')?.line, byPath.get('port')?.column], [6, 14]);
    assert.equal(result.warnings.length, 5);
    assert.equal(result.config.settings.port, 2);
  });

  test('resolves cwd against the config file directory, and leaves a missing one to the engine', async () => {
    const dir = path.join(temp, 'cwd-case');
    mkdirSync(path.join(dir, 'conf', 'app'), { recursive: true });
    writeFileSync(
      path.join(dir, 'conf', 'dev.json'),
      JSON.stringify({
        processes: [
          { name: 'a', command: 'x', cwd: 'app' },
          { name: 'b', command: 'x', cwd: '../conf' },
          { name: 'c', command: 'x', cwd: 'nowhere' },
        ],
      }),
    );
    const result = await loadConfig({ cwd: dir, flags: { config: 'conf/dev.json' } });
    assert.ok(result.ok, JSON.stringify(result));
    if (!result.ok) return;
    assert.deepEqual(
      result.config.processes.map((spec) => spec.cwd),
      [path.join(dir, 'conf', 'app'), path.join(dir, 'conf'), path.join(dir, 'conf', 'nowhere')],
    );
  });

  test('finds lucidlines.config.json first, then lucidlines.config.jsonc', async () => {
    const jsonc = await load(
      '// dev servers\n{ "processes": [{ "name": "c", "command": "x", },], }',
      {},
      'lucidlines.config.jsonc',
    );
    assert.ok(jsonc.ok, JSON.stringify(jsonc));
    assert.ok(jsonc.config.file.endsWith('lucidlines.config.jsonc'));

    const dir = path.join(temp, 'both');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'lucidlines.config.json'),
      '{ "processes": [{ "name": "json", "command": "x" }] }',
    );
    writeFileSync(
      path.join(dir, 'lucidlines.config.jsonc'),
      '{ "processes": [{ "name": "jsonc", "command": "x" }] }',
    );
    const both = await loadConfig({ cwd: dir, flags: {} });
    assert.ok(both.ok);
    assert.equal(both.config.processes[0]?.name, 'json');
  });

  test('reports a missing default file and a missing --config file differently', async () => {
    const dir = path.join(temp, 'empty');
    mkdirSync(dir, { recursive: true });
    const implicit = await loadConfig({ cwd: dir, flags: {} });
    assert.deepEqual(implicit.ok ? null : implicit.problems, [
      {
        kind: 'missing-file',
        file: 'lucidlines.config.json',
        explicit: false,
        lookedFor: ['lucidlines.config.json', 'lucidlines.config.jsonc'],
      },
    ]);
    const explicit = await loadConfig({ cwd: dir, flags: { config: 'other.json' } });
    assert.deepEqual(explicit.ok ? null : explicit.problems, [
      { kind: 'missing-file', file: 'other.json', explicit: true, lookedFor: ['other.json'] },
    ]);
  });

  test('reports a directory given as config file as unreadable', async () => {
    const dir = path.join(temp, 'dir-as-file');
    mkdirSync(path.join(dir, 'lucidlines.config.json'), { recursive: true });
    const result = await loadConfig({ cwd: dir, flags: {} });
    assert.equal(result.ok ? null : result.problems[0]?.kind, 'unreadable');
  });
});

describe('caps on what is reported', () => {
  test(`lists at most ${MAX_REPORTED} problems and says that more exist`, async () => {
    const processes = Array.from({ length: 200 }, () => ({ name: 'same', command: 'x' }));
    const result = await load(JSON.stringify({ processes }));
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.problems.length, MAX_REPORTED);
    assert.equal(result.omitted.problems, true);
  });

  test(`lists at most ${MAX_REPORTED} warnings and counts the rest`, async () => {
    const keys = Array.from({ length: 120 }, (_, index) => `"unknown${index}": 1`).join(', ');
    const result = await load(`{ ${keys}, "processes": [{ "name": "a", "command": "x" }] }`);
    assert.ok(result.ok);
    assert.equal(result.warnings.length, MAX_REPORTED);
    assert.equal(result.omitted.warnings, 120 - MAX_REPORTED);
  });

  test('cuts a huge key or value to a short excerpt wherever it is echoed', async () => {
    const huge = 'k'.repeat(1_000_000);
    const result = await load(
      `{ "${huge}": 1, "processes": [{ "name": "a", "command": "x", "env": { "${huge}": 5 } }], "host": "${huge} " }`,
    );
    assert.equal(result.ok, false);
    if (result.ok) return;
    const echoed = JSON.stringify([...result.problems, ...result.warnings]);
    assert.ok(echoed.length < 2_000, `echoed ${echoed.length} characters`);
    // Once per field: the unknown key in its warning's path, the env name in its problem's path, the
    // host in its problem (a rule message that does not repeat the value).
    assert.equal(echoed.split('k'.repeat(MAX_ECHO_LENGTH)).length - 1, 2);
    assert.match(echoed, /more characters/);
  });
});

describe('flags', () => {
  test('override the file, which overrides the defaults', async () => {
    const text =
      '{ "port": 9000, "host": "localhost", "killTimeout": 100, "open": true, "processes": [{ "name": "a", "command": "x" }] }';
    const fromFile = await load(text);
    assert.ok(fromFile.ok);
    if (!fromFile.ok) return;
    assert.equal(fromFile.config.settings.port, 9000);
    assert.equal(fromFile.config.settings.wsPath, '/ws');

    const withFlags = await load(text, {
      port: '0',
      killTimeout: '7',
      open: false,
      token: '0123',
      wsPath: '/x',
      maxClients: '9',
    });
    assert.ok(withFlags.ok, JSON.stringify(withFlags));
    if (!withFlags.ok) return;
    const { settings, engine } = withFlags.config;
    assert.equal(settings.port, 0);
    assert.equal(settings.host, 'localhost');
    assert.equal(settings.open, false);
    assert.equal(settings.token, '0123');
    assert.equal(settings.wsPath, '/x');
    assert.equal(settings.maxClients, 9);
    assert.equal(engine.killTimeoutMs, 7);
  });

  test('mergeSettings applies the same precedence to nested scrollback', () => {
    const merged = mergeSettings({ port: 1, scrollback: { lines: 5 } }, { port: 2 });
    assert.equal(merged.port, 2);
    assert.deepEqual(merged.scrollback, { lines: 5, bytes: DEFAULT_SETTINGS.scrollback.bytes });
    assert.equal(mergeSettings({}, {}).host, '127.0.0.1');
  });

  test('are validated with the same rules as the file, and reported together with file problems', async () => {
    const problems = await problemsOf('{ "port": "x", "processes": [{ "name": "a", "command": "x" }] }', {
      port: '8o80',
      killTimeout: true,
      token: 'has space',
      maxClients: '1e3',
    });
    const flags = problems.filter((problem) => problem.kind === 'flag');
    assert.deepEqual(
      flags.map((problem) => problem.kind === 'flag' && problem.flag),
      ['--port', '--token', '--kill-timeout', '--max-clients'],
    );
    assert.match(JSON.stringify(flags), /needs a value, like --kill-timeout 5000/);
    assert.match(JSON.stringify(flags), /--max-clients.*at least 1, but is the string \\"1e3\\"/);
    assert.equal(fieldProblem(problems, 'port').line, 1);
  });

  test('reject a port out of range and a value-less --config', async () => {
    const problems = await problemsOf(minimal, { port: '65536', config: true });
    assert.deepEqual(
      problems.map((problem) => (problem.kind === 'flag' ? problem.flag : problem.kind)),
      ['--config', '--port'],
    );
  });
});

describe('knownKeysAt', () => {
  test('follows groups and list items, and allows any key in free-form objects', () => {
    assert.ok(knownKeysAt([])?.includes('maxClients'));
    assert.deepEqual(knownKeysAt(['scrollback']), ['lines', 'bytes']);
    assert.deepEqual(knownKeysAt(['processes', 3])?.slice(0, 5), [
      'name',
      'command',
      'cwd',
      'env',
      'envFile',
    ]);
    for (const key of [
      'watchDebounce',
      'stdin',
      'restart',
      'restartDelay',
      'maxRestarts',
      'restartResetAfter',
    ]) {
      assert.ok(knownKeysAt(['processes', 3])?.includes(key), key);
    }
    assert.equal(knownKeysAt(['processes', 3, 'env']), null);
    assert.equal(knownKeysAt(['processes']), null);
    assert.equal(knownKeysAt(['nope']), null);
  });
});

test('the example config loads without problems or warnings', async () => {
  const root = path.dirname(new URL('../../package.json', import.meta.url).pathname);
  const result = await loadConfig({ cwd: root, flags: { config: 'lucidlines.config.example.json' } });
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.warnings, []);
});
