/**
 * Every option of the tensor-path functions against the core, in Node on cpu and wasm (the
 * same cases run on webgpu in webgpu.test.ts and in Chromium in the browser tests).
 */
import { describeEachBackend } from './backends.js';
import { tensorPathOptionTests } from './tensor-path-options.js';

describeEachBackend('tensor path, every option', () => {
  tensorPathOptionTests(40);
});
