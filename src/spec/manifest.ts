// The live VirtualService / DestinationRule / HTTPRoute given as files to `plan` (instead of read from a cluster):
// checked just enough that planning can rely on their outline; Istio's own rules live in istio/.
import { InputError, type InputProblem } from '../errors.ts';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import { readInputFile } from './load.ts';
import { isRecord, shown, type PathProblem } from './problem.ts';
import { locatedProblem, plainData, readYaml } from './yaml-source.ts';

export const ISTIO_API_VERSIONS = ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'];

export const GATEWAY_API_VERSIONS = ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'];

/** An HTTPRoute as read from a file, checked only in outline (the routing layer reads the rest). */
export interface HttpRouteManifest {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
}

export type ManifestKind = 'VirtualService' | 'DestinationRule' | 'HTTPRoute';
type ManifestOf<K extends ManifestKind> = K extends 'VirtualService' ? VirtualService : K extends 'HTTPRoute' ? HttpRouteManifest : DestinationRule;

function outlineProblems(data: unknown, kind: ManifestKind): PathProblem[] {
  if (!isRecord(data)) return [{ path: [], message: `expected a ${kind} (a mapping with apiVersion, kind, metadata and spec), got ${shown(data)}` }];
  if (data.kind !== kind) return [{ path: ['kind'], message: `expected kind \`${kind}\`, got ${shown(data.kind)}` }];
  const problems: PathProblem[] = [];
  const versions = kind === 'HTTPRoute' ? GATEWAY_API_VERSIONS : ISTIO_API_VERSIONS;
  if (typeof data.apiVersion !== 'string' || !versions.includes(data.apiVersion)) {
    problems.push({ path: ['apiVersion'], message: `expected one of ${versions.map((v) => `\`${v}\``).join(', ')}, got ${shown(data.apiVersion)}` });
  }
  const metadata = data.metadata;
  if (!isRecord(metadata)) problems.push({ path: ['metadata'], message: `missing required field \`metadata\` (with \`name\`)` });
  else if (typeof metadata.name !== 'string' || metadata.name === '') {
    problems.push({ path: ['metadata', 'name'], message: `expected the object's name (a non-empty string), got ${shown(metadata.name)}` });
  }
  if (isRecord(metadata) && metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
    problems.push({ path: ['metadata', 'namespace'], message: `expected a namespace name (a string), got ${shown(metadata.namespace)}` });
  }
  if (isRecord(metadata) && metadata.annotations !== undefined && !(isRecord(metadata.annotations) && Object.values(metadata.annotations).every((v) => typeof v === 'string'))) {
    problems.push({ path: ['metadata', 'annotations'], message: `expected a mapping of strings, got ${shown(metadata.annotations)}` });
  }
  if (!isRecord(data.spec)) problems.push({ path: ['spec'], message: `expected \`spec\` to be a mapping, got ${shown(data.spec)}` });
  return problems;
}

/** The one `kind` object in `text`; InputError with file and line for anything else. */
export function parseManifest<K extends ManifestKind>(text: string, file: string, kind: K): ManifestOf<K> {
  const source = readYaml(text, file);
  if (source.problems.length) throw new InputError(source.problems);
  if (source.documents.length !== 1) {
    const found = source.documents.length === 0 ? 'no YAML document' : `${source.documents.length} documents`;
    throw new InputError({ file, path: '', message: `expected exactly one ${kind}, found ${found}` });
  }
  const { document } = source.documents[0]!;
  const plain = plainData(source, document);
  if ('problem' in plain) throw new InputError(plain.problem);
  const problems: InputProblem[] = outlineProblems(plain.data, kind).map((p) => locatedProblem(source, document, p));
  if (problems.length) throw new InputError(problems);
  return plain.data as ManifestOf<K>;
}

/** Every `kind` object in `text`, each with the index of its document (documents of other kinds are skipped);
 * InputError with file and line for a malformed one, or when there is none. */
export function parseManifests<K extends ManifestKind>(text: string, file: string, kind: K): Array<{ object: ManifestOf<K>; document: number }> {
  const source = readYaml(text, file);
  if (source.problems.length) throw new InputError(source.problems);
  const out: Array<{ object: ManifestOf<K>; document: number }> = [];
  const problems: InputProblem[] = [];
  const skipped: InputProblem[] = [];
  for (const { document, index } of source.documents) {
    const plain = plainData(source, document);
    if ('problem' in plain) throw new InputError(plain.problem);
    const found = outlineProblems(plain.data, kind).map((p) => locatedProblem(source, document, p));
    // Other kinds (the Services, a Gateway) may share the file: skipped, unless nothing else is there.
    if (isRecord(plain.data) && typeof plain.data.kind === 'string' && plain.data.kind !== kind) skipped.push(...found);
    else if (found.length) problems.push(...found);
    else out.push({ object: plain.data as ManifestOf<K>, document: index });
  }
  if (problems.length) throw new InputError(problems);
  if (out.length === 0) throw new InputError(skipped[0] ?? { file, path: '', message: `expected at least one ${kind}, found no YAML document` });
  return out;
}

export async function loadManifest<K extends ManifestKind>(path: string, kind: K): Promise<ManifestOf<K>> {
  return parseManifest(await readInputFile(path), path, kind);
}
