/**
 * The ceiling of the binary demo's model: logits = x + b with one scalar b, predictions
 * x + b > 0, so every b predicts the pixels whose feature exceeds -b. Sweeping that threshold
 * over all feature values finds the best image-IoU (the mean over images of per-image IoUs,
 * void ignored, an image with an empty union scoring 100%) that any b reaches, which no loss
 * can beat.
 *
 * Exact: the valid pixels are sorted by decreasing feature, and each group of equal features
 * joins the prediction at once; per image, IoU = TP / (G + FP) (G: its foreground pixels), and
 * the mean is updated image by image in float64. O(n log n).
 *
 * Shapes: features and labels of B * H * W values, `shape` [B, H, W]; labels 0, 1 or `ignore`.
 * Returns the image-IoU in percent and a b that reaches it (midway between two features).
 * @example
 *   const { imageIoU, b } = bestBias(data.features, data.labels, data.shape, 255);
 */
export function bestBias(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  shape: readonly number[],
  ignore: number | null,
): { imageIoU: number; b: number } {
  const [B, H, W] = shape;
  const per = H * W;
  const fg = new Float64Array(B);
  const tp = new Float64Array(B);
  const fp = new Float64Array(B);
  const order: number[] = [];
  for (let i = 0; i < B * per; i++) {
    if (labels[i] === ignore) continue;
    order.push(i);
    if (labels[i] === 1) fg[Math.floor(i / per)]++;
  }
  order.sort((a, b) => features[b] - features[a] || a - b);
  const iouOf = (k: number) => (fg[k] + fp[k] === 0 ? 1 : tp[k] / (fg[k] + fp[k]));
  let sum = 0;
  for (let k = 0; k < B; k++) sum += iouOf(k);
  // Nothing predicted: b below every -x.
  const top = order.length ? features[order[0]] : 0;
  let best = { sum, b: -top - 1 };
  for (let j = 0; j < order.length; ) {
    const x = features[order[j]];
    for (; j < order.length && features[order[j]] === x; j++) {
      const i = order[j];
      const k = Math.floor(i / per);
      sum -= iouOf(k);
      if (labels[i] === 1) tp[k]++;
      else fp[k]++;
      sum += iouOf(k);
    }
    if (sum > best.sum) {
      const next = j < order.length ? features[order[j]] : x - 2;
      best = { sum, b: -(x + next) / 2 };
    }
  }
  return { imageIoU: B === 0 ? 100 : (100 * best.sum) / B, b: best.b };
}
