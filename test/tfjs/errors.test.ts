/**
 * Bad inputs of lovasz/tfjs: each is rejected with a TypeError or a RangeError whose message
 * names the function, the argument and the offending shape or value, and leaves no tensor
 * behind (expectRejected counts them).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import * as L from '../../src/tfjs/index.js';
import { describeEachBackend } from './backends.js';
import { expectRejected } from './helpers.js';

/** Valid tensors for every function: B = 2, H = 3, W = 4, C = 3 (NHWC). */
function valid() {
  return {
    logits3: tf.fill([2, 3, 4], 0.5),
    logits4: tf.fill([2, 3, 4, 3], 0.5),
    probas4: tf.fill([2, 3, 4, 3], 1 / 3),
    probas3: tf.fill([2, 3, 4], 0.25),
    labels: tf.tensor(
      Array.from({ length: 24 }, (_, i) => i % 2),
      [2, 3, 4],
      'int32',
    ),
    gt: tf.tensor1d([1, 0, 1]),
  };
}
type Valid = ReturnType<typeof valid>;

/** One tensor argument of a public function, and a call with that argument replaced. */
interface Slot {
  fn: string;
  arg: string;
  call: (v: Valid, bad: unknown) => unknown;
}

const anyT = (x: unknown) => x as tf.Tensor;

const SLOTS: Slot[] = [
  { fn: 'lovaszHinge', arg: 'logits', call: (v, b) => L.lovaszHinge(anyT(b), v.labels) },
  { fn: 'lovaszHinge', arg: 'labels', call: (v, b) => L.lovaszHinge(v.logits3, anyT(b)) },
  { fn: 'lovaszSoftmax', arg: 'probas', call: (v, b) => L.lovaszSoftmax(anyT(b), v.labels) },
  { fn: 'lovaszSoftmax', arg: 'labels', call: (v, b) => L.lovaszSoftmax(v.probas4, anyT(b)) },
  { fn: 'binaryXloss', arg: 'logits', call: (v, b) => L.binaryXloss(anyT(b), v.labels) },
  { fn: 'binaryXloss', arg: 'labels', call: (v, b) => L.binaryXloss(v.logits3, anyT(b)) },
  { fn: 'xloss', arg: 'logits', call: (v, b) => L.xloss(anyT(b), v.labels) },
  { fn: 'xloss', arg: 'labels', call: (v, b) => L.xloss(v.logits4, anyT(b)) },
  { fn: 'iou', arg: 'preds', call: (v, b) => L.iou(anyT(b), v.labels, 3) },
  { fn: 'iou', arg: 'labels', call: (v, b) => L.iou(v.labels, anyT(b), 3) },
  { fn: 'iouBinary', arg: 'preds', call: (v, b) => L.iouBinary(anyT(b), v.labels) },
  { fn: 'iouBinary', arg: 'labels', call: (v, b) => L.iouBinary(v.labels, anyT(b)) },
  { fn: 'lovaszGrad', arg: 'gtSorted', call: (_, b) => L.lovaszGrad(anyT(b) as tf.Tensor1D) },
];

/** Runs `body` with fresh valid tensors and disposes them afterwards. */
function withValid(body: (v: Valid) => void): void {
  const v = valid();
  try {
    body(v);
  } finally {
    tf.dispose(Object.values(v));
  }
}

describeEachBackend('bad inputs of lovasz/tfjs', () => {
  for (const { fn, arg, call } of SLOTS) {
    it(`${fn} rejects a non-tensor '${arg}' (an array, null, a typed array) with a TypeError`, () => {
      withValid((v) => {
        expectRejected(() => call(v, [[0, 1]]), TypeError, [
          `${fn}: '${arg}' must be a tf.Tensor, got an array`,
        ]);
        expectRejected(() => call(v, null), TypeError, [
          `${fn}: '${arg}' must be a tf.Tensor, got null`,
        ]);
        // Only the prefix: the message says "got object" for a typed array (see the report).
        expectRejected(() => call(v, new Float32Array(24)), TypeError, [
          `${fn}: '${arg}' must be a tf.Tensor, got`,
        ]);
      });
    });

    it(`${fn} rejects a disposed '${arg}' tensor with a TypeError`, () => {
      withValid((v) => {
        // A disposed copy of the tensor this slot expects, so that only disposal is wrong.
        const t = slotTensor(v, fn, arg).clone();
        t.dispose();
        expectRejected(() => call(v, t), TypeError, [`${fn}: '${arg}' is a disposed tf.Tensor`]);
      });
    });
  }

  // Every rank from the batch axis plus one spatial axis up is a shape (N-D inputs); below it,
  // there is no image.
  const RANKS: { fn: string; arg: string; shapes: number[][]; call: Slot['call'] }[] = [
    { fn: 'lovaszHinge', arg: 'logits', shapes: [[24], []], call: SLOTS[0].call },
    { fn: 'lovaszSoftmax', arg: 'probas', shapes: [[72], []], call: SLOTS[2].call },
    { fn: 'xloss', arg: 'logits', shapes: [[2, 36], [72]], call: SLOTS[6].call },
    { fn: 'iou', arg: 'preds', shapes: [[24], []], call: SLOTS[8].call },
    { fn: 'iouBinary', arg: 'preds', shapes: [[24], []], call: SLOTS[10].call },
    { fn: 'lovaszGrad', arg: 'gtSorted', shapes: [[2, 2]], call: SLOTS[12].call },
  ];
  for (const { fn, arg, shapes, call } of RANKS) {
    it(`${fn} rejects a '${arg}' of the wrong rank with a RangeError showing its shape`, () => {
      withValid((v) => {
        for (const shape of shapes) {
          const t = tf.zeros(shape);
          expectRejected(() => call(v, t), RangeError, [
            `${fn}: '${arg}' must be`,
            `got shape [${shape.join(', ')}]`,
          ]);
          t.dispose();
        }
      });
    });
  }

  const LABELLED: { fn: string; call: (v: Valid, labels: tf.Tensor) => unknown }[] = [
    { fn: 'lovaszHinge', call: (v, y) => L.lovaszHinge(v.logits3, y) },
    { fn: 'lovaszSoftmax', call: (v, y) => L.lovaszSoftmax(v.probas4, y) },
    { fn: 'lovaszSoftmax', call: (v, y) => L.lovaszSoftmax(v.probas3, y, { classes: [1] }) },
    { fn: 'binaryXloss', call: (v, y) => L.binaryXloss(v.logits3, y) },
    { fn: 'xloss', call: (v, y) => L.xloss(v.logits4, y) },
    { fn: 'iou', call: (v, y) => L.iou(v.labels, y, 3) },
    { fn: 'iouBinary', call: (v, y) => L.iouBinary(v.labels, y) },
  ];
  for (const [k, { fn, call }] of LABELLED.entries()) {
    it(`${fn} rejects labels of another [B, H, W] shape than the prediction ([2, 4, 3], [2, 3, 4, 2]) (#${k})`, () => {
      withValid((v) => {
        for (const shape of [
          [2, 4, 3],
          [2, 3, 4, 2],
          [1, 3, 4],
        ]) {
          const y = tf.zeros(shape, 'int32');
          expectRejected(() => call(v, y), RangeError, [
            `${fn}: 'labels' must have shape [2, 3, 4]`,
            `got [${shape.join(', ')}]`,
          ]);
          y.dispose();
        }
      });
    });
  }

  for (const fn of ['lovaszSoftmax', 'xloss'] as const) {
    const loss = (fn === 'xloss' ? L.xloss : L.lovaszSoftmax) as (
      x: tf.Tensor,
      y: tf.Tensor,
      o?: object,
    ) => tf.Scalar;
    const arg = fn === 'xloss' ? 'logits' : 'probas';

    it(`${fn} with layout 'NCHW' rejects labels shaped like an NHWC reading of '${arg}'`, () => {
      // x is [B, C, H, W] = [2, 3, 4, 5]: labels must be [2, 4, 5], not [2, 3, 4].
      const x = tf.fill([2, 3, 4, 5], 1 / 3);
      const y = tf.zeros([2, 3, 4], 'int32');
      expectRejected(() => loss(x, y, { layout: 'NCHW' }), RangeError, [
        `${fn}: 'labels' must have shape [2, 4, 5]`,
        'NCHW',
        'got [2, 3, 4]',
      ]);
      tf.dispose([x, y]);
    });

    it(`${fn} rejects an unknown layout with a RangeError naming 'layout' and its value`, () => {
      withValid((v) => {
        const x = fn === 'xloss' ? v.logits4 : v.probas4;
        for (const layout of ['nchw', 'CHW', 42]) {
          expectRejected(() => loss(x, v.labels, { layout }), RangeError, [
            `${fn}: 'layout' must be 'NHWC' or 'NCHW', got ${typeof layout === 'string' ? `'${layout}'` : layout}`,
          ]);
        }
      });
    });

    it(`${fn} reports a misspelt layout as a layout error even when the labels fit the layout meant`, () => {
      // The user meant NCHW: x [2, 3, 4, 5] with labels [2, 4, 5]. Blaming the labels' shape
      // would send them looking for the wrong mistake.
      const x = tf.fill([2, 3, 4, 5], 1 / 3);
      const y = tf.zeros([2, 4, 5], 'int32');
      expectRejected(() => loss(x, y, { layout: 'nchw' }), RangeError, [
        `${fn}: 'layout' must be 'NHWC' or 'NCHW', got 'nchw'`,
      ]);
      tf.dispose([x, y]);
    });
  }

  it('lovaszSoftmax rejects probabilities outside [0, 1] and NaN, showing the value and its index', () => {
    withValid((v) => {
      for (const [shape, opts] of [
        [[2, 3, 4, 3], {}],
        [[2, 3, 4], { classes: [1] }],
      ] as const) {
        for (const bad of [1.5, -0.25, Number.NaN]) {
          const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.25);
          values[5] = bad;
          const p = tf.tensor(values, [...shape]);
          expectRejected(() => L.lovaszSoftmax(p, v.labels, opts), RangeError, [
            `lovaszSoftmax: 'probas' must be probabilities in [0, 1], got ${bad} at index 5`,
          ]);
          p.dispose();
        }
      }
    });
  });

  const LOGIT_LOSSES: { fn: string; shape: number[]; call: (x: tf.Tensor, v: Valid) => unknown }[] =
    [
      { fn: 'lovaszHinge', shape: [2, 3, 4], call: (x, v) => L.lovaszHinge(x, v.labels) },
      { fn: 'binaryXloss', shape: [2, 3, 4], call: (x, v) => L.binaryXloss(x, v.labels) },
      { fn: 'xloss', shape: [2, 3, 4, 3], call: (x, v) => L.xloss(x, v.labels) },
    ];
  for (const { fn, shape, call } of LOGIT_LOSSES) {
    it(`${fn} rejects NaN and infinite logits, showing the value and its index`, () => {
      withValid((v) => {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
          values[7] = bad;
          const x = tf.tensor(values, shape);
          expectRejected(() => call(x, v), RangeError, [
            `${fn}: 'logits' must be finite, got ${bad} at index 7`,
          ]);
          x.dispose();
        }
      });
    });
  }

  const BINARY: { fn: string; call: (v: Valid, y: tf.Tensor, o: object) => unknown }[] = [
    { fn: 'lovaszHinge', call: (v, y, o) => L.lovaszHinge(v.logits3, y, o) },
    { fn: 'binaryXloss', call: (v, y, o) => L.binaryXloss(v.logits3, y, o) },
    {
      fn: 'lovaszSoftmax',
      call: (v, y, o) => L.lovaszSoftmax(v.probas3, y, { ...o, classes: [1] }),
    },
    { fn: 'iouBinary', call: (v, y, o) => L.iouBinary(v.labels, y, o) },
  ];
  for (const { fn, call } of BINARY) {
    it(`${fn} rejects binary labels outside {0, 1, ignore}, showing the value and its index`, () => {
      withValid((v) => {
        for (const bad of [2, -1, 254]) {
          const values = Array.from(v.labels.dataSync());
          values[9] = bad;
          const y = tf.tensor(values, [2, 3, 4], 'int32');
          expectRejected(() => call(v, y, { ignore: 255 }), RangeError, [
            `${fn}: 'labels' must be 0 or 1 or the ignore label 255, got ${bad} at index 9`,
          ]);
          expectRejected(() => call(v, y, {}), RangeError, [
            `${fn}: 'labels' must be 0 or 1, got ${bad} at index 9`,
          ]);
          y.dispose();
        }
      });
    });
  }

  it("lovaszSoftmax on sigmoid probabilities with classes 'present' (the default) or 'all' says to pass [1]", () => {
    withValid((v) => {
      for (const opts of [{}, { classes: 'present' as const }, { classes: 'all' as const }]) {
        const got = opts.classes ?? 'present';
        expectRejected(() => L.lovaszSoftmax(v.probas3, v.labels, opts), RangeError, [
          "lovaszSoftmax: with a single probability channel (Lovász-Sigmoid), 'classes'",
          'e.g. [1]',
          `got '${got}'`,
        ]);
      }
    });
  });

  const WITH_OPTIONS: { fn: string; call: (v: Valid, o: unknown) => unknown }[] = [
    { fn: 'lovaszHinge', call: (v, o) => L.lovaszHinge(v.logits3, v.labels, o as never) },
    { fn: 'lovaszSoftmax', call: (v, o) => L.lovaszSoftmax(v.probas4, v.labels, o as never) },
    { fn: 'binaryXloss', call: (v, o) => L.binaryXloss(v.logits3, v.labels, o as never) },
    { fn: 'xloss', call: (v, o) => L.xloss(v.logits4, v.labels, o as never) },
    { fn: 'iou', call: (v, o) => L.iou(v.labels, v.labels, 3, o as never) },
    { fn: 'iouBinary', call: (v, o) => L.iouBinary(v.labels, v.labels, o as never) },
  ];
  for (const { fn, call } of WITH_OPTIONS) {
    it(`${fn} rejects an unknown option key with a TypeError naming the key`, () => {
      withValid((v) => {
        expectRejected(() => call(v, { per_image: true }), TypeError, [
          `${fn}: unknown option 'per_image'`,
        ]);
      });
    });

    it(`${fn} rejects options that are not an object, and a non-integer ignore label`, () => {
      withValid((v) => {
        expectRejected(() => call(v, null), TypeError, [
          `${fn}: 'options' must be an object, got null`,
        ]);
        expectRejected(() => call(v, { ignore: '255' }), TypeError, [
          `${fn}: 'ignore' must be null or an integer label such as 255, got '255'`,
        ]);
      });
    });
  }

  const WITH_GRADIENT: { fn: string; call: (v: Valid, o: unknown) => unknown }[] = [
    { fn: 'lovaszHinge', call: (v, o) => L.lovaszHinge(v.logits3, v.labels, o as never) },
    { fn: 'lovaszSoftmax', call: (v, o) => L.lovaszSoftmax(v.probas4, v.labels, o as never) },
    { fn: 'lovaszSigmoid', call: (v, o) => L.lovaszSigmoid(v.logits3, v.labels, o as never) },
    {
      fn: 'lovaszMultilabel',
      // 'out' is refused before the targets are looked at.
      call: (v, o) => L.lovaszMultilabel(v.probas4, v.probas4, o as never),
    },
    { fn: 'binaryXloss', call: (v, o) => L.binaryXloss(v.logits3, v.labels, o as never) },
    { fn: 'xloss', call: (v, o) => L.xloss(v.logits4, v.labels, o as never) },
    { fn: 'kerasLovaszHinge', call: (_v, o) => L.kerasLovaszHinge(o as never) },
    { fn: 'kerasLovaszSoftmax', call: (_v, o) => L.kerasLovaszSoftmax(o as never) },
    { fn: 'kerasLovaszSigmoid', call: (_v, o) => L.kerasLovaszSigmoid(o as never) },
  ];
  for (const { fn, call } of WITH_GRADIENT) {
    it(`${fn} rejects the core's 'out' option: a tensor must not share the caller's array`, () => {
      withValid((v) => {
        const out = new Float32Array(72);
        expectRejected(() => call(v, { out }), TypeError, [
          `${fn}: 'out' is an option of the typed-array losses (import from 'lovasz')`,
        ]);
        expect(out.every((x) => x === 0)).toBe(true);
      });
    });
  }

  it('iou rejects a numClasses that is not an integer >= 1', () => {
    withValid((v) => {
      for (const n of [0, 2.5, -1]) {
        expectRejected(() => L.iou(v.labels, v.labels, n), RangeError, [
          `iou: 'numClasses' must be an integer >= 1, got ${n}`,
        ]);
      }
    });
  });
});

/** The tensor a slot expects, from the valid set (to build a disposed copy of it). */
function slotTensor(v: Valid, fn: string, arg: string): tf.Tensor {
  if (arg === 'labels' || arg === 'preds') return v.labels;
  if (arg === 'gtSorted') return v.gt;
  if (fn === 'lovaszSoftmax') return v.probas4;
  return fn === 'xloss' ? v.logits4 : v.logits3;
}
