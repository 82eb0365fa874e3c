import { describe, expect, it } from 'vitest';
import { lossSchedule } from '../../src/index.js';

describe('lossSchedule', () => {
  const lossAt = lossSchedule([
    { until: 3, loss: 'xent' },
    { until: 5, loss: 'both' },
    { loss: 'lovasz' },
  ]);

  it('uses each phase until its bound, the last one forever', () => {
    expect([0, 1, 2, 3, 4, 5, 1e6].map(lossAt)).toEqual([
      'xent',
      'xent',
      'xent',
      'both',
      'both',
      'lovasz',
      'lovasz',
    ]);
  });

  it('rejects a step past the last bounded phase, a negative step and bad phases', () => {
    const bounded = lossSchedule([{ until: 2, loss: 1 }]);
    expect(() => bounded(2)).toThrow(/^lossSchedule: step 2 is past the last phase \(until 2\)$/);
    expect(() => lossAt(-1)).toThrow(/^lossSchedule: the step must be an integer >= 0, got -1$/);
    expect(() => lossSchedule([])).toThrow(/^lossSchedule: 'phases' must be a non-empty array/);
    expect(() => lossSchedule([{ loss: 1 }, { loss: 2 }])).toThrow(
      /^lossSchedule: only the last phase may omit 'until', phase 0 does$/,
    );
    expect(() =>
      lossSchedule([
        { until: 4, loss: 1 },
        { until: 4, loss: 2 },
      ]),
    ).toThrow(/^lossSchedule: 'until' must be an integer greater than 4 in phase 1, got 4$/);
  });
});
