// @ts-check
/**
 * The benchmark suites, in the order they run: one file each in bench/suites, exporting
 * `name` and `run(ctx)` (ctx: bench/harness.js). Adding a suite is adding its name here.
 */
export const SUITES = ['memory', 'floor', 'core', 'baseline', 'tfjs', 'port', 'native'];
