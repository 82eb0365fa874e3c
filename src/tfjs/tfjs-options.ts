import { HINGE_OPTIONS } from '../core/options/hinge-options.js';
import { omitOptions } from '../core/options/option-spec.js';
import {
  MULTILABEL_OPTIONS,
  SIGMOID_OPTIONS,
  SOFTMAX_OPTIONS,
} from '../core/options/softmax-options.js';
import { BINARY_XLOSS_OPTIONS, XLOSS_OPTIONS } from '../core/options/xloss-options.js';
import { pathOption } from './path.js';

/**
 * The option tables of the lovasz/tfjs losses: the core's, without `out` (a tensor is
 * returned instead), with `path` (every loss has a tensor path).
 */

export const TFJS_SOFTMAX_OPTIONS = {
  ...omitOptions(SOFTMAX_OPTIONS, ['out']),
  path: pathOption,
} as const;

export const TFJS_HINGE_OPTIONS = {
  ...omitOptions(HINGE_OPTIONS, ['out']),
  path: pathOption,
} as const;

export const TFJS_SIGMOID_OPTIONS = {
  ...omitOptions(SIGMOID_OPTIONS, ['out']),
  path: pathOption,
} as const;

export const TFJS_MULTILABEL_OPTIONS = {
  ...omitOptions(MULTILABEL_OPTIONS, ['out']),
  path: pathOption,
} as const;

export const TFJS_XLOSS_OPTIONS = {
  ...omitOptions(XLOSS_OPTIONS, ['out']),
  path: pathOption,
} as const;

export const TFJS_BINARY_XLOSS_OPTIONS = {
  ...omitOptions(BINARY_XLOSS_OPTIONS, ['out']),
  path: pathOption,
} as const;
