// Bundles the viewer into dist/web/: one ES module with no imports left, plus the page and the stylesheet.
// Nothing is fetched at run time from anywhere but the lucidlines server, so the viewer works offline.

import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(webDir, '..', 'dist', 'web');

await mkdir(outDir, { recursive: true });
await build({
  entryPoints: [join(webDir, 'main.ts')],
  outfile: join(outDir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await Promise.all(
  ['index.html', 'style.css'].map((file) => copyFile(join(webDir, file), join(outDir, file))),
);
