// Reads the module specifiers a TypeScript file imports, and checks imports against a layer order.

/** One relative import of a file under src/, with its target resolved relative to src/. */
export interface SourceImport {
  file: string;
  specifier: string;
  target: string;
}

const COMMENTS = /\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/[^\n]*/g;
// `import … from 'x'`, `export … from 'x'`, `import 'x'`, `import('x')`.
const IMPORT = /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every module specifier `text` imports or re-exports, in order; comments are skipped. */
export function importsOf(text: string): string[] {
  const code = text.replace(COMMENTS, (_, before: string | undefined) => before ?? '');
  return Array.from(code.matchAll(IMPORT), (m) => (m[1] ?? m[2])!);
}

/** The layer of a path relative to src/: its first segment (a folder, or a file such as errors.ts). */
function layerName(path: string): string {
  return path.split('/')[0]!;
}

/** Every import that breaks `layers` (lowest first; names on one rank are siblings), as a sentence. */
export function layerViolations(imports: SourceImport[], layers: readonly (readonly string[])[]): string[] {
  const rank = new Map<string, number>();
  const problems: string[] = [];
  layers.forEach((names, i) => {
    for (const name of names) {
      if (rank.has(name)) problems.push(`layer ${name} is declared more than once`);
      rank.set(name, i);
    }
  });
  if (problems.length > 0) return problems;
  const unplaced = new Set<string>();
  for (const { file, target } of imports) {
    const from = layerName(file);
    if (!rank.has(from)) {
      if (!unplaced.has(from)) problems.push(`${file}: src/${from} is in no layer; add it to test/unit/architecture/layers.ts`);
      unplaced.add(from);
      continue;
    }
    if (target.startsWith('..')) continue; // package.json, the published schema: data, not a layer
    const to = layerName(target);
    if (to === from) continue;
    const [a, b] = [rank.get(from)!, rank.get(to)];
    if (b === undefined) problems.push(`${file} imports ${target}: src/${to} is in no layer; add it to test/unit/architecture/layers.ts`);
    else if (b > a) problems.push(`${file} imports ${target}: layer ${from} is below layer ${to}`);
    else if (b === a) problems.push(`${file} imports ${target}: layers ${from} and ${to} are siblings; move what both need down`);
  }
  return problems;
}
