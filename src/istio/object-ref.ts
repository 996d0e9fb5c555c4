// Names an Istio object the way every message about it starts, so a user can find it at once.
import type { InputProblem } from '../errors.ts';

interface Named {
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** `VirtualService istioinaction/catalog` (namespace omitted when the object has none). */
export function objectRef(obj: Named): string {
  // Shown only when it is text: a damaged object must still get a readable name.
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  const ns = obj.metadata.namespace;
  return `${text(obj.kind)} ${ns ? `${text(ns)}/` : ''}${text(obj.metadata.name)}`;
}

/** An input problem located at a field of an object: `VirtualService ns/name: spec.http[2].route`. */
export function objectProblem(obj: Named, path: string, message: string): InputProblem {
  return { path: path ? `${objectRef(obj)}: ${path}` : objectRef(obj), message };
}
