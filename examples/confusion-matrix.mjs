// Evaluating segmentation masks with the streaming ConfusionMatrix of the core: feed it
// batches, read the dataset IoU, mIoU, pixel accuracy and frequency-weighted IoU (percent),
// and the mean of per-image mIoUs, which weighs every image alike.
// Run after `npm run build`: node examples/confusion-matrix.mjs
import { ConfusionMatrix, iou } from 'lovasz';

// A small deterministic pseudo-random generator, so that the output is always the same.
let seed = 1;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

// 3 batches of 2 images of 32 x 32 pixels, 4 classes; label 255 marks void pixels (the border).
const [B, H, W, C] = [2, 32, 32, 4];
const cm = new ConfusionMatrix(C, { ignore: 255, perImage: true });
const all = { preds: [], labels: [] };
for (let batch = 0; batch < 3; batch++) {
  const labels = new Uint8Array(B * H * W);
  const preds = new Uint8Array(B * H * W);
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = (b * H + y) * W + x;
        const border = x === 0 || y === 0 || x === W - 1 || y === H - 1;
        labels[i] = border ? 255 : Math.min(C - 1, Math.floor((x + y * (batch + 1)) / 16));
        // A model that is right 85% of the time, and otherwise guesses.
        preds[i] = random() < 0.85 && !border ? labels[i] : Math.floor(random() * C);
      }
    }
  }
  cm.update(preds, labels, [B, H, W]);
  all.preds.push(...preds);
  all.labels.push(...labels);
}

console.log(`pixels counted: ${cm.count()} (void pixels left out), images: ${cm.imageCount()}`);
console.log(
  `per-class IoU ${cm
    .iou()
    .map((v) => v.toFixed(1))
    .join(' ')} (percent)`,
);
console.log(`mIoU ${cm.meanIoU().toFixed(2)}%`);
console.log(`pixel accuracy ${cm.pixelAccuracy().toFixed(2)}%`);
console.log(`frequency-weighted IoU ${cm.frequencyWeightedIoU().toFixed(2)}%`);
console.log(`per-image mIoU ${cm.perImageMeanIoU().toFixed(2)}%`);

// Streaming gives exactly what one call of `iou` on all the data gives.
const once = iou(all.preds, all.labels, [3 * B, H, W], C, { ignore: 255 });
const same = once.every((v, c) => v === cm.iou()[c]);
console.log(`same as one iou() call on everything: ${same}`);
