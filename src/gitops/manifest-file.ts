// A managed object inside a GitOps repository's manifest file: found by kind, namespace and name among
// the file's YAML documents, read as a plain object, and edited in place (every byte outside the
// fields that change is kept; see src/yaml/edit-in-place.ts).
import { parseAllDocuments } from 'yaml';
import { InputError } from '../errors.ts';
import { editInPlace, InPlaceEditError, YAML_READ_OPTIONS } from '../yaml/edit-in-place.ts';
import { safeYaml } from '../yaml/safe-yaml.ts';

export interface ManifestRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface FoundObject {
  /** Index of the object's document in the file. */
  docIndex: number;
  /** 1-based line where the document starts. */
  line: number;
  object: Record<string, unknown>;
  /** The file leaves the namespace to the tool that applies it (a Kustomize `namespace:`, an Argo CD
   * destination): the object carries none. */
  namespaced: boolean;
}

export function describeRef(ref: ManifestRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/**
 * The object `ref` in the file's text. A document without a namespace matches any namespace (it
 * gets one when applied), but one that names the namespace wins. `text` undefined means the file
 * does not exist. Every miss is one InputError naming the file and the object.
 */
export function findObject(text: string | undefined, file: string, ref: ManifestRef): FoundObject {
  if (text === undefined) throw new InputError({ file, path: '', message: `the file does not exist; it should hold ${describeRef(ref)}` });
  const docs = parseAllDocuments(text, YAML_READ_OPTIONS);
  if (!Array.isArray(docs)) throw new InputError({ file, path: '', message: `not a YAML file; it should hold ${describeRef(ref)}` });
  const candidates: FoundObject[] = [];
  docs.forEach((doc, docIndex) => {
    const line = lineOf(text, (doc.contents as { range?: number[] } | null)?.range?.[0] ?? doc.range[0]);
    if (doc.errors.length > 0) {
      throw new InputError({ file, line, path: '', message: `document ${docIndex + 1} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` });
    }
    const object = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (!isRecord(object) || object['kind'] !== ref.kind) return;
    const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
    if (metadata['name'] !== ref.name) return;
    const namespace = metadata['namespace'];
    if (namespace !== undefined && namespace !== ref.namespace) return;
    candidates.push({ docIndex, line, object, namespaced: namespace !== undefined });
  });
  const exact = candidates.filter((c) => c.namespaced);
  const matches = exact.length > 0 ? exact : candidates;
  if (matches.length === 0) throw new InputError({ file, path: '', message: `holds no ${describeRef(ref)} (looked for kind, metadata.name and metadata.namespace in ${docs.length} document${docs.length === 1 ? '' : 's'})` });
  if (matches.length > 1) {
    throw new InputError({ file, path: '', message: `holds ${describeRef(ref)} more than once (documents starting on lines ${matches.map((m) => m.line).join(', ')}); keep one` });
  }
  return matches[0]!;
}

/**
 * The file's text with object `ref` changed to `desired` (the whole object as it should read), every
 * byte that does not need to change kept. `desired` keeps the file's namespace choice: when the file
 * leaves the namespace out, so does the result.
 */
export function editObject(text: string | undefined, file: string, ref: ManifestRef, desired: Record<string, unknown>): string {
  const found = findObject(text, file, ref);
  const target = found.namespaced ? desired : withoutNamespace(desired);
  try {
    return editInPlace(text!, found.docIndex, [], target);
  } catch (error) {
    if (error instanceof InPlaceEditError) {
      throw new InputError({ file, line: found.line, path: '', message: `cannot edit ${describeRef(ref)} in place: ${error.message}` });
    }
    throw error;
  }
}

/** Every object in the file (documents that are not objects are left out), in order. */
export function objectsIn(text: string | undefined, file: string): FoundObject[] {
  if (text === undefined) return [];
  const docs = parseAllDocuments(text, YAML_READ_OPTIONS);
  if (!Array.isArray(docs)) throw new InputError({ file, path: '', message: 'not a YAML file' });
  return docs.flatMap((doc, docIndex) => {
    const line = lineOf(text, (doc.contents as { range?: number[] } | null)?.range?.[0] ?? doc.range[0]);
    if (doc.errors.length > 0) throw new InputError({ file, line, path: '', message: `document ${docIndex + 1} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` });
    const object = doc.toJS({ maxAliasCount: -1 }) as unknown;
    if (!isRecord(object) || typeof object['kind'] !== 'string') return [];
    const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
    return [{ docIndex, line, object, namespaced: metadata['namespace'] !== undefined }];
  });
}

/** The file with `object` added as a new last document (the file is made when it does not exist). */
export function appendObject(text: string | undefined, object: Record<string, unknown>): string {
  const rendered = safeYaml(object);
  if (text === undefined || text.trim() === '') return rendered;
  return `${text}${text.endsWith('\n') ? '' : '\n'}---\n${rendered}`;
}

/** The file without the document of object `ref`; every other byte kept. */
export function removeObject(text: string | undefined, file: string, ref: ManifestRef): string {
  const found = findObject(text, file, ref);
  const doc = parseAllDocuments(text!, YAML_READ_OPTIONS)[found.docIndex]!;
  return text!.slice(0, doc.range[0]) + text!.slice(doc.range[2]);
}

function withoutNamespace(object: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(object['metadata']) || !('namespace' in object['metadata'])) return object;
  const { namespace: _, ...metadata } = object['metadata'];
  return { ...object, metadata };
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
