// A stand-in for a bundler in watch mode: shows a redrawn progress bar ("\r"), then a coloured summary,
// and "rebuilds" every few seconds as if files had changed.
const useColour = process.env.NO_COLOR === undefined;
const paint = (code, text) => (useColour ? `\u001b[${code}m${text}\u001b[0m` : text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const files = ['src/main.ts', 'src/app.tsx', 'src/routes/index.tsx', 'src/styles.css', 'src/api/client.ts'];

async function build(round) {
  const started = performance.now();
  const steps = 20;
  for (let step = 0; step <= steps; step++) {
    const bar = '#'.repeat(step).padEnd(steps, '.');
    process.stdout.write(`\r${paint(35, 'building')} [${bar}] ${String(step * 5).padStart(3)}%`);
    await sleep(40);
  }
  process.stdout.write('\n');
  if (round % 4 === 3) {
    console.error(
      paint(33, `warning: ${files[round % files.length]}:12:7 'unused' is declared but never used`),
    );
  }
  const elapsed = Math.round(performance.now() - started);
  console.log(`${paint(32, 'compiled')} ${files.length} files in ${paint(1, `${elapsed}ms`)}`);
}

console.log(paint(2, 'watching src/ for changes'));
for (let round = 0; ; round++) {
  await build(round);
  await sleep(4000);
  console.log(paint(2, `change detected: ${files[round % files.length]}`));
}
