import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'lovasz-cli-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the CLI in-process with captured streams. */
async function cli(...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = {
    stdout: { write: (s: string) => stdout.push(s) > 0 },
    stderr: { write: (s: string) => stderr.push(s) > 0 },
  } as unknown as Parameters<typeof runCli>[1];
  const code = await runCli(argv, io);
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('lovasz demo: bad arguments get a one-line error and a non-zero exit', () => {
  const out = join(root, 'never-written');
  const cases: [string, string[], RegExp][] = [
    ['an unknown demo', ['demo', 'triangles'], /'triangles' is invalid.*binary, multiclass, all/],
    ['steps < 1', ['demo', '--steps', '0'], /steps must be an integer >= 1/],
    ['non-numeric steps', ['demo', '--steps', 'many'], /steps must be an integer >= 1/],
    ['a non-integer seed', ['demo', '--seed', '1.5'], /seed must be an integer/],
    ['a negative seed', ['demo', '--seed', '-3'], /seed must be an integer/],
    ['an unknown backend', ['demo', '--backend', 'webgl'], /'webgl' is invalid.*cpu, wasm/],
    ['an unknown option', ['demo', '--fast'], /unknown option '--fast'/],
    ['an unknown command', ['train'], /unknown command 'train'/],
  ];
  for (const [what, argv, message] of cases) {
    it(`rejects ${what}`, async () => {
      const r = await cli(...argv, '--out', out);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  }

  it('rejects an unwritable --out before training', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, '');
    const r = await cli('demo', 'binary', '--out', join(file, 'sub'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot write to the output directory .*plain-file\/sub.*\n$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('creates nothing in --out when the arguments are bad', () => {
    expect(existsSync(out)).toBe(false);
  });
});

describe('lovasz', () => {
  it('prints help on --help and exits 0', async () => {
    const r = await cli('demo', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: lovasz demo \[options\] \[demo\]/);
    expect(r.stdout).toMatch(/--backend <name>/);
  });

  it('prints the package version on --version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('runs a demo with --json: results on stdout, results.json in --out', async () => {
    const out = join(root, 'json');
    const r = await cli('demo', 'binary', '--steps', '2', '--seed', '5', '--json', '--out', out);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout);
    expect(printed.seed).toBe(5);
    expect(printed.binary.runs.hinge.loss).toHaveLength(2);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).toEqual(printed);
  });
});
