// Documentation examples that do not typecheck yet, each named by its file and the start of its
// first line. examples.test.ts expects these to fail, and fails itself when one of them
// typechecks (or no longer exists): remove the entry when you fix the example. Do not add to
// this list to make a new example pass; fix the example.

export interface KnownFailure {
  /** The file the example is in, repository-relative. */
  readonly file: string;
  /** The start of the example's first non-blank line, trimmed. */
  readonly firstLine: string;
  /** Why it fails, and the fix. */
  readonly why: string;
}

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  // README snippets that call a function they do not import.
  {
    file: 'README.md',
    firstLine: 'lovaszHinge(logits, labels, { ignore: 255 });',
    why: "no import: add import { lovaszHinge, lovaszSigmoid } from 'lovasz/tfjs'",
  },
  {
    file: 'README.md',
    firstLine: "model.compile({ optimizer: 'adam', loss: kerasLovaszSoftmax() });",
    why: "no import: add import { kerasLovaszSoftmax } from 'lovasz/tfjs'",
  },
  {
    file: 'README.md',
    firstLine: 'const out = new Float32Array(logits.length);',
    why: "no import: add import { lovaszHinge } from 'lovasz'",
  },

  // Doc-comment examples that call a function their own module does not export.
  {
    file: 'src/core/check.ts',
    firstLine: "lovaszSoftmax(probas, labels, [B, C, H, W], { layout: 'NCHW' });",
    why: "lovaszSoftmax is not exported by check.ts: add import { lovaszSoftmax } from 'lovasz'",
  },
  {
    file: 'src/core/check.ts',
    firstLine: 'lovaszSoftmax(probas, labels, [B, H, W, C], { classes: [1, 2, 3] });',
    why: "lovaszSoftmax is not exported by check.ts: add import { lovaszSoftmax } from 'lovasz'",
  },
  {
    file: 'src/core/loss-result.ts',
    firstLine: 'const { loss, grad } = lovaszHinge(logits, labels, [B, H, W]);',
    why: "lovaszHinge is not exported by loss-result.ts: add import { lovaszHinge } from 'lovasz'",
  },
  {
    file: 'src/core/loss-result.ts',
    firstLine: 'const out = new Float32Array(logits.length);',
    why: "lovaszHinge is not exported by loss-result.ts: add import { lovaszHinge } from 'lovasz'",
  },
  {
    file: 'src/core/reduction.ts',
    firstLine: "const { losses } = lovaszHinge(logits, labels, [B, H, W], { reduction: 'none' });",
    why: "lovaszHinge is not exported by reduction.ts: add import { lovaszHinge } from 'lovasz'",
  },
  {
    file: 'src/core/loss-schedule.ts',
    firstLine: 'const warmUp: LossPhase<typeof xloss> = { until: 1000, loss: xloss };',
    why: "xloss is not exported by loss-schedule.ts: add import { xloss } from 'lovasz'",
  },
  {
    file: 'src/tfjs/path.ts',
    firstLine: "const path: LossPath = tf.getBackend() === 'webgl' ? 'tensor' : 'core';",
    why: "lovaszHinge is not exported by path.ts: add import { lovaszHinge } from 'lovasz/tfjs'",
  },
  {
    file: 'src/tfjs/path.ts',
    firstLine: "const loss = lovaszSoftmax(probas, labels, { ignore: 255, path: 'core' });",
    why: "lovaszSoftmax is not exported by path.ts: add import { lovaszSoftmax } from 'lovasz/tfjs'",
  },

  // A real typing gap: the schedule's loss type is inferred from untyped arrows.
  {
    file: 'src/core/loss-schedule.ts',
    firstLine: 'const lossAt = lossSchedule([',
    why:
      'implicit any on (x, y), and a tfjs snippet (optimizer, 2-argument lovaszSoftmax) with ' +
      "no imports in a core file: import xloss and lovaszSoftmax from 'lovasz/tfjs' and type " +
      'the phases, e.g. lossSchedule<(x: Tensor, y: Tensor) => Scalar>([...])',
  },
];
