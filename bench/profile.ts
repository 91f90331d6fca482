// Profiles lucidlines on a throughput workload:
// `node --import tsx bench/profile.ts [lines|batched|line-blocks|blocks|writers]`.
// Runs one lucidlines pass under `node --cpu-prof` and prints the functions with the most self time.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, scratchDir } from './lucidlines-process.js';
import { blocksLoad, type FloodLoad, linesLoad, timeLucid } from './throughput.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file and line), largest first, as fractions of all sampled time. */
export function hotSpots(profile: CpuProfile, top: number): { label: string; share: number }[] {
  const labelOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    // The CLI runs from a copy of the build; its paths are shown as they are in the repository.
    const path = url.startsWith('file://')
      ? new URL(url).pathname.replace(/^.*\/lucid-bench-build-[^/]+\//, '')
      : url;
    const file = path.startsWith('/') ? relative(REPO_ROOT, path) : path;
    labelOf.set(
      node.id,
      `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim(),
    );
  }
  const selfTime = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((nodeId, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const label = labelOf.get(nodeId) ?? '?';
    selfTime.set(label, (selfTime.get(label) ?? 0) + delta);
    total += delta;
  });
  return [...selfTime.entries()]
    .map(([label, time]) => ({ label, share: time / total }))
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
}

const LOADS: Record<string, () => FloodLoad> = {
  lines: () => linesLoad(2_000_000),
  batched: () => linesLoad(2_000_000, { writeBytes: 100_000 }),
  'line-blocks': () => linesLoad(2_000_000, { writeBytes: 64 * 1024 }),
  blocks: () => blocksLoad(200_000_000),
  writers: () => linesLoad(2_000_000, { writers: 20 }),
};
const load = (LOADS[process.argv[2] ?? 'lines'] ?? (() => linesLoad(2_000_000)))();
const dir = scratchDir('profile');
try {
  const result = await timeLucid(load, ['--cpu-prof', '--cpu-prof-dir', dir.path]);
  process.stdout.write(`${load.label}: ${result.ms.toFixed(0)} ms under the profiler\n`);
  const file = readdirSync(dir.path).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('lucidlines wrote no .cpuprofile (did it exit normally?).');
  const profile = JSON.parse(readFileSync(join(dir.path, file), 'utf8')) as CpuProfile;
  for (const spot of hotSpots(profile, 25)) {
    process.stdout.write(`${(spot.share * 100).toFixed(1).padStart(5)} %  ${spot.label}\n`);
  }
} finally {
  dir.remove();
}
