import { checkFinite, checkLabels, checkOut, type NumericArray } from './check.js';
import { type HingeMode, hingeGroupsJs } from './hinge-passes.js';
import { hingeWasm, hingeWasmUnavailable } from './hinge-wasm.js';
import type { LossResult } from './loss-result.js';
import type { HingeResolved } from './options/hinge-options.js';
import { reductionPlan } from './reduction.js';

// Label arrays whose valid values (0, 1 and an int32 ignore label) convert to int32 exactly,
// so the WebAssembly kernel's own label check is as strict as checkLabels.
const EXACT_LABELS = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
];

/**
 * Checks the values and computes the hinge on the kernel `opts.kernel` selects. The
 * WebAssembly kernel checks typed-array values itself, while it gathers them, and reports
 * only that something is wrong; checkFinite and checkLabels then run to say what, with the
 * same message the JavaScript path gives.
 */
export function hingeChecked(
  fn: string,
  logits: NumericArray,
  labels: NumericArray,
  groups: number,
  size: number,
  opts: HingeResolved,
): LossResult {
  const { ignore } = opts;
  const check = () => {
    checkFinite(fn, 'logits', logits);
    checkLabels(fn, 'labels', labels, 2, ignore, '0 or 1');
  };
  const out = checkOut(fn, opts.out, size, { logits, labels });
  const plan = reductionPlan(opts.reduction, groups);
  const scale = plan.factor(0);
  // Without pixels there is nothing to compute, and nothing for a kernel to refuse.
  const tryWasm = opts.kernel !== 'js' && size > 0 && groups > 0;
  const refusal = tryWasm ? wasmRefusal(opts) : '';
  if (opts.kernel === 'wasm' && refusal !== '') {
    throw new Error(`${fn}: kernel 'wasm' cannot run this call: ${refusal}`);
  }
  if (tryWasm && refusal === '') {
    const typed = ArrayBuffer.isView(logits) && EXACT_LABELS.some((t) => labels instanceof t);
    if (!typed) check();
    const r = hingeWasm(logits, labels, groups, size / groups, ignore, scale, plan.losses, out);
    if (r.kind === 'done') return plan.result(r.loss * scale, r.grad);
    if (r.kind === 'unavailable' && opts.kernel === 'wasm') {
      throw new Error(`${fn}: kernel 'wasm' cannot run this call: ${r.reason}`);
    }
    // 'invalid': check() throws, unless a finite float64 logit overflowed float32, which the
    // JavaScript kernel handles as an infinite key.
  }
  check();
  const grad = out ? out.fill(0) : new Float32Array(size);
  if (groups === 0 || size === 0) return plan.result(0, grad);
  // Labels are validated: with no ignore label none is negative, so -1 matches no pixel (an
  // integer comparison, cheaper than one against NaN).
  const ign = ignore === null ? -1 : ignore;
  const mode: HingeMode = { elu: opts.variant === 'elu+1', symmetric: opts.symmetric, scale };
  const sum = hingeGroupsJs(logits, labels, groups, size, ign, mode, grad, plan.losses);
  return plan.result(sum * scale, grad);
}

/** Why the WebAssembly kernel does not take this call ('' when it does). */
function wasmRefusal(opts: HingeResolved): string {
  if (opts.variant === 'elu+1') return "it computes variant 'relu' only, got 'elu+1'";
  if (opts.symmetric) return 'it does not compute the symmetric hinge';
  const { ignore } = opts;
  if (ignore !== null && (ignore | 0) !== ignore) {
    return `it needs an int32 ignore label, got ${ignore}`;
  }
  return hingeWasmUnavailable();
}
