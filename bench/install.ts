// What `npx lucidlines` costs a user before it runs: the packed package (`npm pack`, as published)
// installed into an empty project, from npm's cache as a developer's machine has it warm. Every new
// dependency shows its price here.
import { execFile } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, scratchDir } from './lucidlines-process.js';
import { type Summary, summarise } from './stats.js';

const run = promisify(execFile);

export interface InstallResult {
  /** Disk use of node_modules in bytes, as `du` counts it (allocated blocks). */
  bytes: number;
  packages: number;
  installMs: Summary;
}

/** Every installed package, nested ones included: a folder with a package.json under a node_modules. */
function countPackages(nodeModules: string): number {
  let count = 0;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const folders = entry.name.startsWith('@')
      ? readdirSync(join(nodeModules, entry.name)).map((name) => join(nodeModules, entry.name, name))
      : [join(nodeModules, entry.name)];
    for (const folder of folders) {
      count++;
      const nested = join(folder, 'node_modules');
      if (statSync(nested, { throwIfNoEntry: false })?.isDirectory()) count += countPackages(nested);
    }
  }
  return count;
}

async function install(tarball: string): Promise<{ ms: number; project: string; remove: () => void }> {
  const project = scratchDir('install');
  writeFileSync(join(project.path, 'package.json'), JSON.stringify({ name: 'empty-app', private: true }));
  const started = performance.now();
  // --prefer-offline: packages come from the cache when it has them; only a cold cache reaches the registry.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: project.path,
  });
  return { ms: performance.now() - started, project: project.path, remove: project.remove };
}

export async function measureInstall(
  repetitions: number,
  log: (line: string) => void,
): Promise<InstallResult> {
  const packed = scratchDir('pack');
  try {
    // --ignore-scripts: `npm run bench` has just built dist/, and prepack would rebuild it under other sections.
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packed.path], {
      cwd: REPO_ROOT,
    });
    const tarball = join(packed.path, stdout.trim().split('\n').at(-1) ?? '');
    // One untimed install warms npm's cache with the dependencies, as any earlier install would have.
    const warm = await install(tarball);
    const nodeModules = join(warm.project, 'node_modules');
    const { stdout: du } = await run('du', ['-sk', nodeModules]);
    const bytes = Number(du.split('\t')[0]) * 1024;
    const packages = countPackages(nodeModules);
    warm.remove();
    const times: number[] = [];
    for (let round = 0; round < repetitions; round++) {
      const timed = await install(tarball);
      timed.remove();
      times.push(timed.ms);
      log(`  install ${round + 1}/${repetitions}: ${timed.ms.toFixed(0)} ms`);
    }
    return { bytes, packages, installMs: summarise(times) };
  } finally {
    packed.remove();
  }
}
