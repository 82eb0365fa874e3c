#!/usr/bin/env node
/**
 * The `lovasz` executable (package.json bin): runs the command line on process.argv and
 * exits with its status. The first Ctrl-C stops the demo after the current training step and
 * leaves no results.json; a second one kills the process at once.
 *
 * The command line's packages are optional peer dependencies (see cli-packages.ts). Before
 * loading anything, say which ones this command lacks, in the one `npm install` line that
 * brings them, rather than fail on the first import; a command never asks for another's.
 * @module
 */
import { missingPackages } from './cli-packages.js';

const argv = process.argv.slice(2);
const missing = missingPackages(argv, (name) => import.meta.resolve(name));

if (missing.length > 0) {
  const command = argv.find((a) => !a.startsWith('-'));
  process.stderr.write(
    `lovasz${command === 'eval' || command === 'demo' ? ` ${command}` : ''}: needs packages the library does not depend on: npm install ${missing.join(' ')}\n`,
  );
  process.exitCode = 1;
} else {
  const { runCli } = await import('./run-cli.js');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort(new Error('interrupted')));
  process.exitCode = await runCli(argv, process, controller.signal);
}
