// esbuild options of dist/, shared by the bundle script and the cold-start bench (which builds the
// same entries unminified to profile them).
import { join } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

// Some dependencies are CommonJS and call require(); an ESM bundle needs a require of its own.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** @actions/core's modules only declare functions, classes and constants at load, but its package.json
 * does not say so ("sideEffects": false), so esbuild keeps every module its index reaches: the OIDC
 * client pulls in @actions/http-client and undici (about 400 KiB evaluated at start), `platform`
 * pulls in @actions/exec. Saying it here lets the start path keep only the workflow commands it
 * calls (inputs, masking, state, outputs, setFailed), @actions/core's own code unchanged; the parts
 * a lazily imported module uses (the job summary) go with that module. */
export const coreWithoutSideEffects: Plugin = {
  name: 'actions-core-side-effect-free',
  setup(build) {
    const inCore = /[\\/]node_modules[\\/]@actions[\\/]core[\\/]/;
    build.onResolve({ filter: /^@actions\/core$/ }, async (args) => {
      if (args.pluginData?.resolving) return undefined; // our own resolve call below
      const result = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { resolving: true } });
      return result.errors.length > 0 ? undefined : { ...result, sideEffects: false };
    });
    // Its modules import each other as './name.js' (plain files, no package lookup).
    build.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) => (inCore.test(args.importer) ? { path: join(args.resolveDir, args.path), sideEffects: false } : undefined));
  },
};

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
  plugins: [coreWithoutSideEffects],
} satisfies BuildOptions;
