// Builds dist/ from src/ with esbuild: GitHub runs the committed bundle, not the sources.
import { build } from 'esbuild';

const entries = {
  index: 'src/action/main.ts',
  post: 'src/action/post.ts',
  cli: 'src/cli/main.ts',
};

// Some dependencies are CommonJS and call require(); an ESM bundle needs a require of its own.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

for (const [name, entry] of Object.entries(entries)) {
  await build({
    entryPoints: [entry],
    outfile: `dist/${name}.js`,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: (name === 'cli' ? '#!/usr/bin/env node\n' : '') + banner },
  });
}
