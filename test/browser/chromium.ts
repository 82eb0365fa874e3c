/**
 * Shared helpers of the browser tests: Debian's Chromium (/usr/bin/chromium) launched headless
 * by playwright-core, and a plain static file server (node:http) for built sites.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether Debian's Chromium is installed (CI installs it from .ci/apt-packages). */
export const chromiumAvailable = existsSync(CHROMIUM);

/**
 * Headless, no sandbox (CI runs as root), no GPU: WebGL2 still runs, on SwiftShader (ANGLE over
 * its Vulkan device). No background traffic. The same flags as golden.browser.test.ts.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * WebGPU without a GPU: Chromium's SwiftShader adapter (a CPU emulation). WebGPU needs a
 * secure context: pages served from 127.0.0.1 are one, file: and about:blank are not.
 */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

/** Launches /usr/bin/chromium with {@link CHROMIUM_ARGS} (and {@link WEBGPU_ARGS} with webgpu). */
export function launchChromium(options: { webgpu?: boolean } = {}): Promise<Browser> {
  const args = options.webgpu ? [...CHROMIUM_ARGS, ...WEBGPU_ARGS] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/** Collects a page's console errors and uncaught exceptions, as they happen. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** A running {@link serveStatic} server. */
export interface StaticServer {
  /** URL of the mounted directory, ending in '/'. */
  url: string;
  /** Paths requested so far (for checks such as "the wasm files were fetched"). */
  requests: string[];
  close: () => Promise<void>;
}

/**
 * Serves the files of `dir` under `mount` (e.g. '/some/sub/dir/') on 127.0.0.1 at a free port,
 * as any plain static server would: no rewriting, no fallback; index.html for a directory;
 * 404 for anything else.
 */
export async function serveStatic(dir: string, mount = '/'): Promise<StaticServer> {
  const root = normalize(dir);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (!path.startsWith(mount)) {
      res.writeHead(404).end();
      return;
    }
    let file = normalize(join(root, path.slice(mount.length)));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
