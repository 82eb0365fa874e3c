// @ts-check
/**
 * The typed-array core: lovaszSoftmax on both inputs and both kernels, the Lovász-Sigmoid, the
 * hinge on both kernels, and the `out` rows (the gradient into one reused array).
 */
import { lovaszHinge, lovaszSoftmax } from '../../dist/index.js';
import { dims } from '../harness.js';

export const name = 'core';

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  // The default kernel ('auto': WebAssembly in Node) and the JavaScript kernel, which gives
  // the same bits and is what runs where WebAssembly is refused.
  for (const kind of /** @type {const} */ (['uniform', 'confident'])) {
    const sizes = kind === 'uniform' ? ctx.allSoftmaxSizes : ctx.CONFIDENT_SIZES;
    for (const size of sizes) {
      for (const kernel of /** @type {const} */ (['auto', 'js'])) {
        const wasm = kernel === 'auto';
        const tag = kind === 'uniform' ? 'softmax' : 'softmax-confident';
        const refs = [
          { id: `c/${dims(size)}`, label: 'C' },
          { id: `floor/${dims(size)}`, label: 'floor' },
        ];
        if (!wasm) refs.push({ id: `core/${tag}/${dims(size)}`, label: 'wasm' });
        if (wasm && kind === 'confident')
          refs.push({ id: `core/softmax/${dims(size)}`, label: 'uniform' });
        // (The earlier build is compared in the baseline suite's rows, timed alternately.)
        const row = {
          id: `${wasm ? 'core' : 'core-js'}/${tag}/${dims(size)}`,
          impl: wasm ? 'core' : "core, kernel 'js'",
          case: ctx.softmaxCase(size, kind),
          size: dims(size),
          backend: wasm ? 'wasm' : 'js',
          refs,
        };
        if (!ctx.selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) continue;
        const { probas, labels, shape } = ctx.softmaxData(size, kind);
        const options = size[1] === 1 ? { ...ctx.SIGMOID, kernel } : { kernel };
        await ctx.timeRow(
          row,
          () => {
            lovaszSoftmax(probas, labels, shape, options);
          },
          probas.length,
        );
      }
    }
  }
  for (const kernel of /** @type {const} */ (['auto', 'js'])) {
    for (const kind of /** @type {const} */ (['random', 'trained'])) {
      const refs =
        kernel === 'js'
          ? [{ id: `core/hinge/${kind}`, label: 'wasm' }]
          : kind === 'random'
            ? [{ id: `c/${dims(ctx.SIGMOID_SIZE)}`, label: 'C (C=1)' }]
            : [{ id: 'core/hinge/random', label: 'random' }];
      const row = {
        id: kernel === 'js' ? `core-js/hinge/${kind}` : `core/hinge/${kind}`,
        impl: kernel === 'js' ? "core, kernel 'js'" : 'core',
        case: ctx.hingeCase(kind),
        size: dims(ctx.HINGE_SIZE),
        backend: kernel === 'js' ? 'js' : 'wasm',
        refs,
      };
      const { logits, labels, shape } = ctx.hingeData()[kind];
      await ctx.timeRow(
        row,
        () => {
          lovaszHinge(logits, labels, shape, { perImage: true, kernel });
        },
        logits.length,
      );
    }
  }
  // The same calls writing the gradient into one reused array (option `out`): no allocation
  // proportional to the input per call. Each call otherwise returns a fresh gradient, whose
  // pages the OS maps in on first write.
  for (const kind of /** @type {const} */ (['random', 'trained'])) {
    const { logits, labels, shape } = ctx.hingeData()[kind];
    const out = new Float32Array(logits.length);
    await ctx.timeRow(
      {
        id: `core-out/hinge/${kind}`,
        impl: "core, reused 'out'",
        case: ctx.hingeCase(kind),
        size: dims(ctx.HINGE_SIZE),
        backend: 'wasm',
        refs: [
          { id: `core/hinge/${kind}`, label: 'new gradient' },
          ...(kind === 'trained' ? [{ id: 'core-out/hinge/random', label: 'random' }] : []),
        ],
      },
      () => {
        lovaszHinge(logits, labels, shape, { perImage: true, out });
      },
      logits.length,
    );
  }
  for (const kind of /** @type {const} */ (['uniform', 'confident'])) {
    const size = ctx.SOFTMAX_SIZES[0];
    const tag = kind === 'uniform' ? 'softmax' : 'softmax-confident';
    const row = {
      id: `core-out/${tag}/${dims(size)}`,
      impl: "core, reused 'out'",
      case: ctx.softmaxCase(size, kind),
      size: dims(size),
      backend: 'wasm',
      refs: [
        { id: `core/${tag}/${dims(size)}`, label: 'new gradient' },
        { id: `c/${dims(size)}`, label: 'C' },
        { id: `floor/${dims(size)}`, label: 'floor' },
      ],
    };
    // Checked before the input is made: at full size it is 72 MB, plus as much for `out`.
    if (!ctx.selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) continue;
    const { probas, labels, shape } = ctx.softmaxData(size, kind);
    const out = new Float32Array(probas.length);
    await ctx.timeRow(
      row,
      () => {
        lovaszSoftmax(probas, labels, shape, { out });
      },
      probas.length,
    );
  }
  if (ctx.rows.some((r) => r.id.startsWith('core/hinge/'))) {
    try {
      const wasm = await import('../../dist/core/hinge-wasm.js');
      ctx.extra.hingeWasmBytes = wasm.hingeWasmBytes();
    } catch {
      // An internal detail: its absence only leaves the number out.
    }
  }
}
