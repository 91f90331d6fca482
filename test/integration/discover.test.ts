import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  type DiscoverOptions,
  type Discovery,
  discover,
  findRepositoryRoot,
} from '../../src/config/discover.js';

const temp = mkdtempSync(path.join(tmpdir(), 'lucid-discover-'));
after(() => rmSync(temp, { recursive: true, force: true }));

let counter = 0;
/**
 * A fresh repository in a temp folder: each key is a file path, each value its text (objects are written as
 * JSON). A `.git` folder is added unless `git: false`, so the walk up never leaves the fixture.
 */
function repo(files: Record<string, string | object>, { git = true } = {}): string {
  const root = path.join(temp, `repo-${counter++}`);
  mkdirSync(root, { recursive: true });
  if (git) mkdirSync(path.join(root, '.git'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

const pkg = (name: string | undefined, scripts: Record<string, string> = { dev: 'vite' }) => ({
  ...(name === undefined ? {} : { name }),
  scripts,
});

async function found(options: DiscoverOptions) {
  const result = await discover(options);
  assert.equal(result.kind, 'found', `expected processes, got ${JSON.stringify(result)}`);
  return result as Extract<Discovery, { kind: 'found' }>;
}

async function nothing(options: DiscoverOptions) {
  const result = await discover(options);
  assert.equal(result.kind, 'nothing', `expected nothing, got ${JSON.stringify(result)}`);
  return result as Extract<Discovery, { kind: 'nothing' }>;
}

async function problem(options: DiscoverOptions) {
  const result = await discover(options);
  assert.equal(result.kind, 'problem', `expected a problem, got ${JSON.stringify(result)}`);
  return result as Extract<Discovery, { kind: 'problem' }>;
}

/** name → [command, cwd relative to the root], the part of a discovery most tests care about. */
function summary(result: Extract<Discovery, { kind: 'found' }>): Record<string, [string, string]> {
  return Object.fromEntries(
    result.processes.map((process) => [
      process.name,
      [process.command, path.relative(result.root, process.cwd) || '.'],
    ]),
  );
}

describe('workspace layouts', () => {
  test('npm: workspace globs, package-lock.json, a package without dev is skipped, the root dev is not run', async () => {
    const root = repo({
      'package.json': { name: 'root', workspaces: ['packages/*', 'apps/*'], scripts: { dev: 'turbo dev' } },
      'package-lock.json': '{}',
      'apps/web/package.json': pkg('@acme/web'),
      'packages/api/package.json': pkg('@acme/api', { dev: 'node server.js' }),
      'packages/utils/package.json': pkg('@acme/utils', { build: 'tsc' }),
    });
    const result = await found({ cwd: root });
    assert.equal(result.root, root);
    assert.deepEqual(result.packageManager, { name: 'npm', source: 'package-lock.json file' });
    assert.deepEqual(summary(result), {
      web: ['npm run dev', 'apps/web'],
      api: ['npm run dev', 'packages/api'],
    });
    assert.deepEqual(
      result.processes.map(({ packageName, renamed }) => [packageName, renamed]),
      [
        ['@acme/web', undefined],
        ['@acme/api', undefined],
      ],
    );
  });

  test('yarn classic: workspaces array and yarn.lock', async () => {
    const root = repo({
      'package.json': { private: true, workspaces: ['packages/*'] },
      'yarn.lock': '# yarn lockfile v1\n',
      'packages/web/package.json': pkg('web'),
      'packages/docs/package.json': pkg('docs', { dev: 'docusaurus start' }),
    });
    const result = await found({ cwd: root });
    assert.deepEqual(result.packageManager, { name: 'yarn', source: 'yarn.lock file' });
    assert.deepEqual(summary(result), {
      docs: ['yarn run dev', 'packages/docs'],
      web: ['yarn run dev', 'packages/web'],
    });
  });

  test('yarn berry: { packages: [...] } form, .yarnrc.yml and yarn.lock', async () => {
    const root = repo({
      'package.json': { private: true, workspaces: { packages: ['apps/*'], nohoist: ['**/react-native'] } },
      '.yarnrc.yml': 'nodeLinker: node-modules\n',
      'yarn.lock': '__metadata:\n  version: 8\n',
      'apps/mobile/package.json': pkg('@acme/mobile'),
    });
    const result = await found({ cwd: root });
    assert.equal(result.packageManager.name, 'yarn');
    assert.deepEqual(summary(result), { mobile: ['yarn run dev', 'apps/mobile'] });
  });

  test('pnpm from its lockfile: pnpm-workspace.yaml with a negation, package.json workspaces ignored', async () => {
    const root = repo({
      'package.json': { name: 'root', workspaces: ['ignored/*'] },
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - packages/**\n  - '!**/fixtures/**'\n",
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
      'apps/web/package.json': pkg('@acme/web'),
      'packages/ui/package.json': pkg('@acme/ui', { dev: 'storybook dev' }),
      'packages/ui/fixtures/demo/package.json': pkg('demo'),
      'packages/ui/node_modules/dep/package.json': pkg('dep'),
      'ignored/thing/package.json': pkg('thing'),
    });
    const result = await found({ cwd: root });
    assert.deepEqual(result.packageManager, { name: 'pnpm', source: 'pnpm-lock.yaml file' });
    assert.deepEqual(summary(result), {
      web: ['pnpm run dev', 'apps/web'],
      ui: ['pnpm run dev', 'packages/ui'],
    });
  });

  test('pnpm from the packageManager field, before any lockfile', async () => {
    const root = repo({
      'package.json': { name: 'root', packageManager: 'pnpm@9.1.0+sha512.0123abcd' },
      'pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
      'package-lock.json': '{}',
      'apps/web/package.json': pkg('web'),
    });
    const result = await found({ cwd: root });
    assert.deepEqual(result.packageManager, { name: 'pnpm', source: 'packageManager field' });
    assert.deepEqual(summary(result), { web: ['pnpm run dev', 'apps/web'] });
  });

  test('bun: package.json workspaces with bun.lock, and with the older bun.lockb', async () => {
    for (const lockfile of ['bun.lock', 'bun.lockb']) {
      const root = repo({
        'package.json': { name: 'root', workspaces: ['packages/*'] },
        [lockfile]: '{}',
        'packages/site/package.json': pkg('site'),
      });
      const result = await found({ cwd: root });
      assert.deepEqual(result.packageManager, { name: 'bun', source: `${lockfile} file` });
      assert.deepEqual(summary(result), { site: ['bun run dev', 'packages/site'] });
    }
  });

  test('no lockfile and no packageManager field: npm, which ships with Node', async () => {
    const root = repo({
      'package.json': { workspaces: ['packages/*'] },
      'packages/a/package.json': pkg('a'),
    });
    assert.deepEqual((await found({ cwd: root })).packageManager, { name: 'npm', source: 'default' });
  });

  test('negated npm globs exclude folders, whatever their position in the list', async () => {
    const root = repo({
      'package.json': { workspaces: ['!packages/legacy', 'packages/*', '!packages/old-*'] },
      'packages/legacy/package.json': pkg('legacy'),
      'packages/old-admin/package.json': pkg('old-admin'),
      'packages/web/package.json': pkg('web'),
      'packages/not-a-package/README.md': 'no package.json here',
    });
    assert.deepEqual(Object.keys(summary(await found({ cwd: root }))), ['web']);
  });

  test('a glob that matches the root does not run the root dev script, which usually starts all the others', async () => {
    const root = repo({
      'package.json': { name: 'root', scripts: { dev: 'turbo dev' } },
      'pnpm-workspace.yaml': "packages: ['**']\n",
      'apps/web/package.json': pkg('web'),
      'node_modules/some-dep/package.json': pkg('some-dep'),
    });
    assert.deepEqual(summary(await found({ cwd: root })), { web: ['pnpm run dev', 'apps/web'] });
  });

  test('a workspace folder listed without a glob, with ./ and a trailing slash', async () => {
    const root = repo({
      'package.json': { workspaces: ['./tools/server/'] },
      'tools/server/package.json': pkg('server'),
    });
    assert.deepEqual(summary(await found({ cwd: root })), { server: ['npm run dev', 'tools/server'] });
  });
});

describe('process names', () => {
  test('a clash of scoped names gives both their scope; the printed result marks them renamed', async () => {
    const root = repo({
      'package.json': { workspaces: ['apps/*', 'packages/*'] },
      'apps/acme-web/package.json': pkg('@acme/web'),
      'apps/other-web/package.json': pkg('@other/web'),
      'packages/api/package.json': pkg('@acme/api'),
    });
    const result = await found({ cwd: root });
    assert.deepEqual(
      result.processes.map(({ name, packageName, renamed }) => [name, packageName, renamed]),
      [
        ['acme-web', '@acme/web', true],
        ['other-web', '@other/web', true],
        ['api', '@acme/api', undefined],
      ],
    );
  });

  test('an unscoped package keeps the short name against a scoped one; same-name packages take their folder', async () => {
    const root = repo({
      'package.json': { workspaces: ['apps/*', 'legacy/*', 'libs/*'] },
      'apps/web/package.json': pkg('web'),
      'libs/web/package.json': pkg('@acme/web'),
      'apps/admin/package.json': pkg(undefined),
      'legacy/admin/package.json': pkg(undefined),
    });
    assert.deepEqual(
      (await found({ cwd: root })).processes.map(({ name, packageName }) => [name, packageName]),
      [
        ['apps-admin', 'apps/admin'],
        ['web', 'web'],
        ['legacy-admin', 'legacy/admin'],
        ['acme-web', '@acme/web'],
      ],
    );
  });

  test('names derived from folders are made safe: no leading dot, no separators or spaces', async () => {
    const root = repo({
      'package.json': { workspaces: ['.tools/*', '.editor'] },
      '.tools/my server/package.json': pkg(undefined),
      '.editor/package.json': pkg(undefined),
    });
    assert.deepEqual(Object.keys(summary(await found({ cwd: root }))), ['editor', 'my-server']);
  });
});

describe('where it is run from, --script and --filter', () => {
  const monorepo = () =>
    repo({
      'package.json': { workspaces: ['apps/*', 'packages/*'] },
      'apps/web/package.json': pkg('@acme/web', { dev: 'vite', start: 'vite preview' }),
      'apps/web/src/index.ts': '',
      'apps/admin/package.json': pkg('@acme/admin'),
      'packages/api/package.json': pkg('@acme/api', { start: 'node .' }),
    });

  test('run from a nested folder, it finds the root and runs the whole repository', async () => {
    const root = monorepo();
    const result = await found({ cwd: path.join(root, 'apps/web/src') });
    assert.equal(result.root, root);
    assert.deepEqual(Object.keys(summary(result)), ['admin', 'web']);
    assert.deepEqual(await findRepositoryRoot(path.join(root, 'apps/web/src')), {
      kind: 'root',
      folder: root,
    });
  });

  test('script picks another package.json script', async () => {
    const root = monorepo();
    assert.deepEqual(summary(await found({ cwd: root, script: 'start' })), {
      web: ['npm run start', 'apps/web'],
      api: ['npm run start', 'packages/api'],
    });
  });

  test('a script name with shell characters reaches the package manager as one word', async () => {
    const root = repo({
      'package.json': { name: 'app', scripts: { "dev all; it's": 'vite' } },
    });
    const [process] = (await found({ cwd: root, script: "dev all; it's" })).processes;
    assert.equal(process?.command, `npm run 'dev all; it'\\''s'`);
  });

  test('filter matches package names, folders (with or without ./) and process names, several globs add up', async () => {
    const root = monorepo();
    const names = async (filter: string[]) => Object.keys(summary(await found({ cwd: root, filter })));
    assert.deepEqual(await names(['@acme/w*']), ['web']);
    assert.deepEqual(await names(['apps/*']), ['admin', 'web']);
    assert.deepEqual(await names(['./apps/admin']), ['admin']);
    assert.deepEqual(await names(['admin', '@acme/web']), ['admin', 'web']);
  });

  test('a filter does not change names: a clash is judged on every package with the script', async () => {
    const root = repo({
      'package.json': { workspaces: ['apps/*'] },
      'apps/one/package.json': pkg('@acme/web'),
      'apps/two/package.json': pkg('@other/web'),
    });
    assert.deepEqual(Object.keys(summary(await found({ cwd: root, filter: ['apps/one'] }))), ['acme-web']);
  });

  test('a filter that matches nothing says so among what was looked for', async () => {
    const root = monorepo();
    const result = await nothing({ cwd: root, filter: ['mobile'] });
    assert.equal(result.root, root);
    assert.match(result.lookedFor.join('\n'), /--filter mobile/);
    assert.match(result.lookedFor.join('\n'), /"dev" script in the 3 workspace packages/);
  });
});

describe('single-package repositories', () => {
  test('a package.json with a dev script and no workspaces runs that script, also from a subfolder', async () => {
    const root = repo({
      'package.json': pkg('my-app', { dev: 'next dev' }),
      'yarn.lock': '',
      'src/pages/index.tsx': '',
    });
    for (const cwd of [root, path.join(root, 'src/pages')]) {
      const result = await found({ cwd });
      assert.equal(result.root, root);
      assert.deepEqual(result.processes, [
        { name: 'my-app', command: 'yarn run dev', cwd: root, packageName: 'my-app' },
      ]);
    }
  });

  test('a package without a name is named after its folder; a scoped one loses its scope', async () => {
    const unnamed = repo({ 'package.json': pkg(undefined) });
    assert.deepEqual(Object.keys(summary(await found({ cwd: unnamed }))), [path.basename(unnamed)]);
    const scoped = repo({ 'package.json': pkg('@me/site') });
    assert.deepEqual(Object.keys(summary(await found({ cwd: scoped }))), ['site']);
  });

  test('the nearest package.json with the script wins over a scriptless one on the way up', async () => {
    const root = repo({
      'package.json': pkg('app'),
      'tools/codegen/package.json': pkg('codegen', { build: 'tsc' }),
    });
    const result = await found({ cwd: path.join(root, 'tools/codegen') });
    assert.deepEqual(summary(result), { app: ['npm run dev', '.'] });
  });

  test('a project in a subfolder of a git repository is found from inside it', async () => {
    const root = repo({ 'frontend/package.json': pkg('frontend'), 'backend/main.go': '' });
    const result = await found({ cwd: path.join(root, 'frontend') });
    assert.equal(result.root, path.join(root, 'frontend'));
  });
});

describe('nothing to run', () => {
  test('a package.json without the script: lists the workspace check and the files searched', async () => {
    const root = repo({ 'package.json': pkg('lib', { build: 'tsc' }), 'src/index.ts': '' });
    const result = await nothing({ cwd: path.join(root, 'src') });
    assert.equal(result.root, root);
    assert.equal(result.lookedFor.length, 2);
    assert.match(result.lookedFor[0] ?? '', /"workspaces" field in package.json or a pnpm-workspace.yaml/);
    assert.match(result.lookedFor[1] ?? '', new RegExp(`"dev" script in ${path.join(root, 'package.json')}`));
  });

  test('an empty repository: no package.json at all', async () => {
    const root = repo({ 'README.md': '# hello' });
    const result = await nothing({ cwd: root });
    assert.equal(result.root, root);
    assert.match(result.lookedFor.join('\n'), /a package\.json with a "dev" script/);
  });

  test('workspaces whose globs match no folder, and workspaces where no package has the script', async () => {
    const empty = repo({ 'package.json': { workspaces: ['packages/*'] } });
    assert.match(
      (await nothing({ cwd: empty })).lookedFor.join('\n'),
      /workspace packages matching .*packages\/\*/,
    );
    const scriptless = repo({
      'pnpm-workspace.yaml': 'packages: [libs/*]\n',
      'libs/a/package.json': pkg('a', { build: 'tsc' }),
    });
    const result = await nothing({ cwd: scriptless, script: 'serve' });
    assert.match(
      result.lookedFor.join('\n'),
      /"serve" script in the 1 workspace package of .*pnpm-workspace\.yaml/,
    );
  });

  test('a pnpm-workspace.yaml with settings only is a workspace of the root alone', async () => {
    const root = repo({
      'package.json': pkg('solo'),
      'pnpm-workspace.yaml': 'onlyBuiltDependencies:\n  - esbuild\n',
      'tools/package.json': pkg('tools'),
    });
    assert.deepEqual(summary(await found({ cwd: path.join(root, 'tools') })), {
      solo: ['pnpm run dev', '.'],
    });
    const scriptless = repo({ 'package.json': pkg('solo', {}), 'pnpm-workspace.yaml': '' });
    assert.match(
      (await nothing({ cwd: scriptless })).lookedFor.join('\n'),
      /"dev" script in .*package\.json/,
    );
  });
});

describe('problems are values with the file and the reason', () => {
  test('a package.json that is not JSON, at the root or in a workspace package', async () => {
    const brokenRoot = repo({ 'package.json': '{ "name": "x", }' });
    const atRoot = await problem({ cwd: brokenRoot });
    assert.equal(atRoot.file, path.join(brokenRoot, 'package.json'));
    assert.match(atRoot.reason, /is not valid/);

    const brokenMember = repo({
      'package.json': { workspaces: ['packages/*'] },
      'packages/a/package.json': pkg('a'),
      'packages/b/package.json': '',
    });
    assert.equal(
      (await problem({ cwd: brokenMember })).file,
      path.join(brokenMember, 'packages/b/package.json'),
    );
  });

  test('a package.json that is JSON but not an object, and a workspaces field of the wrong shape', async () => {
    const array = repo({ 'package.json': '[]' });
    assert.match((await problem({ cwd: array })).reason, /must contain a JSON object/);
    const wrongShape = repo({ 'package.json': { workspaces: 'packages/*' } });
    assert.match((await problem({ cwd: wrongShape })).reason, /"workspaces" must be a list of folder globs/);
  });

  test('a pnpm-workspace.yaml that is not YAML, or whose packages is not a list', async () => {
    const notYaml = repo({ 'pnpm-workspace.yaml': 'packages:\n  - a\n - b\n' });
    assert.equal((await problem({ cwd: notYaml })).file, path.join(notYaml, 'pnpm-workspace.yaml'));
    const notList = repo({ 'pnpm-workspace.yaml': 'packages: apps/*\n' });
    assert.match((await problem({ cwd: notList })).reason, /"packages" must be a list/);
  });
});

test('a discovered npm command really runs in its workspace folder', async () => {
  const root = repo({
    'package.json': { name: 'root', private: true, workspaces: ['apps/*'] },
    'package-lock.json': '{}',
    'apps/web/package.json': pkg('@acme/web', { dev: `node -e "console.log('dev up in ' + process.cwd())"` }),
  });
  const [web] = (await found({ cwd: path.join(root, 'apps/web') })).processes;
  assert.ok(web);
  assert.equal(web.command, 'npm run dev');
  const child = spawn(web.command, { shell: true, cwd: web.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, output);
  assert.match(output, new RegExp(`dev up in ${path.join(root, 'apps/web')}`));
});
