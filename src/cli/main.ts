#!/usr/bin/env node
/**
 * The `lovasz` executable (package.json bin): runs the command line on process.argv and
 * exits with its status. The first Ctrl-C stops the demo after the current training step and
 * leaves no results.json; a second one kills the process at once.
 */
import { runCli } from './run-cli.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
process.exitCode = await runCli(process.argv.slice(2), process, controller.signal);
