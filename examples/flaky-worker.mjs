// A stand-in for a background worker with a bug: it processes jobs, and now and then crashes with a
// stack trace and a non-zero exit code, so the viewer shows a failed process that can be restarted.
const useColour = process.env.NO_COLOR === undefined;
const paint = (code, text) => (useColour ? `\u001b[${code}m${text}\u001b[0m` : text);

console.log(`worker started (pid ${process.pid})`);
let job = 0;
setInterval(() => {
  job++;
  if (Math.random() < 0.12) {
    console.error(paint(31, `Error: job ${job} failed: connection reset by queue`));
    console.error('    at processJob (examples/flaky-worker.mjs:12:11)');
    process.exit(1);
  }
  console.log(`processed job ${paint(33, `#${job}`)} in ${Math.round(20 + Math.random() * 200)}ms`);
}, 1500);
