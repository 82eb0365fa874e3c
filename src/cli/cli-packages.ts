/**
 * Which optional packages each `lovasz` command needs. The library has no dependencies, so
 * `npm install lovasz` does not bring what the command line uses; they are optional peer
 * dependencies, and each command asks only for its own: `--help` and `--version` for
 * commander, `eval` for commander, cli-progress and pngjs (and the plotting stack with
 * --plot), `demo` for those, the plotting stack and the TensorFlow.js backends.
 * @module
 */

const BASE = ['commander'];
const FILES = ['cli-progress', 'pngjs'];
const PLOTS = ['vega', 'vega-lite', '@resvg/resvg-js'];
const TFJS = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
];

/**
 * The packages a command line (the arguments after `lovasz`) needs, in install order.
 * @example
 *   packagesFor(['eval', '--pred', 'p', '--gt', 'g', '--classes', '2']); // commander, cli-progress, pngjs
 */
export function packagesFor(argv: readonly string[]): string[] {
  const command = argv.find((a) => !a.startsWith('-'));
  // Help and version print from commander alone.
  if (argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V'))
    return BASE;
  if (command === 'demo') return [...BASE, ...FILES, ...PLOTS, ...TFJS];
  if (command === 'eval') {
    const plot = argv.some((a) => a === '--plot' || a.startsWith('--plot='));
    return [...BASE, ...FILES, ...(plot ? PLOTS : [])];
  }
  return BASE;
}

/** The packages of `packagesFor(argv)` that `resolve` cannot find. */
export function missingPackages(
  argv: readonly string[],
  resolve: (name: string) => unknown,
): string[] {
  return packagesFor(argv).filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}
