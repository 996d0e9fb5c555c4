// Builds dist/ from src/ with esbuild: GitHub runs the committed bundle, not the sources.
import { readFile, writeFile } from 'node:fs/promises';
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

const entries = {
  index: 'src/action/main.ts',
  post: 'src/action/post.ts',
  cli: 'src/cli/main.ts',
};

// Some dependencies are CommonJS and call require(); an ESM bundle needs a require of its own.
const banner = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

await rm('dist', { recursive: true, force: true });

// One build with code splitting: the entries share chunks, and modules loaded with import() (the
// Kubernetes client) stay out of the start-up path of commands that never need them.
{
  await build({
    entryPoints: entries,
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
  });
}
// The CLI is run as a program (package.json bin): it needs a shebang on its first line.
const cli = await readFile('dist/cli.js', 'utf8');
if (!cli.startsWith('#!')) await writeFile('dist/cli.js', `#!/usr/bin/env node\n${cli}`, { mode: 0o755 });
