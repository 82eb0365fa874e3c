/**
 * The demo page (web/) in a real browser: built with `vite build` (web/vite.config.ts, as
 * `npm run build:web` does) into a temporary directory, served by a plain static file server
 * under a sub-path (so relative asset URLs are exercised), and driven through its controls in
 * Debian's Chromium (headless, via playwright-core).
 *
 * Every loss trains a few steps on wasm (and once on cpu, on webgl and on webgpu): on this CI's WebGL,
 * SwiftShader renders on the CPU and one Lovász call of the GPU path costs seconds (about 190
 * shader passes, 2 s for 4 images of 48 x 48), so webgl runs the smallest problem only, and the
 * page's automatic choice passes over software WebGL for wasm.
 *
 * The screenshot after training goes to test-artifacts/demo-page.png (git-ignored); with
 * UPDATE_SCREENSHOT=1 it is also copied to docs/demo-page.png, the README's.
 *
 * Without /usr/bin/chromium the suite is skipped locally and fails in CI, as the golden suite.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, createServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/demo/backend.js';
import { runBinaryDemo } from '../../src/demo/binary.js';
import { runMulticlassDemo } from '../../src/demo/multiclass.js';
import {
  CHROMIUM,
  chromiumAvailable,
  collectConsoleErrors,
  launchChromium,
  type StaticServer,
  serveStatic,
} from './chromium.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB = join(ROOT, 'web');
const ARTIFACT = join(ROOT, 'test-artifacts', 'demo-page.png');
const README_SCREENSHOT = join(ROOT, 'docs', 'demo-page.png');
const MOUNT = '/some/sub/dir/';

/** The part of window.lovaszDemo (web/src/main.ts) the tests read. */
interface DemoPageState {
  state: 'loading' | 'idle' | 'running' | 'done' | 'stopped' | 'error';
  backend: string | null;
  renderer: string | null;
  adapter: string | null;
  offered: string[];
  skipped: { name: string; reason: string }[];
  error: string | null;
  result: {
    demo: string;
    completed: boolean;
    seconds: number;
    leakedTensors: number;
    runs: { loss: string; losses: number[]; ious: number[] }[];
  } | null;
}

declare global {
  interface Window {
    lovaszDemo: DemoPageState;
  }
}

interface RunSettings {
  demo: 'binary' | 'multiclass';
  losses: [string, string];
  steps: number;
  lr: number;
  images: number;
  size: number;
  seed?: number;
}

const available = chromiumAvailable;
const suite = available || process.env.CI ? describe : describe.skip;
const title = available
  ? 'demo page in Chromium'
  : `demo page in Chromium (skipped: ${CHROMIUM} not found; apt-get install chromium)`;

suite(title, () => {
  let outDir = '';
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  /** Chromium with WebGPU on (its SwiftShader adapter), started by the tests that need it. */
  let webgpuBrowser: Browser | undefined;

  beforeAll(async () => {
    if (!available) {
      throw new Error(
        `${CHROMIUM} not found: CI must install Debian's chromium (listed in .ci/apt-packages)`,
      );
    }
    outDir = mkdtempSync(join(tmpdir(), 'lovasz-web-'));
    await build({
      configFile: join(WEB, 'vite.config.ts'),
      root: WEB,
      logLevel: 'warn',
      cacheDir: join(tmpdir(), 'lovasz-web-test-vite'),
      build: { outDir, emptyOutDir: true },
    });
    server = await serveStatic(outDir, MOUNT);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await webgpuBrowser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** A new page at `query`, ready (backend started), with its console errors collected. */
  async function open(
    query = '',
    on: Browser = browser!,
    viewport = { width: 1360, height: 900 },
  ): Promise<{ page: Page; errors: string[] }> {
    const page = await on.newPage({ viewport });
    const errors = collectConsoleErrors(page);
    await page.goto(`${server!.url}${query}`);
    await page.waitForFunction(() => window.lovaszDemo?.state === 'idle', null, {
      timeout: 30_000,
    });
    return { page, errors };
  }

  /** Sets the controls as a user would, presses Train and waits for the end of training. */
  async function train(page: Page, s: RunSettings, timeout = 30_000): Promise<DemoPageState> {
    await page.check(`input[name="demo"][value="${s.demo}"]`);
    await page.selectOption('#loss-0', s.losses[0]);
    await page.selectOption('#loss-1', s.losses[1]);
    await page.fill('#steps', String(s.steps));
    await page.fill('#lr', String(s.lr));
    await page.fill('#seed', String(s.seed ?? 0));
    await page.fill('#images', String(s.images));
    await page.fill('#size', String(s.size));
    await page.click('#train');
    await page.waitForFunction(() => window.lovaszDemo.state !== 'running', null, { timeout });
    return page.evaluate(() => window.lovaszDemo);
  }

  /** Both runs completed, leaked no tensor, and raised the IoU above the initial IoU. */
  function expectIouRises(state: DemoPageState, s: RunSettings): void {
    expect(state.error).toBeNull();
    expect(state.state).toBe('done');
    const result = state.result!;
    expect(result.completed).toBe(true);
    expect(result.leakedTensors).toBe(0);
    expect(result.runs.map((r) => r.loss)).toEqual(s.losses);
    for (const run of result.runs) {
      expect(run.ious).toHaveLength(s.steps + 1);
      expect(run.losses.every(Number.isFinite), `${run.loss}: finite losses`).toBe(true);
      const [initial, final] = [run.ious[0], run.ious[s.steps]];
      expect(final, `${s.demo} ${run.loss}: IoU ${initial} -> ${final}`).toBeGreaterThan(initial);
    }
  }

  it('builds a site with relative asset paths and the wasm binaries', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
    expect(html).not.toMatch(/(src|href)="\/[^/]/);
  });

  it('loads without console errors on the automatic backend, with the labels drawn', async () => {
    const { page, errors } = await open();
    try {
      // webgl on a GPU; wasm where WebGL is software-rendered (SwiftShader here, in CI).
      const { backend, renderer, skipped } = await page.evaluate(() => window.lovaszDemo);
      console.info(`automatic backend: ${backend} (WebGL renderer: ${renderer})`);
      const software = /swiftshader|llvmpipe|softpipe|software/i.test(renderer ?? '');
      expect(backend).toBe(software ? 'wasm' : 'webgl');
      // Without the WebGPU flags Chromium has no adapter here: webgpu is missing, not slow.
      if (software) {
        expect(skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
        expect(skipped[0].reason).toBe('no WebGPU in this browser');
        // Software WebGL is measured as unusable: no link to it, and the hint says why.
        const { offered } = await page.evaluate(() => window.lovaszDemo);
        expect(offered).toEqual(['cpu']);
        expect(await page.textContent('#backend-hint')).toBe(
          'webgl runs in software here (no GPU), so not offered. Also try cpu.',
        );
      }
      expect(await page.textContent('#backend')).toBe(`backend: ${backend}`);
      // The labels of the default demo (binary, 10 images of 100 x 100) are on the canvas.
      const drawn = await page.evaluate(() => {
        const canvas = document.getElementById('labels-canvas') as HTMLCanvasElement;
        const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let red = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i] === 128 && px[i + 1] === 0) red++;
        return { width: canvas.width, red };
      });
      expect(drawn.width).toBeGreaterThan(300);
      expect(drawn.red).toBeGreaterThan(100);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('loads from the dev server (npm run web) without console errors', async () => {
    const dev = await createServer({
      configFile: join(WEB, 'vite.config.ts'),
      root: WEB,
      logLevel: 'warn',
      cacheDir: join(tmpdir(), 'lovasz-web-test-vite'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    });
    await dev.listen();
    const page = await browser!.newPage();
    try {
      const errors = collectConsoleErrors(page);
      await page.goto(`${dev.resolvedUrls!.local[0]}?backend=cpu`);
      await page.waitForFunction(() => window.lovaszDemo?.state === 'idle', null, {
        timeout: 30_000,
      });
      expect(await page.textContent('#backend')).toBe('backend: cpu');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await dev.close();
    }
  }, 45_000);

  it('trains the Lovász hinge and Lovász-Sigmoid on webgl (the GPU path)', async () => {
    const { page, errors } = await open('?backend=webgl');
    try {
      expect(await page.textContent('#backend')).toBe('backend: webgl');
      const s: RunSettings = {
        demo: 'binary',
        losses: ['hinge', 'sigmoid'],
        steps: 2,
        lr: 0.5,
        images: 1,
        size: 16,
      };
      expectIouRises(await train(page, s, 50_000), s);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  describe('with WebGPU (Chromium with --enable-unsafe-webgpu, SwiftShader adapter)', () => {
    beforeAll(async () => {
      webgpuBrowser = await launchChromium({ webgpu: true });
    });

    it('sees the adapter, passes over software WebGPU and WebGL automatically, and offers neither', async () => {
      const { page, errors } = await open('', webgpuBrowser);
      try {
        const state = await page.evaluate(() => window.lovaszDemo);
        console.info(`WebGPU adapter: ${state.adapter}`);
        expect(state.adapter).toMatch(/swiftshader/i);
        expect(state.backend).toBe('wasm');
        expect(state.skipped.map((s) => s.name)).toEqual(['webgpu', 'webgl']);
        expect(state.skipped[0].reason).toMatch(/^software WebGPU \(.*\), slow$/);
        expect(state.offered).toEqual(['cpu']);
        expect(await page.textContent('#backend-hint')).toBe(
          'webgpu and webgl run in software here (no GPU), so not offered. Also try cpu.',
        );
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });

    it('trains the Lovász hinge and Lovász-Sigmoid on webgpu when asked (?backend=webgpu)', async () => {
      const { page, errors } = await open('?backend=webgpu', webgpuBrowser);
      try {
        expect(await page.textContent('#backend')).toBe('backend: webgpu');
        expect(await page.textContent('#backend-hint')).toMatch(
          /^webgpu runs in software here \(no GPU\): every step is slow\. webgl runs in software here/,
        );
        const s: RunSettings = {
          demo: 'binary',
          losses: ['hinge', 'sigmoid'],
          steps: 2,
          lr: 0.5,
          images: 1,
          size: 16,
        };
        expectIouRises(await train(page, s, 50_000), s);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }, 60_000);
  });

  it('shows real tfjs code in "In your code", wrapped and never clipped', async () => {
    for (const width of [1360, 700]) {
      const { page, errors } = await open('?backend=cpu', browser!, { width, height: 900 });
      try {
        const text = (await page.textContent('#snippet')) ?? '';
        // A tf.LayersModel is applied with apply (training) and predict, never called.
        expect(text).toContain('model.apply(x, { training: true })');
        expect(text).toContain('model.predict(x)');
        expect(text).not.toMatch(/model\(x\)/);
        expect(text).toContain("import { iou, lovaszSoftmax } from 'lovasz/tfjs';");
        expect(text.trim().split('\n').at(-1)).toBe('iou(preds, labels, 3, { ignore: 255 }); // %');
        const box = await page.evaluate(() => {
          const pre = document.getElementById('snippet')!;
          return {
            scrollWidth: pre.scrollWidth,
            clientWidth: pre.clientWidth,
            scrollHeight: pre.scrollHeight,
            clientHeight: pre.clientHeight,
          };
        });
        expect(box.scrollWidth, `width ${width}: no horizontal overflow`).toBeLessThanOrEqual(
          box.clientWidth,
        );
        expect(box.scrollHeight, `width ${width}: no vertical overflow`).toBeLessThanOrEqual(
          box.clientHeight,
        );
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    }
  });

  describe('every loss on wasm', () => {
    let page: Page;
    let errors: string[];

    beforeAll(async () => {
      ({ page, errors } = await open('?backend=wasm'));
      expect(await page.textContent('#backend')).toBe('backend: wasm');
    });

    afterAll(() => page?.close());

    const binary = { demo: 'binary', steps: 12, lr: 0.1, images: 3, size: 40 } as const;
    const multiclass = { demo: 'multiclass', steps: 12, lr: 0.02, images: 2, size: 40 } as const;
    const cases: RunSettings[] = [
      { ...binary, losses: ['hinge', 'sigmoid'] },
      { ...binary, losses: ['bce', 'bce+hinge'] },
      { ...binary, losses: ['bce-then-hinge', 'hinge'] },
      { ...multiclass, losses: ['lovasz', 'xent'] },
      { ...multiclass, losses: ['xent+lovasz', 'xent-then-lovasz'] },
    ];
    for (const s of cases) {
      it(`${s.demo}: ${s.losses.join(' vs ')} raise the IoU`, async () => {
        expectIouRises(await train(page, s), s);
        expect(errors).toEqual([]);
      });
    }

    it('fetched the wasm binary from the built site', () => {
      const wasm = server!.requests.filter((p) => p.endsWith('.wasm'));
      expect(wasm.length).toBeGreaterThan(0);
      for (const path of wasm) expect(path.startsWith(`${MOUNT}assets/`)).toBe(true);
    });

    it('stays responsive while training, and stops on Stop', async () => {
      await page.fill('#steps', '5000');
      await page.click('#train');
      await page.waitForFunction(
        () => /step (\d+)/.test(document.getElementById('status')!.textContent ?? ''),
        null,
        { timeout: 10_000 },
      );
      // The page answers between steps: a round trip takes well under a step's budget.
      const start = performance.now();
      await page.evaluate(() => document.getElementById('status')!.textContent);
      expect(performance.now() - start).toBeLessThan(1000);
      await page.click('#stop');
      await page.waitForFunction(() => window.lovaszDemo.state !== 'running', null, {
        timeout: 10_000,
      });
      const state = await page.evaluate(() => window.lovaszDemo);
      expect(state.state).toBe('stopped');
      expect(state.result!.completed).toBe(false);
      expect(state.result!.leakedTensors).toBe(0);
      expect(await page.isEnabled('#train')).toBe(true);
      expect(errors).toEqual([]);
    });
  });

  it('falls back to cpu when asked, and trains there', async () => {
    const { page, errors } = await open('?backend=cpu');
    try {
      expect(await page.textContent('#backend')).toBe('backend: cpu');
      const s: RunSettings = {
        demo: 'multiclass',
        losses: ['lovasz', 'xent'],
        steps: 8,
        lr: 0.02,
        images: 2,
        size: 32,
      };
      expectIouRises(await train(page, s), s);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('reproduces the curves of lovasz demo (same seed, sizes and steps) on cpu', async () => {
    await useBackend('cpu');
    const data = { count: 2, size: 32 };
    const binary = (await runBinaryDemo({ seed: 3, steps: 6, data })).results.runs;
    const multi = (await runMulticlassDemo({ seed: 3, steps: 6, data })).results.runs;
    const { page, errors } = await open('?backend=cpu');
    try {
      const cases = [
        { demo: 'binary', losses: ['hinge', 'bce'], lr: 0.05, cli: [binary.hinge, binary.bce] },
        {
          demo: 'multiclass',
          losses: ['lovasz', 'xent'],
          lr: 0.005,
          cli: [multi.lovasz, multi.xent].map((r) => ({ loss: r.loss, iou: r.mIoU })),
        },
      ] as const;
      for (const c of cases) {
        const s: RunSettings = {
          demo: c.demo,
          losses: [...c.losses],
          lr: c.lr,
          steps: 6,
          seed: 3,
          images: data.count,
          size: data.size,
        };
        const state = await train(page, s);
        expect(state.state).toBe('done');
        state.result!.runs.forEach((run, i) => {
          // The command's entry k: before update k + 1; the page's entry k: after k updates.
          const cli = c.cli[i];
          const where = `${c.demo} ${run.loss}`;
          expect(
            run.losses.slice(0, 6).map((v, k) => v - cli.loss[k]),
            where,
          ).toEqual(cli.loss.map(() => expect.closeTo(0, 6)));
          expect(
            run.ious.slice(0, 6).map((v, k) => v - cli.iou[k]),
            where,
          ).toEqual(cli.iou.map(() => expect.closeTo(0, 6)));
        });
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('saves a screenshot of the page after training', async () => {
    const { page, errors } = await open('?backend=wasm');
    try {
      // The binary demo's defaults (10 images of 100 x 100, 150 steps): the paper's point in one
      // picture, the Lovász hinge keeps the image-IoU that cross-entropy gives away.
      await page.click('#train');
      await page.waitForFunction(() => window.lovaszDemo.state !== 'running', null, {
        timeout: 45_000,
      });
      const state = await page.evaluate(() => window.lovaszDemo);
      expect(state.state).toBe('done');
      expect(state.result!.runs.map((r) => r.loss)).toEqual(['hinge', 'bce']);
      const [hinge, bce] = state.result!.runs.map((r) => r.ious);
      expect(hinge).toHaveLength(151);
      expect(hinge[150]).toBeGreaterThan(hinge[0]);
      expect(hinge[150]).toBeGreaterThan(bce[150] + 1);
      expect(state.result!.leakedTensors).toBe(0);
      expect(errors).toEqual([]);
      mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
      // A generated directory: keep it out of git without touching the root .gitignore.
      writeFileSync(join(ROOT, 'test-artifacts', '.gitignore'), '*\n');
      await page.screenshot({ path: ARTIFACT, fullPage: true });
      // The committed copy changes only on request, so that a test run leaves git clean.
      if (process.env.UPDATE_SCREENSHOT) {
        mkdirSync(join(ROOT, 'docs'), { recursive: true });
        copyFileSync(ARTIFACT, README_SCREENSHOT);
      }
    } finally {
      await page.close();
    }
  }, 60_000);
});
