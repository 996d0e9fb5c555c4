// Canary spec files: every document checked, every problem reported with file:line:column and field path.
import { InputError, type InputProblem } from '../errors.ts';
import { buildCanarySpec } from './build.ts';
import type { CanarySpec } from './types.ts';
import { checkCanaryDocument } from './validate.ts';
import { locatedProblem, plainData, readYaml } from './yaml-source.ts';

function bySourcePosition(a: InputProblem, b: InputProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * All Canary specs in `text` (separate YAML documents). Throws one InputError listing every problem
 * of every document. `source.document` is the 1-based document position in the file.
 */
export function parseCanarySpecs(text: string, file?: string): CanarySpec[] {
  const source = readYaml(text, file);
  if (source.problems.length) throw new InputError(source.problems);
  const problems: InputProblem[] = [];
  const specs: CanarySpec[] = [];
  const firstByName = new Map<string, number>();
  for (const { document, index } of source.documents) {
    const plain = plainData(source, document);
    if ('problem' in plain) {
      problems.push(plain.problem);
      continue;
    }
    const checked = checkCanaryDocument(plain.data);
    if (!checked.document) {
      problems.push(...checked.problems.map((p) => locatedProblem(source, document, p)).sort(bySourcePosition));
      continue;
    }
    const name = checked.document.metadata.name;
    const earlier = firstByName.get(name);
    if (earlier !== undefined) {
      problems.push(locatedProblem(source, document, { path: ['metadata', 'name'], message: `duplicate Canary name \`${name}\` (also document ${earlier})` }));
      continue;
    }
    firstByName.set(name, index);
    specs.push(buildCanarySpec(checked.document, { file, document: index }));
  }
  if (problems.length) throw new InputError(problems);
  if (specs.length === 0) throw new InputError({ file, path: '', message: 'no Canary spec found (the file has no YAML document)' });
  return specs;
}
