/**
 * A worker thread of `lovasz eval --jobs N`: evaluates the pairs the main thread sends it
 * (one PairTask a message) and answers each with its PairResult, whose counts the main thread
 * merges in pair order. workerData is the PairConfig.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type PairConfig, type PairTask, pairEvaluator } from './eval-pair.js';

const evaluate = pairEvaluator(workerData as PairConfig);
const port = parentPort;
if (port === null) throw new Error('eval-worker.js runs as a worker thread of lovasz eval');
port.on('message', (task: PairTask) => {
  port.postMessage(evaluate(task));
});
