import { checkProbabilities, type NumericArray, PROBABILITY_SLACK } from './check.js';
import { type ClassWorkspace, classLoss, classWorkspace } from './class-loss.js';
import {
  classLossesWasm,
  classWasmRefusal,
  classWasmUnavailable,
  type WasmClass,
  type WasmLabels,
  type WasmSession,
  wasmSession,
} from './class-wasm.js';
import type { Geometry } from './geometry.js';
import type { LossResult } from './loss-result.js';
import type { ClassSelection, KernelChoice } from './options/common-options.js';
import { type Reduction, reductionPlan } from './reduction.js';

/** What {@link lovaszGroups} needs to know about one loss call (validated by the caller). */
export interface GroupPlan {
  probas: NumericArray;
  geo: Geometry;
  batch: number;
  /** Number of classes (or channels) the selection refers to. */
  numClasses: number;
  selection: ClassSelection;
  perImage: boolean;
  /** The ignore label, or -1 for none (labels are validated non-negative). */
  ign: number;
  weights: Float64Array | null;
  reduction: Reduction;
  /** Where the gradient goes (zeroed first); null: a new array. */
  out: Float32Array | null;
  /**
   * For class c over images [b0, b1): the per-pixel labels [B * H * W] to compare (only that
   * range is read), the label value that means foreground, and the probability channel.
   * Called once per class and group.
   */
  target(c: number, b0: number, b1: number): { labels: NumericArray; cls: number; channel: number };
  /**
   * Over images [b0, b1): per class, the number of valid foreground pixels and of valid
   * pixels.
   */
  counts(b0: number, b1: number): { fg: Float64Array; valid: Float64Array };
  /** The function named in errors. */
  fn: string;
  /** Which kernel computes the class losses (both give the same bits). */
  kernel: KernelChoice;
  /**
   * The labels as the WebAssembly kernel reads them, or why it cannot (a string): the
   * JavaScript kernel reads them through `target`.
   */
  wasmLabels: WasmLabels | string;
  /**
   * The name of the probabilities argument when they are still to be checked in [0, 1]
   * (the WebAssembly kernel checks them while it reads them); null: already checked.
   */
  checkProbabilities: string | null;
}

// The JavaScript kernel's scratch state, reused from call to call (it only grows).
const workspace: ClassWorkspace = classWorkspace();

/** The workspace of the JavaScript class kernel (for memory accounting in the benchmark). */
export function classKernelWorkspace(): ClassWorkspace {
  return workspace;
}

/** One class of one group: what the kernels compute, and how the result is combined. */
interface GroupClass {
  c: number;
  total: number;
  valid: number;
  scale: number;
}

/**
 * The Lovász loss of a batch: per group (each image with perImage, else the whole batch) the
 * weighted mean over the classes considered of the per-class losses, then the reduction.
 *
 * perImage: per-image losses l_b = sum_c w_c L_bc / sum_c w_c (0 for an image with no valid
 * pixel, which still counts); 'mean' averages them, 'sum' adds them, 'none' returns them.
 * Otherwise: per-class losses L_c over the batch; 'mean' is sum_c w_c L_c / sum_c w_c, 'sum'
 * is sum_c w_c L_c, 'none' returns the L_c (unweighted) with their classes. Every gradient
 * entry belongs to one class and one image, so it is written once, already scaled.
 */
export function lovaszGroups(plan: GroupPlan): LossResult {
  const { probas, geo, batch, perImage, kernel } = plan;
  const groups = perImage ? batch : 1;
  const per = perImage ? geo.pixels : batch * geo.pixels;
  // Without values there is nothing to compute, and nothing for a kernel to refuse.
  const tryWasm = kernel !== 'js' && probas.length > 0;
  const refusal = tryWasm ? wasmRefusal(plan) : 'not tried';
  if (kernel === 'wasm' && tryWasm && refusal !== '') {
    throw new Error(`${plan.fn}: kernel 'wasm' cannot run this call: ${refusal}`);
  }
  if (refusal === '') {
    const labels = plan.wasmLabels as WasmLabels;
    // The kernel checks float32 probabilities while it stages them; other arrays are checked
    // here first, since staging rounds them to float32.
    const f32 = probas instanceof Float32Array;
    if (plan.checkProbabilities !== null && !f32) {
      checkProbabilities(plan.fn, plan.checkProbabilities, probas);
    }
    const bounds = plan.checkProbabilities !== null && f32 ? PROBABILITY_BOUNDS : null;
    const session = wasmSession({ probas, labels, geo, bounds }, per);
    if (typeof session !== 'string') {
      const result = runGroups(plan, groups, wasmGroup(session, labels, geo));
      // The kernel checked every value: a bad one is named by the JavaScript check.
      if (bounds !== null && session.bad()) {
        checkProbabilities(plan.fn, plan.checkProbabilities as string, probas);
      }
      if (bounds === null || !session.bad()) {
        result.grad = session.grad(plan.out);
        return result;
      }
      // Unreachable: the kernel's bounds are those of checkProbabilities, which passed.
    } else if (kernel === 'wasm') {
      throw new Error(`${plan.fn}: kernel 'wasm' cannot run this call: ${session}`);
    }
  }
  if (plan.checkProbabilities !== null) {
    checkProbabilities(plan.fn, plan.checkProbabilities, probas);
  }
  const grad = plan.out ? plan.out.fill(0) : new Float32Array(probas.length);
  const result = runGroups(plan, groups, jsGroup(plan, grad));
  result.grad = grad;
  return result;
}

/** Why the WebAssembly kernel does not take this plan ('' when it does). */
function wasmRefusal(plan: GroupPlan): string {
  if (typeof plan.wasmLabels === 'string') return plan.wasmLabels;
  const { ign } = plan.wasmLabels;
  if ((ign | 0) !== ign) return `it needs an int32 ignore label, got ${ign}`;
  // Pixel indices and byte addresses are int32 in the kernel.
  if (4 * plan.probas.length > 2 ** 31 - 2 ** 27) {
    return `it addresses at most 2 GB, and ${plan.probas.length} values need more`;
  }
  return classWasmRefusal(plan.geo) || classWasmUnavailable();
}

// The float32 bounds equivalent to checkProbabilities's float64 ones (a float32 x satisfies
// x >= -1e-6 iff x >= lo, and x <= 1 + 1e-6 iff x <= hi).
const PROBABILITY_BOUNDS = (() => {
  const lo64 = -PROBABILITY_SLACK;
  const hi64 = 1 + PROBABILITY_SLACK;
  return { lo: roundUp32(lo64), hi: roundDown32(hi64) };
})();

/** Computes the losses of one group's classes (gradients into the kernel's gradient). */
type GroupRunner = (b0: number, b1: number, classes: GroupClass[], losses: Float64Array) => void;

function jsGroup(plan: GroupPlan, grad: Float32Array): GroupRunner {
  return (b0, b1, classes, losses) => {
    for (let i = 0; i < classes.length; i++) {
      const t = classes[i];
      const { labels, cls, channel } = plan.target(t.c, b0, b1);
      const task = { probas: plan.probas, labels, geo: plan.geo, b0, b1, channel, cls };
      losses[i] = classLoss(
        { ...task, total: t.total, valid: t.valid, ign: plan.ign, scale: t.scale, grad },
        workspace,
      );
    }
  };
}

function wasmGroup(session: WasmSession, labels: WasmLabels, geo: Geometry): GroupRunner {
  const channels = geo.channels;
  return (b0, b1, classes, losses) => {
    const tasks: WasmClass[] = classes.map((t) => ({
      // Per-pixel labels: class c is foreground where the label is c, in channel c (0 with one
      // channel); per-channel targets: channel c, foreground where the target is 1.
      channel: channels === 1 ? 0 : t.c,
      cls: labels.perChannel ? 1 : t.c,
      total: t.total,
      scale: t.scale,
    }));
    classLossesWasm(session, b0, b1, tasks, losses);
  };
}

/**
 * The groups of the plan, each group's classes computed by `run` (called for every group, even
 * one with no class to compute: the WebAssembly kernel loads and checks each group's values).
 */
function runGroups(plan: GroupPlan, groups: number, run: GroupRunner): LossResult {
  const { geo, batch, numClasses, selection, perImage, weights, reduction } = plan;
  // Two levels of one reduction plan: per image with perImage (the weighted mean over the
  // image's classes, then the reduction over images), else the reduction over the classes.
  const imagePlan = perImage ? reductionPlan(reduction, groups) : null;
  let result: LossResult | null = null;
  let loss = 0;
  for (let g = 0; g < groups && geo.pixels > 0; g++) {
    const b0 = perImage ? g : 0;
    const b1 = perImage ? g + 1 : batch;
    const { fg, valid } = plan.counts(b0, b1);
    const considered: number[] = [];
    // Increasing class order, whatever the order of a given list ('none' lists them so).
    const candidates =
      typeof selection === 'string' ? range(numClasses) : [...selection].sort((a, b) => a - b);
    for (const c of candidates) {
      if (valid[c] === 0) continue;
      if (selection === 'present' && fg[c] === 0) continue;
      considered.push(c);
    }
    const w = considered.map((c) => (weights ? weights[c] : 1));
    const classPlan = reductionPlan(perImage ? 'mean' : reduction, considered.length, w);
    // Zero total weight leaves nothing to average (the group scores 0), except for the
    // unweighted per-class losses of 'none'.
    const wsum = w.reduce((a, b) => a + b, 0);
    const computed = wsum > 0 || classPlan.reduction === 'none' ? considered : [];
    const imageFactor = imagePlan ? imagePlan.factor(g) : 1;
    const classes: GroupClass[] = computed.map((c, k) => ({
      c,
      total: fg[c],
      valid: valid[c],
      scale: classPlan.factor(k) * imageFactor,
    }));
    const losses = classPlan.losses ?? new Float64Array(classes.length);
    run(b0, b1, classes, losses);
    let groupLoss = 0;
    for (let k = 0; k < classes.length; k++) groupLoss += classPlan.factor(k) * losses[k];
    if (imagePlan) {
      if (imagePlan.losses) imagePlan.losses[g] = groupLoss;
      loss += imageFactor * groupLoss;
    } else {
      result = classPlan.result(groupLoss, new Float32Array(0), considered);
    }
  }
  // The gradient is set by the caller. Images of zero pixels score 0 (their 'none' entry too).
  if (imagePlan) result = imagePlan.result(loss, new Float32Array(0));
  result ??= reductionPlan(reduction, 0).result(0, new Float32Array(0), []);
  return result;
}

/** The smallest float32 >= x (x finite, negative). */
function roundUp32(x: number): number {
  const f = Float32Array.of(x);
  // A negative float32 moves up (towards 0) when its magnitude bits decrease.
  if (f[0] < x) new Uint32Array(f.buffer)[0] -= 1;
  return f[0];
}

/** The largest float32 <= x (x finite, positive). */
function roundDown32(x: number): number {
  const f = Float32Array.of(x);
  if (f[0] > x) new Uint32Array(f.buffer)[0] -= 1;
  return f[0];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
