// The fine-tuning experiment of Berman et al. (CVPR 2018), with model.fit: train a small
// segmentation network with cross-entropy until its validation mIoU stops improving (early
// stopping on the exact val_mIoU of lovasz/layers' iouCallback), then, from that checkpoint and
// for the same number of further epochs, (a) continue with cross-entropy, (b) fine-tune with
// the Lovász-Softmax, (c) train with cross-entropy + Lovász-Softmax; over several seeds.
//
// Run after `npm run build` (it imports 'lovasz' and 'lovasz/layers' through the package name):
//   node examples/shapes-finetune/run.mjs            # the default run (results/, README tables)
//   node examples/shapes-finetune/run.mjs --quick    # CI: tiny, under a minute, to a temp dir
// Options: --quick, --seeds N, --out DIR. Writes to --out: results.json, results.md,
// miou-vs-epoch.png, predictions.png; the default run also pastes results.md into README.md.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { iouCallback, kerasLovaszSoftmax, kerasMeanIoU } from 'lovasz/layers';
import { CLASSES, makeShapes, rng } from '../shapes-segmentation/data.mjs';
import { predictionsPng } from '../shapes-segmentation/plots.mjs';
import { registerFastConvGrad } from './fast-conv-grad.mjs';
import { createModel } from './model.mjs';
import { miouPlotPng } from './plots.mjs';
import { resultsMarkdown } from './report.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    out: { type: 'string' },
  },
});

/**
 * The settings. The default is sized for well under 30 minutes of one core (measured times
 * in the README): 48x48 images, batches of 8; cross-entropy for `warmUp` epochs, then on with
 * early stopping (patience `patience` epochs on val_mIoU) up to `maxEpochs` in all; then
 * `fineTune` epochs per recipe from the best epoch's weights. The warm-up is there because the
 * mIoU of a fresh network first falls (from predicting background everywhere, which already
 * scores the background's IoU, to confusing the shapes): early stopping from epoch 1 stopped
 * at epoch 4 with the epoch-1 weights as the "plateau".
 */
const config = args.quick
  ? {
      size: 32,
      train: 16,
      val: 8,
      batch: 8,
      width: 4,
      lr: 3e-3,
      warmUp: 1,
      maxEpochs: 3,
      patience: 1,
      fineTune: 1,
      seeds: 1,
    }
  : {
      size: 48,
      train: 128,
      val: 48,
      batch: 8,
      width: 8,
      lr: 5e-3,
      warmUp: 8,
      maxEpochs: 40,
      patience: 4,
      fineTune: 8,
      seeds: 3,
    };
if (args.seeds) config.seeds = positiveInt('--seeds', args.seeds);
config.dataSeed = 2018; // the same data for every seed: seeds vary weights and batch order
config.backend = 'cpu';
const out =
  args.out ?? (args.quick ? mkdtempSync(join(tmpdir(), 'finetune-quick-')) : join(here, 'results'));

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be an integer >= 1`);
  return n;
}

await tf.setBackend(config.backend);
// tfjs-layers' conv2d layers spend ~90% of a cpu training step in the stock filter gradient;
// see fast-conv-grad.mjs and the README for the measurement and the choice.
registerFastConvGrad();

const C = CLASSES.length;
const { size } = config;
const trainSet = makeShapes(config.train, size, config.dataSeed);
const valSet = makeShapes(config.val, size, config.dataSeed + 1);
const xTrain = tf.tensor4d(trainSet.images, [config.train, size, size, 1]);
const yTrain = tf.tidy(() =>
  tf.oneHot(tf.tensor3d(trainSet.labels, [config.train, size, size], 'int32'), C),
);
const xVal = tf.tensor4d(valSet.images, [config.val, size, size, 1]);
const yVal = tf.tensor3d(valSet.labels, [config.val, size, size], 'int32'); // integer labels

/** Keras cross-entropy on softmax probabilities (the model's output), mean over pixels. */
const xent = (yTrue, yPred) => tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred));
const lovasz = kerasLovaszSoftmax();
const RECIPES = [
  { key: 'xent', name: '(a) cross-entropy, continued', loss: xent },
  { key: 'lovasz', name: '(b) Lovász-Softmax fine-tuning', loss: lovasz },
  {
    key: 'xent+lovasz',
    name: '(c) cross-entropy + Lovász-Softmax',
    loss: (yTrue, yPred) => tf.add(xent(yTrue, yPred), lovasz(yTrue, yPred)),
  },
];

/**
 * Keeps a copy of the weights of the best epoch by val_mIoU (earlyStopping in tfjs-layers
 * 4.22 cannot restore them). The iouCallback has written val_mIoU before this runs, whatever
 * the order of the callbacks.
 */
class BestWeights extends tf.Callback {
  best = -Infinity;
  epoch = -1;
  weights = null;
  async onEpochEnd(epoch, logs) {
    if (!(logs.val_mIoU > this.best)) return;
    this.best = logs.val_mIoU;
    this.epoch = epoch;
    if (this.weights) tf.dispose(this.weights);
    this.weights = this.model.getWeights().map((w) => tf.clone(w));
  }
}

/** A logs value as a number: tfjs-layers hands Callback instances tf.Scalars for its own. */
const num = (v) => (typeof v === 'number' ? v : v.dataSync()[0]);

/** Prints one line per epoch. */
class Progress extends tf.Callback {
  constructor(label) {
    super();
    this.label = label;
  }
  async onEpochEnd(epoch, logs) {
    const secs = ((performance.now() - started) / 1000).toFixed(0);
    console.log(
      `${this.label.padEnd(40)} epoch ${String(epoch + 1).padStart(3)}  loss ${num(logs.loss).toFixed(4)}` +
        `  batch mIoU ${num(logs.mIoU).toFixed(1)}  val mIoU ${logs.val_mIoU.toFixed(2)}` +
        `  per-image ${logs.val_perImageMIoU.toFixed(2)}  (${secs} s)`,
    );
  }
}

/**
 * tfjs-layers' fit shuffles with Math.random: seed it, so that a seed's run is reproducible
 * and every recipe of a seed sees the same batches.
 */
const mathRandom = Math.random;
function seedShuffle(seed) {
  Math.random = rng(seed);
}

function compiled(model, loss) {
  model.compile({ optimizer: tf.train.adam(config.lr), loss, metrics: [kerasMeanIoU(C)] });
  return model;
}

async function trainFor(model, epochs, label, extra = [], initialEpoch = 0) {
  const iou = iouCallback({ x: xVal, y: yVal }, { numClasses: C, perImage: true, batchSize: 16 });
  const history = await model.fit(xTrain, yTrain, {
    epochs,
    initialEpoch,
    batchSize: config.batch,
    shuffle: true,
    verbose: 0,
    callbacks: [...extra, iou, new Progress(label)],
  });
  const h = history.history;
  const curve = h.val_mIoU.map((mIoU, i) => ({
    epoch: initialEpoch + i + 1,
    mIoU,
    perImage: h.val_perImageMIoU[i],
  }));
  return { curve, last: iou.last };
}

async function predictions(model, n) {
  const p = tf.tidy(() => tf.argMax(model.predict(xVal.slice(0, n)), -1));
  const values = Int32Array.from(await p.data());
  p.dispose();
  return values;
}

const started = performance.now();
const SHOWN = Math.min(6, config.val);
const runs = []; // per seed: { seed, stoppedAt, best, checkpoint curve, branches }
for (let s = 0; s < config.seeds; s++) {
  const seed = s + 1;
  // Phase 1: cross-entropy with early stopping on the exact validation mIoU.
  seedShuffle(seed * 7919);
  const model = compiled(createModel({ size, classes: C, width: config.width, seed }), xent);
  const best = new BestWeights();
  const stop = tf.callbacks.earlyStopping({
    monitor: 'val_mIoU',
    mode: 'max',
    patience: config.patience,
  });
  const label = `seed ${seed} cross-entropy`;
  const warm = await trainFor(model, config.warmUp, label, [best]);
  // earlyStopping first on purpose: the iouCallback still writes val_mIoU before it reads it.
  const rest = await trainFor(model, config.maxEpochs, label, [stop, best], config.warmUp);
  const phase1 = { curve: [...warm.curve, ...rest.curve] };
  const run = {
    seed,
    epochs: phase1.curve.length,
    bestEpoch: best.epoch + 1,
    checkpointMIoU: best.best,
    phase1: phase1.curve,
    branches: [],
  };
  const checkpoint = best.weights;
  const start = run.bestEpoch;
  for (const recipe of RECIPES) {
    // The same further epochs for every recipe, counted from the checkpoint.
    seedShuffle(seed * 7919 + 1); // the same batches for every recipe of a seed
    const branch = compiled(
      createModel({ size, classes: C, width: config.width, seed }),
      recipe.loss,
    );
    branch.setWeights(checkpoint);
    const { curve, last } = await trainFor(branch, config.fineTune, `seed ${seed} ${recipe.name}`);
    run.branches.push({
      recipe: recipe.key,
      curve: curve.map((c) => ({ ...c, epoch: start + c.epoch })),
      mIoU: last.mIoU,
      perImageMIoU: last.perImageMIoU,
      iou: last.iou,
      preds: seed === 1 ? await predictions(branch, SHOWN) : undefined,
    });
    branch.dispose();
  }
  tf.dispose(checkpoint);
  model.dispose();
  runs.push(run);
}
Math.random = mathRandom;
const seconds = (performance.now() - started) / 1000;
const cpuSeconds = process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6;

mkdirSync(out, { recursive: true });
const results = {
  config,
  classes: CLASSES,
  recipes: RECIPES.map(({ key, name }) => ({ key, name })),
  seconds,
  cpuSeconds,
  runs: runs.map((r) => ({ ...r, branches: r.branches.map(({ preds, ...b }) => b) })),
};
const markdown = resultsMarkdown(results);
writeAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeAtomic(join(out, 'results.md'), markdown);
writeAtomic(join(out, 'miou-vs-epoch.png'), await miouPlotPng(results));
const firstSeed = RECIPES.map((r) => ({
  name: r.name,
  preds: runs[0].branches.find((b) => b.recipe === r.key).preds,
}));
writeAtomic(join(out, 'predictions.png'), predictionsPng(valSet, size, SHOWN, firstSeed, C));
if (!args.quick && args.out === undefined) pasteIntoReadme(markdown);
tf.dispose([xTrain, yTrain, xVal, yVal]);
console.log(`\n${markdown}`);
console.log(`wrote ${out}/results.json, results.md, miou-vs-epoch.png, predictions.png`);
console.log(`total ${seconds.toFixed(0)} s wall, ${cpuSeconds.toFixed(0)} s cpu`);

/** Writes via a temporary file and a rename, so a killed run leaves no half-written file. */
function writeAtomic(path, content) {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

/** Replaces the text between the results markers of README.md with the new tables. */
function pasteIntoReadme(text) {
  const readme = join(here, 'README.md');
  let doc;
  try {
    doc = readFileSync(readme, 'utf8');
  } catch {
    return;
  }
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return;
  writeAtomic(readme, `${doc.slice(0, i + begin.length)}\n${text}\n${doc.slice(j)}`);
}
