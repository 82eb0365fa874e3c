/**
 * lovasz/tfjs on the webgpu backend in Node, through Dawn (test/tfjs/webgpu-node.ts): the golden
 * vectors on the tensor path, every option of the tensor-path functions against the core with
 * nothing read back, and a short training run. Without a GPU, Dawn runs on SwiftShader (a CPU
 * emulation): inputs stay small.
 *
 * Where no WebGPU adapter can be had, the suite is skipped locally (the reason in its name) and
 * fails in CI (CI set), where .ci/apt-packages installs chromium (the SwiftShader driver) and
 * libvulkan1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as L from '../../src/tfjs/index.js';
import { autoPath } from '../../src/tfjs/path.js';
import { binaryXlossOnDevice, xlossOnDevice } from '../../src/tfjs/tensor-path/index.js';
import { golden, maxAbsDiff, relErr } from '../golden.js';
import { countReads, GRAD_TOL, LOSS_TOL, trainOnDevice } from './tensor-path-cases.js';
import { tensorPathOptionTests } from './tensor-path-options.js';
import { activateWebgpu, type WebgpuSetup } from './webgpu-node.js';

// Probed before the suite is declared, so that a machine without an adapter skips it by name.
const probe: WebgpuSetup = await activateWebgpu().catch((e: Error) => ({
  ok: false,
  adapter: `webgpu failed to start: ${e.message}`,
}));
const suite = probe.ok || process.env.CI ? describe : describe.skip;
const title = probe.ok
  ? `lovasz/tfjs on webgpu in Node (${probe.adapter})`
  : `lovasz/tfjs on webgpu in Node (skipped: ${probe.adapter})`;

/** Loss and gradient of one golden case through tf.grad, with the reads counted. */
async function goldenRun(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) {
  const { result, reads } = countReads(() => ({ value: f(x), grad: tf.grad(f)(x) }));
  const out = {
    loss: (await result.value.data())[0],
    grad: Float32Array.from(await result.grad.data()),
    reads,
  };
  tf.dispose([result.value, result.grad]);
  return out;
}

suite(title, () => {
  beforeAll(async () => {
    if (!probe.ok) throw new Error(`no webgpu backend: ${probe.adapter}`);
    await activateWebgpu();
    console.info(`webgpu adapter: ${probe.adapter}`);
  });

  it("is the active backend, and 'auto' takes the tensor path on it", () => {
    expect(tf.getBackend()).toBe('webgpu');
    expect(autoPath()).toBe('tensor');
  });

  const cases = golden.filter((c) =>
    ['lovaszHinge', 'lovaszSoftmax', 'xloss', 'binaryXloss'].includes(c.fn),
  );
  it(`passes the ${cases.length} golden loss cases on the tensor path, reading nothing back`, async () => {
    expect(cases.length).toBeGreaterThan(30);
    for (const c of cases) {
      const i = c.inputs;
      const o = (c.options ?? {}) as Record<string, never>;
      const before = tf.memory().numTensors;
      const y = tf.tensor(i.labels.data, i.labels.shape, 'int32');
      let out: Awaited<ReturnType<typeof goldenRun>>;
      if (c.fn === 'lovaszHinge') {
        const x = tf.tensor(i.logits.data, i.logits.shape);
        out = await goldenRun((t) => L.lovaszHinge(t, y, o), x);
        x.dispose();
      } else if (c.fn === 'lovaszSoftmax') {
        const x = tf.tensor(i.probas.data, i.probas.shape);
        const layout = i.layout === 'NCHW' ? { layout: 'NCHW' as const } : {};
        out = await goldenRun((t) => L.lovaszSoftmax(t, y, { ...o, ...layout }), x);
        x.dispose();
      } else if (c.fn === 'xloss') {
        const [B, C, H, W] = i.logits.shape;
        const x = tf.tensor(i.logits.data, i.logits.shape);
        const plan = {
          geo: { batch: B, pixels: H * W, channels: C, nchw: true },
          ignore: (c.options?.ignore as number | null | undefined) ?? 255,
          reduction: 'mean' as const,
        };
        out = await goldenRun((t) => xlossOnDevice(t, y, plan), x);
        x.dispose();
      } else {
        const x = tf.tensor(i.logits.data, i.logits.shape);
        const plan = {
          ignore: (c.options?.ignore as number | null) ?? null,
          reduction: 'mean' as const,
        };
        out = await goldenRun((t) => binaryXlossOnDevice(t, y, plan), x);
        x.dispose();
      }
      y.dispose();
      expect(tf.memory().numTensors, `${c.name}: leaked`).toBe(before);
      expect(out.reads, `${c.name}: reads back`).toBe(0);
      expect(relErr(out.loss, c.expected.loss!), `${c.name}: loss`).toBeLessThanOrEqual(LOSS_TOL);
      if (c.expected.grad && !c.ties) {
        expect(
          maxAbsDiff(out.grad, c.expected.grad.data),
          `${c.name}: gradient`,
        ).toBeLessThanOrEqual(GRAD_TOL);
      }
    }
  });

  describe('every option of the tensor-path functions, against the core', () => {
    tensorPathOptionTests(10);
  });

  it('trains: 20 adam steps of Lovász-Softmax from logits (fused softmax) lower the loss, with no read back inside a step', async () => {
    const { losses, reads } = await trainOnDevice(20);
    expect(reads.every((n) => n === 0)).toBe(true);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[19]).toBeLessThan(0.75 * losses[0]);
  });
});
