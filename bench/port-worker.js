// @ts-check
/**
 * Child process that times the plain tfjs port at one size on the cpu backend.
 *
 * It runs apart from the main benchmark because one port iteration can take minutes (the
 * quadratic tf.gather gradient) and a synchronous tfjs computation cannot be interrupted
 * in-process: the parent kills this process when an iteration exceeds its limit.
 * Protocol: one JSON object per stdout line: {event:'ready'}, then {event:'iter', ms, loss}
 * per iteration, then {event:'done'}.
 * usage: node bench/port-worker.js B,C,H,W seed iterations budgetMs
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { lovaszSoftmax } from '../dist/index.js';
import { softmaxInput } from './data.js';
import { lovaszSoftmaxPort, presentClasses, registerGradients } from './tfjs-port.js';

/** @param {object} msg */
const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

const [sizeArg, seedArg, itersArg, budgetArg] = process.argv.slice(2);
const size = sizeArg.split(',').map(Number);
const iterations = Number(itersArg);
const budgetMs = Number(budgetArg);

// PROD: no debug checks, and no "install tfjs-node" banner in the middle of the table.
tf.env().set('PROD', true);
await tf.setBackend('cpu');
await registerGradients();

const { probas, labels, shape } = softmaxInput(size, Number(seedArg));
const present = presentClasses(labels, size[1]);
const x = tf.tensor(probas, shape, 'float32');
const y = tf.tensor(labels, shape.slice(0, 3), 'int32');
const lossAndGrad = tf.valueAndGrad((/** @type {tf.Tensor} */ p) =>
  lovaszSoftmaxPort(p, y, present),
);

// The library's loss on the same input: the port must agree with it, or its timing is moot.
const core = lovaszSoftmax(probas, labels, shape);
send({ event: 'ready' });

const start = performance.now();
for (let i = 0; i < iterations; i++) {
  const t0 = performance.now();
  const { value, grad } = lossAndGrad(x);
  const loss = value.dataSync()[0];
  const g = grad.dataSync();
  const ms = performance.now() - t0;
  let maxGradDiff = 0;
  for (let j = 0; j < g.length; j++)
    maxGradDiff = Math.max(maxGradDiff, Math.abs(g[j] - core.grad[j]));
  value.dispose();
  grad.dispose();
  send({
    event: 'iter',
    ms,
    loss,
    coreLoss: core.loss,
    maxGradDiff,
    tensors: tf.memory().numTensors,
  });
  if (performance.now() - start > budgetMs) break;
}
send({ event: 'done' });
