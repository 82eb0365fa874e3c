/**
 * `lovasz eval` as a process: memory (a decompression bomb, a Cityscapes-sized pair), worker
 * threads (--jobs) giving the same bits as one thread, and each command loading only its own
 * optional packages (the others hidden by a module-resolution hook). Runs dist/, built first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDeflate } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grayPng, pngChunk, randomLabels } from './masks.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(repo, 'dist/cli');
const root = mkdtempSync(join(tmpdir(), 'lovasz-eval-spawn-'));

beforeAll(() => {
  spawnSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(repo, 'tsconfig.build.json')]);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs node with `args`; resolves with the exit code and output. */
function node(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A script that runs the CLI in-process and prints, on its last stderr line, the exit code,
 * the RSS after loading the eval modules (the baseline) and the peak RSS of the process.
 */
function memoryScript(): string {
  const path = join(root, 'memory.mjs');
  writeFileSync(
    path,
    `const { runCli } = await import(${JSON.stringify(pathToFileURL(join(dist, 'run-cli.js')).href)});
await import(${JSON.stringify(pathToFileURL(join(dist, 'eval-run.js')).href)});
globalThis.gc?.();
const base = process.memoryUsage().rss;
const code = await runCli(process.argv.slice(2), process);
const peak = process.resourceUsage().maxRSS * 1024;
process.stderr.write('\\n' + JSON.stringify({ code, base, peak }) + '\\n');
`,
  );
  return path;
}

function lastJson(stderr: string): { code: number; base: number; peak: number } {
  const lines = stderr.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Masks shaped like real ones: a few large regions with ragged borders, in `classes` labels. */
function regionMask(width: number, height: number, classes: number, seed: number): Uint8Array {
  const noise = randomLabels(width * height, 4, seed);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const region =
        Math.floor((x + 3 * noise[i]) / (width / 4)) + 4 * Math.floor(y / (height / 3));
      out[i] = (region + seed) % classes;
    }
  }
  return out;
}

/** The 1.5 MB PNG of the issue: it declares 40000 x 40000 and holds 1.6 GB of zeros. */
function bombPng(): Promise<Buffer> {
  return new Promise((resolve) => {
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(40000, 0);
    ihdr.writeUInt32BE(40000, 4);
    ihdr[8] = 8;
    const parts: Buffer[] = [];
    const deflate = createDeflate({ level: 9 });
    deflate.on('data', (c: Buffer) => parts.push(c));
    deflate.on('end', () =>
      resolve(
        Buffer.concat([
          Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
          pngChunk('IHDR', ihdr),
          pngChunk('IDAT', Buffer.concat(parts)),
          pngChunk('IEND', new Uint8Array()),
        ]),
      ),
    );
    const rows = Buffer.alloc(40001 * 25); // 25 rows: filter byte 0 and 40000 zeros each
    let written = 0;
    const write = () => {
      while (written < 1600) {
        written++;
        if (!deflate.write(rows)) return void deflate.once('drain', write);
      }
      deflate.end();
    };
    write();
  });
}

describe('lovasz eval (spawned): memory', () => {
  it('refuses a decompression bomb before decoding, with peak RSS under 1 GB', async () => {
    const bomb = await bombPng();
    expect(bomb.length).toBeGreaterThan(1_000_000);
    const dir = join(root, 'bomb');
    for (const side of ['pred', 'gt']) {
      mkdirSync(join(dir, side), { recursive: true });
      writeFileSync(join(dir, side, 'a.png'), bomb);
    }
    const r = await node([
      memoryScript(),
      'eval',
      '--pred',
      join(dir, 'pred'),
      '--gt',
      join(dir, 'gt'),
      '--classes',
      '2',
    ]);
    const { code, peak } = lastJson(r.stderr);
    expect(code).toBe(1);
    expect(r.stderr).toMatch(/masks over --max-pixels \(2\):/);
    expect(r.stderr).toMatch(/40000x40000 = 1600000000 pixels, over --max-pixels 268435456/);
    expect(peak).toBeLessThan(1024 ** 3);
  }, 60_000);

  it('decodes a 2048 x 1024 pair with a peak under 100 MB above the baseline', async () => {
    const dir = join(root, 'big');
    const W = 2048;
    const H = 1024;
    for (const [side, seed] of [
      ['pred', 1],
      ['gt', 2],
    ] as const) {
      mkdirSync(join(dir, side), { recursive: true });
      writeFileSync(join(dir, side, 'a.png'), grayPng(W, H, regionMask(W, H, 19, seed)));
    }
    const r = await node([
      '--expose-gc',
      memoryScript(),
      ...[
        'eval',
        '--pred',
        join(dir, 'pred'),
        '--gt',
        join(dir, 'gt'),
        '--classes',
        '19',
        '--jobs',
        '1',
      ],
    ]);
    const { code, base, peak } = lastJson(r.stderr);
    expect(code).toBe(0);
    expect(r.stdout).toMatch(/^1 image, 19 classes/);
    expect(peak - base).toBeLessThan(100 * 1024 ** 2);
  }, 60_000);
});

describe('lovasz eval (spawned): worker threads', () => {
  it('--jobs 3 writes the same JSON and CSV, to the bit, as --jobs 1', async () => {
    const dir = join(root, 'jobs');
    for (let i = 0; i < 13; i++) {
      for (const [side, seed] of [
        ['pred', 100 + i],
        ['gt', 200 + i],
      ] as const) {
        mkdirSync(join(dir, side, `d${i % 3}`), { recursive: true });
        // Sizes vary, so workers finish out of order.
        const W = 16 + 37 * (i % 4);
        writeFileSync(
          join(dir, side, `d${i % 3}`, `m${i}.png`),
          grayPng(W, 24, regionMask(W, 24, 5, seed)),
        );
      }
    }
    const out: Record<string, string> = {};
    let images = 0;
    for (const jobs of ['1', '3']) {
      const json = join(dir, `r${jobs}.json`);
      const csv = join(dir, `r${jobs}.csv`);
      const r = await node([
        join(dist, 'main.js'),
        ...[
          'eval',
          '--pred',
          join(dir, 'pred'),
          '--gt',
          join(dir, 'gt'),
          '--classes',
          '5',
          '--recursive',
        ],
        ...['--jobs', jobs, '--json', json, '--per-image', csv],
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      out[jobs] = readFileSync(json, 'utf8') + readFileSync(csv, 'utf8');
      images = JSON.parse(readFileSync(json, 'utf8')).images;
    }
    expect(images).toBe(13);
    expect(out['3']).toBe(out['1']);
  }, 60_000);

  it('lists problems found in workers like those found in one thread', async () => {
    const dir = join(root, 'jobs-bad');
    for (let i = 0; i < 4; i++) {
      for (const side of ['pred', 'gt']) {
        mkdirSync(join(dir, side), { recursive: true });
        writeFileSync(
          join(dir, side, `m${i}.png`),
          grayPng(4, 4, randomLabels(16, i === 2 ? 9 : 3, i)),
        );
      }
    }
    const reports = [];
    for (const jobs of ['1', '2']) {
      const r = await node([
        join(dist, 'main.js'),
        ...[
          'eval',
          '--pred',
          join(dir, 'pred'),
          '--gt',
          join(dir, 'gt'),
          '--classes',
          '3',
          '--jobs',
          jobs,
        ],
      ]);
      expect(r.code).toBe(1);
      reports.push(r.stderr);
    }
    expect(reports[0]).toMatch(/label values >= 3 .*\(2\):\n.*gt\/m2\.png.*\n.*pred\/m2\.png/);
    expect(reports[1]).toBe(reports[0]);
  }, 60_000);
});

describe('lovasz (spawned): each command loads only its own optional packages', () => {
  const PLOTS = ['vega', 'vega-lite', '@resvg/resvg-js'];
  const TFJS = [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
  ];
  let register = '';
  let data = '';

  beforeAll(() => {
    // A resolution hook that makes the packages in LOVASZ_TEST_HIDE unresolvable, as if not installed.
    const hook = join(root, 'hide.mjs');
    writeFileSync(
      hook,
      `const hidden = (process.env.LOVASZ_TEST_HIDE ?? '').split(',').filter(Boolean);
export async function resolve(specifier, context, next) {
  if (hidden.some((h) => specifier === h || specifier.startsWith(h + '/'))) {
    const error = new Error("Cannot find package '" + specifier + "'");
    error.code = 'ERR_MODULE_NOT_FOUND';
    throw error;
  }
  return next(specifier, context);
}
`,
    );
    register = join(root, 'register.mjs');
    writeFileSync(
      register,
      `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`,
    );
    data = join(root, 'small');
    for (const side of ['pred', 'gt']) {
      mkdirSync(join(data, side), { recursive: true });
      writeFileSync(join(data, side, 'a.png'), grayPng(3, 1, [0, 1, 1]));
    }
  });

  const lovasz = (hide: string[], ...args: string[]) =>
    node(['--import', register, join(dist, 'main.js'), ...args], {
      LOVASZ_TEST_HIDE: hide.join(','),
    });
  const evalArgs = () => [
    'eval',
    '--pred',
    join(data, 'pred'),
    '--gt',
    join(data, 'gt'),
    '--classes',
    '2',
  ];

  it('--help and eval run without the plotting stack and TensorFlow.js', async () => {
    const help = await lovasz([...PLOTS, ...TFJS], '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: lovasz/);
    const run = await lovasz([...PLOTS, ...TFJS], ...evalArgs());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 image, 2 classes/);
  }, 60_000);

  it('eval --plot asks for the plotting stack only; demo for TensorFlow.js; --help for commander', async () => {
    const plot = await lovasz([...PLOTS, ...TFJS], ...evalArgs(), '--plot', join(root, 'plots'));
    expect(plot.code).toBe(1);
    expect(plot.stderr).toBe(
      'lovasz eval: needs packages the library does not depend on: npm install vega vega-lite @resvg/resvg-js\n',
    );
    const demo = await lovasz(TFJS, 'demo');
    expect(demo.stderr).toBe(
      `lovasz demo: needs packages the library does not depend on: npm install ${TFJS.join(' ')}\n`,
    );
    const pngjs = await lovasz(['pngjs', ...TFJS], ...evalArgs());
    expect(pngjs.stderr).toBe(
      'lovasz eval: needs packages the library does not depend on: npm install pngjs\n',
    );
    const help = await lovasz(['commander'], '--help');
    expect(help.stderr).toBe(
      'lovasz: needs packages the library does not depend on: npm install commander\n',
    );
  }, 60_000);
});
