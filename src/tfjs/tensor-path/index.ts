/**
 * The tensor path: the Lovász losses and cross-entropies computed with tensor ops on the active
 * backend, nothing read back. Each takes the input tensors and one resolved, validated plan
 * (plans.ts); the `lovasz/tfjs` wrappers make the plan.
 */
export { lovaszHingeOnDevice } from './hinge.js';
export { lovaszMultilabelOnDevice } from './multilabel.js';
export {
  softmaxItemClasses,
  type TensorBinaryXlossPlan,
  type TensorHingePlan,
  type TensorMultilabelPlan,
  type TensorSoftmaxPlan,
  type TensorXlossPlan,
} from './plans.js';
export { lovaszSoftmaxOnDevice } from './softmax.js';
export { binaryXlossOnDevice, xlossOnDevice } from './xloss.js';
