import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const main = join(repo, 'dist/cli/main.js');
const root = mkdtempSync(join(tmpdir(), 'lovasz-spawn-test-'));

/** Runs dist/cli/main.js; resolves with its exit code (or signal) and output. */
function run(args: string[], onSpawn?: (child: ReturnType<typeof spawn>) => void) {
  return new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }>((resolve) => {
    const child = spawn(process.execPath, [main, ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(child);
  });
}

beforeAll(() => {
  // The executable is the compiled one (what `npm run demo` and the bin run). tsc emits even
  // with type errors elsewhere in the tree; type-checking is `npm run typecheck`'s job.
  spawnSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(repo, 'tsconfig.build.json')]);
  if (!existsSync(main)) throw new Error(`the build did not produce ${main}`);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('dist/cli/main.js (spawned)', () => {
  it('is a node script: shebang on the first line', () => {
    expect(readFileSync(main, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('exits 1 with a one-line error on an unknown demo', async () => {
    const r = await run(['demo', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*'nope'/)]);
  });

  it('stops on Ctrl-C with status 130 and no results.json, not even an old one', async () => {
    const out = join(root, 'interrupted');
    mkdirSync(out);
    writeFileSync(join(out, 'results.json'), '{"old": true}');
    const r = await run(['demo', 'multiclass', '--steps', '100000', '--out', out], (child) => {
      // Once the old results.json is gone, the command has started training.
      const poll = setInterval(() => {
        if (!existsSync(join(out, 'results.json'))) {
          clearInterval(poll);
          setTimeout(() => child.kill('SIGINT'), 1000);
        }
      }, 50);
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted/);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  }, 60_000);
});
