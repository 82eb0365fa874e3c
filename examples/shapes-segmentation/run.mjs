// Four training recipes for a small segmentation network on synthetic shapes, compared on a
// validation split: (a) cross-entropy, (b) Lovász-Softmax, (c) cross-entropy then Lovász-Softmax
// fine-tuning, (d) cross-entropy + Lovász-Softmax, all at the same number of steps, over a few
// seeds. Checks the claim of Berman et al. (CVPR 2018) that fine-tuning with the Lovász-Softmax
// improves the validation mIoU over cross-entropy alone.
//
// Run after `npm run build` (it imports 'lovasz' and 'lovasz/tfjs' through the package name):
//   node examples/shapes-segmentation/run.mjs            # default: ~10 min on one core
//   node examples/shapes-segmentation/run.mjs --quick    # CI: a few steps, under a minute
// Options: --quick, --seeds N, --steps N, --out DIR (default results/ beside this file; --quick
// defaults to a temporary directory so that it never overwrites the committed results).
// Writes to --out: results.json, results.md (tables), miou-vs-steps.png, predictions.png; a
// default run (results/) also pastes the tables into README.md between its markers.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { ConfusionMatrix } from 'lovasz';
import { combinedLoss, lossSchedule, lovaszSoftmax, xloss } from 'lovasz/tfjs';
import { CLASSES, makeShapes, rng } from './data.mjs';
import { createModel } from './model.mjs';
import { miouPlotPng, predictionsPng } from './plots.mjs';
import { resultsMarkdown } from './report.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    out: { type: 'string' },
  },
});

/**
 * The settings of a run. Sized so that the default finishes well inside 15 minutes on one
 * core of a busy machine with the pure-JS cpu backend (about 0.25 s per step of 4 images):
 * measured times are in the README.
 */
const config = args.quick
  ? { size: 64, train: 24, val: 12, batch: 4, width: 8, lr: 2e-2, steps: 8, evals: 2, seeds: 1 }
  : { size: 64, train: 400, val: 48, batch: 4, width: 8, lr: 2e-2, steps: 270, evals: 9, seeds: 2 };
if (args.steps) config.steps = positiveInt('--steps', args.steps);
if (args.seeds) config.seeds = positiveInt('--seeds', args.seeds);
/** Recipe (c) trains with cross-entropy for the first 2/3 of the steps, then fine-tunes. */
config.fineTuneFrom = Math.round((2 * config.steps) / 3);
/** The data is the same for every seed; seeds vary the initial weights and batch order. */
config.dataSeed = 2018;
config.backend = 'cpu';
const out =
  args.out ?? (args.quick ? mkdtempSync(join(tmpdir(), 'shapes-quick-')) : join(here, 'results'));

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be an integer >= 1`);
  return n;
}

/** The recipes: name, label and the loss of each step (a function of logits and labels). */
const xent = (logits, labels) => xloss(logits, labels);
const lovasz = (logits, labels) => lovaszSoftmax(logits, labels, { fromLogits: true });
const RECIPES = [
  { key: 'xent', name: '(a) cross-entropy', lossAt: lossSchedule([{ loss: xent }]) },
  { key: 'lovasz', name: '(b) Lovász-Softmax', lossAt: lossSchedule([{ loss: lovasz }]) },
  {
    key: 'xent-then-lovasz',
    name: '(c) cross-entropy, then Lovász fine-tuning',
    lossAt: lossSchedule([{ until: config.fineTuneFrom, loss: xent }, { loss: lovasz }]),
  },
  {
    key: 'xent+lovasz',
    name: '(d) cross-entropy + Lovász-Softmax',
    lossAt: lossSchedule([
      {
        loss: combinedLoss([
          { loss: 'xloss' },
          { loss: 'lovaszSoftmax', weight: 1, options: { fromLogits: true } },
        ]),
      },
    ]),
  },
];

await tf.setBackend(config.backend);
const started = performance.now();
const C = CLASSES.length;
const { size, batch } = config;
const trainSet = makeShapes(config.train, size, config.dataSeed);
const valSet = makeShapes(config.val, size, config.dataSeed + 1);
const valImages = tf.tensor4d(valSet.images, [config.val, size, size, 1]);
/** Steps at which the validation mIoU is measured: `evals` points, ending at the last step. */
const evalSteps = Array.from({ length: config.evals }, (_, i) =>
  Math.round(((i + 1) * config.steps) / config.evals),
);
const SHOWN = Math.min(6, config.val); // validation images drawn in predictions.png

/** Validation metrics of the model: per-class IoU, mIoU, and predictions of the first images. */
function evaluate(model) {
  const cm = new ConfusionMatrix(C);
  const chunk = 16;
  let shown;
  for (let i = 0; i < config.val; i += chunk) {
    const n = Math.min(chunk, config.val - i);
    const preds = tf.tidy(() =>
      tf.argMax(model.apply(valImages.slice([i, 0, 0, 0], [n, size, size, 1])), -1).dataSync(),
    );
    const labels = valSet.labels.subarray(i * size * size, (i + n) * size * size);
    cm.update(preds, labels, [n, size, size]);
    if (i === 0) shown = Uint8Array.from(preds.subarray(0, SHOWN * size * size));
  }
  return { iou: cm.iou(), mIoU: cm.meanIoU(), preds: shown };
}

/** The batch of each step for a seed: the same sequence for every recipe. */
function batchOrder(seed) {
  const rand = rng(seed * 7919 + 1);
  return Array.from({ length: config.steps }, () =>
    Array.from({ length: batch }, () => Math.floor(rand() * config.train)),
  );
}

function batchTensors(indices) {
  const px = size * size;
  const images = new Float32Array(batch * px);
  const labels = new Int32Array(batch * px);
  indices.forEach((n, b) => {
    images.set(trainSet.images.subarray(n * px, (n + 1) * px), b * px);
    labels.set(trainSet.labels.subarray(n * px, (n + 1) * px), b * px);
  });
  return [
    tf.tensor4d(images, [batch, size, size, 1]),
    tf.tensor3d(labels, [batch, size, size], 'int32'),
  ];
}

/**
 * Trains `state` (model + optimizer) with `recipe` from step `from` to `to` (exclusive),
 * recording the validation mIoU at the eval steps into `curve` and the last evaluation in
 * `state.last` (the final step is always an eval step).
 */
function train(recipe, state, order, from, to, curve, label) {
  for (let step = from; step < to; step++) {
    const [x, y] = batchTensors(order[step]);
    const loss = recipe.lossAt(step);
    const value = state.optimizer.minimize(
      () => loss(state.model.apply(x), y),
      true,
      state.model.variables,
    );
    const lossValue = value.dataSync()[0];
    tf.dispose([x, y, value]);
    if (evalSteps.includes(step + 1)) {
      state.last = evaluate(state.model);
      const { mIoU } = state.last;
      curve.push({ step: step + 1, mIoU });
      const secs = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `${label.padEnd(44)} step ${String(step + 1).padStart(4)}/${config.steps}` +
          `  loss ${lossValue.toFixed(4)}  val mIoU ${mIoU.toFixed(2)}%  (${secs} s)`,
      );
    }
  }
}

/** A model and its optimizer, from the seed. */
function freshState(seed) {
  return {
    model: createModel({ classes: C, width: config.width, seed }),
    optimizer: tf.train.adam(config.lr),
  };
}

function disposeState(state) {
  tf.dispose(state.model.variables);
  state.optimizer.dispose();
}

/** Copies of the model's weights and the optimizer's moments (for the fine-tuning fork). */
async function snapshot(state) {
  return {
    weights: state.model.variables.map((v) => tf.clone(v)),
    optimizer: (await state.optimizer.getWeights()).map(({ name, tensor }) => ({
      name,
      tensor: tf.clone(tensor),
    })),
  };
}

async function restore(state, saved) {
  for (const [i, v] of state.model.variables.entries()) v.assign(saved.weights[i]);
  await state.optimizer.setWeights(saved.optimizer);
}

const runs = []; // { recipe, seed, curve, iou, mIoU, preds }
for (let s = 0; s < config.seeds; s++) {
  const seed = s + 1;
  const order = batchOrder(seed);
  for (const recipe of RECIPES) {
    if (recipe.key === 'xent-then-lovasz') continue; // forked from the cross-entropy run
    const state = freshState(seed);
    const curve = [];
    if (recipe.key === 'xent') {
      // (a) and (c) share their first fineTuneFrom steps exactly (same seed, batches and loss):
      // train them once, then fork. Restoring weights and Adam's moments makes (c) identical
      // to a run from scratch, at a third of the cost.
      const label = `seed ${seed} (a)+(c) shared`;
      train(recipe, state, order, 0, config.fineTuneFrom, curve, label);
      const saved = await snapshot(state);
      const forked = [...curve];
      train(
        recipe,
        state,
        order,
        config.fineTuneFrom,
        config.steps,
        curve,
        `seed ${seed} ${recipe.name}`,
      );
      runs.push({ recipe: recipe.key, seed, curve, ...state.last });
      const fine = RECIPES.find((r) => r.key === 'xent-then-lovasz');
      await restore(state, saved);
      tf.dispose([...saved.weights, ...saved.optimizer.map((w) => w.tensor)]);
      train(
        fine,
        state,
        order,
        config.fineTuneFrom,
        config.steps,
        forked,
        `seed ${seed} ${fine.name.slice(0, 30)}`,
      );
      runs.push({ recipe: fine.key, seed, curve: forked, ...state.last });
    } else {
      train(recipe, state, order, 0, config.steps, curve, `seed ${seed} ${recipe.name}`);
      runs.push({ recipe: recipe.key, seed, curve, ...state.last });
    }
    disposeState(state);
  }
}
const seconds = (performance.now() - started) / 1000;

mkdirSync(out, { recursive: true });
const results = {
  config,
  classes: CLASSES,
  recipes: RECIPES.map(({ key, name }) => ({ key, name })),
  seconds,
  runs: runs.map(({ preds, ...run }) => run),
};
const markdown = resultsMarkdown(results);
writeAtomic(join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
writeAtomic(join(out, 'results.md'), markdown);
writeAtomic(join(out, 'miou-vs-steps.png'), await miouPlotPng(results));
const firstSeed = RECIPES.map((r) => ({
  name: r.name,
  preds: runs.find((run) => run.recipe === r.key && run.seed === 1).preds,
}));
writeAtomic(join(out, 'predictions.png'), predictionsPng(valSet, size, SHOWN, firstSeed, C));
if (!args.quick && args.out === undefined) pasteIntoReadme(markdown);
tf.dispose(valImages);
console.log(`\n${markdown}`);
console.log(`wrote ${out}/results.json, results.md, miou-vs-steps.png, predictions.png`);
console.log(`total ${seconds.toFixed(0)} s`);

/** Writes via a temporary file and a rename, so a killed run leaves no half-written file. */
function writeAtomic(path, content) {
  writeFileSync(`${path}.tmp`, content);
  renameSync(`${path}.tmp`, path);
}

/** Replaces the text between the results markers of README.md with the new tables. */
function pasteIntoReadme(markdown) {
  const readme = join(here, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const begin = '<!-- results:begin -->';
  const end = '<!-- results:end -->';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  writeAtomic(readme, `${text.slice(0, i + begin.length)}\n${markdown}\n${text.slice(j)}`);
}
