import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BackendName, useBackend } from './backend.js';
import { runBinaryDemo } from './binary.js';
import { maskGridPng } from './masks.js';
import { runMulticlassDemo } from './multiclass.js';
import { OUTPUT_FILES as F } from './output-files.js';
import { curvesPng } from './plots.js';
import { progressBars } from './progress.js';
import { reportHtml } from './report.js';
import { BINARY_RUNS, type DemoResults, MULTICLASS_RUNS } from './results.js';
import { summaryTable } from './summary.js';
import { writeFileAtomic } from './write-atomic.js';

/** The demos `lovasz demo` can run. */
export const DEMOS = ['binary', 'multiclass', 'all'] as const;
export type DemoName = (typeof DEMOS)[number];

/** Options of {@link runDemo}. */
export interface DemoOptions {
  demo: DemoName;
  seed: number;
  /** Steps of every run; default: each demo's own (binary 500, multiclass 1000). */
  steps?: number;
  /** Output directory, created if missing. */
  out: string;
  backend: BackendName;
  /** Print results.json's content to stdout instead of the summary table. */
  json: boolean;
  /** Size of the data (tests use small images); defaults: each demo's own. */
  size?: { images?: number; pixels?: number };
}

/** Where {@link runDemo} writes: stdout for the summary (or JSON), stderr for progress. */
export interface DemoIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Checks that `dir` exists or can be created and that files can be written into it, before
 * minutes of training are spent; throws an Error saying why not.
 */
export function checkWritableDir(dir: string): void {
  const probe = join(dir, `.lovasz-write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot write to the output directory '${dir}' (${reason})`);
  }
}

/**
 * `lovasz demo`: runs the binary and/or multiclass demo, shows a progress bar per training
 * run, writes plots, mask grids and report.html into `out`, then results.json (last, and
 * atomically: an interrupted run leaves no results.json, not even a stale one from before),
 * and prints a summary table (or, with `json`, the results) to stdout.
 *
 * Aborting `signal` (Ctrl-C) stops training after the current step; the promise then rejects
 * with the signal's reason.
 * @example
 *   await runDemo({ demo: 'all', seed: 0, out: 'lovasz-demo', backend: 'cpu', json: false },
 *     { stdout: process.stdout, stderr: process.stderr });
 */
export async function runDemo(
  options: DemoOptions,
  io: DemoIo,
  signal?: AbortSignal,
): Promise<DemoResults> {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const { out, seed, steps } = options;
  checkWritableDir(out);
  // A results.json left from an earlier run would describe other plots than the new ones.
  rmSync(join(out, F.results), { force: true });
  await useBackend(options.backend);
  const data = { count: options.size?.images, size: options.size?.pixels };
  const results: DemoResults = { seed, backend: options.backend, seconds: 0, cpuSeconds: 0 };
  // Drawn after training, so that a failed or interrupted run draws nothing.
  const pngs: [string, () => Buffer | Promise<Buffer>][] = [];

  if (options.demo === 'binary' || options.demo === 'all') {
    const demo = await runBinaryDemo({
      seed,
      steps,
      data,
      onRun: progressBars(io.stderr, 'binary', 'image-IoU'),
      signal,
    });
    const r = demo.results;
    results.binary = r;
    const curves = (key: 'loss' | 'iou') =>
      BINARY_RUNS.map((name) => ({ name, values: r.runs[name][key] }));
    pngs.push([
      F.binaryLoss,
      () => curvesPng('Binary demo: training loss', 'loss', curves('loss')),
    ]);
    pngs.push([
      F.binaryIou,
      () => curvesPng('Binary demo: image-IoU', 'image-IoU (%)', curves('iou')),
    ]);
    pngs.push([F.binaryLabels, () => maskGridPng(demo.data.labels, demo.data.shape)]);
    for (const name of BINARY_RUNS) {
      pngs.push([
        F.binaryPrediction(name),
        () => maskGridPng(demo.predictions[name], demo.data.shape),
      ]);
    }
  }

  if (options.demo === 'multiclass' || options.demo === 'all') {
    const demo = await runMulticlassDemo({
      seed,
      steps,
      data,
      onRun: progressBars(io.stderr, 'multiclass', 'mIoU'),
      signal,
    });
    const r = demo.results;
    results.multiclass = r;
    const curves = (key: 'loss' | 'mIoU') =>
      MULTICLASS_RUNS.map((name) => ({ name, values: r.runs[name][key] }));
    pngs.push([
      F.multiclassLoss,
      () => curvesPng('Multiclass demo: training loss', 'loss', curves('loss')),
    ]);
    pngs.push([
      F.multiclassIou,
      () => curvesPng('Multiclass demo: mIoU', 'mIoU (%)', curves('mIoU')),
    ]);
    pngs.push([F.multiclassLabels, () => maskGridPng(demo.data.labels, demo.data.shape)]);
    for (const name of MULTICLASS_RUNS) {
      pngs.push([
        F.multiclassPrediction(name),
        () => maskGridPng(demo.predictions[name], demo.data.shape),
      ]);
    }
  }

  for (const [name, draw] of pngs) writeFileAtomic(join(out, name), await draw());
  results.seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  results.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  writeFileAtomic(join(out, F.report), reportHtml(results));
  signal?.throwIfAborted();
  writeFileAtomic(join(out, F.results), `${JSON.stringify(results, null, 2)}\n`);
  if (options.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    io.stdout.write(summaryTable(results));
    io.stdout.write(
      `\n${F.report}, ${F.results} and ${pngs.length} PNGs in ${out} ` +
        `(${results.seconds.toFixed(0)} s, ${results.cpuSeconds.toFixed(0)} s of CPU)\n`,
    );
  }
  return results;
}
