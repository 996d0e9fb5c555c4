// One document's full check: kind and apiVersion, the JSON Schema (filling its defaults), then the
// semantic rules. Returns every problem at once, or the valid raw document.
import type { PathSegment } from './locate.ts';
import { isRecord, shown, type PathProblem } from './problem.ts';
import { API_VERSION, KIND, type RawCanaryDocument } from './raw.ts';
import { problemsFromSchemaErrors } from './schema-errors.ts';
import { validateAgainstSchema } from './schema.ts';
import { semanticProblems } from './semantics.ts';
import { didYouMean } from './suggest.ts';

/** `- darkLaunch:` with nothing after it means "all defaults", like `{}`. */
function emptyStagesAsDefaults(document: Record<string, unknown>): void {
  const spec = document.spec;
  if (!isRecord(spec) || !Array.isArray(spec.stages)) return;
  for (const stage of spec.stages) {
    if (!isRecord(stage)) continue;
    for (const kind of ['darkLaunch', 'mirror']) if (kind in stage && stage[kind] === null) stage[kind] = {};
  }
}

function identity(document: Record<string, unknown>): PathProblem | undefined {
  const hint = (value: unknown, wanted: string) => (typeof value === 'string' ? didYouMean(value, [wanted]) : '');
  if (document.kind !== KIND) return { path: ['kind'], message: `expected kind \`${KIND}\`, got ${shown(document.kind)}${hint(document.kind, KIND)}` };
  if (document.apiVersion !== API_VERSION) {
    return { path: ['apiVersion'], message: `expected apiVersion \`${API_VERSION}\`, got ${shown(document.apiVersion)}${hint(document.apiVersion, API_VERSION)}` };
  }
  return undefined;
}

function isWithin(path: PathSegment[], prefix: PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}

export type DocumentCheck = { problems: PathProblem[]; document?: undefined } | { problems: []; document: RawCanaryDocument };

/** Validates `data` (mutated: defaults are filled in). */
export function checkCanaryDocument(data: unknown): DocumentCheck {
  if (!isRecord(data)) {
    return { problems: [{ path: [], message: `expected a Canary spec (a mapping with apiVersion, kind, metadata and spec), got ${shown(data)}` }] };
  }
  const wrongIdentity = identity(data);
  if (wrongIdentity) return { problems: [wrongIdentity] };
  emptyStagesAsDefaults(data);
  const defaultStages = isRecord(data.spec) && data.spec.stages === undefined;
  const schemaProblems = problemsFromSchemaErrors(validateAgainstSchema(data));
  // A field the schema already refused needs no second complaint from the semantic rules.
  const extra = semanticProblems(data, { defaultStages }).filter((p) => !schemaProblems.some((s) => isWithin(p.path, s.path)));
  const problems = [...schemaProblems, ...extra];
  return problems.length ? { problems } : { problems: [], document: data as unknown as RawCanaryDocument };
}
