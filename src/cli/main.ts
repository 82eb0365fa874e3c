#!/usr/bin/env node
/**
 * The `lovasz` executable (package.json bin): runs the command line on process.argv and
 * exits with its status. The first Ctrl-C stops the demo after the current training step and
 * leaves no results.json; a second one kills the process at once.
 *
 * The library has no dependencies, so `npm install lovasz` does not bring what the command
 * line needs (plots, PNG files, progress bars, TensorFlow.js backends): they are optional peer
 * dependencies. Before loading anything, say which are missing and how to install them,
 * rather than fail on the first import.
 * @module
 */

const CLI_PACKAGES = [
  'commander',
  'cli-progress',
  'pngjs',
  'vega',
  'vega-lite',
  '@resvg/resvg-js',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
];

const missing = CLI_PACKAGES.filter((name) => {
  try {
    import.meta.resolve(name);
    return false;
  } catch {
    return true;
  }
});

if (missing.length > 0) {
  process.stderr.write(
    `lovasz: the command line needs packages the library does not depend on: npm install ${missing.join(' ')}\n`,
  );
  process.exitCode = 1;
} else {
  const { runCli } = await import('./run-cli.js');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  process.exitCode = await runCli(process.argv.slice(2), process, controller.signal);
}
