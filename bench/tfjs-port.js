// @ts-check
/**
 * The baseline: a line-by-line TensorFlow.js port of the original PyTorch Lovász-Softmax
 * (lovasz_losses.py, Berman et al.), differentiated by tfjs autodiff. This is what a user
 * gets without this library: tf.topk for the sort, tf.gather to apply the permutation (its
 * gradient is an unsortedSegmentSum, quadratic on the cpu backend and not implemented on
 * wasm) and tf.cumsum for the Jaccard counts.
 */
import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';

let registered = false;

/**
 * Registers tfjs-core's own gradient definitions (the umbrella @tensorflow/tfjs package does
 * this; tfjs-core alone does not). dist/register_all_gradients.js is ESM with extensionless
 * relative imports, which Node refuses, so a resolve hook retries those with '.js'. The
 * gradients land in tfjs's global registry and run on the global engine, so they serve the
 * tfjs-core instance the rest of the benchmark imported.
 */
export async function registerGradients() {
  if (registered) return;
  const hook = `export async function resolve(spec, ctx, next) {
  try { return await next(spec, ctx); } catch (err) {
    if (spec.startsWith('.') && ctx.parentURL && ctx.parentURL.includes('/@tensorflow/tfjs-core/dist/'))
      return next(spec + '.js', ctx);
    throw err;
  }
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  registered = true;
}

/**
 * lovasz_grad: gradient of the Lovász extension w.r.t. sorted errors.
 * @param {tf.Tensor1D} gtSorted float32 0/1 labels in error order
 */
function lovaszGrad(gtSorted) {
  const p = gtSorted.shape[0];
  const gts = tf.sum(gtSorted);
  const intersection = tf.sub(gts, tf.cumsum(gtSorted));
  const union = tf.add(gts, tf.cumsum(tf.sub(1, gtSorted)));
  const jaccard = tf.sub(1, tf.div(intersection, union));
  if (p <= 1) return jaccard;
  // jaccard[1:p] = jaccard[1:p] - jaccard[0:-1]
  const head = tf.slice(jaccard, [0], [1]);
  const diff = tf.sub(tf.slice(jaccard, [1], [p - 1]), tf.slice(jaccard, [0], [p - 1]));
  return tf.concat([head, diff]);
}

/**
 * lovasz_softmax_flat with classes='present'.
 * @param {tf.Tensor2D} probas [P, C]
 * @param {tf.Tensor1D} labels [P] int32
 * @param {readonly number[]} present classes occurring in labels (PyTorch tests fg.sum() == 0
 *   per class; the labels are constant data, so the benchmark computes this once outside)
 */
function lovaszSoftmaxFlat(probas, labels, present) {
  const [P] = probas.shape;
  /** @type {tf.Scalar[]} */
  const losses = [];
  for (const c of present) {
    const fg = tf.cast(tf.equal(labels, c), 'float32');
    const classPred = tf.reshape(tf.slice(probas, [0, c], [P, 1]), [P]);
    const errors = tf.abs(tf.sub(fg, classPred));
    // torch.sort(errors, 0, descending=True): topk with k = P gives the full permutation.
    // perm = perm.data in PyTorch detaches the permutation; tfjs has no detach, and leaving
    // perm on the tape makes tf.gather's gradient fail (an int32 gradient for the indices),
    // so the indices are copied into a fresh tensor the tape does not know.
    const sorted = tf.topk(errors, P).indices;
    const perm = tf.tensor1d(sorted.dataSync(), 'int32');
    const errorsSorted = tf.gather(errors, perm);
    const fgSorted = tf.gather(fg, perm);
    losses.push(tf.dot(errorsSorted, lovaszGrad(/** @type {tf.Tensor1D} */ (fgSorted))));
  }
  return tf.div(tf.addN(losses), losses.length);
}

/**
 * lovasz_softmax(probas, labels, classes='present', per_image=False, ignore=None) on NHWC
 * probabilities: flatten to [P, C] (the PyTorch code permutes NCHW to this layout first).
 * @param {tf.Tensor} probas [B, H, W, C]
 * @param {tf.Tensor} labels [B, H, W] int32
 * @param {readonly number[]} present
 * @returns {tf.Scalar}
 */
export function lovaszSoftmaxPort(probas, labels, present) {
  const C = probas.shape[probas.rank - 1];
  return /** @type {tf.Scalar} */ (
    lovaszSoftmaxFlat(
      /** @type {tf.Tensor2D} */ (tf.reshape(probas, [-1, C])),
      /** @type {tf.Tensor1D} */ (tf.reshape(labels, [-1])),
      present,
    )
  );
}

/**
 * Classes that occur in the labels.
 * @param {Int32Array} labels
 * @param {number} C
 */
export function presentClasses(labels, C) {
  const seen = new Uint8Array(C);
  for (const y of labels) seen[y] = 1;
  return [...seen.keys()].filter((c) => seen[c]);
}
