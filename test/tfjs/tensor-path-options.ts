/**
 * Registers the comparisons of test/tfjs/tensor-path-cases.ts as tests on the active backend
 * (tensor-path-options.test.ts on cpu and wasm, webgpu.test.ts on webgpu in Node).
 */
import { expect, it } from 'vitest';
import {
  type CaseResult,
  compareCase,
  edgeCases,
  FAMILIES,
  GRAD_TOL,
  LOSS_TOL,
  volumeCases,
} from './tensor-path-cases.js';

/** Asserts one case's outcome: agreement with the core, no read back, no leak. */
export function expectAgreement(r: CaseResult): void {
  expect(r.reads, `${r.name}: reads back`).toBe(0);
  expect(r.leaked, `${r.name}: leaked tensors`).toBe(0);
  expect(r.gradShapeOk, `${r.name}: gradient shape`).toBe(true);
  expect(r.items[0], `${r.name}: items`).toBe(r.items[1]);
  expect(r.lossErr, `${r.name}: loss (relative)`).toBeLessThanOrEqual(LOSS_TOL);
  expect(r.gradErr, `${r.name}: gradient`).toBeLessThanOrEqual(GRAD_TOL);
}

/** Registers the comparisons; `runs` random cases per loss (fewer on emulated GPUs). */
export function tensorPathOptionTests(runs: number): void {
  for (const [title, make] of FAMILIES) {
    it(`${title}: every option agrees with the core (${runs} random cases), reading nothing back`, async () => {
      for (let s = 1; s <= runs; s++) expectAgreement(await compareCase(make(s)));
    });
  }
  it('all-void inputs, fully void images, one pixel and one valid pixel agree with the core', async () => {
    const cases = edgeCases();
    expect(cases.length).toBeGreaterThan(12);
    for (const c of cases) expectAgreement(await compareCase(c));
  });
  it('takes any number of spatial axes: volumes [B, D, H, W, C] and [B, C, D, H, W] agree with the core', async () => {
    for (const c of volumeCases()) expectAgreement(await compareCase(c));
  });
}
