// The corpus of real-world-shaped VirtualServices (entries/<source>/<id>.yaml): each file is an
// entry header (what it is shaped after and what the planner must do with it), the Canary spec a
// user would write, the VirtualService and, when the user has one, the DestinationRule. Written here
// in our own words after Istio's samples and testdata, the istio.io tasks, Flagger's and Argo
// Rollouts' examples; none of their text is copied.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../../src/errors.ts';
import type { DestinationRule, VirtualService } from '../../src/istio/types.ts';
import { planRelease } from '../../src/routing/virtual-service/plan.ts';
import type { Plan } from '../../src/plan/types.ts';
import { parseCanarySpecs } from '../../src/spec/parse.ts';
import type { CanarySpec } from '../../src/spec/types.ts';

export const CORPUS_DIR = new URL('./entries/', import.meta.url).pathname;

export type Expectation = 'planned' | { refused: string };

export interface CorpusEntry {
  /** `<source>/<id>`, the file's path under entries/ without `.yaml`. */
  id: string;
  file: string;
  shapedAfter: string;
  expect: Expectation;
  /** Istio itself rejects the input (istioctl validate), so the refusal must carry istiod's reason. */
  istioRejects: boolean;
  /** Indices of the http routes the release owns, when the entry says (default: not checked). */
  owned?: number[];
  /** Indices of the routes reported as shadowed (never reached), when the entry says. */
  shadowed?: number[];
  /** The Canary document exactly as written. */
  specText: string;
  virtualService: VirtualService;
  destinationRule?: DestinationRule;
}

/** Every `.yaml` file under `dir`, sorted. */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? yamlFiles(join(dir, d.name)) : d.name.endsWith('.yaml') ? [join(dir, d.name)] : []))
    .sort();
}

/** An entry file's parts: its header's `corpus` fields, the Canary document as written, the other documents as data. */
export interface EntryDocuments {
  meta: Record<string, unknown>;
  specText: string;
  /** The spec document as data. */
  spec: unknown;
  objects: unknown[];
}

export function readEntryDocuments(file: string): EntryDocuments {
  const text = readFileSync(file, 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file}: not a YAML stream`);
  const broken = docs.flatMap((d) => d.errors);
  if (broken.length > 0) throw new Error(`${file}: ${broken[0]!.message}`);
  const [header, spec, ...objects] = docs;
  const meta = (header?.toJS() as { corpus?: Record<string, unknown> } | undefined)?.corpus;
  if (!meta || !spec) throw new Error(`${file}: expected a corpus header document and a Canary document`);
  const [start, , end] = spec.range;
  return { meta, specText: text.slice(start, end), spec: spec.toJS(), objects: objects.map((d) => d.toJS()) };
}

function readEntry(file: string): CorpusEntry {
  const { meta, specText, objects } = readEntryDocuments(file);
  const plain = objects as Array<VirtualService | DestinationRule>;
  const virtualService = plain.find((o): o is VirtualService => o.kind === 'VirtualService');
  if (!virtualService) throw new Error(`${file}: no VirtualService document`);
  const destinationRule = plain.find((o): o is DestinationRule => o.kind === 'DestinationRule');
  return {
    id: relative(CORPUS_DIR, file).replace(/\.yaml$/, ''),
    file,
    shapedAfter: String(meta.shapedAfter),
    expect: meta.expect as Expectation,
    istioRejects: meta.istioRejects === true,
    ...(Array.isArray(meta.owned) ? { owned: meta.owned as number[] } : {}),
    ...(Array.isArray(meta.shadowed) ? { shadowed: meta.shadowed as number[] } : {}),
    specText,
    virtualService,
    ...(destinationRule ? { destinationRule } : {}),
  };
}

export function loadCorpus(): CorpusEntry[] {
  return yamlFiles(CORPUS_DIR).map(readEntry);
}

export type Outcome = { kind: 'planned'; spec: CanarySpec; plan: Plan } | { kind: 'refused'; message: string };

/** What the planner does with the entry, as a user's first `plan` of it: planned, or refused with an
 * InputError (spec or objects). Any other error is a bug and is thrown. */
export function planEntry(entry: CorpusEntry): Outcome {
  try {
    const [spec] = parseCanarySpecs(entry.specText, entry.file);
    const plan = planRelease(spec!, entry.virtualService, entry.destinationRule, { unrecorded: true });
    return { kind: 'planned', spec: spec!, plan };
  } catch (e) {
    if (e instanceof InputError) return { kind: 'refused', message: e.message };
    throw e;
  }
}
