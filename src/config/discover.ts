// Zero config: finds the repository around a folder and turns its workspace packages' `dev` scripts into
// processes, so `npx lucidlines` in a monorepo needs no config file, wherever in the repository it is run.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type DetectedPackageManager, detectPackageManager, runScriptCommand } from './package-manager.js';
import { packageProcessNames } from './process-names.js';

export const DEFAULT_SCRIPT = 'dev';

// The glob and YAML libraries are loaded when discovery needs them, not when this module is: every start
// walks up for the repository root through here, and loading them up front cost ~100 ms of the start-up
// budget even when a config file makes discovery unnecessary.
const loadPicomatch = () => import('picomatch').then((module) => module.default);
const loadGlob = () => import('tinyglobby').then((module) => module.glob);
const loadYamlParser = () => import('yaml').then((module) => module.parse);

export interface DiscoverOptions {
  /** Where lucidlines was started. */
  cwd: string;
  /** The package.json script to run; `dev` when absent. */
  script?: string;
  /** Globs; a package is kept when one matches its package name, its folder or its process name. */
  filter?: readonly string[];
}

export interface DiscoveredProcess {
  name: string;
  command: string;
  /** Absolute folder of the package. */
  cwd: string;
  /** The package's `name` field, or its folder relative to the root when it has none. */
  packageName: string;
  /** True when a name clash gave it a longer name than its package's short name. */
  renamed?: true;
}

export type Discovery =
  | {
      kind: 'found';
      root: string;
      packageManager: DetectedPackageManager;
      processes: DiscoveredProcess[];
    }
  | {
      kind: 'nothing';
      root: string;
      /** What was looked for, one human-readable item each, for the "nothing found" message. */
      lookedFor: string[];
    }
  | { kind: 'problem'; file: string; reason: string };

type Problem = Extract<Discovery, { kind: 'problem' }>;

interface PackageJson {
  file: string;
  /** The parsed object; a package.json that is not an object is a problem, not a PackageJson. */
  fields: Record<string, unknown>;
}

/**
 * A folder that defines a workspace. pnpm reads only pnpm-workspace.yaml, and such a root need not have a
 * package.json; npm, yarn and bun read `workspaces` in package.json.
 */
type WorkspaceRoot =
  | { folder: string; definition: 'pnpm-workspace.yaml'; packageJson: PackageJson | null }
  | { folder: string; definition: 'package.json'; packageJson: PackageJson };

/** What walking up from the start folder found. */
interface Surroundings {
  kind: 'walked';
  /** The first folder with a workspace definition, if any. */
  workspaceRoot: WorkspaceRoot | null;
  /** The package.json files passed on the way up, nearest first (the workspace root's is not among them). */
  packagesOnTheWay: PackageJson[];
  /** The folder the walk stopped at: the workspace root or the folder with `.git`; null at the file system root. */
  repositoryRoot: string | null;
}

export type RepositoryRoot = { kind: 'root'; folder: string } | { kind: 'none' } | Problem;

/**
 * The repository root of a folder: the first folder, walking up, with `.git` or a workspace definition, so
 * a command run in `apps/web` sees the whole repository.
 */
export async function findRepositoryRoot(start: string): Promise<RepositoryRoot> {
  const surroundings = await walkUp(path.resolve(start));
  if (surroundings.kind === 'problem') return surroundings;
  return surroundings.repositoryRoot === null
    ? { kind: 'none' }
    : { kind: 'root', folder: surroundings.repositoryRoot };
}

export async function discover(options: DiscoverOptions): Promise<Discovery> {
  const start = path.resolve(options.cwd);
  const script = options.script ?? DEFAULT_SCRIPT;
  const filter = options.filter ?? [];
  const surroundings = await walkUp(start);
  if (surroundings.kind === 'problem') return surroundings;
  if (surroundings.workspaceRoot !== null)
    return discoverWorkspaces(surroundings.workspaceRoot, script, filter);

  // Without workspaces the nearest package.json that has the script is the project: run from `src/` or from a
  // tools folder with its own scriptless package.json, lucidlines still finds the app around it.
  const { packagesOnTheWay, repositoryRoot } = surroundings;
  const lookedFor = [
    `a "workspaces" field in package.json or a pnpm-workspace.yaml, from ${start} up to ${repositoryRoot ?? 'the file system root'}`,
    packagesOnTheWay.length === 0
      ? `a package.json with a "${script}" script, from ${start} up to ${repositoryRoot ?? 'the file system root'}`
      : `a "${script}" script in ${packagesOnTheWay.map((pkg) => pkg.file).join(', ')}`,
  ];
  const project = packagesOnTheWay.find((pkg) => hasScript(pkg, script));
  if (project === undefined) return { kind: 'nothing', root: repositoryRoot ?? start, lookedFor };
  return build(path.dirname(project.file), project, [{ folder: '.', packageJson: project }], script, filter, [
    `a "${script}" script in ${project.file}`,
  ]);
}

async function walkUp(start: string): Promise<Surroundings | Problem> {
  const packagesOnTheWay: PackageJson[] = [];
  let folder = start;
  for (;;) {
    const entries = await entriesOf(folder);
    let packageJson: PackageJson | null = null;
    if (entries.has('package.json')) {
      const read = await readPackageJson(path.join(folder, 'package.json'));
      if (read.kind === 'problem') return read;
      packageJson = read.value;
    }
    const workspaceRoot: WorkspaceRoot | null = entries.has('pnpm-workspace.yaml')
      ? { folder, definition: 'pnpm-workspace.yaml', packageJson }
      : packageJson?.fields.workspaces !== undefined
        ? { folder, definition: 'package.json', packageJson }
        : null;
    if (workspaceRoot !== null)
      return { kind: 'walked', workspaceRoot, packagesOnTheWay, repositoryRoot: folder };
    if (packageJson !== null) packagesOnTheWay.push(packageJson);
    if (entries.has('.git'))
      return { kind: 'walked', workspaceRoot: null, packagesOnTheWay, repositoryRoot: folder };
    const parent = path.dirname(folder);
    if (parent === folder)
      return { kind: 'walked', workspaceRoot: null, packagesOnTheWay, repositoryRoot: null };
    folder = parent;
  }
}

async function discoverWorkspaces(
  workspaceRoot: WorkspaceRoot,
  script: string,
  filter: readonly string[],
): Promise<Discovery> {
  const patterns = await workspacePatterns(workspaceRoot);
  if (patterns.kind === 'problem') return patterns;
  if (patterns.value.globs === null) {
    const rootPackage = workspaceRoot.packageJson;
    const packages =
      rootPackage !== null && hasScript(rootPackage, script)
        ? [{ folder: '.', packageJson: rootPackage }]
        : [];
    return build(workspaceRoot.folder, rootPackage, packages, script, filter, [
      `a "${script}" script in ${path.join(workspaceRoot.folder, 'package.json')} (${patterns.value.file} lists no packages)`,
    ]);
  }
  const found = await findWorkspacePackages(workspaceRoot.folder, patterns.value.globs);
  if (found.kind === 'problem') return found;
  const withScript = found.packages.filter((pkg) => hasScript(pkg.packageJson, script));
  const source = `${patterns.value.file} (${patterns.value.globs.join(', ') || 'no patterns'})`;
  const searched =
    found.packages.length === 0
      ? `workspace packages matching ${source}`
      : `a "${script}" script in the ${plural(found.packages.length, 'workspace package')} of ${source}`;
  return build(workspaceRoot.folder, workspaceRoot.packageJson, withScript, script, filter, [searched]);
}

/**
 * Names every package that has the script, then applies the filter: clashes are judged on that whole set so
 * that a filter never changes a process's name.
 */
async function build(
  root: string,
  rootPackageJson: PackageJson | null,
  packages: readonly { folder: string; packageJson: PackageJson }[],
  script: string,
  filter: readonly string[],
  lookedFor: string[],
): Promise<Discovery> {
  if (packages.length === 0) return { kind: 'nothing', root, lookedFor };
  // A package without a `name` goes by its folder; for the root folder that is its own name, not `.`.
  const named = packageProcessNames(
    packages.map(({ folder, packageJson }) => ({
      folder,
      packageName: packageNameOf(packageJson) ?? (folder === '.' ? path.basename(root) : undefined),
    })),
  );
  const packageManager = await detectPackageManager(root, rootPackageJson?.fields.packageManager);
  const command = runScriptCommand(packageManager.name, script);
  const matches =
    filter.length === 0 ? () => true : (await loadPicomatch())(filter.map(withoutDotSlash), { dot: true });
  const processes: DiscoveredProcess[] = [];
  for (const { folder, packageName = folder, name, renamed } of named) {
    if (![packageName, folder, name].some((candidate) => matches(candidate))) continue;
    processes.push({
      name,
      command,
      cwd: path.join(root, folder),
      packageName,
      ...(renamed ? { renamed: true } : {}),
    });
  }
  if (processes.length > 0) return { kind: 'found', root, packageManager, processes };
  return {
    kind: 'nothing',
    root,
    lookedFor: [
      ...lookedFor,
      `among the ${plural(packages.length, 'package')} with it, one whose name, folder or process name matches ${filter.map((glob) => `--filter ${glob}`).join(' or ')}`,
    ],
  };
}

interface WorkspacePatterns {
  /** The file the patterns come from, for messages. */
  file: string;
  /** Folder globs, a leading `!` excludes; null when the file lists none, so the root is the only package. */
  globs: string[] | null;
}

/**
 * The folder globs of a workspace root: `workspaces` in package.json is an array or `{ packages: [...] }`. A
 * pnpm-workspace.yaml without `packages` (since pnpm 10 it may hold settings only) makes the root the only
 * package.
 */
async function workspacePatterns(
  workspaceRoot: WorkspaceRoot,
): Promise<{ kind: 'read'; value: WorkspacePatterns } | Problem> {
  if (workspaceRoot.definition === 'pnpm-workspace.yaml') {
    const file = path.join(workspaceRoot.folder, 'pnpm-workspace.yaml');
    let document: unknown;
    try {
      const parseYaml = await loadYamlParser();
      document = parseYaml(await readFile(file, 'utf8'));
    } catch (error) {
      return { kind: 'problem', file, reason: reasonOf(error) };
    }
    const packages = isRecord(document) ? document.packages : undefined;
    if (packages === undefined || packages === null) return { kind: 'read', value: { file, globs: null } };
    if (!isStringArray(packages)) {
      return { kind: 'problem', file, reason: '"packages" must be a list of folder globs.' };
    }
    return { kind: 'read', value: { file, globs: packages } };
  }
  const { file, fields } = workspaceRoot.packageJson;
  const globs = isRecord(fields.workspaces) ? fields.workspaces.packages : fields.workspaces;
  if (!isStringArray(globs)) {
    return {
      kind: 'problem',
      file,
      reason: '"workspaces" must be a list of folder globs, or an object with such a list in "packages".',
    };
  }
  return { kind: 'read', value: { file, globs } };
}

/**
 * Every folder that matches a positive glob and no negated one (negations apply to all positive globs,
 * whatever their order), and has a package.json. node_modules is never searched: a `packages/**` glob would
 * otherwise pick up installed dependencies. The root itself is left out even when a glob matches it, because
 * its own `dev` script usually starts all the others (`turbo dev`, `pnpm -r dev`).
 */
async function findWorkspacePackages(
  root: string,
  globs: readonly string[],
): Promise<{ kind: 'packages'; packages: { folder: string; packageJson: PackageJson }[] } | Problem> {
  const toPackageJson = (glob: string) => `${withoutDotSlash(glob).replace(/\/+$/, '')}/package.json`;
  const positive = globs.filter((glob) => !glob.startsWith('!')).map(toPackageJson);
  const negative = globs.filter((glob) => glob.startsWith('!')).map((glob) => toPackageJson(glob.slice(1)));
  if (positive.length === 0) return { kind: 'packages', packages: [] };
  const glob = await loadGlob();
  const files = await glob(positive, {
    cwd: root,
    ignore: [...negative, '**/node_modules/**'],
    expandDirectories: false,
  });
  const packages: { folder: string; packageJson: PackageJson }[] = [];
  for (const file of files.sort()) {
    const folder = path.posix.dirname(file);
    if (folder === '.') continue;
    const read = await readPackageJson(path.join(root, file));
    if (read.kind === 'problem') return read;
    packages.push({ folder, packageJson: read.value });
  }
  return { kind: 'packages', packages };
}

async function readPackageJson(file: string): Promise<{ kind: 'read'; value: PackageJson } | Problem> {
  let fields: unknown;
  try {
    fields = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return { kind: 'problem', file, reason: reasonOf(error) };
  }
  if (!isRecord(fields)) return { kind: 'problem', file, reason: 'must contain a JSON object.' };
  return { kind: 'read', value: { file, fields } };
}

async function entriesOf(folder: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(folder));
  } catch {
    // A folder we may not list (a parent owned by another user) holds nothing we could use.
    return new Set();
  }
}

function hasScript(packageJson: PackageJson, script: string): boolean {
  const scripts = packageJson.fields.scripts;
  return isRecord(scripts) && typeof scripts[script] === 'string';
}

function packageNameOf(packageJson: PackageJson): string | undefined {
  const name = packageJson.fields.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function withoutDotSlash(glob: string): string {
  return glob.replace(/^(\.\/)+/, '');
}

function reasonOf(error: unknown): string {
  if (error instanceof SyntaxError) return `is not valid: ${error.message}`;
  const code = (error as NodeJS.ErrnoException).code;
  return `could not be read${code === undefined ? '' : ` (${code})`}: ${error instanceof Error ? error.message : String(error)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
