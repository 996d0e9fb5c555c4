// esbuild options of dist/, shared by the bundle script and the cold-start bench (which builds the
// same entries unminified to profile them).
import type { BuildOptions } from 'esbuild';

// Some dependencies are CommonJS and call require(); an ESM bundle needs a require of its own.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** One build with code splitting: the entries share chunks, and modules loaded with import() (the
 * Kubernetes client, octokit) stay out of the start-up path of commands that never need them. */
export const bundleOptions = {
  entryPoints: {
    index: 'src/action/main.ts',
    post: 'src/action/post.ts',
    cli: 'src/cli/main.ts',
  },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: banner },
} satisfies BuildOptions;
