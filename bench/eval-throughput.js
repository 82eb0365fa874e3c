// @ts-check
/**
 * Throughput of `lovasz eval` on Cityscapes-val-sized data: pairs per second for --pairs pairs
 * of 2048 x 1024 8-bit label masks (19 classes, ignore 255), with each --jobs value, measured
 * in the same run (runs alternate between the job counts; medians of --repeats runs).
 *
 * The masks are generated in a temporary directory (removed afterwards): --distinct pairs of
 * region maps with wavy borders and void regions, hard-linked to make --pairs pairs
 * (every file is still read and decoded; the OS file cache serves the repeats). Each run is a
 * fresh `node dist/cli/main.js eval` process, so its time includes start-up (about 0.2 s).
 * Besides the wall time, each run reports the CPU time of the process (all its threads): on a
 * shared machine the wall time says what the other work left, the CPU time per pair what
 * eval itself costs.
 *
 * usage: npm run build && node bench/eval-throughput.js [--pairs 1000] [--distinct 20]
 *        [--jobs 1,2] [--repeats 3]
 */
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    pairs: { type: 'string', default: '1000' },
    distinct: { type: 'string', default: '20' },
    jobs: { type: 'string', default: '1,2' },
    repeats: { type: 'string', default: '3' },
  },
});
const pairs = Number(opts.pairs);
const distinct = Math.min(pairs, Number(opts.distinct));
const jobsList = String(opts.jobs).split(',').map(Number);
const repeats = Number(opts.repeats);
const W = 2048;
const H = 1024;

/** A small LCG, so the data are the same on every machine. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A label map like a street scene's: a 24 x 12 grid of classes (about 1 cell in 20 void),
 * their borders bent by smooth waves whose phase is `shift`, so that a prediction made with
 * another shift and a few other cells differs from its ground truth along the borders.
 */
function mask(seed, shift, changed) {
  const r = rng(seed);
  const cells = Array.from({ length: 24 * 12 }, () => (r() < 0.05 ? 255 : Math.floor(r() * 19)));
  const c = rng(seed + 1);
  for (let k = 0; k < changed; k++) cells[Math.floor(c() * cells.length)] = Math.floor(c() * 19);
  const waveX = Array.from(
    { length: H },
    (_, y) => 20 * Math.sin(y / 37 + shift) + 3 * Math.sin(y / 3),
  );
  const waveY = Array.from(
    { length: W },
    (_, x) => 14 * Math.sin(x / 53 + 2 * shift) + 3 * Math.sin(x / 5),
  );
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const cx = Math.min(23, Math.max(0, Math.floor((x + waveX[y]) / (W / 24))));
      const cy = Math.min(11, Math.max(0, Math.floor((y + waveY[x]) / (H / 12))));
      out[y * W + x] = cells[cy * 24 + cx];
    }
  }
  return out;
}

function png(labels) {
  const p = new PNG({ width: W, height: H, colorType: 0, inputColorType: 0, bitDepth: 8 });
  p.data = Buffer.from(labels);
  return PNG.sync.write(p, { colorType: 0, inputColorType: 0, bitDepth: 8 });
}

const dir = mkdtempSync(join(os.tmpdir(), 'lovasz-eval-bench-'));
try {
  const t0 = performance.now();
  const pred = join(dir, 'pred');
  const gt = join(dir, 'gt');
  const src = join(dir, 'src');
  for (const d of [pred, gt, src]) mkdirSync(d);
  let bytes = 0;
  for (let k = 0; k < distinct; k++) {
    const g = mask(1000 + k, 0, 0);
    // The prediction: shifted borders, 30 cells of other classes, void predicted as road (0).
    const p = mask(1000 + k, 0.3, 30).map((v) => (v === 255 ? 0 : v));
    writeFileSync(join(src, `p${k}.png`), png(p));
    writeFileSync(join(src, `g${k}.png`), png(g));
    bytes += statSync(join(src, `p${k}.png`)).size + statSync(join(src, `g${k}.png`)).size;
  }
  for (let i = 0; i < pairs; i++) {
    const name = `${String(i).padStart(5, '0')}.png`;
    linkSync(join(src, `p${i % distinct}.png`), join(pred, name));
    linkSync(join(src, `g${i % distinct}.png`), join(gt, name));
  }
  console.log(
    `${pairs} pairs of ${W}x${H} (${distinct} distinct, ${Math.round(bytes / distinct / 2 / 1024)} kB a file on average); ` +
      `generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${os.cpus().length} cores`,
  );
  // Runs main.js with its argv, then prints the process's CPU time (every thread) at exit.
  const wrapper = join(dir, 'cpu-time.mjs');
  writeFileSync(
    wrapper,
    `import { pathToFileURL } from 'node:url';
const main = process.argv[2];
process.argv.splice(1, 1);
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write('cpu ' + (u.userCPUTime + u.systemCPUTime) / 1e6 + '\\n');
});
await import(pathToFileURL(main).href);
`,
  );
  const times = new Map(jobsList.map((j) => [j, /** @type {number[]} */ ([])]));
  const cpus = new Map(jobsList.map((j) => [j, /** @type {number[]} */ ([])]));
  for (let rep = 0; rep < repeats; rep++) {
    for (const jobs of rep % 2 === 0 ? jobsList : [...jobsList].reverse()) {
      const start = performance.now();
      const run = spawnSync(
        process.execPath,
        [wrapper, join(repo, 'dist/cli/main.js'), 'eval', '--pred', pred, '--gt', gt].concat([
          '--classes',
          '19',
          '--ignore',
          '255',
          '--jobs',
          String(jobs),
          '--json',
          join(dir, 'r.json'),
        ]),
        { encoding: 'utf8' },
      );
      const seconds = (performance.now() - start) / 1000;
      if (run.status !== 0) throw new Error(`eval failed:\n${run.stderr}`);
      const cpu = Number(/cpu (\S+)\n$/.exec(run.stderr)?.[1]);
      times.get(jobs)?.push(seconds);
      cpus.get(jobs)?.push(cpu);
      // The machine may be shared: the 1-minute load average says how busy it was.
      const load = os.loadavg()[0].toFixed(1);
      console.log(
        `  jobs ${jobs}: ${seconds.toFixed(2)} s, ${(pairs / seconds).toFixed(1)} pairs/s, ` +
          `CPU ${cpu.toFixed(1)} s (load average ${load})`,
      );
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(times.get(jobsList[0]) ?? []);
  console.log(
    `\n| --jobs | median time | pairs/s | vs --jobs ${jobsList[0]} | median CPU time | CPU per pair |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const jobs of jobsList) {
    const m = median(times.get(jobs) ?? []);
    const c = median(cpus.get(jobs) ?? []);
    console.log(
      `| ${jobs} | ${m.toFixed(2)} s | ${(pairs / m).toFixed(1)} | ${(base / m).toFixed(2)}x | ` +
        `${c.toFixed(1)} s | ${((1000 * c) / pairs).toFixed(0)} ms |`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
