// What the action loads before it knows it has work to do: the bundle of scripts/bundle.ts, built
// here with its own options, and the modules each entry reaches through static imports (the
// `import()`ed chunks load only once the inputs ask for them). The cold start depends on it: the
// HTTP client behind @actions/core's OIDC helper alone is ~400 KiB evaluated at start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions } from '../../../scripts/bundle-options.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

/** Every source module in the files `entry` imports statically, itself included. */
function startModules(metafile: Metafile, outdir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(relative(ROOT, join(outdir, entry)));
  return [...seen].flatMap((file) => Object.keys(metafile.outputs[file]!.inputs));
}

describe('the action start path', () => {
  let outdir: string;
  let metafile: Metafile;
  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'start-path-'));
    ({ metafile } = await build({ ...bundleOptions, outdir, write: false, metafile: true, logLevel: 'error', absWorkingDir: ROOT }));
  }, 60_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  for (const entry of ['index.js', 'post.js']) {
    it(`dist/${entry} reads its inputs with @actions/core and loads nothing else of node_modules`, () => {
      const modules = startModules(metafile, outdir, entry);
      expect(modules.some((m) => m.includes('node_modules/@actions/core/lib/command.js'))).toBe(true);
      // Not the HTTP client behind its OIDC helper (undici), not @actions/exec behind its `platform`,
      // nor octokit, the Kubernetes client or the spec layer's parsers: those wait for valid inputs.
      const packages = new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1] ?? []));
      expect([...packages]).toEqual(['@actions/core']);
    });
  }
});
