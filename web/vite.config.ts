/**
 * Vite configuration of the demo page: `vite web` serves it, `vite build web` writes web/dist.
 *
 * The page imports the library by its public names ('lovasz', 'lovasz/tfjs'), as an npm user
 * would. They are aliased to the TypeScript sources rather than resolved through the package's
 * self-reference ("exports" -> dist/): the dev server then needs no `npm run build` first,
 * reloads when a source changes, and the built site can never pick up a stale dist/. The
 * aliases point at exactly the files that "exports" compiles to dist/index.js and
 * dist/tfjs/index.js, so the page sees the same API as a user of the published package.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  // Relative asset URLs: the built site works from any directory of any static server.
  base: './',
  resolve: {
    alias: [
      { find: /^lovasz\/tfjs$/, replacement: here('../src/tfjs/index.ts') },
      { find: /^lovasz$/, replacement: here('../src/index.ts') },
    ],
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // tfjs is one large chunk by nature; do not warn about it.
    chunkSizeWarningLimit: 2000,
  },
  server: { fs: { allow: [here('..')] } },
  preview: { host: '127.0.0.1' },
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgl',
      '@tensorflow/tfjs-backend-wasm',
      'chart.js',
    ],
  },
});
