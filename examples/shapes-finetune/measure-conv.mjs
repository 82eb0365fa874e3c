// Measures what a model.fit training step of this example's network costs on the cpu backend
// with the stock Conv2DBackpropFilter kernel and with fast-conv-grad.mjs, and where the time
// goes (tf.profile, per kernel). Medians over --steps steps, both in the same process.
// Run after `npm run build`: node examples/shapes-finetune/measure-conv.mjs [--size 48] [--steps 5]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { registerFastConvGrad } from './fast-conv-grad.mjs';
import { createModel } from './model.mjs';

const { values: args } = parseArgs({
  options: { size: { type: 'string', default: '48' }, steps: { type: 'string', default: '5' } },
});
const size = Number(args.size);
const steps = Number(args.steps);
const [B, C] = [8, 5];
await tf.setBackend('cpu');
const model = createModel({ size, classes: C, width: 8, seed: 1 });
model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
const x = tf.randomNormal([B, size, size, 1], 0.5, 0.2, 'float32', 1);
const y = tf.oneHot(tf.randomUniformInt([B, size, size], 0, C, 'int32', 2), C);

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function measure(label) {
  await model.trainOnBatch(x, y); // warm-up
  const times = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await model.trainOnBatch(x, y);
    times.push(performance.now() - t0);
  }
  const profile = await tf.profile(() => model.trainOnBatch(x, y));
  const byKernel = {};
  for (const k of profile.kernels)
    byKernel[k.name] = (byKernel[k.name] ?? 0) + (await k.kernelTimeMs);
  const total = Object.values(byKernel).reduce((a, b) => a + b, 0);
  const top = Object.entries(byKernel)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v.toFixed(0)} ms (${((100 * v) / total).toFixed(0)}%)`);
  console.log(
    `${label}: median step ${median(times).toFixed(0)} ms over ${steps}; profile: ${top.join(', ')}`,
  );
  return median(times);
}

console.log(`${B} images of ${size}x${size}, ${model.countParams()} parameters`);
const stock = await measure('stock kernels');
registerFastConvGrad();
const fast = await measure('fast filter gradient');
console.log(`ratio stock / fast: ${(stock / fast).toFixed(1)}x`);
tf.dispose([x, y]);
