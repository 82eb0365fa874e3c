// @ts-check
/**
 * Memory, measured first (cold): process.memoryUsage() around the first two core calls at the
 * largest softmax size, the bytes the core keeps between calls, the JavaScript kernel's sort
 * buffers and the class kernel's WebAssembly memory.
 */
import { lovaszSoftmax } from '../../dist/index.js';
import { dims } from '../harness.js';
import { formatBytes, markdownTable } from '../table.js';

export const name = 'memory';

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  const largest = ctx.SOFTMAX_SIZES[0];
  if (!ctx.selected(`core lovaszSoftmax ${dims(largest)} js wasm memory`)) return;
  const { probas, labels, shape } = ctx.softmaxData(largest);
  const wasm = await import('../../dist/core/class-wasm.js');
  const before = process.memoryUsage();
  const wasmBefore = wasm.classWasmBytes();
  // The first call allocates the gradient and grows the kernel's WebAssembly memory.
  const first = lovaszSoftmax(probas, labels, shape);
  const afterFirst = process.memoryUsage();
  const second = lovaszSoftmax(probas, labels, shape);
  const afterSecond = process.memoryUsage();
  const wasmBytes = wasm.classWasmBytes();
  // The JavaScript kernel's buffers, after one call of it.
  lovaszSoftmax(probas, labels, shape, { kernel: 'js' });
  const groups = await import('../../dist/core/lovasz-groups.js');
  const classLoss = await import('../../dist/core/class-loss.js');
  const jsBytes = classLoss.classWorkspaceBytes(groups.classKernelWorkspace());
  if (second.loss !== first.loss) ctx.log('warning: two identical calls returned different losses');
  const [B, C, H, W] = largest;
  const m = {
    size: dims(largest),
    inputBytes: probas.byteLength + labels.byteLength,
    gradBytes: first.grad.byteLength,
    before,
    afterFirstCall: afterFirst,
    afterSecondCall: afterSecond,
    classWasmBytesBefore: wasmBefore,
    classWasmBytes: wasmBytes,
    jsKernelBytes: jsBytes,
    pixels: B * H * W,
    classes: C,
  };
  ctx.extra.memory = m;
  /** @param {NodeJS.MemoryUsage} u */
  const cells = (u) => [formatBytes(u.rss), formatBytes(u.heapUsed), formatBytes(u.arrayBuffers)];
  const table = markdownTable(
    ['process.memoryUsage()', 'rss', 'heapUsed', 'arrayBuffers'],
    [
      ['inputs generated, before the first call', ...cells(before)],
      ['after the first call (result held)', ...cells(afterFirst)],
      ['after a second call (both results held)', ...cells(afterSecond)],
    ],
  );
  const perValue = wasmBytes / (B * H * W * C);
  ctx.memory.push(
    `${table}\n\nAt ${m.size} (${B * H * W} pixels x ${C} classes): inputs ` +
      `${formatBytes(m.inputBytes)}, returned gradient ${formatBytes(m.gradBytes)} per call. ` +
      `The class kernel's WebAssembly memory after the first call: ${formatBytes(wasmBytes)} ` +
      `(${perValue.toFixed(1)} bytes per pixel and class; it only grows). The JavaScript ` +
      `kernel's buffers: ${formatBytes(jsBytes)} (sort buffers and the dense sink of one class).`,
  );
}
