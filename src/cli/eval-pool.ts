/**
 * Runs the pairs of `lovasz eval` in the main thread (jobs = 1) or on a pool of worker
 * threads, calling `onResult` for each result as it arrives (in any order with workers; the
 * caller merges by index).
 * @module
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PairConfig, PairResult, PairTask } from './eval-pair.js';

/** Pairs kept in flight per worker, so that none waits for its next message. */
const IN_FLIGHT = 2;

/** The worker script next to this module, or null when running from TypeScript sources. */
function workerScript(): URL | null {
  const url = new URL('./eval-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * Evaluates every task with `jobs` threads. From TypeScript sources (the tests) there is no
 * compiled worker script, and the pairs run in the main thread whatever `jobs` says.
 */
export async function runPairs(
  tasks: PairTask[],
  config: PairConfig,
  jobs: number,
  onResult: (result: PairResult) => void,
  signal?: AbortSignal,
): Promise<void> {
  const script = jobs > 1 && tasks.length > 1 ? workerScript() : null;
  if (script === null) {
    const { pairEvaluator } = await import('./eval-pair.js');
    const evaluate = pairEvaluator(config);
    for (const [i, task] of tasks.entries()) {
      if (signal?.aborted) throw signal.reason;
      onResult(evaluate(task));
      // Let Ctrl-C and the progress bar's timer in between pairs.
      if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    return;
  }
  const workers = Array.from(
    { length: Math.min(jobs, tasks.length) },
    () => new Worker(script, { workerData: config }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const send = (worker: Worker) => {
        if (next < tasks.length) worker.postMessage(tasks[next++]);
      };
      const abort = () => reject(signal?.reason);
      signal?.addEventListener('abort', abort, { once: true });
      for (const worker of workers) {
        worker.on('message', (result: PairResult) => {
          onResult(result);
          if (++done === tasks.length) resolve();
          else send(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (done < tasks.length) reject(new Error(`an eval worker exited with code ${code}`));
        });
        for (let k = 0; k < IN_FLIGHT; k++) send(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
