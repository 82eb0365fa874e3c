// What `npm publish` would ship, checked as a user meets it: `npm pack` the package, look at the
// tarball's file list, install the tarball into a scratch project in os.tmpdir() with the tfjs
// packages from the registry, import both entry points from there (ESM, and `require` to state
// what CommonJS users get), run one loss through each, and type-check a small TypeScript
// consumer under `moduleResolution` node16 and bundler with our own tsc. That project has no
// @tensorflow/tfjs-layers, so it also shows that `lovasz` and `lovasz/tfjs` load without it; a
// second project with tfjs-layers imports `lovasz/layers` and fits a model with it.
//
// Relies on the build (`npm test` runs `npm run build` first, as pretest); builds only when
// dist/ is missing. Needs the npm registry (or npm's cache: --prefer-offline) for
// @tensorflow/tfjs-core, -backend-cpu, and (second project) @tensorflow/tfjs and -layers, all
// 4.22.0: both the lowest and the newest release of the peer range >=4.22.0 <5.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const TFJS = '4.22.0';

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let scratch = '';
let consumer = '';
let layersConsumer = '';
let files: string[] = [];
let packed: Record<string, unknown> = {};
const installed = () => join(consumer, 'node_modules/lovasz');

/** Runs a command; on failure, the error carries its stdout and stderr. */
async function sh(cmd: string, args: string[], cwd: string, timeout = 120_000) {
  try {
    return await run(cmd, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout}\n${err.stderr}`);
  }
}

beforeAll(async () => {
  if (
    !existsSync(join(repo, 'dist/index.js')) ||
    !existsSync(join(repo, 'dist/tfjs/index.js')) ||
    !existsSync(join(repo, 'dist/layers/index.js'))
  ) {
    await sh('npm', ['run', 'build'], repo);
  }
  scratch = mkdtempSync(join(tmpdir(), 'lovasz-pack-'));
  // --ignore-scripts: dist/ is built already; a prepack build here would rewrite dist/ under
  // the other test files that read it.
  const { stdout } = await sh(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch],
    repo,
  );
  const [result] = JSON.parse(stdout.slice(stdout.indexOf('['))) as PackResult[];
  files = result.files.map((f) => f.path).sort();
  consumer = join(scratch, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(scratch, result.filename),
      `@tensorflow/tfjs-core@${TFJS}`,
      `@tensorflow/tfjs-backend-cpu@${TFJS}`,
    ],
    consumer,
  );
  packed = JSON.parse(readFileSync(join(installed(), 'package.json'), 'utf8'));
  layersConsumer = join(scratch, 'layers-consumer');
  mkdirSync(layersConsumer);
  writeFileSync(
    join(layersConsumer, 'package.json'),
    JSON.stringify({ name: 'layers-consumer', private: true, type: 'module' }),
  );
  await sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      join(scratch, result.filename),
      // The bundle, as a model.fit user has it: tfjs-core with every gradient registered (the
      // layers need them), the cpu backend, and tfjs-layers.
      `@tensorflow/tfjs@${TFJS}`,
      `@tensorflow/tfjs-layers@${TFJS}`,
    ],
    layersConsumer,
  );
}, 300_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Every string target of package.json `exports` (conditions and subpaths flattened). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

/** The module specifiers a JS or .d.ts file imports, as TypeScript's scanner reads them. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

describe('the tarball (npm pack)', () => {
  it('holds the built code, its types, README, LICENSE, CHANGELOG and package.json', () => {
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/tfjs/index.js',
      'dist/tfjs/index.d.ts',
      'dist/layers/index.js',
      'dist/layers/index.d.ts',
    ]) {
      expect(files, `${f} is missing from the tarball`).toContain(f);
    }
  });

  it('holds no sources, tests, fixtures, benchmark, examples, docs or build leftovers', () => {
    const unwanted = files.filter(
      (f) =>
        /^(src|test|tests|bench|examples|docs|web|coverage|\.ci|\.github|node_modules)\//.test(f) ||
        /(^|\/)fixtures?\//.test(f) ||
        /\.(test|spec)\.[cm]?[jt]sx?$/.test(f) ||
        /\.(tsbuildinfo|tgz|log)$/.test(f) ||
        /(^|\/)\.env/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('has no source maps pointing nowhere', () => {
    const problems: string[] = [];
    for (const f of files) {
      if (f.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(installed(), f), 'utf8')) as {
          sources?: string[];
          sourcesContent?: unknown[];
        };
        if (map.sourcesContent?.length) continue;
        for (const s of map.sources ?? []) {
          const target = normalize(join(dirname(f), s));
          if (!files.includes(target)) problems.push(`${f} -> ${s} (not in the tarball)`);
        }
      } else if (/\.[cm]?js$|\.d\.[cm]?ts$/.test(f)) {
        const text = readFileSync(join(installed(), f), 'utf8');
        const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
        if (url && !url.startsWith('data:')) {
          const target = normalize(join(dirname(f), url));
          if (!files.includes(target)) problems.push(`${f} -> ${url} (not in the tarball)`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has every file that package.json exports, main, types and bin name', () => {
    const targets = [
      ...exportTargets(packed.exports),
      ...[packed.main, packed.types, packed.module].filter((v) => typeof v === 'string'),
      ...(typeof packed.bin === 'string' ? [packed.bin] : Object.values(packed.bin ?? {})),
    ] as string[];
    expect(targets.length).toBeGreaterThan(0);
    const missing = targets.map((t) => normalize(t)).filter((t) => !files.includes(t));
    expect(missing).toEqual([]);
  });

  it('imports, in every packed JS and .d.ts file, only packed files, declared packages or node builtins', () => {
    const pkg = packed as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ]);
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const f of files.filter((p) => /\.[cm]?js$|\.d\.[cm]?ts$/.test(p))) {
      for (const spec of importsOf(readFileSync(join(installed(), f), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = normalize(join(dirname(f), spec));
          const candidates = f.endsWith('.ts')
            ? [target, target.replace(/\.([cm]?)js$/, '.d.$1ts')]
            : [target];
          if (!candidates.some((c) => files.includes(c))) problems.push(`${f}: ${spec}`);
          continue;
        }
        if (spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0];
        if (!declared.has(name)) problems.push(`${f}: '${spec}' is not a dependency`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the entry points and tfjs-layers', () => {
  it('lovasz and lovasz/tfjs reach no file that imports @tensorflow/tfjs-layers; lovasz/layers does', () => {
    /** The specifiers of packages reached from `entry` through relative imports. */
    const reached = (entry: string): Set<string> => {
      const seen = new Set<string>();
      const packages = new Set<string>();
      const visit = (f: string) => {
        if (seen.has(f)) return;
        seen.add(f);
        for (const spec of importsOf(readFileSync(join(installed(), f), 'utf8'))) {
          if (spec.startsWith('.')) visit(normalize(join(dirname(f), spec)));
          else packages.add(spec);
        }
      };
      visit(entry);
      return packages;
    };
    expect([...reached('dist/index.js')]).not.toContain('@tensorflow/tfjs-layers');
    expect([...reached('dist/tfjs/index.js')]).not.toContain('@tensorflow/tfjs-layers');
    expect([...reached('dist/layers/index.js')]).toContain('@tensorflow/tfjs-layers');
    const meta = packed.peerDependenciesMeta as Record<string, { optional?: boolean }>;
    expect(meta['@tensorflow/tfjs-layers']?.optional).toBe(true);
  });

  it('without tfjs-layers installed, lovasz and lovasz/tfjs load and lovasz/layers names the package', async () => {
    writeFileSync(
      join(consumer, 'no-layers.mjs'),
      `const out = {};
for (const id of ['@tensorflow/tfjs-layers', 'lovasz', 'lovasz/tfjs', 'lovasz/layers']) {
  try {
    const m = await import(id);
    out[id] = Object.keys(m).length > 0 ? 'loaded' : 'empty';
  } catch (e) {
    out[id] = e.code + ': ' + e.message.split('\\n')[0];
  }
}
console.log(JSON.stringify(out));
`,
    );
    const { stdout } = await sh(process.execPath, ['no-layers.mjs'], consumer);
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(out['@tensorflow/tfjs-layers']).toMatch(/^ERR_MODULE_NOT_FOUND/);
    expect(out.lovasz).toBe('loaded');
    expect(out['lovasz/tfjs']).toBe('loaded');
    expect(out['lovasz/layers']).toMatch(/^ERR_MODULE_NOT_FOUND: .*@tensorflow\/tfjs-layers/);
  });

  it('with tfjs-layers installed, lovasz/layers fits a model with its loss, metric and callback', async () => {
    writeFileSync(
      join(layersConsumer, 'fit.mjs'),
      `import * as tf from '@tensorflow/tfjs';
import * as tfl from '@tensorflow/tfjs-layers';
import { iouCallback, kerasLossSchedule, kerasLovaszSoftmax, kerasMeanIoU } from 'lovasz/layers';

await tf.setBackend('cpu');
const labels = tf.tensor3d([0, 1, 1, 2, 2, 0, 1, 0], [2, 2, 2], 'int32');
const x = tf.expandDims(tf.cast(labels, 'float32'), -1);
const model = tfl.sequential({
  layers: [tfl.layers.conv2d({ inputShape: [2, 2, 1], filters: 3, kernelSize: 1, activation: 'softmax' })],
});
const { loss, callback } = kerasLossSchedule([
  { until: 1, loss: (yTrue, yPred) => tf.mean(tfl.metrics.categoricalCrossentropy(yTrue, yPred)) },
  { loss: kerasLovaszSoftmax() },
]);
model.compile({ optimizer: tf.train.adam(0.1), loss, metrics: [kerasMeanIoU(3)] });
const history = await model.fit(x, tf.oneHot(labels, 3), {
  epochs: 3,
  verbose: 0,
  callbacks: [
    tfl.callbacks.earlyStopping({ monitor: 'val_mIoU', mode: 'max', patience: 5 }),
    iouCallback({ x, y: labels }, { numClasses: 3 }),
    callback,
  ],
});
console.log(JSON.stringify({
  val: history.history.val_mIoU, batch: history.history.mIoU,
  url: import.meta.resolve('lovasz/layers'),
}));
`,
    );
    const { stdout } = await sh(process.execPath, ['fit.mjs'], layersConsumer);
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(fileURLToPath(out.url)).toBe(
      join(layersConsumer, 'node_modules/lovasz/dist/layers/index.js'),
    );
    expect(out.val).toHaveLength(3);
    expect(out.batch).toHaveLength(3);
    for (const v of out.val) expect(v).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks a lovasz/layers consumer under moduleResolution %s', async (name, resolution) => {
    writeFileSync(
      join(layersConsumer, 'check.ts'),
      `import type { LayersModel, Callback } from '@tensorflow/tfjs-layers';
import type { Tensor } from '@tensorflow/tfjs-core';
import {
  type IouResult, type KerasLoss, type KerasMetric, iouCallback, kerasBinaryIoU,
  kerasLossSchedule, kerasLovaszSoftmax, kerasMeanIoU,
} from 'lovasz/layers';

export const metric: KerasMetric = kerasMeanIoU(5);
export const binary: KerasMetric = kerasBinaryIoU({ fromLogits: true });
export const loss: KerasLoss = kerasLovaszSoftmax();
export const schedule: { loss: KerasLoss; callback: Callback } = kerasLossSchedule([{ loss }]);
export async function score(model: LayersModel, x: Tensor, y: Tensor): Promise<IouResult> {
  return iouCallback({ x, y }, { numClasses: 5, perImage: true }).evaluate(model);
}
// @ts-expect-error numClasses is required
iouCallback({ x: null as unknown as Tensor, y: null as unknown as Tensor }, {});
`,
    );
    const config = `tsconfig.${name}.json`;
    writeFileSync(
      join(layersConsumer, config),
      JSON.stringify({
        compilerOptions: {
          ...resolution,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          types: [],
          skipLibCheck: true,
        },
        files: ['check.ts'],
      }),
    );
    await sh(
      process.execPath,
      [join(repo, 'node_modules/typescript/bin/tsc'), '-p', config],
      layersConsumer,
    );
  });
});

describe('the installed command line', () => {
  it('names the optional packages it needs instead of failing on an import', async () => {
    // The scratch project has tfjs-core and the cpu backend, not the CLI's packages: --help
    // needs commander alone.
    const cli = run(process.execPath, [join(installed(), 'dist/cli/main.js'), '--help'], {
      cwd: consumer,
    });
    await expect(cli).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^lovasz: needs packages the library does not depend on: npm install commander\n$/,
      ),
    });
  });
});

describe('the installed package', () => {
  it('imports lovasz and lovasz/tfjs in ESM and runs a loss through each', async () => {
    writeFileSync(
      join(consumer, 'esm.mjs'),
      `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { lovaszHinge as coreHinge, lovaszSoftmax } from 'lovasz';
import { lovaszHinge } from 'lovasz/tfjs';

await tf.setBackend('cpu');
const core = coreHinge([2, -1, 0.5, -3], [1, 0, 0, 1], [1, 2, 2]);
const logits = tf.tensor3d([2, -1, 0.5, -3], [1, 2, 2]);
const labels = tf.tensor3d([1, 0, 0, 1], [1, 2, 2], 'int32');
const [value, grad] = tf.tidy(() => {
  const { value, grad } = tf.valueAndGrad((x) => lovaszHinge(x, labels))(logits);
  return [value.dataSync()[0], Array.from(grad.dataSync())];
});
const softmax = lovaszSoftmax([0.9, 0.1, 0.3, 0.7], [0, 1], [1, 1, 2, 2]).loss;
console.log(JSON.stringify({
  core: core.loss, coreGrad: Array.from(core.grad), tfjs: value, tfjsGrad: grad, softmax,
  core_url: import.meta.resolve('lovasz'), tfjs_url: import.meta.resolve('lovasz/tfjs'),
}));
`,
    );
    const { stdout } = await sh(process.execPath, ['esm.mjs'], consumer);
    const out = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    // Resolved from the scratch project's node_modules, not from this repository.
    expect(fileURLToPath(out.core_url)).toBe(join(installed(), 'dist/index.js'));
    expect(fileURLToPath(out.tfjs_url)).toBe(join(installed(), 'dist/tfjs/index.js'));
    expect(out.core).toBeGreaterThan(0);
    expect(out.tfjs).toBeCloseTo(out.core, 6);
    expect(out.tfjsGrad).toEqual(out.coreGrad);
    expect(out.softmax).toBeGreaterThan(0);
  });

  it('require() of an ESM-only package: works through require(esm) where Node has it, else ERR_REQUIRE_ESM', async () => {
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      `const result = {};
for (const id of ['lovasz', 'lovasz/tfjs']) {
  try {
    result[id] = typeof require(id).lovaszHinge;
  } catch (e) {
    result[id] = e.code;
  }
}
console.log(JSON.stringify({ result, requireModule: Boolean(process.features.require_module) }));
`,
    );
    const { stdout } = await sh(process.execPath, ['cjs.cjs'], consumer);
    const { result, requireModule } = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    // Node >= 20.19 (and 22.12) load ES modules with require(); older Node 20 throws.
    const expected = requireModule ? 'function' : 'ERR_REQUIRE_ESM';
    expect(result).toEqual({ lovasz: expected, 'lovasz/tfjs': expected });
  });

  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16' }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler' }],
  ])('type-checks a TypeScript consumer under moduleResolution %s', async (name, resolution) => {
    writeFileSync(
      join(consumer, 'check.ts'),
      `import type { Scalar, Tensor } from '@tensorflow/tfjs-core';
import { ConfusionMatrix, type LossResult, lovaszSoftmax, type Reduction } from 'lovasz';
import { type KerasLoss, kerasLovaszSoftmax, lovaszHinge, type LossPath } from 'lovasz/tfjs';

export const result: LossResult = lovaszSoftmax(new Float32Array(4), [0, 1], [1, 1, 2, 2]);
export const grad: Float32Array = result.grad;
export const miou: number = new ConfusionMatrix(2).update([0, 1], [0, 1]).meanIoU();
export const keras: KerasLoss = kerasLovaszSoftmax({ perImage: true });
export const reduction: Reduction = 'sum';
export const path: LossPath = 'core';
export function hinge(logits: Tensor, labels: Tensor): Scalar {
  return lovaszHinge(logits, labels, { ignore: 255, path });
}
// The types are real, not any: a missing shape and an unknown option are errors.
// @ts-expect-error the shape is required
lovaszSoftmax(new Float32Array(4), [0, 1]);
// @ts-expect-error no such option
lovaszSoftmax(new Float32Array(4), [0, 1], [1, 1, 2, 2], { perimage: true });
`,
    );
    const config = `tsconfig.${name}.json`;
    writeFileSync(
      join(consumer, config),
      JSON.stringify({
        compilerOptions: {
          ...resolution,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          strict: true,
          noEmit: true,
          types: [],
          // tfjs-core's own declarations need @types packages a consumer may lack; ours are
          // checked through every use above.
          skipLibCheck: true,
        },
        files: ['check.ts'],
      }),
    );
    await sh(
      process.execPath,
      [join(repo, 'node_modules/typescript/bin/tsc'), '-p', config],
      consumer,
    );
  });
});
