// @ts-check
/**
 * lovasz/tfjs: tf.valueAndGrad of the losses on the cpu and wasm backends (wasm forced single
 * threaded), outputs disposed each iteration.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as lt from '../../dist/tfjs/index.js';
import { dims } from '../harness.js';

export const name = 'tfjs';

/**
 * One forward + backward through tf.valueAndGrad, outputs disposed. Both backends run
 * kernels synchronously, so the gradient exists when valueAndGrad returns; only the loss
 * is read back (reading the gradient would add a copy out of wasm memory to those rows).
 * @param {(x: tf.Tensor) => tf.Scalar} loss
 * @param {tf.Tensor} x
 */
function stepOf(loss, x) {
  const f = tf.valueAndGrad(loss);
  return () => {
    const { value, grad } = f(x);
    value.dataSync();
    value.dispose();
    grad.dispose();
  };
}

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  tf.env().set('PROD', true); // no debug checks, no "install tfjs-node" banner
  // One thread, like every other row: the threaded wasm build would use all cores.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  ctx.extra.tfjs = tf.version_core;
  /** @type {Record<string, number>} */
  const leaked = {};
  for (const backend of ['cpu', 'wasm']) {
    const wanted = [...ctx.allSoftmaxSizes, ctx.HINGE_SIZE].some((s) =>
      ctx.selected(`lovasz/tfjs lovaszSoftmax lovaszHinge ${dims(s)} ${backend}`),
    );
    if (!wanted && ctx.filter) continue;
    await tf.setBackend(backend);
    await tf.ready();
    if (tf.getBackend() !== backend) throw new Error(`could not activate the ${backend} backend`);
    const startTensors = tf.memory().numTensors;
    const cases = [
      ...ctx.allSoftmaxSizes.map((size) => ({ size, kind: /** @type {const} */ ('uniform') })),
      ...ctx.CONFIDENT_SIZES.map((size) => ({ size, kind: /** @type {const} */ ('confident') })),
    ];
    for (const { size, kind } of cases) {
      const tag = kind === 'uniform' ? 'softmax' : 'softmax-confident';
      const row = {
        id: `tfjs-${backend}/${tag}/${dims(size)}`,
        impl: 'lovasz/tfjs',
        case: ctx.softmaxCase(size, kind),
        size: dims(size),
        backend,
        refs: [{ id: `core/${tag}/${dims(size)}`, label: 'core' }],
      };
      if (!ctx.selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) continue;
      const { probas, labels, shape } = ctx.softmaxData(size, kind);
      const options = size[1] === 1 ? ctx.SIGMOID : {};
      const x = tf.tensor(probas, shape, 'float32');
      const y = tf.tensor(labels, shape.slice(0, 3), 'int32');
      await ctx.timeRow(
        row,
        stepOf((p) => lt.lovaszSoftmax(p, y, options), x),
        probas.length,
      );
      tf.dispose([x, y]);
    }
    for (const kind of /** @type {const} */ (['random', 'trained'])) {
      const { logits, labels, shape } = ctx.hingeData()[kind];
      const x = tf.tensor(logits, shape, 'float32');
      const y = tf.tensor(labels, shape, 'int32');
      await ctx.timeRow(
        {
          id: `tfjs-${backend}/hinge/${kind}`,
          impl: 'lovasz/tfjs',
          case: ctx.hingeCase(kind),
          size: dims(ctx.HINGE_SIZE),
          backend,
          refs: [
            { id: `core/hinge/${kind}`, label: 'core' },
            ...(kind === 'trained'
              ? [{ id: `tfjs-${backend}/hinge/random`, label: 'random' }]
              : []),
          ],
        },
        stepOf((l) => lt.lovaszHinge(l, y, { perImage: true }), x),
        logits.length,
      );
      tf.dispose([x, y]);
    }
    leaked[backend] = tf.memory().numTensors - startTensors;
  }
  for (const [b, n] of Object.entries(leaked)) {
    if (n !== 0) ctx.notes.push(`warning: ${n} tfjs tensors leaked on ${b}`);
  }
}
