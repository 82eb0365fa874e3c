/**
 * The golden vectors in a real browser: Debian's Chromium (/usr/bin/chromium, headless, driven
 * by playwright-core), a Vite dev server serving test/browser/page, and lovasz/tfjs on webgl and
 * webgpu (both on SwiftShader, a CPU emulation: the tensor path), wasm and cpu (the core path).
 * On webgl and webgpu also every option of the tensor-path functions against the core, with
 * nothing read back, and a short training run.
 *
 * Without /usr/bin/chromium the suite is skipped locally (with the reason in its name) and fails
 * in CI (CI set), where .ci/apt-packages must have installed it.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAD_TOL, LOSS_TOL } from '../tfjs/tensor-path-cases.js';
import { CHROMIUM, launchChromium } from './chromium.js';
import type { GoldenReport } from './page/run-golden.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = fileURLToPath(new URL('./page', import.meta.url));

/** Tolerances: the tensor path sums in float32 on the GPU; the core path is float64. */
const TOL = {
  tensor: { loss: 1e-4, grad: 1e-4 },
  core: { loss: 1e-6, grad: 1e-6 },
};

const available = existsSync(CHROMIUM);
const suite = available || process.env.CI ? describe : describe.skip;
const title = available
  ? 'golden vectors in Chromium'
  : `golden vectors in Chromium (skipped: ${CHROMIUM} not found; apt-get install chromium)`;

suite(title, () => {
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    if (!available) {
      throw new Error(
        `${CHROMIUM} not found: CI must install Debian's chromium (listed in .ci/apt-packages)`,
      );
    }
    server = await createServer({
      configFile: false,
      root: PAGE,
      logLevel: 'warn',
      // Outside the repository, so that the test never writes into it.
      cacheDir: join(tmpdir(), 'lovasz-browser-test-vite'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, fs: { allow: [ROOT] }, hmr: false },
      // Pre-bundled once before the page loads, so that no late discovery reloads the page.
      optimizeDeps: {
        noDiscovery: true,
        include: [
          '@tensorflow/tfjs-core',
          '@tensorflow/tfjs-backend-cpu',
          '@tensorflow/tfjs-backend-webgl',
          '@tensorflow/tfjs-backend-wasm',
          '@tensorflow/tfjs-backend-webgpu',
          '@tensorflow/tfjs-core/dist/register_all_gradients',
          '@tensorflow/tfjs-layers',
        ],
      },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('the Vite dev server has no local URL');
    browser = await launchChromium({ webgpu: true });
    page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => window.lovaszReady === true, null, { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads the page without console errors', () => {
    expect(consoleErrors).toEqual([]);
  });

  const GPU = ['webgl', 'webgpu'];
  for (const backend of ['webgl', 'webgpu', 'wasm', 'cpu']) {
    it(`passes the golden vectors on ${backend}`, async () => {
      const report: GoldenReport = await page.evaluate((b) => window.lovaszGolden(b), backend);
      if (GPU.includes(backend)) {
        // The tensor path must have been taken on a real WebGL context / WebGPU adapter.
        expect(report.renderer).not.toMatch(/^no /);
        console.info(`${backend} renderer: ${report.renderer}`);
      }
      const worst = { tensor: { loss: 0, grad: 0 }, core: { loss: 0, grad: 0 } };
      for (const r of report.results) {
        const where = `${r.name} (${r.layout}, ${r.path} path) on ${backend}`;
        expect(r.error, where).toBeUndefined();
        expect(r.leaked, `${where}: tensors leaked`).toBe(0);
        const isLovasz = r.fn === 'lovaszHinge' || r.fn === 'lovaszSoftmax';
        expect(r.path, where).toBe(isLovasz && GPU.includes(backend) ? 'tensor' : 'core');
        const tol = TOL[r.path];
        expect(r.lossRelErr, `${where}: loss`).toBeLessThanOrEqual(tol.loss);
        if (r.gradMaxAbs !== null) {
          expect(r.gradMaxAbs, `${where}: gradient`).toBeLessThanOrEqual(tol.grad);
        }
        worst[r.path].loss = Math.max(worst[r.path].loss, r.lossRelErr);
        worst[r.path].grad = Math.max(worst[r.path].grad, r.gradMaxAbs ?? 0);
      }
      expect(report.results.length).toBeGreaterThan(40);
      console.info(
        `${backend}: ${report.results.length} cases in ${report.ms.toFixed(0)} ms, worst errors ${JSON.stringify(worst)}`,
      );
    }, 60_000);
  }

  for (const backend of GPU) {
    it(`computes the losses and gradients on ${backend} without reading any tensor back`, async () => {
      const reads = await page.evaluate((b) => window.lovaszGpuReads(b), backend);
      expect(reads).toEqual({ backend, lovaszSoftmax: 0, lovaszHinge: 0, leaked: 0 });
    });

    it(`runs every option of the tensor-path functions on ${backend} as the core does, reading nothing back`, async () => {
      // Fewer on webgl: it compiles a shader per op and shape (about a second each on SwiftShader).
      const runs = backend === 'webgl' ? 3 : 6;
      const results = await page.evaluate(([b, n]) => window.lovaszTensorPathCases(b, n), [
        backend,
        runs,
      ] as const);
      expect(results.length).toBeGreaterThan(25);
      for (const r of results) {
        expect(r.reads, `${r.name}: reads back`).toBe(0);
        expect(r.leaked, `${r.name}: leaked`).toBe(0);
        expect(r.gradShapeOk, `${r.name}: gradient shape`).toBe(true);
        expect(r.items[0], `${r.name}: items`).toBe(r.items[1]);
        expect(r.lossErr, `${r.name}: loss`).toBeLessThanOrEqual(LOSS_TOL);
        expect(r.gradErr, `${r.name}: gradient`).toBeLessThanOrEqual(GRAD_TOL);
      }
    }, 400_000);

    it(`trains on ${backend}: 20 adam steps lower the loss, with no read back inside a step`, async () => {
      const { losses, reads } = await page.evaluate((b) => window.lovaszTrain(b, 20), backend);
      expect(reads.every((n) => n === 0)).toBe(true);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[19]).toBeLessThan(0.75 * losses[0]);
    }, 120_000);
  }

  it('model.fit with kerasLovaszSoftmax on webgl reads nothing back per step beyond what fit itself reads', async () => {
    const { lovasz, reference } = await page.evaluate(() => window.lovaszFitReads('webgl'));
    expect(lovasz.length).toBe(2);
    // The reads are counted: fit reads each step's loss for its logs.
    expect(reference.every((n) => n >= 1)).toBe(true);
    expect(lovasz).toEqual(reference);
  }, 120_000);

  it("runs the core hinge on the browser's WebAssembly, bit-identical to the JavaScript kernel", async () => {
    const r = await page.evaluate(() => window.lovaszHingeKernels());
    expect(r.pixels).toBe(3 * 64 * 64);
    expect(r.loss).toBeGreaterThan(0);
    expect(r.sameBits).toBe(true);
  });

  it('logged no console error while running', () => {
    expect(consoleErrors).toEqual([]);
  });
});
