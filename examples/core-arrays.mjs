// The core entry `lovasz` on plain typed arrays: losses with their gradients, and IoU metrics.
// No TensorFlow.js involved. Run after `npm run build`: node examples/core-arrays.mjs
import { iou, iouBinary, lovaszHinge, lovaszSoftmax } from 'lovasz';

// Multiclass: one image of 2 x 3 pixels, 3 classes, softmax probabilities in NHWC layout.
const [B, H, W, C] = [1, 2, 3, 3];
// biome-ignore format: one row of pixels per line, C values per pixel
const probas = Float32Array.from([
  0.8, 0.1, 0.1,   0.6, 0.3, 0.1,   0.2, 0.7, 0.1,
  0.1, 0.8, 0.1,   0.3, 0.3, 0.4,   0.1, 0.1, 0.8,
]);
const labels = Uint8Array.from([0, 0, 1, 1, 2, 255]); // 255: a void pixel, ignored
const { loss, grad } = lovaszSoftmax(probas, labels, [B, H, W, C], { ignore: 255 });
console.log(`lovaszSoftmax loss ${loss.toFixed(6)}`);
console.log(
  `gradient: ${grad.length} values (d loss / d probas, NHWC), first pixel [${Array.from(grad.slice(0, C), (g) => g.toFixed(4)).join(', ')}]`,
);

// The predicted class of each pixel, and the per-class IoU in percent.
const preds = new Int32Array(B * H * W);
for (let px = 0; px < preds.length; px++) {
  const p = probas.subarray(px * C, px * C + C);
  preds[px] = p.indexOf(Math.max(...p));
}
const perClass = iou(preds, labels, [B, H, W], C, { ignore: 255 });
console.log(`per-class IoU ${perClass.map((v) => v.toFixed(1)).join(' ')} (percent)`);

// Binary: the Lovász hinge on logits, one step of gradient descent lowers it.
const logits = Float32Array.from([2, -1, 0.5, -0.2, 1.5, -3]);
const fg = Uint8Array.from([1, 0, 0, 1, 1, 0]);
const before = lovaszHinge(logits, fg, [1, 2, 3]);
const stepped = logits.map((x, i) => x - 0.5 * before.grad[i]);
const after = lovaszHinge(stepped, fg, [1, 2, 3]);
console.log(
  `lovaszHinge ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)} after one gradient step`,
);
const mask = stepped.map((x) => (x > 0 ? 1 : 0));
console.log(`foreground IoU ${iouBinary(mask, fg, [1, 2, 3]).toFixed(1)}%`);
