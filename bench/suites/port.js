// @ts-check
/**
 * The plain tfjs port of the original PyTorch lovasz_softmax (bench/tfjs-port.js), on cpu, in
 * a child process (bench/port-worker.js) killed when one iteration exceeds the limit.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dims, median, SEED } from '../harness.js';

export const name = 'port';

/** A port iteration longer than this is abandoned (the issue quotes ~1 min at 2x5x100x100). */
export const PORT_LIMIT_MS = 30_000;

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs bench/port-worker.js at one size; kills it when one iteration exceeds the limit.
 * @param {number[]} size
 * @param {number} iterations
 * @returns {Promise<{ times: number[], timedOut: boolean, last?: any, error?: string }>}
 */
function runPort(size, iterations) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        join(here, '..', 'port-worker.js'),
        dims(size).replaceAll('x', ','),
        String(SEED),
        String(iterations),
        '20000',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    /** @type {number[]} */
    const times = [];
    let timedOut = false;
    let last;
    let stderr = '';
    let buffered = '';
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    // Setup (imports, input generation, one core call) gets a generous limit of its own.
    const arm = (/** @type {number} */ ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, ms);
    };
    arm(120_000);
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const msg = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (msg.event === 'ready') arm(PORT_LIMIT_MS);
        if (msg.event === 'iter') {
          times.push(msg.ms);
          last = msg;
          arm(PORT_LIMIT_MS);
        }
        nl = buffered.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const error = !timedOut && code !== 0 ? stderr.trim().split('\n').slice(-3).join(' ') : '';
      resolve({ times, timedOut, last, error });
    });
  });
}

/** @param {import('../harness.js').Context} ctx */
export async function run(ctx) {
  const sizes = ctx.quick
    ? [{ size: [1, 5, 50, 50], iterations: 3 }]
    : [
        { size: [1, 5, 50, 50], iterations: 3 },
        { size: [1, 5, 100, 100], iterations: 1 },
        { size: [2, 5, 100, 100], iterations: 1 },
      ];
  for (const { size, iterations } of sizes) {
    const row = {
      id: `port/${dims(size)}`,
      impl: 'tfjs port',
      case: 'lovasz_softmax (topk + gather + cumsum)',
      size: dims(size),
      backend: 'cpu',
      refs: [
        { id: `core/softmax/${dims(size)}`, label: 'core' },
        { id: `tfjs-cpu/softmax/${dims(size)}`, label: 'lovasz/tfjs cpu' },
      ],
    };
    if (!ctx.selected(`${row.impl} ${row.case} ${row.size} ${row.backend}`)) continue;
    ctx.log(
      `timing tfjs port ${dims(size)} cpu (limit ${PORT_LIMIT_MS / 1000} s per iteration) ...`,
    );
    const r = await runPort(size, iterations);
    if (r.times.length === 0) {
      ctx.rows.push({
        ...row,
        medianMs: Number.NaN,
        minMs: Number.NaN,
        maxMs: Number.NaN,
        iterations: 0,
        skipped: true,
        note: r.timedOut ? `> ${PORT_LIMIT_MS / 1000} s (skipped)` : `failed: ${r.error}`,
      });
      continue;
    }
    const agree = Math.abs(r.last.loss - r.last.coreLoss) <= 1e-5;
    ctx.rows.push({
      ...row,
      medianMs: median(r.times),
      minMs: Math.min(...r.times),
      maxMs: Math.max(...r.times),
      iterations: r.times.length,
      note:
        `no warm-up; loss ${agree ? 'matches' : 'DIFFERS from'} core ` +
        `(max |grad diff| ${r.last.maxGradDiff.toExponential(1)})`,
    });
  }
}
