// Dependencies point down the layers of layers.ts: every import in src/ (type-only and dynamic ones
// too) is read from the source text and checked against the declared order.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LAYERS } from './layers.ts';
import { importsOf, layerViolations, type SourceImport } from './imports.ts';

const SRC = resolve(import.meta.dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

function srcImports(): SourceImport[] {
  return sourceFiles(SRC).flatMap((file) =>
    importsOf(readFileSync(file, 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({
        file: relative(SRC, file),
        specifier,
        target: relative(SRC, resolve(dirname(file), specifier)),
      })),
  );
}

describe('layering of src/', () => {
  test('the source has imports to check (the reader finds them)', () => {
    const imports = srcImports();
    expect(imports.length).toBeGreaterThan(300);
    expect(imports).toContainEqual({ file: 'app/release.ts', specifier: '../adapters/kubernetes.ts', target: 'adapters/kubernetes.ts' });
  });

  test('no import runs upward or sideways, and every folder is in a layer', () => {
    expect(layerViolations(srcImports(), LAYERS)).toEqual([]);
  });
});

describe('the import reader', () => {
  test('reads static, type-only, re-export, side-effect and dynamic imports, over several lines', () => {
    const text = [
      `import { a } from './a.ts';`,
      `import type { B } from "../b.ts";`,
      `import {\n  c,\n  d,\n} from './cd.ts';`,
      `export { e } from './e.ts';`,
      `export type * from './f.ts';`,
      `import './g.ts';`,
      `const h = await import('./h.ts');`,
      `import data from '../../x.json' with { type: 'json' };`,
    ].join('\n');
    expect(importsOf(text)).toEqual(['./a.ts', '../b.ts', './cd.ts', './e.ts', './f.ts', './g.ts', './h.ts', '../../x.json']);
  });

  test('ignores imports inside comments', () => {
    expect(importsOf(`// import { a } from './a.ts';\n/* import('./b.ts') */\nconst x = 1;`)).toEqual([]);
  });
});

describe('the layer rule', () => {
  const layers = [['base.ts'], ['low'], ['mid'], ['top', 'side']];
  const at = (file: string, target: string): SourceImport => ({ file, specifier: target, target });

  test('allows imports within a layer and downward', () => {
    expect(layerViolations([at('mid/x.ts', 'low/y.ts'), at('mid/x.ts', 'mid/z.ts'), at('top/a.ts', 'base.ts'), at('low/a.ts', 'base.ts')], layers)).toEqual([]);
  });

  test('names the file and the import that runs upward', () => {
    expect(layerViolations([at('low/x.ts', 'mid/y.ts')], layers)).toEqual(['low/x.ts imports mid/y.ts: layer low is below layer mid']);
  });

  test('refuses an import between two layers of the same rank', () => {
    expect(layerViolations([at('top/x.ts', 'side/y.ts')], layers)).toEqual(['top/x.ts imports side/y.ts: layers top and side are siblings; move what both need down']);
  });

  test('refuses a folder that is in no layer, and an import out of src', () => {
    expect(layerViolations([at('new/x.ts', 'low/y.ts')], layers)).toEqual(['new/x.ts: src/new is in no layer; add it to test/unit/architecture/layers.ts']);
    expect(layerViolations([at('mid/x.ts', '../package.json')], layers)).toEqual([]);
  });

  test('refuses a layer cycle even where each step would look allowed by a bad declaration', () => {
    const twice = [['low'], ['mid'], ['low']];
    expect(layerViolations([at('mid/x.ts', 'low/y.ts')], twice)).toEqual(['layer low is declared more than once']);
  });
});
