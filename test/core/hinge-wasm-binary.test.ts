import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { binaryModule, compileHingeWasm } from '../../scripts/build-wasm.mjs';
import { HINGE_WASM_BASE64 } from '../../src/core/hinge-wasm-binary.js';

describe('the shipped WebAssembly hinge kernel', () => {
  it('is exactly the compile of assembly/hinge.ts (run npm run build:wasm after editing it)', async () => {
    const bytes: Uint8Array = await compileHingeWasm();
    expect(Buffer.from(HINGE_WASM_BASE64, 'base64').equals(Buffer.from(bytes))).toBe(true);
    const shipped = await readFile(
      new URL('../../src/core/hinge-wasm-binary.ts', import.meta.url),
      'utf8',
    );
    expect(shipped).toBe(binaryModule(bytes));
  }, 60_000);

  it('is small enough for synchronous compilation on a browser main thread (4 kB)', () => {
    expect(Buffer.from(HINGE_WASM_BASE64, 'base64').length).toBeLessThan(4096);
  });
});
