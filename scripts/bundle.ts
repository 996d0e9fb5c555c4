// Builds dist/ from src/ with esbuild: GitHub runs the committed bundle, not src/.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { bundleOptions } from './bundle-options.ts';

await rm('dist', { recursive: true, force: true });
await build(bundleOptions);
// The CLI is run as a program (package.json bin): it needs a shebang on its first line.
const cli = await readFile('dist/cli.js', 'utf8');
if (!cli.startsWith('#!')) await writeFile('dist/cli.js', `#!/usr/bin/env node\n${cli}`, { mode: 0o755 });
