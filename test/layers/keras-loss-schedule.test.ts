import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KerasLoss, kerasLossSchedule } from '../../src/layers/index.js';
import { expectThrows } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A loss that records the epoch of each call (read from `clock`) and returns k * MSE. */
function spy(name: string, calls: string[], clock: { epoch: number }, k = 1): KerasLoss {
  return (yTrue, yPred) => {
    calls.push(`${clock.epoch}:${name}`);
    return tf.mul(tf.losses.meanSquaredError(yTrue, yPred), k) as tf.Scalar;
  };
}

/** Sets clock.epoch at each epoch begin, before the schedule's callback sees it. */
class Clock extends tf.Callback {
  constructor(private readonly clock: { epoch: number }) {
    super();
  }
  override async onEpochBegin(epoch: number) {
    this.clock.epoch = epoch;
  }
}

function tinyModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [2], units: 2, kernelInitializer: tf.initializers.ones() }),
    ],
  });
  return model;
}

describe('kerasLossSchedule', () => {
  it('switches phases inside fit exactly at the `until` epochs', async () => {
    const calls: string[] = [];
    const clock = { epoch: -1 };
    const { loss, callback } = kerasLossSchedule([
      { until: 2, loss: spy('A', calls, clock) },
      { until: 3, loss: spy('B', calls, clock) },
      { loss: spy('C', calls, clock) },
    ]);
    const model = tinyModel();
    model.compile({ optimizer: 'sgd', loss });
    const x = tf.ones([4, 2]);
    // one batch per epoch: one loss call per epoch
    await model.fit(x, x, {
      epochs: 5,
      batchSize: 4,
      verbose: 0,
      callbacks: [new Clock(clock), callback],
    });
    expect(calls).toEqual(['0:A', '1:A', '2:B', '3:C', '4:C']);
    tf.dispose(x);
    model.dispose();
  });

  it('uses the first phase before fit, and continues from initialEpoch in a second fit', async () => {
    const calls: string[] = [];
    const clock = { epoch: -1 };
    const schedule = kerasLossSchedule([
      { until: 1, loss: spy('A', calls, clock) },
      { loss: spy('B', calls, clock) },
    ]);
    expect(schedule.epoch).toBe(0);
    const model = tinyModel();
    model.compile({ optimizer: 'sgd', loss: schedule.loss });
    const x = tf.ones([2, 2]);
    model.evaluate(x, x);
    expect(calls).toEqual(['-1:A']);
    await model.fit(x, x, {
      epochs: 3,
      initialEpoch: 2,
      batchSize: 2,
      verbose: 0,
      callbacks: [new Clock(clock), schedule.callback],
    });
    expect(calls.slice(1)).toEqual(['2:B']);
    expect(schedule.epoch).toBe(2);
    tf.dispose(x);
    model.dispose();
  });

  it('ramps linearly: t = (e - s + 1) / (n + 1), loss = (1 - t) A + t B', async () => {
    const calls: string[] = [];
    const clock = { epoch: -1 };
    const a = spy('A', calls, clock, 1);
    const b = spy('B', calls, clock, 10);
    const schedule = kerasLossSchedule([
      { until: 2, loss: a },
      { until: 5, from: a, to: b },
      { loss: b },
    ]);
    expect([0, 1, 2, 3, 4, 5, 9].map(schedule.rampWeight)).toEqual([0, 0, 0.25, 0.5, 0.75, 0, 0]);
    expect([0, 1, 2, 4, 5].map(schedule.phaseIndex)).toEqual([0, 0, 1, 1, 2]);
    // The ramp's value: with MSE m, A = m and B = 10 m, so the loss is (1 + 9 t) m.
    const model = tinyModel();
    model.compile({ optimizer: tf.train.sgd(0), loss: schedule.loss }); // lr 0: m stays fixed
    const x = tf.tensor2d([
      [1, 2],
      [0, 1],
    ]);
    const y = tf.zeros([2, 2]);
    const history = await model.fit(x, y, {
      epochs: 6,
      batchSize: 2,
      verbose: 0,
      callbacks: [new Clock(clock), schedule.callback],
    });
    const losses = history.history.loss as number[];
    const m = losses[0];
    const expected = [1, 1, 1 + 9 * 0.25, 1 + 9 * 0.5, 1 + 9 * 0.75, 10].map((f) => f * m);
    for (const [i, v] of losses.entries()) expect(v).toBeCloseTo(expected[i], 4);
    expect(calls.filter((c) => c.startsWith('3:'))).toEqual(['3:A', '3:B']);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('fails at the first epoch past a schedule whose every phase is bounded', async () => {
    const clock = { epoch: -1 };
    const { loss, callback } = kerasLossSchedule([{ until: 1, loss: spy('A', [], clock) }]);
    const model = tinyModel();
    model.compile({ optimizer: 'sgd', loss });
    const x = tf.ones([2, 2]);
    await expect(model.fit(x, x, { epochs: 2, verbose: 0, callbacks: [callback] })).rejects.toThrow(
      /kerasLossSchedule: epoch 1 is past the last phase \(until 1\)/,
    );
    tf.dispose(x);
    model.dispose();
  });

  it('rejects bad phases', () => {
    const l: KerasLoss = (yTrue, yPred) => tf.losses.meanSquaredError(yTrue, yPred) as tf.Scalar;
    expectThrows(() => kerasLossSchedule([]), RangeError, [
      'kerasLossSchedule',
      "'phases'",
      'non-empty',
    ]);
    expectThrows(() => kerasLossSchedule([{ loss: l }, { loss: l }]), RangeError, [
      "only the last phase may omit 'until', phase 0",
    ]);
    expectThrows(
      () => kerasLossSchedule([{ until: 3, loss: l }, { until: 3, loss: l }, { loss: l }]),
      RangeError,
      ["'until' must be an integer greater than 3 in phase 1, got 3"],
    );
    expectThrows(() => kerasLossSchedule([{ until: 0, loss: l }, { loss: l }]), RangeError, [
      'greater than 0',
    ]);
    expectThrows(
      () => kerasLossSchedule([{ until: 2, loss: 'mse' as never }, { loss: l }]),
      TypeError,
      ["phase 0 needs a 'loss' function"],
    );
    expectThrows(() => kerasLossSchedule([{ from: l, to: l } as never, { loss: l }]), RangeError, [
      "phase 0 is a ramp and needs 'until'",
    ]);
    expectThrows(
      () => kerasLossSchedule([{ until: 2, from: l } as never, { loss: l }]),
      TypeError,
      ["needs 'from' and 'to'"],
    );
    expectThrows(
      () => kerasLossSchedule([{ until: 2, from: l, to: l, loss: l } as never, { loss: l }]),
      TypeError,
      ["both 'loss' and 'from'/'to'"],
    );
    const { phaseIndex } = kerasLossSchedule([{ loss: l }]);
    expectThrows(() => phaseIndex(-1), RangeError, ['the epoch must be an integer >= 0, got -1']);
  });
});
